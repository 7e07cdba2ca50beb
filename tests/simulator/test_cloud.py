"""How messages move on the simulated cloud SMS APIs, and the faults tests set."""

from __future__ import annotations

from datetime import timedelta

import pytest

from simulator.cloud import (
    HOLD_FOREVER,
    CloudService,
    Delivery,
    Progression,
    TextSize,
    text_size,
)

from .conftest import START

PATH = Progression(("accepted", "sent", "delivered"), early={"refused"}, late={"lost"})


def delivery(state: str = "accepted") -> Delivery[str]:
    """A message to one number, accepted now."""
    return Delivery(number="4917612345678", state=state, updated=START)


def new_service() -> CloudService[str, str]:
    """A provider whose accounts are plain names."""
    return CloudService("test", PATH, lambda: START)


def walk(
    service: CloudService[str, str], *messages: Delivery[str], ticks: int = 3
) -> list[list[str]]:
    """The states of `messages` after each of `ticks` ticks, a second apart."""
    seen = []
    for tick in range(1, ticks + 1):
        service.tick(START + timedelta(seconds=tick))
        seen.append([message.state for message in messages])
    return seen


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", TextSize("gsm", 1)),
        ("x" * 160, TextSize("gsm", 1)),
        ("x" * 161, TextSize("gsm", 2)),
        ("€" * 80, TextSize("gsm", 1)),
        ("€" * 81, TextSize("gsm", 2)),
        ("x" * 306, TextSize("gsm", 2)),
        ("x" * 307, TextSize("gsm", 3)),
        ("ж" * 70, TextSize("ucs2", 1)),
        ("ж" * 71, TextSize("ucs2", 2)),
        ("😀" * 35, TextSize("ucs2", 1)),
        ("😀" * 36, TextSize("ucs2", 2)),
    ],
)
def test_text_size(text: str, size: TextSize) -> None:
    assert text_size(text) == size


def test_a_message_moves_one_step_per_tick() -> None:
    service = new_service()
    message = delivery()
    service.start(message)

    assert walk(service, message) == [["sent"], ["delivered"], ["delivered"]]
    assert message.updated == START + timedelta(seconds=2)
    assert service.active == []


def test_a_message_starting_final_is_not_followed() -> None:
    service = new_service()
    service.start(delivery("refused"))
    assert service.active == []


def test_a_scheduled_message_waits() -> None:
    service = new_service()
    message = delivery()
    message.not_before = START + timedelta(seconds=2)
    service.start(message)

    assert walk(service, message) == [["accepted"], ["sent"], ["delivered"]]


@pytest.mark.parametrize(
    ("failure", "path"),
    [("refused", ["refused", "refused"]), ("lost", ["sent", "lost"])],
)
def test_early_and_late_failures(failure: str, path: list[str]) -> None:
    service = new_service()
    message = delivery()
    service.start(message)
    service.force_failure([message], failure)

    assert walk(service, message, ticks=2) == [[state] for state in path]
    assert service.active == []


def test_the_next_messages_fail() -> None:
    service = new_service()
    flying = delivery()
    service.start(flying)
    service.force_failure(None, "lost", count=2)
    later, spared = delivery(), delivery()
    service.start(later)
    service.start(spared)

    assert walk(service, flying, later, spared, ticks=2)[-1] == [
        "lost",
        "lost",
        "delivered",
    ]


def test_a_failure_spares_messages_beyond_the_count() -> None:
    service = new_service()
    first, second = delivery(), delivery()
    service.start(first)
    service.start(second)
    service.force_failure(None, "refused", count=1)

    assert walk(service, first, second, ticks=2)[-1] == ["refused", "delivered"]


def test_failure_refusals() -> None:
    service = new_service()
    done = delivery("delivered")
    with pytest.raises(ValueError, match="delivered is not a failure state"):
        service.force_failure([done], "delivered")
    with pytest.raises(ValueError, match="already final"):
        service.force_failure([done], "lost")
    with pytest.raises(ValueError, match="already final"):
        service.delay([done], 1)
    with pytest.raises(ValueError, match="ticks must be -1 or more"):
        service.delay(None, -2)


def test_held_messages() -> None:
    service = new_service()
    held, forever = delivery(), delivery()
    service.start(held)
    service.start(forever)
    service.delay([held], 2)
    service.delay([forever], HOLD_FOREVER)

    assert walk(service, held, forever, ticks=4) == [
        ["accepted", "accepted"],
        ["accepted", "accepted"],
        ["sent", "accepted"],
        ["delivered", "accepted"],
    ]
    service.set_state([forever], "sent", START)
    assert walk(service, forever, ticks=1) == [["delivered"]]


def test_held_messages_count_once() -> None:
    service = new_service()
    held, first, second = delivery(), delivery(), delivery()
    for message in (held, first, second):
        service.start(message)
    service.delay([held], HOLD_FOREVER)
    service.delay(None, 1, count=1)

    assert walk(service, held, first, second, ticks=1) == [
        ["accepted", "accepted", "sent"]
    ]


def test_the_next_messages_are_held() -> None:
    service = new_service()
    flying = delivery()
    service.start(flying)
    service.delay(None, 1, count=2)
    later, spared = delivery(), delivery()
    service.start(later)
    service.start(spared)

    assert walk(service, flying, later, spared, ticks=1) == [
        ["accepted", "accepted", "sent"]
    ]


def test_states_set_by_hand() -> None:
    service = new_service()
    message = delivery()
    service.start(message)

    service.set_state([message], "delivered", START)
    assert service.active == []
    # A report can come back on a message, which is then followed again.
    service.set_state([message], "buffered", START)
    assert service.active == [message]
    assert walk(service, message, ticks=1) == [["delivered"]]
    service.set_state([message], "lost", START)
    assert service.active == []


def test_refusals() -> None:
    service = new_service()
    assert service.take_refusal() is None

    service.refuse(900, 2)
    assert [service.take_refusal() for _ in range(3)] == [900, 900, None]
    service.refuse(500, -1)
    assert [service.take_refusal() for _ in range(3)] == [500, 500, 500]
    service.refuse(500, 0)
    assert service.take_refusal() is None
    with pytest.raises(ValueError, match="count must be -1 or more"):
        service.refuse(500, -2)


def test_accounts() -> None:
    service = new_service()
    with pytest.raises(LookupError, match="no test account"):
        service.account()

    assert service.open_account("k1", "first") == "first"
    service.open_account("k2", "second")

    assert (service.account(), service.account("k2")) == ("first", "second")
    with pytest.raises(KeyError):
        service.account("k3")
    with pytest.raises(ValueError, match="a test account with this key exists"):
        service.open_account("k1", "again")
    assert service.now() == START
