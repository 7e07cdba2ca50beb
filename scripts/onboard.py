"""Onboard the development Home Assistant so that a newcomer can log in at once.

    onboard.py prepare CONFIG_DIR   before Home Assistant starts
    onboard.py finish [URL]         once it runs (waits for it to answer)

Both do nothing on an instance that is onboarded already. The development user is
"Developer", username `dev`, password `dev-password`; the home is in Berlin, the
locale English, analytics stay off.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
import json
from pathlib import Path
import sys
from typing import Any

import aiohttp
from homeassistant.components.http import config as http_config

NAME = "Developer"
USERNAME = "dev"
PASSWORD = "dev-password"
LANGUAGE = "en"
CORE_CONFIG: Mapping[str, Any] = {
    "location_name": "Home",
    "latitude": 52.5163,
    "longitude": 13.3777,
    "elevation": 34,
    "time_zone": "Europe/Berlin",
    "country": "DE",
    "currency": "EUR",
    "language": LANGUAGE,
    "unit_system": "metric",
}
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
UI_SAVED = ("automations.yaml", "scripts.yaml", "scenes.yaml")
# The blueprints of this checkout, and where Home Assistant looks for them.
BLUEPRINTS = Path(__file__).resolve().parent.parent / "blueprints" / "automation"
BLUEPRINT_FOLDER = Path("blueprints") / "automation" / "smsgateway24"


class OnboardingError(Exception):
    """Home Assistant refused a step of the onboarding."""


def prepare(config_dir: Path, port: int = 8123) -> None:
    """Lay out what the first start needs, which the API cannot set well.

    Home Assistant keeps its HTTP settings in storage (YAML is only imported,
    as a trial to confirm in the UI): it serves on 127.0.0.1:`port`.

    Finishing the core configuration step through the API also starts the
    config flows of the weather, radio, text-to-speech and shopping list
    integrations, which install packages and reach the internet; the
    development instance wants none of them. `finish` sets the location, time
    zone and units through the websocket API.

    configuration.yaml includes what the UI editors save; the files must exist.

    The blueprint of this checkout is linked where Home Assistant finds it, so
    that the automation editor offers it without importing it from the internet.
    """
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    _write_store(
        storage,
        http_config.STORAGE_KEY,
        http_config.STORAGE_VERSION,
        http_config.STORAGE_MINOR_VERSION,
        {
            http_config.KEY_STABLE: {
                **http_config.HTTP_STORAGE_SCHEMA(
                    {"server_host": ["127.0.0.1"], "server_port": port}
                ),
                http_config.HTTP_CONFIG_CREATED_AT: datetime.now(UTC).isoformat(),
                http_config.HTTP_CONFIG_ERROR: None,
                http_config.HTTP_CONFIG_ERROR_MESSAGE: None,
            },
            http_config.KEY_PENDING: None,
            http_config.KEY_YAML_MIGRATION_DONE: True,
        },
    )
    if not (storage / "onboarding").exists():
        _write_store(storage, "onboarding", 4, 1, {"done": ["core_config"]})
    # configuration.yaml includes what the UI editors save: an empty list each.
    for saved in UI_SAVED:
        if not (config_dir / saved).exists():
            (config_dir / saved).write_text("[]\n", encoding="utf-8")
    # Each file is linked, not the folder: Home Assistant does not look into a
    # linked folder. A file of the user's own stays; a link is renewed (the
    # checkout may have moved).
    folder = config_dir / BLUEPRINT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for blueprint in (BLUEPRINTS / BLUEPRINT_FOLDER.name).glob("*.yaml"):
        link = folder / blueprint.name
        if link.is_symlink() or not link.exists():
            link.unlink(missing_ok=True)
            link.symlink_to(blueprint)


def _write_store(
    storage: Path, key: str, version: int, minor_version: int, data: Any
) -> None:
    content = {
        "version": version,
        "minor_version": minor_version,
        "key": key,
        "data": data,
    }
    (storage / key).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


async def _json(response: aiohttp.ClientResponse) -> Any:
    if response.status >= 400:
        text = await response.text()
        raise OnboardingError(
            f"{response.method} {response.url.path}: {response.status} {text}"
        )
    return await response.json()


async def _pending_steps(session: aiohttp.ClientSession) -> list[str]:
    """Wait until Home Assistant answers and return the steps still to do."""
    while True:
        try:
            async with session.get("/api/onboarding") as response:
                # Once onboarded, Home Assistant no longer serves the onboarding API.
                if response.status == 404:
                    return []
                steps = await _json(response)
                return [step["step"] for step in steps if not step["done"]]
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(1)


async def _create_user(session: aiohttp.ClientSession, client_id: str) -> str:
    """Create the development user and return an authorization code for it."""
    payload = {
        "name": NAME,
        "username": USERNAME,
        "password": PASSWORD,
        "client_id": client_id,
        "language": LANGUAGE,
    }
    async with session.post("/api/onboarding/users", json=payload) as response:
        return str((await _json(response))["auth_code"])


async def log_in(session: aiohttp.ClientSession, client_id: str) -> str:
    """Log the development user in and return an authorization code."""
    start = {
        "client_id": client_id,
        "handler": ["homeassistant", None],
        "redirect_uri": f"{client_id}?auth_callback=1",
    }
    async with session.post("/auth/login_flow", json=start) as response:
        flow_id = (await _json(response))["flow_id"]
    credentials = {"client_id": client_id, "username": USERNAME, "password": PASSWORD}
    async with session.post(
        f"/auth/login_flow/{flow_id}", json=credentials
    ) as response:
        result = await _json(response)
    if result.get("type") != "create_entry":
        raise OnboardingError(
            f"user {USERNAME!r} cannot log in: {result.get('errors')}"
        )
    return str(result["result"])


async def token_answer(
    session: aiohttp.ClientSession, client_id: str, auth_code: str
) -> dict[str, Any]:
    """Trade an authorization code for the tokens (access and refresh)."""
    form = {
        "grant_type": "authorization_code",
        "code": auth_code,
        "client_id": client_id,
    }
    async with session.post("/auth/token", data=form) as response:
        answer: dict[str, Any] = await _json(response)
    return answer


async def _websocket_commands(
    session: aiohttp.ClientSession, token: str, commands: list[dict[str, Any]]
) -> None:
    async with session.ws_connect("/api/websocket") as websocket:
        await websocket.receive_json()
        await websocket.send_json({"type": "auth", "access_token": token})
        if (answer := await websocket.receive_json())["type"] != "auth_ok":
            raise OnboardingError(f"websocket authentication failed: {answer}")
        for message_id, command in enumerate(commands, start=1):
            await websocket.send_json({"id": message_id, **command})
            if not (answer := await websocket.receive_json())["success"]:
                raise OnboardingError(f"{command['type']}: {answer['error']}")


async def finish(url: str, wait_seconds: float) -> bool:
    """Finish the onboarding; return False when it was done already."""
    client_id = f"{url}/"
    async with aiohttp.ClientSession(base_url=url, timeout=REQUEST_TIMEOUT) as session:
        async with asyncio.timeout(wait_seconds):
            pending = await _pending_steps(session)
        if not pending:
            return False
        if "user" in pending:
            auth_code = await _create_user(session, client_id)
        else:
            auth_code = await log_in(session, client_id)
        token = (await token_answer(session, client_id, auth_code))["access_token"]
        await _websocket_commands(
            session, token, [{"type": "config/core/update", **CORE_CONFIG}]
        )
        headers = {"Authorization": f"Bearer {token}"}
        for step in ("core_config", "analytics"):
            if step in pending:
                async with session.post(
                    f"/api/onboarding/{step}", headers=headers
                ) as response:
                    await _json(response)
        if "integration" in pending:
            payload = {
                "client_id": client_id,
                "redirect_uri": f"{client_id}?auth_callback=1",
            }
            async with session.post(
                "/api/onboarding/integration", headers=headers, json=payload
            ) as response:
                await _json(response)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare").add_argument("config_dir", type=Path)
    finish_parser = commands.add_parser("finish")
    finish_parser.add_argument("url", nargs="?", default="http://127.0.0.1:8123")
    finish_parser.add_argument(
        "--wait",
        type=float,
        default=600,
        help="seconds to wait for Home Assistant to answer (default: 600)",
    )
    args = parser.parse_args()

    if args.command == "prepare":
        prepare(args.config_dir)
        return 0
    try:
        done_now = asyncio.run(finish(args.url.rstrip("/"), args.wait))
    except TimeoutError:
        print(f"onboarding: {args.url} did not answer in time", file=sys.stderr)
        return 1
    except (OnboardingError, aiohttp.ClientError) as err:
        print(f"onboarding failed: {err}", file=sys.stderr)
        return 1
    print(
        "onboarding: done" if done_now else "onboarding: done already", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
