"""One simulator and one Home Assistant for all end-to-end tests, set up as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEPRECATED_USE

from .harness import Api, Stack, add_automations, add_integration


def deprecated_uses(log: Path) -> list[str]:
    """The lines of a Home Assistant log that report a deprecated use by us."""
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if any(mark in line for mark in DEPRECATED_USE)]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Stand in for the in-process fixture: here Home Assistant runs as a process."""


@pytest.fixture(autouse=True)
def no_deprecated_use(started: list[Stack]) -> Iterator[None]:
    """Fail a test during which Home Assistant's log reports a deprecated use by us.

    The check of the in-process tests, read here from the process's log.
    """
    seen = {stack.log: len(deprecated_uses(stack.log)) for stack in started}
    yield
    found = [
        line
        for stack in started
        for line in deprecated_uses(stack.log)[seen.get(stack.log, 0) :]
    ]
    if found:
        pytest.fail(
            "Home Assistant reported a deprecated use by this integration:\n"
            + "\n".join(found),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def started() -> Iterator[list[Stack]]:
    """What the tests started, stopped at the end of the session whatever happened."""
    stacks: list[Stack] = []
    try:
        yield stacks
    finally:
        for stack in stacks:
            stack.stop()


@pytest.fixture
async def stack(
    started: list[Stack],
    tmp_path_factory: pytest.TempPathFactory,
    socket_enabled: None,
) -> Stack:
    """The simulator and an onboarded Home Assistant with the demo account added.

    Automations record each SMS they see in ``Stack.runs``.

    The first test to ask starts them; the others reuse them.
    """
    if started:
        if not started[0].entry_id:
            pytest.fail("starting the end-to-end stack failed in an earlier test")
        return started[0]
    stack = Stack(tmp_path_factory.mktemp("e2e"))
    started.append(stack)
    with stack.log_on_failure():
        await stack.start()
        async with Api.connect(stack) as api:
            await add_integration(api)
            await add_automations(api)
    return stack
