"""Failover in a real Home Assistant: an alert goes out through seven.io while the phone is offline.

The seven.io route is added and chosen as the fallback route as a user does,
through the subentry and options flows. The alert and the recording of each
status event are automations of the configuration (packages/leak_alert.yaml):
a button texts the plumber, a recipient of the account.
"""

from __future__ import annotations

from typing import Any

import pytest

from simulator.demo import DEMO_SEVEN_API_KEY

from .harness import (
    DOMAIN,
    Api,
    Stack,
    add_subentry,
    change_options,
    select_options,
    wait_until,
)
from .test_end_to_end import Integration

pytestmark = pytest.mark.e2e

STATUS = f"{DOMAIN}_sms_status"
PLUMBER = "+4917644444444"
# What packages/leak_alert.yaml names.
NOTIFY = "notify.plumber"
BUTTON = "input_button.leak_alarm"
ALERT = "Water leak in the cellar"
SENDER = "House"
PHONE_SENDS = ("addsms", "addalotofsms")


async def test_alert_fails_over_to_seven_while_the_phone_is_offline(
    stack: Stack,
) -> None:
    with stack.log_on_failure():
        async with Api.connect(stack) as api:
            integration = Integration(api)
            route_id = await add_subentry(
                api,
                "route",
                {
                    "name": "seven backup",
                    "provider": "seven",
                    "api_key": DEMO_SEVEN_API_KEY,
                    "advanced": {"url": f"{stack.sim_url}/seven/api"},
                },
                {"sender": SENDER},
            )
            plumber_id = await add_subentry(
                api,
                "recipient",
                {"name": "Plumber", "channel": "sms", "address": PLUMBER},
            )
            try:
                form = await change_options(
                    api, {"fallback_route": route_id, "failover_after": 0}
                )
                assert select_options(form, "fallback_route") == {
                    "none": "none",
                    "seven backup (seven.io)": route_id,
                }
                await check_failover(integration, plumber_id)
            finally:
                # The other end-to-end checks expect their own subentries only,
                # and the phone online.
                for subentry_id in (plumber_id, route_id):
                    await api.ws(
                        "config_entries/subentries/delete",
                        entry_id=stack.entry_id,
                        subentry_id=subentry_id,
                    )
                await back_online(integration)


async def check_failover(integration: Integration, plumber_id: str) -> None:
    """The alert goes through seven, not the offline phone; seven's statuses follow."""
    api = integration.api
    stack = integration.stack
    await integration.load()
    assert integration.entity_ids.get(plumber_id) == NOTIFY
    await api.sim("POST", f"phones/{stack.phones['Pixel 7']}/offline", {"minutes": 30})
    await integration.poll_now()
    await integration.wait_online("Pixel 7", online=False)
    await api.sim("DELETE", "requests")

    await api.call("input_button", "press", {"entity_id": BUTTON})

    async def seven_sends() -> list[dict[str, Any]]:
        return [
            request["fields"]
            for request in await api.sim("GET", "requests")
            if (request["provider"], request["method"]) == ("seven", "sms")
        ]

    (request,) = await wait_until(stack, seven_sends, bool, "the alert sent by seven")
    assert (request["to"], request["text"], request["from"]) == (PLUMBER, ALERT, SENDER)
    (message,) = [
        message
        for message in await api.sim("GET", "seven/messages")
        if message["to"] == PLUMBER.removeprefix("+")
    ]
    sms_id = message["id"]

    for _ in range(2):  # accepted -> transmitted -> delivered
        await api.sim("POST", "tick")
    await integration.poll_now()
    runs = await wait_until(
        stack,
        lambda: status_runs(stack, sms_id),
        lambda runs: ("seven", "delivered", None) in runs,
        f"a run of the status automation for seven's delivery of {sms_id}",
    )
    # Sent by seven in the phone's place: the phone never had it to replace.
    assert {(route, failover_of) for route, _, failover_of in runs} == {("seven", None)}
    assert runs[-1] == ("seven", "delivered", None)
    event = await api.wait_event(
        STATUS,
        lambda data: data["sms_id"] == sms_id and data["final"],
        f"with the final status of {sms_id}",
    )
    assert (event["phone"], event["gateway_device_id"]) == (
        PLUMBER,
        stack.phones["Pixel 7"],
    )
    requests = await api.sim("GET", "requests")
    assert [r for r in requests if r["method"] in PHONE_SENDS] == []


async def status_runs(stack: Stack, sms_id: str) -> list[tuple[str, str, str | None]]:
    """What the status automation recorded of a message, oldest first."""
    return stack.status_runs(sms_id)


async def back_online(integration: Integration) -> None:
    """The Pixel 7 reaches the cloud again, and shows online."""
    api = integration.api
    await api.sim("POST", f"phones/{integration.stack.phones['Pixel 7']}/online")
    await api.sim("POST", "tick")
    await integration.poll_now()
    await integration.wait_online("Pixel 7", online=True)
