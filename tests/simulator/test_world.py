"""The simulated world in-process: phones, status progress, failures and history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfoNotFoundError

import pytest

from simulator.clock import ManualClock, SystemClock
from simulator.demo import DEMO_EMAIL, DEMO_PASSWORD, build_demo
from simulator.models import Message, Sim, Status
from simulator.state import Simulator

from .conftest import START, World


def queue(world: World, phone_id: int | None = None, count: int = 1) -> list[Message]:
    """Queue messages to send from a phone (the two-SIM one by default)."""
    return world.sim.queue_messages(
        world.account,
        device_id=phone_id or world.phone.id,
        recipients=[f"+49157{n}" for n in range(count)],
        body="Hi",
        sim=0,
    )


def statuses(messages: list[Message]) -> list[int]:
    """The status of each message."""
    return [message.status for message in messages]


# Clocks


def test_manual_clock() -> None:
    clock = ManualClock(START)
    assert clock.advance(1.5) == START + timedelta(seconds=1.5)
    clock.set(datetime(2030, 1, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2030, 1, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        clock.set(datetime(2030, 1, 1))  # noqa: DTZ001
    assert ManualClock().now().tzinfo is UTC
    assert SystemClock().now().tzinfo is UTC


def test_times_are_kept_to_the_second(world: World) -> None:
    world.clock.advance(0.75)
    (message,) = queue(world)
    assert message.created == START
    assert Simulator().now().microsecond == 0


# Accounts and phones


def test_accounts(world: World) -> None:
    assert world.sim.account("Owner@Example.com") is world.account
    assert world.sim.accounts == [world.account]
    assert world.sim.default_account() is world.account
    with pytest.raises(ValueError, match="exists"):
        world.sim.add_account("OWNER@example.com", "x")
    with pytest.raises(ZoneInfoNotFoundError):
        world.sim.add_account("new@example.com", "x", "Nowhere/City")
    with pytest.raises(LookupError):
        Simulator().default_account()


def test_phones(world: World) -> None:
    assert world.sim.phone(world.phone.id) is world.phone
    assert world.phone.allowed_sims == {0, 1, 3}
    assert world.phone.sims[0].iccid == "8949000001123100000"
    given = world.sim.add_phone(
        world.account, sims=[Sim(slot=1, carrier="x", iccid="123")]
    )
    assert given.sims[0].iccid == "123"
    world.sim.remove_phone(given.id)
    assert given.id not in world.account.phones
    with pytest.raises(KeyError):
        world.sim.phone(given.id)


def test_clear_keeps_the_clock(world: World) -> None:
    queue(world)
    world.sim.clear()
    assert world.sim.accounts == []
    assert world.sim.clock is world.clock
    account = world.sim.add_account("a@example.com", "pw")
    assert world.sim.add_phone(account).id == world.phone.id


# Status progress


def test_a_message_moves_one_step_per_tick(world: World) -> None:
    (message,) = queue(world)
    progress = []
    for _ in range(4):
        world.clock.advance(10)
        world.sim.tick()
        progress.append(message.status)
    assert progress == [Status.TAKEN, Status.SENT, Status.DELIVERED, Status.DELIVERED]
    assert message.senttime == START + timedelta(seconds=20)
    assert world.phone.active == []
    assert world.phone.last_seen == START + timedelta(seconds=40)


def test_an_offline_phone_does_not_move(world: World) -> None:
    (message,) = queue(world)
    world.sim.set_online(world.phone.id, False)
    world.clock.advance(60)
    world.sim.tick()
    assert message.status == Status.PENDING
    assert world.phone.last_seen == START
    world.sim.set_online(world.phone.id, True)
    assert world.phone.last_seen == START + timedelta(seconds=60)
    world.sim.tick()
    assert message.status == Status.TAKEN


def test_a_scheduled_message_waits_for_its_time(world: World) -> None:
    (message,) = world.sim.queue_messages(
        world.account,
        device_id=world.phone.id,
        recipients=["+491"],
        body="Later",
        sim=0,
        timetosend=START + timedelta(minutes=5),
    )
    world.sim.tick()
    assert message.status == Status.PENDING
    world.clock.advance(300)
    world.sim.tick()
    assert message.status == Status.TAKEN


@pytest.mark.parametrize(
    ("status", "path"),
    [
        (Status.FAILED, [Status.TAKEN, Status.FAILED]),
        (Status.RADIO_OFF, [Status.TAKEN, Status.RADIO_OFF]),
        (Status.NOT_DELIVERED, [Status.TAKEN, Status.SENT, Status.NOT_DELIVERED]),
    ],
)
def test_a_forced_failure_ends_a_message(
    world: World, status: Status, path: list[Status]
) -> None:
    (message,) = queue(world)
    world.sim.force_failure(sms_id=message.id, status=status)
    seen = []
    for _ in path:
        world.sim.tick()
        seen.append(message.status)
    assert seen == path
    assert world.phone.active == []


def test_a_sent_message_can_still_be_made_to_fail(world: World) -> None:
    (message,) = queue(world)
    world.sim.tick()
    world.sim.tick()
    world.sim.force_failure(sms_id=message.id, status=Status.NO_SERVICE)
    world.sim.tick()
    assert message.status == Status.NO_SERVICE


def test_a_phone_s_next_messages_fail(world: World) -> None:
    first, second = queue(world, count=2)
    world.sim.tick()
    world.sim.tick()
    assert statuses([first, second]) == [Status.SENT, Status.SENT]
    waiting = queue(world, count=2)
    world.sim.force_failure(phone_id=world.phone.id, status=Status.NULL_PDU, count=3)
    later = queue(world, count=2)
    for _ in range(3):
        world.sim.tick()
    assert statuses(waiting + later) == [
        Status.NULL_PDU,
        Status.NULL_PDU,
        Status.NULL_PDU,
        Status.DELIVERED,
    ]
    assert world.phone.failures == []


def test_a_phone_failure_spares_messages_beyond_the_count(world: World) -> None:
    messages = queue(world, count=3)
    world.sim.force_failure(phone_id=world.phone.id, count=1)
    for _ in range(3):
        world.sim.tick()
    assert statuses(messages) == [Status.FAILED, Status.DELIVERED, Status.DELIVERED]


def test_force_failure_refusals(world: World) -> None:
    (message,) = queue(world)
    with pytest.raises(ValueError, match="not a failure"):
        world.sim.force_failure(sms_id=message.id, status=Status.DELIVERED)
    with pytest.raises(ValueError, match="give a message or a phone"):
        world.sim.force_failure()
    with pytest.raises(KeyError):
        world.sim.force_failure(sms_id=1)
    incoming = world.sim.inject_incoming(world.phone.id, "+491", "hi")
    with pytest.raises(ValueError, match="already final"):
        world.sim.force_failure(sms_id=incoming)


# Incoming messages


def test_incoming_messages(world: World) -> None:
    received_at = START - timedelta(hours=1)
    early = world.sim.inject_incoming(
        world.phone.id, "+491", "old", sim=1, received_at=received_at
    )
    now = world.sim.inject_incoming(world.phone.id, "+492", "new")
    assert [m.id for m in world.account.messages] == [early, now]
    message = world.sim.message(early)
    assert (message.created, message.senttime, message.sim) == (
        received_at,
        received_at,
        1,
    )
    assert world.sim.message(now).created == START
    with pytest.raises(ValueError, match="has no sim 1"):
        world.sim.inject_incoming(world.other.id, "+491", "hi", sim=1)


def test_an_offline_phone_uploads_when_back(world: World) -> None:
    world.sim.set_online(world.phone.id, False)
    sms_id = world.sim.inject_incoming(world.phone.id, "+491", "hi")
    assert world.account.messages == []
    world.clock.advance(600)
    world.sim.set_online(world.phone.id, True)
    world.sim.set_online(world.phone.id, True)
    message = world.sim.message(sms_id)
    assert message.created == START + timedelta(seconds=600)
    assert message.senttime == START
    assert world.account.messages == [message]
    assert world.phone.unsent_incoming == []


def test_messages_stay_in_creation_order(world: World) -> None:
    (sent,) = queue(world)
    earlier = world.sim.inject_incoming(
        world.phone.id, "+491", "x", received_at=START - timedelta(seconds=1)
    )
    same_time = world.sim.inject_incoming(world.phone.id, "+491", "y")
    assert [m.id for m in world.account.messages] == [earlier, sent.id, same_time]


# History


def test_a_large_history(world: World) -> None:
    start = START - timedelta(days=365)
    world.sim.add_history(world.account, 100_000, start, START)
    messages = world.account.messages
    assert len(messages) == 100_000
    assert all(a.order <= b.order for a, b in pairwise(messages))
    assert messages[0].created >= start
    assert messages[-1].created <= START
    assert {m.status for m in messages} == {
        Status.INCOMING,
        Status.SENT,
        Status.DELIVERED,
        Status.NOT_DELIVERED,
        Status.FAILED,
    }
    assert {m.device_id for m in messages} == {world.phone.id, world.other.id}
    assert {m.sim for m in messages} == {0, 1}
    assert all(m.senttime is None for m in messages if m.status == Status.FAILED)
    assert world.sim.message(messages[500].id) is messages[500]

    begin = START - timedelta(days=3)
    window = world.sim.find_messages(world.account, begin=begin, end=START)
    assert window == [m for m in messages if m.created >= begin]
    assert window


def test_history_is_repeatable_and_merges_in_order(world: World) -> None:
    (sent,) = queue(world)
    span = (START - timedelta(days=2), START - timedelta(days=1))
    world.sim.add_history(world.account.email, 50, *span, [world.other.id], incoming=0)
    messages = world.account.messages
    assert messages[-1] is sent
    assert {m.device_id for m in messages[:-1]} == {world.other.id}
    assert Status.INCOMING not in {m.status for m in messages}

    again = Simulator(ManualClock(START))
    account = again.add_account("a@example.com", "pw")
    phone = again.add_phone(account)
    again.add_history(account, 50, *span, [phone.id], incoming=0)
    assert [(m.created, m.body, m.status) for m in account.messages] == [
        (m.created, m.body, m.status) for m in messages[:-1]
    ]


def test_history_refusals(world: World) -> None:
    lonely = world.sim.add_account("lonely@example.com", "pw")
    with pytest.raises(ValueError, match="no phone"):
        world.sim.add_history(lonely, 10, START - timedelta(days=1), START)
    whatsapp_only = world.sim.add_phone(lonely, sims=[], channels=[3])
    with pytest.raises(ValueError, match="no SIM card"):
        world.sim.add_history(lonely, 10, START - timedelta(days=1), START)
    with pytest.raises(ValueError, match="count cannot be negative"):
        world.sim.add_history(world.account, -1, START - timedelta(days=1), START)
    with pytest.raises(ValueError, match="end before start"):
        world.sim.add_history(world.account, 10, START, START - timedelta(days=1))
    assert whatsapp_only.allowed_sims == {3}


# Faults


def test_fault_settings(world: World) -> None:
    with pytest.raises(ValueError, match="negative"):
        world.sim.set_latency(-1)
    with pytest.raises(ValueError, match="-1 or more"):
        world.sim.set_html_errors(-2)
    world.sim.set_html_errors(2)
    assert [world.sim.take_html_error() for _ in range(3)] == [True, True, False]
    world.sim.set_html_errors(-1)
    assert all(world.sim.take_html_error() for _ in range(5))


# The demo world


def test_the_demo_world() -> None:
    sim = build_demo(ManualClock(START))
    account = sim.account(DEMO_EMAIL)
    assert sim.login(DEMO_EMAIL, DEMO_PASSWORD) is account
    pixel, galaxy = account.phones.values()
    assert (pixel.id, pixel.title, galaxy.id, galaxy.title) == (
        11231,
        "Pixel 7",
        11232,
        "Galaxy A52",
    )
    assert pixel.allowed_sims == {0, 1, 2, 3}
    assert [sim.number for sim in pixel.sims] == ["+4915112345678", " 4917012345678"]
    assert pixel.sims[1].roaming
    assert galaxy.allowed_sims == {0}
    assert galaxy.created == START - timedelta(days=400)
    assert galaxy.last_seen == START
    assert not galaxy.app_version_current
    assert galaxy.subscription
    incoming = [m for m in account.messages if m.status == Status.INCOMING]
    assert len(incoming) == 3
    assert len(account.messages) == 39
    assert all(m.created < START for m in account.messages)


def test_demo_token_survives_a_restart() -> None:
    """A rebuilt demo world accepts the token of the one before, until it expires."""
    first, second = build_demo(), build_demo()
    token = first.issue_token(first.account(DEMO_EMAIL))
    assert second.account_for_token(token) is second.account(DEMO_EMAIL)
    second.expire_token(DEMO_EMAIL)
    assert second.issue_token(second.account(DEMO_EMAIL)) != token
