"""Reporting pages and API: the public form, officer and advocate reports, vault reads."""

from __future__ import annotations

from fastapi import APIRouter

from safeshare.web.navigation import NavItem

router = APIRouter()

# Service navigation entries for this feature, registered by the app factory.
NAV_ITEMS: list[NavItem] = []
