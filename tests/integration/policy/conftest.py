"""Capture the domain events the policy service publishes."""

from __future__ import annotations
