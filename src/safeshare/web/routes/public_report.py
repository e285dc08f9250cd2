"""The public online reporting form (no sign-in) and the anonymous reporter's return visits."""

from __future__ import annotations

from fastapi import APIRouter

from safeshare.web.navigation import NavItem

router = APIRouter()

# Service navigation entries for this feature, registered by the app factory.
NAV_ITEMS: list[NavItem] = []
