"""`python -m simulator`: serving the demo world until stopped."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
import re
import signal
import sys

import aiohttp
import pytest

from simulator.__main__ import parse_args, run, serve
from simulator.clock import ManualClock
from simulator.demo import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DEMO_SEVEN_API_KEY,
    DEMO_UBILL_API_KEY,
    build_demo,
)
from simulator.models import Status
from simulator.state import Simulator

from .conftest import START

ROOT = Path(__file__).parents[2]


def test_defaults() -> None:
    options = parse_args([])
    assert (options.host, options.port, options.tick_seconds) == (
        "127.0.0.1",
        8124,
        5.0,
    )
    options = parse_args(["--port", "9000", "--tick-seconds", "0.5"])
    assert (options.port, options.tick_seconds) == (9000, 0.5)


class _Output(io.StringIO):
    """Output that tells when the server has shown its address."""

    def __init__(self) -> None:
        super().__init__()
        self.announced = asyncio.Event()

    def flush(self) -> None:
        super().flush()
        self.announced.set()

    async def url(self) -> str:
        """Wait for the address; return it."""
        await asyncio.wait_for(self.announced.wait(), 10)
        found = re.search(r"http://\S+", self.getvalue())
        assert found is not None
        return found.group(0)


class _WatchedSimulator(Simulator):
    """A simulator that tells when a message has been delivered."""

    def __init__(self) -> None:
        super().__init__(ManualClock(START))
        self.delivered = asyncio.Event()

    def tick(self) -> None:
        super().tick()
        if any(m.status == Status.DELIVERED for m in self.default_account().messages):
            self.delivered.set()


async def test_serve_ticks_and_stops(socket_enabled: None) -> None:
    sim = _WatchedSimulator()
    account = sim.add_account(DEMO_EMAIL, DEMO_PASSWORD)
    phone = sim.add_phone(account)
    sim.queue_messages(
        account, device_id=phone.id, recipients=["+491"], body="x", sim=0
    )
    out = _Output()
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(sim, host="127.0.0.1", port=0, tick_seconds=0.01, stop=stop, out=out)
    )
    url = await out.url()
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in out.getvalue()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/getdata/gettoken",
            data={"email": DEMO_EMAIL, "pass": DEMO_PASSWORD},
        ) as resp,
    ):
        assert (await resp.json())["error"] == 0
    await asyncio.wait_for(sim.delivered.wait(), 10)
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_serve_fails_on_a_busy_port(socket_enabled: None) -> None:
    out = _Output()
    stop = asyncio.Event()
    first = asyncio.create_task(
        serve(
            build_demo(), host="127.0.0.1", port=0, tick_seconds=5, stop=stop, out=out
        )
    )
    url = await out.url()
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError, match="address already in use"):
        await serve(
            build_demo(),
            host="127.0.0.1",
            port=port,
            tick_seconds=5,
            stop=asyncio.Event(),
            out=io.StringIO(),
        )
    stop.set()
    await first


class _SignalWhenAnnounced(io.StringIO):
    """Output that sends SIGTERM, as a service manager would, once the address shows."""

    def flush(self) -> None:
        super().flush()
        if "http://" in self.getvalue():
            signal.raise_signal(signal.SIGTERM)


async def test_run_stops_on_sigterm(socket_enabled: None) -> None:
    out = _SignalWhenAnnounced()
    await asyncio.wait_for(run(parse_args(["--port", "0"]), out), 10)
    assert "Demo account" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_the_command_line(socket_enabled: None, signum: signal.Signals) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        url = line.decode().rsplit(" ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url}/getdata/getalldevices") as resp,
        ):
            assert await resp.json() == {
                "error": 1,
                "message": "Field token is required",
            }
    finally:
        process.send_signal(signum)
        assert await asyncio.wait_for(process.wait(), 30) == 0


async def test_serve_shows_the_backup_routes(socket_enabled: None) -> None:
    out = _Output()
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(
            build_demo(), host="127.0.0.1", port=0, tick_seconds=5, stop=stop, out=out
        )
    )
    url = await out.url()
    stop.set()
    await task

    assert out.getvalue().splitlines()[2:] == [
        f"seven.io: {url}/seven/api, API key {DEMO_SEVEN_API_KEY}",
        f"UBill: {url}/ubill/v1, API key {DEMO_UBILL_API_KEY}",
    ]
