"""The SMSGateway24 client stands alone: it imports nothing from Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys
import textwrap

import custom_components.smsgateway24.clients.smsgateway24 as api_package

PACKAGE_DIR = Path(api_package.__file__).parent


def _imported_modules(source: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_sources_import_no_home_assistant() -> None:
    sources = sorted(PACKAGE_DIR.glob("*.py"))
    assert {source.name for source in sources} >= {
        "__init__.py",
        "client.py",
        "exceptions.py",
        "models.py",
    }

    imported = set().union(*(_imported_modules(source) for source in sources))

    assert "aiohttp" in imported
    assert not {
        module
        for module in imported
        if module.split(".")[0] in {"homeassistant", "custom_components"}
    }


# Loads the package from its folder under another name, as if lifted out of
# this repository, while Home Assistant and this repository cannot be imported.
_LIFTED_IMPORT = textwrap.dedent(
    """
    import importlib.abc
    import importlib.util
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
        "smsgateway24_api",
        folder / "__init__.py",
        submodule_search_locations=[str(folder)],
    )
    api = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = api
    spec.loader.exec_module(api)

    loaded = sorted(name for name in sys.modules if name.startswith(BLOCKED))
    print(api.SmsGateway24.__module__, api.SmsGateway24Error.__name__, loaded)
    """
)


def test_package_imports_with_home_assistant_blocked(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - the interpreter running the tests
        [sys.executable, "-I", "-c", _LIFTED_IMPORT, str(PACKAGE_DIR)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "smsgateway24_api.client SmsGateway24Error []"
