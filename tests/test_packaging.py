"""What HACS and Home Assistant read before any code runs: manifest, hacs.json, icons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
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
    assert AwesomeVersion(hacs["homeassistant"]) >= AwesomeVersion("2026.2.3")


def test_brand_icons() -> None:
    """Square icons of 256 and 512 pixels with a transparent background."""
    for name, size in (("icon.png", 256), ("icon@2x.png", 512)):
        with Image.open(INTEGRATION / "brand" / name) as image:
            assert image.size == (size, size)
            assert image.mode == "RGBA"
            corner = image.getpixel((0, 0))
            assert isinstance(corner, tuple)
            assert corner[3] == 0
