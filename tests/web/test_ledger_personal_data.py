"""The ledger holds references, not personal data (issue 15, finding 5).

Runs the demo data and a full scenario (reports with names and accounts, sealed reads whose
reasons name the victim, updates, consents to a named agency, break-glass, an erasure whose
reason names the victim, account changes), then searches every ledger entry for each
free-text value and each name. Erasure shreds the sealed reasons; the ledger still verifies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from safeshare import demo
from safeshare.auth import lifecycle
from safeshare.auth import service as auth_service
from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.db import migrate
from safeshare.ledger import service as ledger_service
from safeshare.ledger.startup import ensure_signer, ledger_verifier
from safeshare.reporting import sealed_access
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ConsentGrant, UpdateCreate
from safeshare.reporting.vocabulary import BreakGlassReason, ConsentMethod
from safeshare.runtime import Runtime
from safeshare.vault import service as vault
from safeshare.vault.config import VaultConfig
from safeshare.web.app import create_app
from tests.web.conftest import make_settings
from tests.web.reporting_fixtures import (
    bearer,
    ensure_vault_key,
    ledger_entries,
    make_report,
    token_for,
)

VICTIM = "Marisol Quintero-Abadi"
ACCOUNT = "He kept my passport in the kitchen drawer at Larkspur Road"
READ_REASON = f"Victim {VICTIM} is an overstayer, checking before the interview"
UPDATE_TEXT = f"{VICTIM} moved to her sister's flat on Tannery Lane"
AGENCY = "Harbourside Immigration Advice Collective"
ERASE_REASON = f"{VICTIM} asked us to erase everything about her"
OFFICER = Actor(username="officer", role=Role.officer, team="Response team A")


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    settings = make_settings(
        tmp_path_factory.mktemp("ledger-pd"), vault=VaultConfig(retire_grace_seconds=0)
    )
    runtime = Runtime(settings)
    migrate.upgrade(runtime.engine)
    ensure_vault_key(settings)
    ledger_service.subscribe_to_events()  # as the CLI does, so the demo's events are entries
    with runtime.session() as session:
        demo.load_demo_data(session)
    yield runtime
    runtime.engine.dispose()


def test_no_free_text_or_name_reaches_the_ledger(runtime: Runtime) -> None:
    app = create_app(runtime.settings, runtime)
    provider = ensure_vault_key(runtime.settings)
    config = runtime.settings.reporting
    receipt = make_report(
        runtime,
        actor=OFFICER,
        details={"name": VICTIM, "account": ACCOUNT, "immigration_status": "Visa expired"},
    )
    report_id = receipt.report_id
    api = TestClient(app)
    read = api.post(
        f"/api/v1/reports/{report_id}/sealed-reads",
        headers=bearer(token_for(runtime, "officer")),
        json={"fields": ["name", "immigration_status"], "reason": READ_REASON},
    )
    assert read.status_code == 200, read.text
    with runtime.session() as session:
        reporting.add_update(
            session,
            report_id=report_id,
            payload=UpdateCreate(text=UPDATE_TEXT),
            actor=OFFICER,
            provider=provider,
            config=config,
        )
        reporting.record_consent(
            session,
            report_id=report_id,
            grant=ConsentGrant(purpose="share_with_agency", agency_name=AGENCY),
            method=ConsentMethod.officer_in_person,
            actor=OFFICER,
            config=config,
        )
        sealed_access.break_glass(
            session,
            report_id=report_id,
            actor=Actor(username="disclosure", role=Role.disclosure_officer),
            reason=BreakGlassReason.safeguarding_emergency,
            config=config,
        )
        analyst = auth_service.get_user_by_username(session, username="analyst")
        assert analyst is not None
        lifecycle.start_password_reset(session, user_id=analyst.id, actor="admin")
        lifecycle.deactivate_user(session, user_id=analyst.id, actor="admin")
    entry_with_reason = ledger_entries(runtime, "vault.read")[0]["data"]
    with runtime.session() as session:
        assert vault.open_note(session, provider=provider, **_note(entry_with_reason)) == (
            READ_REASON
        )
        reporting.erase_report(
            session,
            reference=receipt.reference,
            actor=Actor(username="admin", role=Role.admin),
            reason=ERASE_REASON,
            provider=provider,
            config=config,
        )
    with runtime.session() as session:
        # Erasure shredded the read reason with the report...
        assert vault.open_note(session, provider=provider, **_note(entry_with_reason)) is None
        # ...and the ledger, untouched, still verifies.
        ledger_service.create_checkpoint(
            session, signer=ensure_signer(runtime.settings), origin=runtime.settings.ledger_origin
        )
        report = ledger_service.verify_log(
            session,
            verifiers=[ledger_verifier(runtime.settings)],
            origin=runtime.settings.ledger_origin,
        )
        assert report.ok, report.summary()

    entries = ledger_entries(runtime)
    assert len(entries) > 20
    text = json.dumps(entries, default=str)
    display_names = [name for _user, name, *_rest in demo._DEMO_USERS]
    secrets = [VICTIM, ACCOUNT, READ_REASON, UPDATE_TEXT, AGENCY, ERASE_REASON, "Visa expired"]
    found = [s for s in [*secrets, *VICTIM.split("-"), *display_names] if s in text]
    assert found == []
    kinds = {e["kind"] for e in entries}
    for kind in ("vault.read", "report.erased", "consent.recorded", "access.break_glass"):
        assert kind in kinds


def _note(data: dict[str, object]) -> dict[str, str]:
    return {"note_ref": str(data["note_ref"]), "note_sha256": str(data["note_sha256"])}
