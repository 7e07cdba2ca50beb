"""The translations: every language says everything the English says, and no more."""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.const import Platform
import pytest

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "smsgateway24"
STRINGS = INTEGRATION / "strings.json"
TRANSLATIONS = INTEGRATION / "translations"
REQUIRED_LANGUAGES = {"en", "de", "pt-BR", "ru"}
LANGUAGES = sorted(path.stem for path in TRANSLATIONS.glob("*.json"))

PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATION_KEY = re.compile(r"""translation_key\s*=\s*["']([^"']+)["']""")
PLATFORMS = {str(platform) for platform in Platform}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """These checks only read files; they need no Home Assistant instance."""


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a JSON object"
    return data


def _walk(node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        path = f"{prefix}/{key}" if prefix else key
        if isinstance(value, dict):
            yield from _walk(value, path)
        else:
            yield path, value


def _flatten(node: dict[str, Any]) -> dict[str, str]:
    """Map each leaf's key path (config/step/user/title) to its text."""
    flat: dict[str, str] = {}
    for path, value in _walk(node):
        assert isinstance(value, str), f"{path} is not a string: {value!r}"
        flat[path] = value
    return flat


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _source() -> dict[str, str]:
    """The integration's Python files by their path inside the integration."""
    return {
        path.relative_to(INTEGRATION).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(INTEGRATION.rglob("*.py"))
    }


@pytest.fixture(scope="module")
def strings() -> dict[str, Any]:
    """The English source of truth."""
    return _load(STRINGS)


@pytest.fixture(scope="module")
def english(strings: dict[str, Any]) -> dict[str, str]:
    """The English texts by key path."""
    return _flatten(strings)


def test_required_languages_present() -> None:
    """At least English, German, Brazilian Portuguese and Russian are shipped."""
    assert set(LANGUAGES) >= REQUIRED_LANGUAGES


def test_english_is_strings(strings: dict[str, Any]) -> None:
    """translations/en.json is strings.json, byte for byte."""
    assert _load(TRANSLATIONS / "en.json") == strings
    assert (TRANSLATIONS / "en.json").read_bytes() == STRINGS.read_bytes()


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_keys(language: str, english: dict[str, str]) -> None:
    """A language has exactly the English key paths: none missing, none left over."""
    translated = _flatten(_load(TRANSLATIONS / f"{language}.json"))
    assert sorted(english.keys() - translated.keys()) == [], "missing"
    assert sorted(translated.keys() - english.keys()) == [], "not in strings.json"


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_complete(language: str, english: dict[str, str]) -> None:
    """No empty text, no reference to another key, the English placeholders."""
    translated = _flatten(_load(TRANSLATIONS / f"{language}.json"))
    problems: list[str] = []
    for path, text in translated.items():
        if not text.strip():
            problems.append(f"{path}: empty")
        if "[%key:" in text:
            problems.append(f"{path}: refers to another key")
        if path in english and _placeholders(text) != _placeholders(english[path]):
            problems.append(
                f"{path}: placeholders {sorted(_placeholders(text))}, "
                f"English has {sorted(_placeholders(english[path]))}"
            )
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_file_format(language: str) -> None:
    """Two-space indent, UTF-8 rather than escapes, a final newline."""
    path = TRANSLATIONS / f"{language}.json"
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_translation_keys_in_code_exist(strings: dict[str, Any]) -> None:
    """Each translation_key="..." in the code has its text in strings.json.

    An entity platform's file (sensor.py, ...) looks under entity/<platform>; any
    other file may mean a selector, an exception, a repair issue or an entity.
    """
    entity: dict[str, dict[str, Any]] = strings.get("entity", {})
    anywhere = {
        *strings.get("selector", {}),
        *strings.get("exceptions", {}),
        *strings.get("issues", {}),
        *(key for keys in entity.values() for key in keys),
    }
    unknown: list[str] = []
    found = 0
    for name, text in _source().items():
        stem = Path(name).stem
        known = set(entity.get(stem, {})) if stem in PLATFORMS else anywhere
        for key in TRANSLATION_KEY.findall(text):
            found += 1
            if key not in known:
                unknown.append(f"{name}: {key}")
    assert found, "no translation_key found in the integration's code"
    assert unknown == []


def test_translations_used_by_code(strings: dict[str, Any]) -> None:
    """Each entity, exception and issue key in strings.json is named in the code.

    Repair issues get their key from a variable, so a quoted literal anywhere in
    the code counts; this also catches a misspelt key passed that way.
    """
    code = "\n".join(_source().values())
    keys = [
        *(
            f"entity/{platform}/{key}"
            for platform, keys in strings.get("entity", {}).items()
            for key in keys
        ),
        *(f"exceptions/{key}" for key in strings.get("exceptions", {})),
        *(f"issues/{key}" for key in strings.get("issues", {})),
    ]
    unused = [
        path
        for path in keys
        if not re.search(rf"""["']{re.escape(path.rsplit("/", 1)[1])}["']""", code)
    ]
    assert unused == []
