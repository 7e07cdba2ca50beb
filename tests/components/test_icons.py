"""Every icon the integration names exists in the frontend's icon set."""

from __future__ import annotations

import json
from pathlib import Path
import re

import pytest

ICONS = Path(__file__).parents[2] / "custom_components" / "smsgateway24" / "icons.json"


def test_icons_exist() -> None:
    """A misspelt mdi name shows as a blank square in the UI."""
    hass_frontend = pytest.importorskip(
        "hass_frontend", reason="the frontend is installed by requirements_dev.txt"
    )
    icon_list = Path(hass_frontend.where()) / "static" / "mdi" / "iconList.json"
    known = {
        item["name"] if isinstance(item, dict) else item
        for item in json.loads(icon_list.read_text(encoding="utf-8"))
    }
    used = set(re.findall(r"mdi:([a-z0-9-]+)", ICONS.read_text(encoding="utf-8")))
    assert used
    assert used - known == set()
