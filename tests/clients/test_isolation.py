"""Every client stands alone: no Home Assistant, and it works lifted out of here.

Each package under `clients/` imports only the standard library, aiohttp and
its own modules; loaded under another name with Home Assistant and this
repository blocked, it exports its names and one tree of errors.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import subprocess
import sys
import textwrap

import pytest

import custom_components.smsgateway24.clients as clients_package

CLIENTS = Path(clients_package.__file__).parent
PACKAGES = sorted(
    path for path in CLIENTS.iterdir() if (path / "__init__.py").is_file()
)
SOURCES = sorted(CLIENTS.rglob("*.py"))
BLOCKED = {"homeassistant", "custom_components"}


def _imports(source: Path) -> tuple[set[str], set[int]]:
    """The absolute modules a file imports, and the levels of its relative imports."""
    modules: set[str] = set()
    levels: set[int] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                levels.add(node.level)
            elif node.module:
                modules.add(node.module)
    return modules, levels


def test_every_client_is_checked() -> None:
    assert [package.name for package in PACKAGES] == ["seven", "smsgateway24", "ubill"]
    assert {source.parent for source in SOURCES} == {CLIENTS, *PACKAGES}
    for package in PACKAGES:
        assert (package / "py.typed").is_file()


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: str(s.relative_to(CLIENTS)))
def test_sources_import_no_home_assistant(source: Path) -> None:
    modules, levels = _imports(source)

    assert not {module for module in modules if module.split(".")[0] in BLOCKED}
    # A relative import reaching above its own package breaks it lifted out.
    assert levels <= {1}


# Loads a package from its folder under another name, as if lifted out of
# this repository, while Home Assistant and this repository cannot be imported.
_LIFTED_IMPORT = textwrap.dedent(
    """
    import importlib.abc
    import importlib.util
    import json
    from pathlib import Path
    import sys

    BLOCKED = ("homeassistant", "custom_components")

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked: {name}")
            return None

    sys.meta_path.insert(0, Refuse())
    try:
        import homeassistant.const
    except ImportError:
        pass
    else:
        raise SystemExit("homeassistant was not blocked")

    folder = Path(sys.argv[1])
    spec = importlib.util.spec_from_file_location(
        "lifted_client",
        folder / "__init__.py",
        submodule_search_locations=[str(folder)],
    )
    api = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = api
    spec.loader.exec_module(api)

    exported = {name: getattr(api, name) for name in api.__all__}
    errors = [
        value
        for value in exported.values()
        if isinstance(value, type) and issubclass(value, Exception)
    ]
    roots = [
        error.__name__
        for error in errors
        if all(issubclass(other, error) for other in errors)
    ]
    clients = [
        name
        for name, value in exported.items()
        if isinstance(value, type) and hasattr(value, "close") and hasattr(value, "_request")
    ]
    print(json.dumps({
        "roots": roots,
        "errors": len(errors),
        "clients": [f"{exported[name].__module__}.{name}" for name in clients],
        "loaded": sorted(name for name in sys.modules if name.startswith(BLOCKED)),
    }))
    """
)

EXPECTED = {
    "seven": ("SevenError", "lifted_client.client.Seven"),
    "smsgateway24": ("SmsGateway24Error", "lifted_client.client.SmsGateway24"),
    "ubill": ("UBillError", "lifted_client.client.UBill"),
}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_package_imports_with_home_assistant_blocked(
    package: Path, tmp_path: Path
) -> None:
    result = subprocess.run(  # noqa: S603 - the interpreter running the tests
        [sys.executable, "-I", "-c", _LIFTED_IMPORT, str(package)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    root, client = EXPECTED[package.name]
    assert found["roots"] == [root]
    assert found["errors"] >= 5
    assert found["clients"] == [client]
    assert found["loaded"] == []
