"""Serve the demo world: `python -m simulator [--host] [--port] [--tick-seconds]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import TYPE_CHECKING, TextIO

from aiohttp import web

from .app import create_app
from .demo import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DEMO_SEVEN_API_KEY,
    DEMO_UBILL_API_KEY,
    build_demo,
)
from .seven import PREFIX as SEVEN_PREFIX
from .ubill import PREFIX as UBILL_PREFIX

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .state import Simulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve a simulated SMSGateway24 cloud with a demo account.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8124, help="port to listen on")
    parser.add_argument(
        "--tick-seconds",
        type=float,
        default=5.0,
        help="how often the phones move their messages one step",
    )
    return parser.parse_args(argv)


async def _tick_forever(sim: Simulator, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        sim.tick()


async def serve(
    sim: Simulator,
    *,
    host: str,
    port: int,
    tick_seconds: float,
    stop: asyncio.Event,
    out: TextIO,
) -> None:
    """Serve `sim` and move its phones every `tick_seconds` until `stop` is set."""
    runner = web.AppRunner(create_app(sim))
    await runner.setup()
    ticker: asyncio.Task[None] | None = None
    try:
        await web.TCPSite(runner, host, port).start()
        ticker = asyncio.create_task(_tick_forever(sim, tick_seconds))
        bound_host, bound_port = runner.addresses[0][:2]
        url = f"http://{bound_host}:{bound_port}"
        out.write(
            f"SMSGateway24 simulator on {url}\n"
            f"Demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            f"seven.io: {url}{SEVEN_PREFIX}, API key {DEMO_SEVEN_API_KEY}\n"
            f"UBill: {url}{UBILL_PREFIX}, API key {DEMO_UBILL_API_KEY}\n"
        )
        out.flush()
        await stop.wait()
    finally:
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        await runner.cleanup()


async def run(options: argparse.Namespace, out: TextIO) -> None:
    """Serve the demo world as `options` say until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve(
            build_demo(),
            host=options.host,
            port=options.port,
            tick_seconds=options.tick_seconds,
            stop=stop,
            out=out,
        )
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the simulator until Ctrl-C or SIGTERM; return the exit status."""
    asyncio.run(run(parse_args(argv), out or sys.stdout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
