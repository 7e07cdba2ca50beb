"""What HACS and Home Assistant read before any code runs: manifest, hacs.json, icons."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.const import __version__ as HA_VERSION  # noqa: N812
from PIL import Image

ROOT = Path(__file__).parents[1]
INTEGRATION = ROOT / "custom_components" / "smsgateway24"

# The keys HACS knows in hacs.json.
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_manifest_follows_hassfest() -> None:
    """Domain and name first, the rest sorted; the keys a custom integration needs."""
    manifest = load(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == INTEGRATION.name
    for key in ("codeowners", "documentation", "iot_class", "requirements", "version"):
        assert key in manifest
    version = AwesomeVersion(manifest["version"])
    assert version.strategy in (
        AwesomeVersionStrategy.SEMVER,
        AwesomeVersionStrategy.SIMPLEVER,
        AwesomeVersionStrategy.CALVER,
    )
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "cloud_polling"


def test_hacs_json_has_only_known_keys() -> None:
    hacs = load(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == "SMSGateway24"


def pinned_release(end: str) -> str:
    """The Home Assistant release a requirements file of the project pins."""
    text = (ROOT / "requirements" / f"{end}.txt").read_text(encoding="utf-8")
    found = re.search(r"^homeassistant==(\S+)$", text, re.MULTILINE)
    assert found is not None, end
    return found.group(1)


def test_the_supported_range_is_said_alike() -> None:
    """HACS and the README name the releases the tests run on; this is one."""
    oldest, newest = pinned_release("oldest"), pinned_release("newest")
    assert AwesomeVersion(oldest) < AwesomeVersion(newest)
    assert load(ROOT / "hacs.json")["homeassistant"] == oldest
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Home Assistant {oldest} or newer is needed" in readme
    assert f"tested on Home Assistant {oldest} and {newest}" in readme
    assert HA_VERSION in (oldest, newest)


def test_brand_icons() -> None:
    """Square icons of 256 and 512 pixels with a transparent background."""
    for name, size in (("icon.png", 256), ("icon@2x.png", 512)):
        with Image.open(INTEGRATION / "brand" / name) as image:
            assert image.size == (size, size)
            assert image.mode == "RGBA"
            corner = image.getpixel((0, 0))
            assert isinstance(corner, tuple)
            assert corner[3] == 0
