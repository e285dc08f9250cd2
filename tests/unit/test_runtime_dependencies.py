"""Everything `src/` imports is installed by the README's first command.

That command installs `-e .` without the test extra, so a module imported by the service but
declared only for tests breaks `safeshare serve --demo` on a fresh machine while every test
(run with the extra installed) passes. (It happened: `web/oidc.py` imported httpx, declared
only under `test`.) This walks the imports of every module in `src/safeshare` and requires
each third-party one to come from a runtime dependency or something those depend on.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "safeshare"
PYPROJECT = SRC.parents[1] / "pyproject.toml"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    found = NAME.match(requirement.strip())
    assert found, requirement
    return _canonical(found.group(0))


def _runtime_closure() -> set[str]:
    """Declared runtime distributions and, recursively, what they require (extras they ask
    for included, environment markers that do not apply here skipped)."""
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    wanted: list[tuple[str, set[str]]] = []
    for requirement in declared:
        extras = re.search(r"\[([^\]]+)\]", requirement)
        wanted.append(
            (_requirement_name(requirement), set(extras.group(1).split(",")) if extras else set())
        )
    seen: set[str] = set()
    while wanted:
        name, extras = wanted.pop()
        if name in seen and not extras:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement, _, marker = line.partition(";")
            marker = marker.strip()
            if "extra ==" in marker:
                extra = re.search(r"extra == ['\"]([^'\"]+)['\"]", marker)
                if not extra or extra.group(1) not in extras:
                    continue
                marker = ""
            if marker and not _marker_applies(marker):
                continue
            wanted.append((_requirement_name(requirement), set()))
    return seen


def _marker_applies(marker: str) -> bool:
    from packaging.markers import Marker

    return Marker(marker).evaluate()


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level module -> the source files importing it (stdlib and safeshare left out)."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "safeshare" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(SRC)))
    return found


def test_every_imported_package_is_a_runtime_dependency() -> None:
    runtime = _runtime_closure()
    providers = metadata.packages_distributions()
    missing = {}
    for module, files in sorted(_third_party_imports().items()):
        distributions = {_canonical(d) for d in providers.get(module, [])}
        if not distributions & runtime:
            missing[module] = (sorted(distributions), sorted(files)[:3])
    assert not missing, f"imported by src/ but not installed by `pip install -e .`: {missing}"


def test_the_check_sees_a_test_only_package() -> None:
    """The walk is not vacuous: pytest is installed here, yet is not a runtime dependency."""
    runtime = _runtime_closure()
    assert "fastapi" in runtime and "starlette" in runtime and "anyio" in runtime
    assert "pytest" not in runtime and "playwright" not in runtime
