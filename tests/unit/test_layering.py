"""Imports flow web -> services -> models -> db, never back (STYLE.md: Dependencies)."""

from __future__ import annotations

import ast
from pathlib import Path

import safeshare

PACKAGE = Path(safeshare.__file__).parent
WEB_ONLY = ("fastapi", "starlette", "jinja2", "uvicorn", "safeshare.web")
# Pure modules an inspector's offline verifier depends on: no database, no web stack.
PURE_LEDGER = (
    "merkle",
    "note",
    "checkpoint",
    "audit",
    "offline",
    "bundle",
    "entry",
    "cosignature",
    "witness",
    "witness_server",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offending(names: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == b or n.startswith(b + ".") for b in banned))


def test_only_the_web_package_imports_the_web_stack() -> None:
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "web" or relative.name == "cli.py":
            continue  # the web edge, and CLI edges that start the server
        bad = _offending(_imports(path), WEB_ONLY)
        assert not bad, f"{relative} imports {bad}"


def test_offline_ledger_modules_need_no_database() -> None:
    for name in PURE_LEDGER:
        path = PACKAGE / "ledger" / f"{name}.py"
        if path.exists():
            bad = _offending(_imports(path), ("sqlalchemy", "safeshare.db", *WEB_ONLY))
            assert not bad, f"ledger/{name}.py imports {bad}"
