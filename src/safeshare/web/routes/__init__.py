"""Routers for the shell: sign-in, start page, health, and the API's identity check."""
