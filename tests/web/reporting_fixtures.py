"""Helpers for the staff reporting web tests: a vault key file, reports seeded through the
service, signed-in clients for any user, and the ledger's entries."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth import service as auth_service
from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.ledger import service as ledger_service
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import (
    OfficerReportCreate,
    ReportReceipt,
    SealedDetails,
    ThirdPartyReportCreate,
)
from safeshare.reporting.vocabulary import CrimeType
from safeshare.runtime import Runtime
from safeshare.vault import service as vault
from safeshare.vault.errors import KeyringError
from safeshare.vault.keys import FileKeyProvider
from tests.web.conftest import csrf_from, sign_in

REPORT_LINK = re.compile(r"^/reports/(\d+)$")


def ensure_vault_key(settings: Settings) -> FileKeyProvider:
    """The settings' vault key file, created on first use (the shared fixtures make none)."""
    assert settings.vault_key_file is not None
    if not settings.vault_key_file.exists():
        try:
            return FileKeyProvider.create(settings.vault_key_file)
        except KeyringError:  # created meanwhile by another fixture
            pass
    return FileKeyProvider(settings.vault_key_file)


def organisation_id(runtime: Runtime, name: str) -> int:
    with runtime.session() as session:
        org = auth_service.get_organisation_by_name(session, name=name)
        assert org is not None
        return org.id


def officer_actor() -> Actor:
    return Actor(username="officer", role=Role.officer)


def advocate_actor(runtime: Runtime, name: str = "Support Org A") -> Actor:
    return Actor(
        username="advocate", role=Role.advocate, organisation_id=organisation_id(runtime, name)
    )


def make_report(
    runtime: Runtime,
    *,
    actor: Actor | None = None,
    details: dict[str, Any] | None = None,
    **fields: Any,
) -> ReportReceipt:
    """A report made through the service: officer pathway, or third-party for an advocate."""
    actor = actor or officer_actor()
    values: dict[str, Any] = {"crime_type": CrimeType.violence, **fields}
    values["details"] = SealedDetails(**(details or {}))
    payload: OfficerReportCreate | ThirdPartyReportCreate
    if actor.role is Role.advocate:
        values.setdefault("with_identity", True)
        payload = ThirdPartyReportCreate(**values)
    else:
        payload = OfficerReportCreate(**values)
    provider = ensure_vault_key(runtime.settings)
    with runtime.session() as session:
        return reporting.create_report(
            session,
            payload=payload,
            actor=actor,
            provider=provider,
            config=runtime.settings.reporting,
        )


def signed_in(app: FastAPI, username: str) -> TestClient:
    """A signed-in client for any seeded user (the caller closes it)."""
    client = TestClient(app, follow_redirects=False)
    client.__enter__()
    sign_in(client, username)
    return client


def token_for(runtime: Runtime, username: str) -> str:
    with runtime.session() as session:
        user = auth_service.get_user_by_username(session, username=username)
        assert user is not None
        return auth_service.issue_token(session, user_id=user.id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_form(client: TestClient, path: str, data: dict[str, Any], *, page: str = "/home") -> Any:
    """POST a page form with the session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_from(client, page), **data})


def ledger_entries(runtime: Runtime, kind: str | None = None) -> list[dict[str, Any]]:
    """Every ledger entry (of `kind`, if given), newest first."""
    entries: list[dict[str, Any]] = []
    before: int | None = None
    with runtime.session() as session:
        while True:
            page = ledger_service.search_entries(session, kind=kind, before_seq=before, limit=500)
            entries.extend(page)
            if len(page) < 500:
                return entries
            before = page[-1]["seq"]


def error_summary(html: str) -> list[tuple[str, str]]:
    """(href, text) of each error summary link."""
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if summary is None:
        return []
    return [
        (href, " ".join(text.split()))
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', summary.group(1), re.S)
    ]


def reason_of(runtime: Runtime, data: dict[str, Any]) -> str | None:
    """The sealed free text a ledger entry refers to, checked against its salted hash."""
    assert "reason" not in data, "free text must not be in a ledger entry"
    with runtime.session() as session:
        return vault.open_note(
            session,
            provider=ensure_vault_key(runtime.settings),
            note_ref=data["note_ref"],
            note_sha256=data["note_sha256"],
        )
