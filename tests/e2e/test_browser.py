"""The device page of a demo phone, as a browser shows it."""

from __future__ import annotations

import pytest

from scripts import browser_check

from .harness import ROOT, Stack

pytestmark = pytest.mark.e2e


async def test_device_page(stack: Stack) -> None:
    try:
        executable = browser_check.find_chromium()
    except browser_check.ChromiumUnavailableError as err:
        pytest.skip(f"no browser for the device page check: {err}")
    with stack.log_on_failure():
        check = await browser_check.check_device_page(
            stack.url, executable, out=ROOT / "build" / "device-page.png"
        )
        assert check.screenshot.stat().st_size > 10_000
        assert not check.missing, (
            f"the device page lacks {check.missing}; it shows: {check.text[:2000]}"
        )
