"""Accounts, roles and their permissions (`permissions.py`), passwords, MFA, API tokens.

Routes declare the permission they need with `safeshare.web.access.require`; this package
holds the table behind it and imports nothing from the web layer."""
