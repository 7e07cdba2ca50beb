"""One simulator and one Home Assistant for all end-to-end tests, set up as a user would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import Api, Stack, add_integration


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Stand in for the in-process fixture: here Home Assistant runs as a process."""


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
    return stack
