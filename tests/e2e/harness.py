"""Run the simulator and a real Home Assistant as processes, and talk to them.

The end-to-end tests drive these as a user would: through the REST and
WebSocket APIs of Home Assistant and the control API of the simulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
import contextlib
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import sys
import time
from typing import Any, Self

import aiohttp
from homeassistant.util.yaml import dump as yaml_dump

from scripts import browser_check, onboard

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "smsgateway24"
DEVELOPMENT_CONFIG = ROOT / "config" / "configuration.yaml"
BLUEPRINT = Path("smsgateway24") / "sms_command.yaml"
# Configuration the end-to-end tests add, one Home Assistant package per file.
PACKAGES = Path(__file__).parent / "packages"
DOMAIN = "smsgateway24"
DEMO_EMAIL = "demo@smsgateway24.local"
DEMO_PASSWORD = "demo-password"
SCAN_INTERVAL = 15

# Seconds each wait may take before the test gives up.
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
WAIT_TIMEOUT = 30.0
LOG_TAIL_LINES = 80
# Where a new record of Home Assistant's log starts, rather than a traceback line.
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:")
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def recorder(path: Path, fields: tuple[str, ...]) -> str:
    """A shell command that appends the values of its ``fields`` as a line to ``path``."""
    arguments = " ".join(f"${number}" for number in range(1, len(fields) + 1))
    values = " ".join(f"{{{{ {name} }}}}" for name in fields)
    return f"sh -c 'echo \"{arguments}\" >> {path}' record {values}"


def e2e_configuration(runs: Path, statuses: Path) -> str:
    """The development configuration.yaml, with actions that record runs.

    It also loads the Home Assistant packages of ``PACKAGES`` (test entities
    and automations).

    ``shell_command.record_run`` appends its ``automation``, ``sms_id`` and
    ``catch_up`` as a line to ``runs``; ``shell_command.record_status`` its
    ``sms_id``, ``route``, ``status`` and ``failover_of`` to ``statuses``:
    files, which a power cut of Home Assistant does not undo once the line is
    written. No text of a message reaches them; Home Assistant runs a command
    with templates without a shell, each argument apart.
    """
    text = DEVELOPMENT_CONFIG.read_text(encoding="utf-8")
    record_run = recorder(runs, ("automation", "sms_id", "catch_up"))
    record_status = recorder(statuses, ("sms_id", "route", "status", "failover_of"))
    return (
        text
        + f"\nshell_command:\n  record_run: {json.dumps(record_run)}\n"
        + f"  record_status: {json.dumps(record_status)}\n"
        + "\nhomeassistant:\n  packages: !include_dir_named packages\n"
    )


def record_run(automation: str) -> dict[str, Any]:
    """The action of a test automation: record the SMS its trigger carries."""
    return {
        "action": "shell_command.record_run",
        "data": {
            "automation": automation,
            "sms_id": "{{ trigger.event.data.sms_id }}",
            "catch_up": "{{ trigger.event.data.catch_up }}",
        },
    }


def recording_automations(phone_device_id: str) -> list[dict[str, Any]]:
    """Automations that record each SMS a phone receives, as a user would make them.

    One triggered by the bus event, one by the phone's device trigger, one
    made from the blueprint for the allowed number +4915700000001 and the
    keyword "alarm". Each handles its runs one after the other, in order.
    """
    queued = {"mode": "queued", "max": 100}
    return [
        {
            "id": "record_event",
            "alias": "Record smsgateway24_sms_received",
            **queued,
            "triggers": [{"trigger": "event", "event_type": f"{DOMAIN}_sms_received"}],
            "actions": [record_run("event")],
        },
        {
            "id": "record_device_trigger",
            "alias": "Record SMS received on the phone",
            **queued,
            "triggers": [
                {
                    "trigger": "device",
                    "domain": DOMAIN,
                    "device_id": phone_device_id,
                    "type": "sms_received",
                }
            ],
            "actions": [record_run("device")],
        },
        {
            "id": "record_blueprint",
            "alias": "Record SMS command",
            "use_blueprint": {
                "path": str(BLUEPRINT),
                "input": {
                    "phone": phone_device_id,
                    "allowed_numbers": ["+49 157 0000 0001"],
                    "keyword": "alarm",
                    "actions": [record_run("blueprint")],
                },
            },
        },
    ]


@dataclass
class Process:
    """A child process in its own session, so that stopping it stops its children."""

    name: str
    command: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it, its output going to the log file."""
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                self.command,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        """Whether it was started and has not exited."""
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> int | None:
        """SIGTERM and wait; SIGKILL what does not stop in time. Return its exit code."""
        popen, self.popen = self.popen, None
        if popen is None:
            return None
        if popen.poll() is None:
            _signal(popen, signal.SIGTERM)
            try:
                return popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _signal(popen, signal.SIGKILL)
        return popen.wait()

    def cut_power(self) -> None:
        """SIGKILL it and its children at once, as a power cut stops them."""
        popen, self.popen = self.popen, None
        assert popen is not None, f"{self.name} is not running"
        _signal(popen, signal.SIGKILL)
        popen.wait()


def _signal(popen: subprocess.Popen[bytes], signal_number: int) -> None:
    """Send a signal to a process's whole group, unless it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal_number)


def _text(path: Path) -> str:
    """A file's text; empty when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a log file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


def errors(path: Path, count: int = 10) -> str:
    """The last errors of Home Assistant's log, each with its exception's last line."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return f"({path} does not exist)"
    found = []
    for index, line in enumerate(lines):
        if " ERROR (" not in line:
            continue
        end = index + 1
        while end < len(lines) and not LOG_LINE.match(lines[end]):
            end += 1
        found.append(line if end == index + 1 else f"{line}\n  {lines[end - 1]}")
    return "\n".join(found[-count:]) or "(none)"


class CheckFailedError(AssertionError):
    """A check failed; the message carries the tail of Home Assistant's log."""


@dataclass
class Stack:
    """The simulator and a Home Assistant with this checkout's integration."""

    workdir: Path
    sim_port: int = field(default_factory=free_port)
    hass_port: int = field(default_factory=free_port)
    simulator: Process = field(init=False)
    hass: Process = field(init=False)
    access_token: str = ""
    entry_id: str = ""
    # Gateway phone id of each demo phone, by its title.
    phones: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Lay out the configuration directory and the commands."""
        self.config_dir = self.workdir / "config"
        components = self.config_dir / "custom_components"
        components.mkdir(parents=True, exist_ok=True)
        (components / DOMAIN).symlink_to(INTEGRATION, target_is_directory=True)
        (self.config_dir / "packages").symlink_to(PACKAGES, target_is_directory=True)
        (self.config_dir / "configuration.yaml").write_text(
            e2e_configuration(self.runs, self.statuses), encoding="utf-8"
        )
        onboard.prepare(self.config_dir, self.hass_port)
        self.simulator = Process(
            "simulator",
            [
                sys.executable,
                "-m",
                "simulator",
                "--port",
                str(self.sim_port),
                # The test moves the phones itself, with POST /_sim/tick.
                "--tick-seconds",
                "3600",
            ],
            self.workdir / "simulator.log",
        )
        self.hass = Process(
            "hass",
            [
                sys.executable,
                "-m",
                "homeassistant",
                "--config",
                str(self.config_dir),
                "--skip-pip",
            ],
            self.workdir / "hass.out",
        )

    @property
    def url(self) -> str:
        """Home Assistant's address."""
        return f"http://127.0.0.1:{self.hass_port}"

    @property
    def sim_url(self) -> str:
        """The simulator's address."""
        return f"http://127.0.0.1:{self.sim_port}"

    @property
    def log(self) -> Path:
        """Home Assistant's log file."""
        return self.config_dir / "home-assistant.log"

    @property
    def runs(self) -> Path:
        """The runs the test automations recorded, one line each."""
        return self.workdir / "automation-runs.txt"

    @property
    def statuses(self) -> Path:
        """The status events the test automation recorded, one line each."""
        return self.workdir / "status-runs.txt"

    def status_runs(self, sms_id: str) -> list[tuple[str, str, str | None]]:
        """The ``route``, ``status`` and ``failover_of`` of each status event of a message.

        Oldest first; a ``failover_of`` of none is None.
        """
        runs = []
        for line in _text(self.statuses).splitlines():
            found, route, status, failover_of = line.split()
            if found == sms_id:
                runs.append(
                    (route, status, None if failover_of == "None" else failover_of)
                )
        return runs

    def automation_runs(self) -> dict[tuple[str, int], list[bool]]:
        """The ``catch_up`` of each run, by automation and sms_id, oldest first."""
        runs: dict[tuple[str, int], list[bool]] = {}
        for line in _text(self.runs).splitlines():
            automation, sms_id, catch_up = line.split()
            runs.setdefault((automation, int(sms_id)), []).append(catch_up == "True")
        return runs

    async def wait_registries_written(self) -> None:
        """Wait until Home Assistant has written the account's entry and devices.

        It writes its registries some seconds after they change: a power cut
        before then loses them, whatever an integration does.
        """

        async def written() -> list[str]:
            storage = self.config_dir / ".storage"
            return [
                name
                for name in ("core.config_entries", "core.device_registry")
                if self.entry_id in _text(storage / name)
            ]

        await wait_until(
            self,
            written,
            lambda found: len(found) == 2,
            "the entry and its devices written by Home Assistant",
        )

    def write_automations(self, automations: list[dict[str, Any]]) -> None:
        """Save automations as the editor does (the blueprint is there already).

        ``onboard.prepare`` links this checkout's blueprint into the config.
        """
        (self.config_dir / "automations.yaml").write_text(
            yaml_dump(automations), encoding="utf-8"
        )

    def failure(self, message: str) -> CheckFailedError:
        """An assertion error with the errors and the tail of Home Assistant's log."""
        return CheckFailedError(
            f"{message}\n\n--- errors in {self.log} ---\n{errors(self.log)}"
            f"\n\n--- last lines of {self.log} ---\n{tail(self.log)}"
            f"\n\n--- last lines of the simulator's output ---\n"
            f"{tail(self.simulator.log, 10)}"
        )

    @contextlib.contextmanager
    def log_on_failure(self) -> Iterator[None]:
        """Turn any error inside into one that shows Home Assistant's log."""
        try:
            yield
        except CheckFailedError:
            raise
        except (AssertionError, Exception) as err:
            raise self.failure(f"{type(err).__name__}: {err}") from err

    def stop(self) -> None:
        """Stop both processes."""
        self.hass.stop()
        self.simulator.stop()

    async def start_hass(self) -> None:
        """Start Home Assistant and wait until it runs (signed in) or answers at all."""
        self.hass.start()
        async with asyncio.timeout(START_TIMEOUT):
            while True:
                if not self.hass.running:
                    raise self.failure("Home Assistant exited while starting")
                state = await self._core_state()
                # Before onboarding there is no token: any answer will do.
                if state == "RUNNING" or (state is not None and not self.access_token):
                    return
                await asyncio.sleep(0.5)

    async def _core_state(self) -> str | None:
        """Home Assistant's core state; "" when it refuses to tell, None when down."""
        try:
            async with (
                aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=5)
                ) as session,
                session.get(
                    f"{self.url}/api/core/state",
                    headers={"Authorization": f"Bearer {self.access_token}"},
                ) as response,
            ):
                if response.status != 200:
                    return ""
                return str((await response.json())["state"])
        except aiohttp.ClientError, TimeoutError:
            return None

    async def start(self) -> None:
        """Start the simulator and Home Assistant, onboard it and sign in."""
        self.simulator.start()
        await self.start_hass()
        if not await onboard.finish(self.url, START_TIMEOUT):
            raise self.failure("Home Assistant was onboarded already")
        await self.sign_in()
        async with asyncio.timeout(START_TIMEOUT):
            while await self._core_state() != "RUNNING":  # noqa: ASYNC110 - polls a process
                await asyncio.sleep(0.5)

    async def sign_in(self) -> None:
        """Log in as the development user; keep the access token."""
        tokens = await browser_check.sign_in(self.url)
        self.access_token = tokens.access_token


class Api:
    """Home Assistant's REST and WebSocket APIs, and the simulator's control API."""

    def __init__(self, stack: Stack, session: aiohttp.ClientSession) -> None:
        """Talk to `stack` over `session`."""
        self.stack = stack
        self.session = session
        self._websocket: aiohttp.ClientWebSocketResponse | None = None
        self._ids = iter(range(1, 1_000_000))
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.events: list[dict[str, Any]] = []
        self._new_event = asyncio.Event()

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, stack: Stack) -> AsyncIterator[Self]:
        """A client with an open WebSocket; closes both on exit."""
        async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
            api = cls(stack, session)
            try:
                await api.open_websocket()
                yield api
            finally:
                await api.close_websocket()

    # REST

    async def rest(
        self, method: str, path: str, body: object = None, *, expect: int = 200
    ) -> Any:
        """Call the REST API; fail unless it answers `expect`."""
        async with self.session.request(
            method,
            f"{self.stack.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.stack.access_token}"},
        ) as response:
            text = await response.text()
            if response.status != expect:
                raise self.stack.failure(
                    f"{method} {path} answered {response.status}: {text}"
                )
            return json.loads(text) if text else None

    async def state(self, entity_id: str) -> dict[str, Any]:
        """The state object of an entity."""
        answer: dict[str, Any] = await self.rest("GET", f"/api/states/{entity_id}")
        return answer

    async def call(
        self, domain: str, service: str, data: dict[str, Any], *, response: bool = False
    ) -> Any:
        """Call an action; with `response`, return its response."""
        path = f"/api/services/{domain}/{service}"
        return await self.rest(
            "POST", f"{path}?return_response" if response else path, data
        )

    async def sim(self, method: str, path: str, body: object = None) -> Any:
        """Call the simulator's control API."""
        async with self.session.request(
            method, f"{self.stack.sim_url}/_sim/{path}", json=body
        ) as response:
            answer = await response.json()
            if response.status != 200:
                raise self.stack.failure(f"simulator {method} {path}: {answer}")
            return answer

    # WebSocket

    async def open_websocket(self) -> None:
        """Connect, authenticate and follow the integration's events."""
        websocket = await self.session.ws_connect(f"{self.stack.url}/api/websocket")
        await websocket.receive_json()
        await websocket.send_json(
            {"type": "auth", "access_token": self.stack.access_token}
        )
        if (answer := await websocket.receive_json())["type"] != "auth_ok":
            raise self.stack.failure(f"websocket authentication failed: {answer}")
        self._websocket = websocket
        self._reader = asyncio.create_task(self._read())
        for event_type in (f"{DOMAIN}_sms_received", f"{DOMAIN}_sms_status"):
            await self.ws("subscribe_events", event_type=event_type)

    async def close_websocket(self) -> None:
        """Disconnect and stop reading."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._websocket is not None:
            await self._websocket.close()
            self._websocket = None

    async def _read(self) -> None:
        assert self._websocket is not None
        async for message in self._websocket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.json()
            if data.get("type") == "event":
                self.events.append(data["event"])
                self._new_event.set()
            elif (future := self._answers.pop(data.get("id", -1), None)) is not None:
                future.set_result(data)
        for future in self._answers.values():
            future.set_exception(ConnectionError("websocket closed"))

    async def ws(self, command: str, **fields: Any) -> Any:
        """Send a WebSocket command and return its result."""
        assert self._websocket is not None
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = (
            asyncio.get_running_loop().create_future()
        )
        self._answers[message_id] = future
        await self._websocket.send_json({"id": message_id, "type": command, **fields})
        async with asyncio.timeout(WAIT_TIMEOUT):
            answer = await future
        if not answer["success"]:
            raise self.stack.failure(f"websocket {command}: {answer['error']}")
        return answer.get("result")

    async def wait_event(
        self, event_type: str, match: Callable[[dict[str, Any]], bool], what: str
    ) -> dict[str, Any]:
        """Wait for an event whose data matches; return its data."""
        try:
            async with asyncio.timeout(WAIT_TIMEOUT):
                while True:
                    for event in self.events:
                        if event["event_type"] == event_type and match(event["data"]):
                            data: dict[str, Any] = event["data"]
                            return data
                    self._new_event.clear()
                    await self._new_event.wait()
        except TimeoutError:
            raise self.stack.failure(
                f"no {event_type} event {what} within {WAIT_TIMEOUT:.0f} s;"
                f" events seen: {self.events}"
            ) from None

    def events_of(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        """The data of the events seen of a type whose fields hold `data`."""
        return [
            event["data"]
            for event in self.events
            if event["event_type"] == event_type
            and all(event["data"].get(key) == value for key, value in data.items())
        ]


async def wait_until[T](
    stack: Stack,
    probe: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    what: str,
) -> T:
    """Call `probe` until `done` says yes of its result; fail after WAIT_TIMEOUT."""
    timeout = WAIT_TIMEOUT
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise stack.failure(f"{what}: not within {timeout:.0f} s (last: {value!r})")
        await asyncio.sleep(0.5)


def form_defaults(schema: list[dict[str, Any]]) -> dict[str, Any]:
    """The values a form shows before the user changes anything."""
    return {field["name"]: field["default"] for field in schema if "default" in field}


def select_options(schema: list[dict[str, Any]], name: str) -> dict[str, str]:
    """A select field's options of a serialized form, as label -> value."""
    field = next(field for field in schema if field["name"] == name)
    return {
        option["label"]: option["value"]
        for option in field["selector"]["select"]["options"]
    }


async def submit_flow(
    api: Api, path: str, start: dict[str, Any], *steps: dict[str, Any]
) -> list[dict[str, Any]]:
    """Start a flow of the REST API and submit `steps`; return every answer."""
    answers = [await api.rest("POST", path, start)]
    for step in steps:
        flow_id = answers[-1]["flow_id"]
        answers.append(await api.rest("POST", f"{path}/{flow_id}", step))
    return answers


async def add_integration(api: Api) -> None:
    """Add the demo account as a user does, then poll every SCAN_INTERVAL seconds."""
    stack = api.stack
    user, device = await submit_flow(
        api,
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "show_advanced_options": False},
        {
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "advanced": {"url": stack.sim_url},
        },
    )
    assert user["step_id"] == "user", user
    assert device.get("step_id") == "device", device
    stack.phones = {
        label: int(value)
        for label, value in select_options(device["data_schema"], "device_id").items()
    }
    flow_path = f"/api/config/config_entries/flow/{device['flow_id']}"
    # Several phones: the phone first, then its SIM.
    sim = await api.rest("POST", flow_path, {"device_id": str(stack.phones["Pixel 7"])})
    assert sim.get("step_id") == "sim", sim
    created = await api.rest("POST", flow_path, {"sim": "0"})
    assert created["type"] == "create_entry", created
    stack.entry_id = created["result"]["entry_id"]

    await change_options(api, {"scan_interval": SCAN_INTERVAL})
    await wait_until(
        stack,
        lambda: api.ws("config_entries/get", domain=DOMAIN),
        lambda entries: [entry["state"] for entry in entries] == ["loaded"],
        "the entry loaded again with its new options",
    )


async def change_options(api: Api, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """Change the account's options as a user does; return the form as first shown.

    The form is submitted as it stands but for ``changes``; the SIM page after
    it (the demo account has several phones) as it stands.
    """
    form = await api.rest(
        "POST",
        "/api/config/config_entries/options/flow",
        {"handler": api.stack.entry_id},
    )
    assert form["type"] == "form", form
    schema: list[dict[str, Any]] = form["data_schema"]
    path = f"/api/config/config_entries/options/flow/{form['flow_id']}"
    sim = await api.rest("POST", path, {**form_defaults(schema), **changes})
    assert sim.get("step_id") == "sim", sim
    done = await api.rest("POST", path, form_defaults(sim["data_schema"]))
    assert done["type"] == "create_entry", done
    return schema


async def add_subentry(api: Api, kind: str, *steps: dict[str, Any]) -> str:
    """Add a subentry of the account (``recipient``, ``route``) through its form; its id.

    The first step names it; its subentry is found by that name.
    """
    path = "/api/config/config_entries/subentries/flow"
    *_, created = await submit_flow(
        api, path, {"handler": [api.stack.entry_id, kind]}, *steps
    )
    assert created["type"] == "create_entry", created
    subentries = await api.ws(
        "config_entries/subentries/list", entry_id=api.stack.entry_id
    )
    name = steps[0]["name"]
    return str(next(s["subentry_id"] for s in subentries if s["title"] == name))


async def add_automations(api: Api) -> None:
    """Add the test automations for the Pixel 7, and wait until they are on."""
    stack = api.stack
    devices = await api.ws("config/device_registry/list")
    (pixel,) = (
        device["id"]
        for device in devices
        if stack.entry_id in device["config_entries"] and device["name"] == "Pixel 7"
    )
    automations = recording_automations(pixel)
    stack.write_automations(automations)
    await api.call("automation", "reload", {})
    # The packages' automations are there too.
    ids = {automation["id"] for automation in automations}

    async def states() -> list[str]:
        return [
            state["state"]
            for state in await api.rest("GET", "/api/states")
            if state["entity_id"].startswith("automation.")
            and state["attributes"].get("id") in ids
        ]

    await wait_until(
        stack,
        states,
        lambda found: found == ["on"] * len(automations),
        "the test automations on",
    )
