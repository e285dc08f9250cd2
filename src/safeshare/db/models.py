"""Imports every feature's `models` module so `Base.metadata` knows every table."""

from __future__ import annotations

import importlib
import pkgutil

import safeshare
from safeshare.db.base import Base


def load_all_models() -> type[Base]:
    """Import `safeshare.<feature>.models` for every feature package that has one."""
    for module in pkgutil.iter_modules(safeshare.__path__):
        if not module.ispkg:
            continue
        name = f"safeshare.{module.name}.models"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return Base
