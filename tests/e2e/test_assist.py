"""Assist by SMS in a real Home Assistant: a text turns a light on and is answered.

The light is a template light of the end-to-end configuration (packages/kitchen.yaml);
the recipient is added and the light exposed as a user does, through the APIs.
"""

from __future__ import annotations

from typing import Any

import pytest

from .harness import DOMAIN, Api, Stack, add_subentry, wait_until
from .test_end_to_end import Integration

pytestmark = pytest.mark.e2e

ASSIST = f"{DOMAIN}_assist"
LIGHT = "light.kitchen_light"
ANNA = "+4915755555555"


async def add_assist_recipient(api: Api) -> str:
    """Add Anna, allowed to talk to Assist by SMS; return her subentry's id."""
    return await add_subentry(
        api,
        "recipient",
        {"name": "Anna", "channel": "sms", "address": ANNA, "assist": True},
    )


async def test_text_turns_the_light_on_and_is_answered(stack: Stack) -> None:
    with stack.log_on_failure():
        async with Api.connect(stack) as api:
            await api.ws("subscribe_events", event_type=ASSIST)
            await api.ws(
                "homeassistant/expose_entity",
                assistants=["conversation"],
                entity_ids=[LIGHT],
                should_expose=True,
            )
            assert (await api.state(LIGHT))["state"] == "off"
            subentry_id = await add_assist_recipient(api)
            try:
                await check_conversation(api)
            finally:
                # The other end-to-end checks expect recipients of their own only.
                await api.ws(
                    "config_entries/subentries/delete",
                    entry_id=stack.entry_id,
                    subentry_id=subentry_id,
                )


async def check_conversation(api: Api) -> None:
    """Anna texts the Pixel's SIM 2; the light goes on and she gets the answer."""
    stack = api.stack
    integration = Integration(api)
    await integration.load()
    await api.sim("DELETE", "requests")
    pixel = stack.phones["Pixel 7"]
    await api.sim(
        "POST",
        "incoming",
        {
            "device_id": pixel,
            "phone": ANNA,
            "text": "turn on the kitchen light",
            "sim": 1,
        },
    )
    await integration.poll_now()

    event = await api.wait_event(
        ASSIST, lambda data: data["phone"] == ANNA, "for Anna's message"
    )
    assert event == {
        "config_entry_id": stack.entry_id,
        "phone": ANNA,
        "recipient": "Anna",
        "text": "turn on the kitchen light",
        "answer": "Turned on the light",
        "agent_id": "conversation.home_assistant",
        "acted": True,
    }
    await wait_until(
        stack,
        lambda: api.state(LIGHT),
        lambda light: light["state"] == "on",
        "the kitchen light on",
    )

    async def answers() -> list[dict[str, Any]]:
        requests = await api.sim("GET", "requests")
        return [
            request["fields"]
            for request in requests
            if request["method"] == "addsms" and request["fields"]["sendto"] == ANNA
        ]

    (answer,) = await wait_until(stack, answers, bool, "the answer sent to Anna")
    assert (answer["device_id"], answer["sim"]) == (str(pixel), "1")
    assert answer["body"] == "Turned on the light\n-- Assist"
