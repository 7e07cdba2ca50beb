"""The bench's measurements, on tiny sizes and without waiting for scheduled polls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.smsgateway24.const import UBILL_REPORTS_PER_POLL
from scripts import bench

type Client = Callable[[], Awaitable[TestClient[Any, Any]]]

TINY = bench.Sizes(
    phones=(1, 2),
    histories=(0, 10),
    recipients=3,
    poll_samples=1,
    poll_interval=1,
    webhook_samples=2,
    memory_messages=25,
    memory_batch=10,
    route_messages=(1, UBILL_REPORTS_PER_POLL + 1),
    failover_after=2,
)


async def test_bench_measures_every_cost(
    hass: HomeAssistant, socket_enabled: None, hass_client_no_auth: Client
) -> None:
    """Every measure is taken; a poll stays within its budget of requests."""
    # What registers HTTP views must be set up before the server starts.
    for domain in ("webhook", "notify", "conversation"):
        assert await async_setup_component(hass, domain, {})
    base_url = str((await hass_client_no_auth()).make_url("")).rstrip("/")
    said: list[str] = []

    report = await bench.run(hass, base_url, TINY, said.append)

    assert [(poll.phones, poll.history) for poll in report.polls] == [
        (1, 0),
        (1, 10),
        (2, 0),
        (2, 10),
    ]
    for poll in report.polls:
        assert poll.integration.requests <= 3
        assert poll.integration_tracking.requests <= 3
        assert poll.naive.requests == 1 + poll.phones
        assert poll.integration.received_bytes > 0
        assert poll.integration.sent_bytes > 0
    with_history = report.polls[1]
    assert with_history.naive.received_bytes > with_history.integration.received_bytes
    assert report.send is not None
    assert 1 <= report.send.requests <= 2
    for latency in (report.poll_latency, report.webhook_latency):
        assert latency is not None
        assert latency.samples
        assert all(sample >= 0 for sample in latency.samples)
    assert report.webhook_latency is not None
    assert len(report.webhook_latency.samples) == 2
    assert report.memory is not None
    assert report.memory.events == 25
    assert report.memory.polls == 3
    # Only ids still inside the overlap window of the newest message are kept.
    assert report.memory.seen_ids == 1
    assert report.memory.store_json_bytes > 0
    assert said

    # Offline: the route sends within the call, which asks nothing else.
    offline = report.offline_failover
    assert offline is not None
    assert (offline.requests, offline.polls) == ({"seven sms": 1}, 0)
    # Silent: the first poll at or after the deadline fails over, once.
    silent = report.silent_failover
    assert silent is not None
    assert silent.after_deadline == 1
    assert silent.polls == 2 * 60 // silent.scan_interval + 1
    assert 120 <= silent.route_seconds < 120 + silent.scan_interval
    assert silent.requests["seven sms"] == 1
    assert silent.requests["smsgateway24 addsms"] == 1
    assert silent.requests["smsgateway24 getalldevices"] == silent.polls
    # A route's followed messages: one journal, or a few reports, a poll.
    assert [
        (p.provider, p.messages, p.account_requests, p.route_requests, p.covered_in)
        for p in report.route_polls
    ] == [
        ("seven", 1, 2, 1, 1),
        ("seven", UBILL_REPORTS_PER_POLL + 1, 2, 1, 1),
        ("ubill", 1, 2, 1, 1),
        ("ubill", UBILL_REPORTS_PER_POLL + 1, 2, UBILL_REPORTS_PER_POLL, 2),
    ]

    table = bench.render(report)
    assert "| Poll, 2 phones, 10 messages |" in table
    assert "by webhook (2 samples)" in table
    assert "| Failover, phone offline: `send_sms` to seven.io's send |" in table
    assert (
        f"| Poll following {UBILL_REPORTS_PER_POLL + 1} messages sent through UBill |"
        in table
    )
    assert json.loads(json.dumps(report.as_dict()))["polls"][0]["phones"] == 1


def test_deep_size_counts_what_is_held() -> None:
    """A list's size includes its items; shared items count once."""
    item = "x" * 1000
    assert bench.deep_size([item, item]) > bench.deep_size([]) + 1000
    assert bench.deep_size([item, item]) < bench.deep_size([]) + 2000 + 100
