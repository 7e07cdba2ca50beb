"""Fixtures shared by the tests of the integration's components."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest


@pytest.fixture
def frozen_time(freezer: FrozenDateTimeFactory) -> None:
    """Fix the clock before the simulator builds its demo world.

    Opt in with ``pytestmark = pytest.mark.usefixtures("frozen_time")``.
    """
    freezer.move_to("2026-11-20 12:00:00+00:00")
