"""Route modules render their pages through the web kit (`web/pages.py`: `Pages`,
`public_page`), never through the low-level `render` (issue 12): one place adds the
labels, the pending flash and the error summary."""

from __future__ import annotations

import ast
from pathlib import Path

import safeshare

ROUTES = Path(safeshare.__file__).parent / "web" / "routes"


def _render_calls(path: Path) -> list[int]:
    """Line numbers of every `render(...)` or `something.render(...)` call in `path`."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "render":
                lines.append(node.lineno)
    return lines


def test_the_walk_finds_a_render_call(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def page(r):\n    x = 1\n    return render(r, 'a.html')\n")
    assert _render_calls(sample) == [3]


def test_no_route_module_calls_render() -> None:
    modules = sorted(ROUTES.rglob("*.py"))
    assert modules, ROUTES
    found = {
        f"{path.relative_to(ROUTES)}:{line}" for path in modules for line in _render_calls(path)
    }
    assert not found, f"use the web kit's Pages (web/pages.py), not render: {sorted(found)}"
