"""The demo world: one account with two phones and a few days of history.

Beside it, one seven account (credit in euros, a webhook signing secret) and
one UBill account (SMS credits, an authorized brand and one still waiting
for authorization), the backup routes' development accounts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from .models import WHATSAPP, WHATSAPP_BUSINESS, Sim
from .state import Simulator

if TYPE_CHECKING:
    from .clock import Clock

DEMO_EMAIL = "demo@smsgateway24.local"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the simulator's published demo login
DEMO_TIMEZONE = "Europe/Paris"
# A token that outlives a restart of the simulator, so that a development Home
# Assistant restarted with it stays signed in.
DEMO_TOKEN = "d3m0d3m0d3m0d3m0d3m0d3m0d3m0d3m0"  # noqa: S105 - not a secret: the demo's

# The backup routes' demo accounts: published keys, not secrets.
DEMO_SEVEN_API_KEY = "demo-seven-api-key"
DEMO_SEVEN_SIGNING_SECRET = "demo-seven-signing-secret"  # noqa: S105
DEMO_SEVEN_BALANCE = 25.0
DEMO_UBILL_API_KEY = "demo-ubill-api-key"
DEMO_UBILL_CALLBACK_KEY = "demo-ubill-callback"
DEMO_UBILL_CREDITS = 500
DEMO_UBILL_BRAND_ID = 1
DEMO_UBILL_BRAND = "HomeAlerts"
DEMO_UBILL_UNAUTHORIZED_BRAND_ID = 2
DEMO_UBILL_UNAUTHORIZED_BRAND = "NewSender"


def populate_demo(sim: Simulator) -> None:
    """Fill an empty simulator with the demo account, its phones and history."""
    now = sim.now()
    account = sim.add_account(DEMO_EMAIL, DEMO_PASSWORD, DEMO_TIMEZONE)
    sim.issue_token(account, DEMO_TOKEN)
    pixel = sim.add_phone(
        account,
        title="Pixel 7",
        sims=[
            Sim(slot=0, carrier="Vodafone.de", number="+4915112345678", country="de"),
            Sim(
                slot=1,
                carrier="Telekom.de",
                number=" 4917012345678",
                country="de",
                roaming=True,
            ),
        ],
        channels=[WHATSAPP_BUSINESS, WHATSAPP],
        imei="358240051111110",
        serial="28041FDH2000B7",
        delay_between_request=1,
        created=now - timedelta(days=120),
    )
    galaxy = sim.add_phone(
        account,
        title="Galaxy A52",
        sims=[Sim(slot=0, carrier="Orange F", number="+33612345678", country="fr")],
        serial="R58R12ABCDE",
        app_version="12.1.21",
        app_version_current=False,
        delay_between_each_sms=5,
        created=now - timedelta(days=400),
    )
    sim.add_history(
        account, 36, now - timedelta(days=6), now - timedelta(hours=2), incoming=0
    )
    for hours, phone, sender, text in (
        (50, pixel, "+4917655501234", "Are you home tonight?"),
        (26, galaxy, "+33698765432", "STATUS"),
        (5, pixel, "+4915209876543", "ALARM OFF"),
    ):
        sim.inject_incoming(
            phone.id, sender, text, received_at=now - timedelta(hours=hours)
        )
    populate_backup_routes(sim)


def populate_backup_routes(sim: Simulator) -> None:
    """Open the seven and UBill demo accounts."""
    sim.seven.add_account(
        DEMO_SEVEN_API_KEY,
        balance=DEMO_SEVEN_BALANCE,
        signing_secret=DEMO_SEVEN_SIGNING_SECRET,
    )
    ubill = sim.ubill.add_account(
        DEMO_UBILL_API_KEY,
        sms_credits=DEMO_UBILL_CREDITS,
        callback_key=DEMO_UBILL_CALLBACK_KEY,
    )
    sim.ubill.add_brand(ubill, DEMO_UBILL_BRAND, brand_id=DEMO_UBILL_BRAND_ID)
    sim.ubill.add_brand(
        ubill,
        DEMO_UBILL_UNAUTHORIZED_BRAND,
        authorized=False,
        brand_id=DEMO_UBILL_UNAUTHORIZED_BRAND_ID,
    )


def build_demo(clock: Clock | None = None) -> Simulator:
    """Return a new simulator holding the demo world."""
    sim = Simulator(clock)
    populate_demo(sim)
    return sim
