"""Imports follow the contracts in pyproject.toml, checked by import-linter (STYLE.md,
"Dependencies"): the layers from the edges (CLI, web) through the features to the core,
only web/ importing the web stack, features reaching each other's tables only through
services (oversight's read-only access named), no route module importing a sibling (nor,
inside a route package, a sibling of its own but for the package's `_common`), and an
offline verifier that needs no database. These tests run the contracts and check that
they still cover every module, so a new package or route cannot slip past them.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import safeshare

PACKAGE = Path(safeshare.__file__).parent
ROOT = PACKAGE.parents[1]
CONTRACTS: dict[str, dict[str, Any]] = {
    contract["id"]: contract
    for contract in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
}


def test_the_contracts_hold() -> None:
    # In a process of its own: import-linter reconfigures logging, which would disable the
    # loggers that later tests read.
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_docstrings_contracts_exist() -> None:
    assert set(CONTRACTS) == {
        "layers",
        "web-stack",
        "feature-tables",
        "routes",
        "support-routes",
        "reporting-routes",
        "offline-ledger",
    }


def test_every_top_level_module_has_a_layer() -> None:
    layered = {name.strip() for layer in CONTRACTS["layers"]["layers"] for name in layer.split("|")}
    present = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert present <= layered, f"give {sorted(present - layered)} a layer in pyproject.toml"


def test_every_non_web_package_is_barred_from_the_web_stack() -> None:
    sources = {name.removeprefix("safeshare.") for name in CONTRACTS["web-stack"]["source_modules"]}
    layered = {name.strip() for layer in CONTRACTS["layers"]["layers"] for name in layer.split("|")}
    assert layered - {"cli", "web"} == sources


ROUTES = PACKAGE / "web" / "routes"


def _defines_a_router(path: Path) -> bool:
    return re.search(r"^router = APIRouter\(", path.read_text(), flags=re.M) is not None


def test_every_route_module_is_independent() -> None:
    """Route modules, and route packages (whose `__init__` gathers their routers)."""
    defining = {
        f"safeshare.web.routes.{path.stem}"
        for path in ROUTES.glob("*.py")
        if _defines_a_router(path)
    } | {
        f"safeshare.web.routes.{path.parent.name}"
        for path in ROUTES.glob("*/__init__.py")
        if _defines_a_router(path)
    }
    assert defining == set(CONTRACTS["routes"]["modules"])


def test_every_route_package_keeps_its_modules_apart() -> None:
    """In a route package, each module with a router is an independent sibling above the
    shared helpers (modules without one, in one or more layers of their own); a contract
    `<package>-routes` says so."""
    packages = sorted(path.parent for path in ROUTES.glob("*/__init__.py"))
    assert packages, "no route package found"
    for package in packages:
        modules = [path for path in package.glob("*.py") if path.stem != "__init__"]
        routes = {path.stem for path in modules if _defines_a_router(path)}
        helpers = {path.stem for path in modules if not _defines_a_router(path)}
        contract = CONTRACTS.get(f"{package.name}-routes")
        assert contract, f"add a {package.name}-routes contract to pyproject.toml"
        assert contract["type"] == "layers"
        assert contract["containers"] == [f"safeshare.web.routes.{package.name}"]
        layers = [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]
        assert layers[0] == routes, f"{package.name}: {routes} in the top layer"
        below = [name for layer in layers[1:] for name in layer]
        assert sorted(below) == sorted(helpers), f"{package.name}: {helpers} below the routes"


def test_every_offline_verifier_module_is_covered() -> None:
    offline = (PACKAGE / "ledger" / "offline.py").read_text()
    imported = set(re.findall(r"^from safeshare\.ledger\.(\w+) import", offline, flags=re.M))
    imported |= set(re.findall(r"^from safeshare\.ledger import (\w+)", offline, flags=re.M))
    covered = {name.rsplit(".", 1)[1] for name in CONTRACTS["offline-ledger"]["source_modules"]}
    assert imported <= covered, f"add {sorted(imported - covered)} to the offline-ledger contract"
