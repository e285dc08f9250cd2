"""Accounts, roles, passwords, API tokens and the per-route role declarations."""
