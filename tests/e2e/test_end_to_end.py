"""The integration in a real Home Assistant against the simulator, as a user meets it.

Everything goes through the REST and WebSocket APIs of Home Assistant and the
control API of the simulator; a failure shows the tail of Home Assistant's log.
What automations do is read from what they recorded, one line per run.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from .harness import DOMAIN, Api, Stack, wait_until

pytestmark = pytest.mark.e2e

RECEIVED = f"{DOMAIN}_sms_received"
STATUS = f"{DOMAIN}_sms_status"
# The test automations: by the bus event, the device trigger, the blueprint.
AUTOMATIONS = ("event", "device", "blueprint")
# The number the blueprint's automation allows; its keyword is "alarm".
ALLOWED = "+4915700000001"
POWER_CUTS = 3


class Integration:
    """What the integration set up in Home Assistant, found through the registries."""

    def __init__(self, api: Api) -> None:
        """Look things up through `api`."""
        self.api = api
        self.stack = api.stack
        self.entity_ids: dict[str, str] = {}
        self.devices: dict[str, str] = {}

    async def load(self) -> None:
        """Read the entity and device registries."""
        entities = await self.api.ws("config/entity_registry/list")
        self.entity_ids = {
            entity["unique_id"]: entity["entity_id"]
            for entity in entities
            if entity["platform"] == DOMAIN
        }
        devices = await self.api.ws("config/device_registry/list")
        self.devices = {
            device["name"]: device["id"]
            for device in devices
            if self.stack.entry_id in device["config_entries"]
        }

    def entity(self, phone: str, key: str) -> str:
        """The entity id of a phone's entity, by its unique id's key."""
        unique_id = f"{self.stack.phones[phone]}_{key}"
        assert unique_id in self.entity_ids, (unique_id, self.entity_ids)
        return self.entity_ids[unique_id]

    async def state(self, phone: str, key: str) -> str:
        """The state of a phone's entity."""
        return str((await self.api.state(self.entity(phone, key)))["state"])

    async def wait_online(self, phone: str, *, online: bool) -> None:
        """Wait until a phone's Online sensor shows it online, or offline."""
        await wait_until(
            self.stack,
            lambda: self.state(phone, "online"),
            lambda state: state == ("on" if online else "off"),
            f"{phone} {'online' if online else 'offline'}",
        )

    async def poll_now(self) -> None:
        """Make the coordinator poll now rather than at its next interval."""
        await self.api.call(
            "homeassistant",
            "update_entity",
            {"entity_id": self.entity("Pixel 7", "online")},
        )

    async def sent_to(self, number: str) -> list[dict[str, Any]]:
        """The addsms calls the simulator received for a number."""
        requests = await self.api.sim("GET", "requests")
        return [
            request
            for request in requests
            if request["method"] in ("addsms", "addalotofsms")
            and number in str(request["fields"])
        ]


async def test_end_to_end(stack: Stack) -> None:
    with stack.log_on_failure():
        async with Api.connect(stack) as api:
            integration = Integration(api)
            await integration.load()
            await check_phones(integration)
            sent_id = await check_send_sms(integration)
            await check_notify(integration)
            await check_incoming(integration)
            await check_failure(integration, sent_id)
            await check_offline(integration)


async def check_phones(integration: Integration) -> None:
    """Both demo phones are devices, with their health and SIM cards as entities."""
    assert set(integration.devices) == {"Pixel 7", "Galaxy A52"}
    expected = {
        ("Pixel 7", "online"): "on",
        ("Pixel 7", "sim0_operator"): "Vodafone.de",
        ("Pixel 7", "sim1_operator"): "Telekom.de",
        ("Pixel 7", "sim0_roaming"): "off",
        ("Pixel 7", "sim1_roaming"): "on",
        ("Pixel 7", "app_version"): "12.3.4",
        ("Pixel 7", "app_update"): "off",
        ("Galaxy A52", "online"): "on",
        ("Galaxy A52", "sim0_operator"): "Orange F",
        ("Galaxy A52", "app_version"): "12.1.21",
        ("Galaxy A52", "app_update"): "on",
    }
    states = {key: await integration.state(*key) for key in expected}
    assert states == expected


async def check_send_sms(integration: Integration) -> int:
    """The send action queues the message at the provider and returns its id."""
    number = "+4917611111111"
    answer = await integration.api.call(
        DOMAIN,
        "send_sms",
        {"phone": [number], "message": "Front door opened"},
        response=True,
    )
    sms_ids = answer["service_response"]["sms_ids"]
    assert len(sms_ids) == 1, answer
    assert len(await integration.sent_to(number)) == 1
    return int(sms_ids[0])


async def check_notify(integration: Integration) -> None:
    """A recipient added as a subentry is a notify entity that sends to its number."""
    api = integration.api
    number = "+4917622222222"
    path = "/api/config/config_entries/subentries/flow"
    form = await api.rest(
        "POST", path, {"handler": [integration.stack.entry_id, "recipient"]}
    )
    assert form["type"] == "form", form
    created = await api.rest(
        "POST",
        f"{path}/{form['flow_id']}",
        {"name": "Alice", "channel": "sms", "address": number},
    )
    assert created["type"] == "create_entry", created

    async def notify_entities() -> list[str]:
        await integration.load()
        return [
            entity_id
            for entity_id in integration.entity_ids.values()
            if entity_id.startswith("notify.")
        ]

    (entity_id,) = await wait_until(
        integration.stack, notify_entities, bool, "the recipient's notify entity"
    )
    await wait_until(
        integration.stack,
        lambda: api.state(entity_id),
        lambda state: state["state"] != "unavailable",
        f"{entity_id} available",
    )
    await api.call(
        "notify", "send_message", {"entity_id": entity_id, "message": "Hello Alice"}
    )
    assert len(await integration.sent_to(number)) == 1


async def check_incoming(integration: Integration) -> None:
    """A message the phone receives fires smsgateway24_sms_received once."""
    api = integration.api
    injected = await api.sim(
        "POST",
        "incoming",
        {
            "device_id": integration.stack.phones["Pixel 7"],
            "phone": "+4915733333333",
            "text": "ALARM OFF",
            "sim": 1,
        },
    )
    sms_id = int(injected["sms_id"])
    await integration.poll_now()
    event = await api.wait_event(
        RECEIVED, lambda data: data["sms_id"] == sms_id, f"for message {sms_id}"
    )
    assert event["config_entry_id"] == integration.stack.entry_id
    assert event["device_id"] == integration.devices["Pixel 7"]
    assert event["gateway_device_id"] == integration.stack.phones["Pixel 7"]
    assert (event["phone"], event["text"], event["sim"]) == (
        "+4915733333333",
        "ALARM OFF",
        1,
    )
    assert event["catch_up"] is False
    # Not from the number the blueprint allows: only the other two run.
    runs = await runs_of(integration.stack, [sms_id], ("event", "device"))
    assert runs == {("device", sms_id): [False], ("event", sms_id): [False]}


async def check_failure(integration: Integration, sms_id: int) -> None:
    """A message the phone fails to send ends in a final failed status event."""
    api = integration.api
    await api.sim("POST", "fail", {"sms_id": sms_id})
    for _ in range(2):  # pending -> taken -> failed
        await api.sim("POST", "tick")
    await integration.poll_now()
    event = await api.wait_event(
        STATUS,
        lambda data: data["sms_id"] == sms_id and data["final"],
        f"with a final status of message {sms_id}",
    )
    assert (event["status"], event["status_code"]) == ("failed", 9)
    assert event["device_id"] == integration.devices["Pixel 7"]
    assert event["phone"] == "+4917611111111"


async def check_offline(integration: Integration) -> None:
    """A phone out of touch for longer than the online timeout shows offline."""
    api = integration.api
    await api.sim(
        "POST",
        f"phones/{integration.stack.phones['Galaxy A52']}/offline",
        {"minutes": 30},
    )
    await integration.poll_now()
    await integration.wait_online("Galaxy A52", online=False)
    assert await integration.state("Pixel 7", "online") == "on"


async def test_messages_received_while_stopped(stack: Stack) -> None:
    """Two messages arrive while Home Assistant is stopped: each runs each automation once.

    They fire once Home Assistant has started, when automations listen, with
    ``catch_up: true``; the message of before the stop does not fire again.
    """
    with stack.log_on_failure():
        before = await receive_live(stack, "ALARM before the stop")
        code = stack.hass.stop()
        assert code == 0, f"Home Assistant stopped with exit code {code}"
        away = [await receive(stack, f"ALARM {n} while stopped") for n in (1, 2)]
        await stack.start_hass()
        await runs_of(stack, away)
        after = await receive_live(stack, "ALARM after the start")

        # What fires at the start fires before what comes after it.
        assert await runs_of(stack, [before, *away, after]) == expected_runs(
            {before: False, away[0]: True, away[1]: True, after: False}
        )


async def test_power_cuts(stack: Stack) -> None:
    """Power cuts right after a message fired, one more arriving during each.

    Every message runs each automation exactly once: none fired before a cut
    fires again, none received during one is lost.
    """
    with stack.log_on_failure():
        await stack.wait_registries_written()
        expected: dict[int, bool] = {}
        for cut in range(1, POWER_CUTS + 1):
            expected[await receive_live(stack, f"ALARM before cut {cut}")] = False
            stack.hass.cut_power()
            during = await receive(stack, f"ALARM during cut {cut}")
            expected[during] = True
            await stack.start_hass()
            await runs_of(stack, [during])
        expected[await receive_live(stack, "ALARM after the cuts")] = False

        assert await runs_of(stack, list(expected)) == expected_runs(expected)


async def receive(stack: Stack, text: str) -> int:
    """A message from the allowed number reaches the Pixel 7; return its id."""
    async with aiohttp.ClientSession() as session:
        injected = await Api(stack, session).sim(
            "POST",
            "incoming",
            {"device_id": stack.phones["Pixel 7"], "phone": ALLOWED, "text": text},
        )
    return int(injected["sms_id"])


async def receive_live(stack: Stack, text: str) -> int:
    """A message arrives while Home Assistant runs; wait until it ran each automation."""
    sms_id = await receive(stack, text)
    async with Api.connect(stack) as api:
        integration = Integration(api)
        await integration.load()
        await integration.poll_now()
    await runs_of(stack, [sms_id])
    return sms_id


async def runs_of(
    stack: Stack, sms_ids: list[int], automations: tuple[str, ...] = AUTOMATIONS
) -> dict[tuple[str, int], list[bool]]:
    """Wait until each automation ran for each message; return those runs' catch_up.

    A failure shows the runs of each, ``[]`` for one that did not run.
    """
    wanted = sorted(
        (automation, sms_id) for automation in automations for sms_id in sms_ids
    )

    async def runs() -> dict[tuple[str, int], list[bool]]:
        found = stack.automation_runs()
        return {key: found.get(key, []) for key in wanted}

    return await wait_until(
        stack, runs, lambda found: all(found.values()), "a run of each automation"
    )


def expected_runs(catch_up: dict[int, bool]) -> dict[tuple[str, int], list[bool]]:
    """One run of each automation per message, with the message's catch_up."""
    return {
        (automation, sms_id): [catch_up[sms_id]]
        for automation, sms_id in sorted(
            (automation, sms_id) for automation in AUTOMATIONS for sms_id in catch_up
        )
    }
