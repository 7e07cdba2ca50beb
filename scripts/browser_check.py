"""Open a gateway phone's device page in headless Chromium and save a screenshot.

    .venv/bin/python -m scripts.browser_check [URL] [--phone NAME] [--out PNG]

Signs in to the Home Assistant at URL (default http://127.0.0.1:8123, the one of
scripts/develop) as the development user of scripts/onboard.py, opens the device
page of the phone NAME (default "Pixel 7"), waits until the page shows the names
of the phone's entities, and saves a screenshot (default build/device-page.png).
Installs Debian's chromium package when it is missing and this runs as root.
Exits 1 when a name is missing from the page, 2 when Chromium is unavailable.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from collections.abc import AsyncIterator, Sequence
import contextlib
from dataclasses import dataclass
import itertools
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

from scripts import onboard

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "device-page.png"
# Names of the entities a demo phone's device page shows, in English.
EXPECTED_NAMES = (
    "SIM 1 operator",
    "SIM 2 roaming",
    "Online",
    "Last message",
    "App version",
)
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
WINDOW = {"width": 1280, "height": 1100}
PAGE_TIMEOUT = 60.0
TOKEN_LIFETIME = 1800  # seconds, as Home Assistant's access tokens
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)

# The visible text of the page, through the shadow roots of Home Assistant's elements.
DEEP_TEXT = """
(() => {
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { parts.push(node.textContent); return; }
    if (node.nodeName === "STYLE" || node.nodeName === "SCRIPT") return;
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) walk(child);
  };
  walk(document.body);
  return parts.join(" ").replace(/\\s+/g, " ").trim();
})()
"""


class ChromiumUnavailableError(Exception):
    """Chromium is not installed and cannot be installed here."""


class BrowserError(Exception):
    """Chromium or the page did not do what was asked."""


@dataclass(frozen=True, slots=True)
class Tokens:
    """What Home Assistant's frontend keeps in localStorage to stay signed in."""

    url: str
    access_token: str
    refresh_token: str

    def as_hass_tokens(self) -> dict[str, Any]:
        """The `hassTokens` object of the frontend."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": TOKEN_LIFETIME,
            "token_type": "Bearer",
            "hassUrl": self.url,
            "clientId": f"{self.url}/",
            "expires": int(time.time() * 1000) + TOKEN_LIFETIME * 1000,
        }


@dataclass(frozen=True, slots=True)
class PageCheck:
    """What the device page showed."""

    device_id: str
    text: str
    missing: tuple[str, ...]
    screenshot: Path


def find_chromium() -> str:
    """The path of Chromium; installs Debian's package first if it is missing."""
    if found := _which_chromium():
        return found
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        raise ChromiumUnavailableError(
            "chromium is not installed, and installing it needs root"
        )
    if shutil.which("apt-get") is None:
        raise ChromiumUnavailableError(
            "chromium is not installed, and there is no apt-get to install it"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(install, check=False, env=environment).returncode != 0:
        # An image without package lists: fetch them once, then try again.
        subprocess.run(["apt-get", "update"], check=False, env=environment)
        subprocess.run(install, check=False, env=environment)
    if found := _which_chromium():
        return found
    raise ChromiumUnavailableError("apt-get could not install chromium")


def _which_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


async def sign_in(url: str) -> Tokens:
    """Log in as the development user; return the frontend's tokens."""
    client_id = f"{url}/"
    async with aiohttp.ClientSession(base_url=url, timeout=REQUEST_TIMEOUT) as session:
        code = await onboard.log_in(session, client_id)
        answer = await onboard.token_answer(session, client_id, code)
    return Tokens(url, answer["access_token"], answer["refresh_token"])


async def find_device(tokens: Tokens, name: str) -> str:
    """The Home Assistant device id of the device called `name`."""
    async with (
        aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session,
        session.ws_connect(f"{tokens.url}/api/websocket") as websocket,
    ):
        await websocket.receive_json()
        await websocket.send_json({"type": "auth", "access_token": tokens.access_token})
        if (answer := await websocket.receive_json())["type"] != "auth_ok":
            raise BrowserError(f"websocket authentication failed: {answer}")
        await websocket.send_json({"id": 1, "type": "config/device_registry/list"})
        devices = (await websocket.receive_json())["result"]
    for device in devices:
        if name in (device["name_by_user"], device["name"]):
            return str(device["id"])
    raise BrowserError(f"no device called {name!r}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DevTools:
    """One page of Chromium, driven over the Chrome DevTools Protocol."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        """Drive the page behind `websocket`."""
        self._websocket = websocket
        self._ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method and return its result; events are skipped."""
        message_id = next(self._ids)
        await self._websocket.send_json(
            {"id": message_id, "method": method, "params": params}
        )
        while True:
            answer = await self._websocket.receive_json()
            if answer.get("id") != message_id:
                continue
            if "error" in answer:
                raise BrowserError(f"{method}: {answer['error']}")
            result: dict[str, Any] = answer["result"]
            return result

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        answer = await self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression[:40]}...: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    async def navigate(self, url: str) -> None:
        """Open `url` and wait until its document has loaded."""
        await self.send("Page.navigate", url=url)
        async with asyncio.timeout(PAGE_TIMEOUT):
            while await self.poll("document.readyState") != "complete":  # noqa: ASYNC110 - polls the page
                await asyncio.sleep(0.2)

    async def poll(self, expression: str) -> Any:
        """Like `evaluate`, but None while the page is between two documents.

        Home Assistant's frontend redirects as it starts, which ends evaluations.
        """
        try:
            return await self.evaluate(expression)
        except BrowserError:
            return None


@contextlib.asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[DevTools]:
    """A headless Chromium with a fresh profile; stopped on exit."""
    port = _free_port()
    # Chromium's helpers may still write to the profile as it is removed.
    with tempfile.TemporaryDirectory(
        prefix="browser-check-", ignore_cleanup_errors=True
    ) as profile:
        process = await asyncio.create_subprocess_exec(
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            f"--window-size={WINDOW['width']},{WINDOW['height']}",
            "about:blank",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
                page = await _page_target(session, port, process)
                async with session.ws_connect(page, max_msg_size=0) as websocket:
                    yield DevTools(websocket)
        finally:
            await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Stop Chromium and the processes it started (they share its session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(10):
            await process.wait()
    # Whatever of the session is left, Chromium's helpers or Chromium, goes now.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()


async def _page_target(
    session: aiohttp.ClientSession, port: int, process: asyncio.subprocess.Process
) -> str:
    """The DevTools WebSocket address of Chromium's first page, once it answers."""
    async with asyncio.timeout(PAGE_TIMEOUT):
        while True:
            if process.returncode is not None:
                raise BrowserError(f"chromium exited with code {process.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                    for target in await answer.json():
                        if target["type"] == "page":
                            return str(target["webSocketDebuggerUrl"])
            await asyncio.sleep(0.2)


async def check_device_page(
    url: str,
    executable: str,
    *,
    phone: str = "Pixel 7",
    expected: Sequence[str] = EXPECTED_NAMES,
    out: Path = DEFAULT_OUT,
) -> PageCheck:
    """Open the phone's device page signed in; wait for the names, then screenshot."""
    url = url.rstrip("/")
    tokens = await sign_in(url)
    device_id = await find_device(tokens, phone)
    async with chromium(executable) as page:
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            **WINDOW,
            deviceScaleFactor=1,
            mobile=False,
        )
        # localStorage belongs to the origin: open it first, then store the tokens.
        await page.navigate(f"{url}/")
        stored = json.dumps(json.dumps(tokens.as_hass_tokens()))
        await page.evaluate(f"localStorage.setItem('hassTokens', {stored})")
        await page.navigate(f"{url}/config/devices/device/{device_id}")
        text = ""
        deadline = time.monotonic() + PAGE_TIMEOUT
        while time.monotonic() < deadline:
            text = str(await page.poll(DEEP_TEXT) or "")
            if phone in text and all(name in text for name in expected):
                break
            await asyncio.sleep(0.5)
        # Let the last icons and values render before the picture is taken.
        await asyncio.sleep(1)
        shot = await page.send("Page.captureScreenshot", format="png")
    await asyncio.to_thread(_write, out, base64.b64decode(shot["data"]))
    missing = tuple(name for name in (phone, *expected) if name not in text)
    return PageCheck(device_id=device_id, text=text, missing=missing, screenshot=out)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8123")
    parser.add_argument("--phone", default="Pixel 7", help="the device's name")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PNG to write")
    args = parser.parse_args()
    try:
        executable = find_chromium()
    except ChromiumUnavailableError as err:
        print(f"browser check: {err}", file=sys.stderr)
        return 2
    try:
        check = asyncio.run(
            check_device_page(args.url, executable, phone=args.phone, out=args.out)
        )
    except (BrowserError, onboard.OnboardingError, aiohttp.ClientError) as err:
        print(f"browser check failed: {err}", file=sys.stderr)
        return 1
    except TimeoutError:
        print("browser check failed: the page did not load in time", file=sys.stderr)
        return 1
    print(f"screenshot: {check.screenshot}", file=sys.stderr)
    if check.missing:
        print(f"not on the page: {', '.join(check.missing)}", file=sys.stderr)
        return 1
    print(f"the page shows {args.phone} and its entities", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
