"""Inspectors open the sealed reason behind a ledger entry: only after a recent password,
and their reading is itself a ledger entry that holds no text."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.runtime import Runtime
from safeshare.web import access
from tests.web.conftest import csrf_from
from tests.web.reporting_fixtures import (
    bearer,
    ensure_vault_key,
    ledger_entries,
    make_report,
    officer_actor,
    step_up_token_for,
)

REASON = "Checking the interpreter booking for the witness statement"


def _read_entry(anon: TestClient, runtime: Runtime) -> int:
    ensure_vault_key(runtime.settings)
    receipt = make_report(runtime, actor=officer_actor(), details={"immigration_status": "x"})
    read = anon.post(
        f"/api/v1/reports/{receipt.report_id}/sealed-reads",
        headers=bearer(step_up_token_for(runtime, "officer")),
        json={"fields": ["immigration_status"], "reason": REASON},
    )
    assert read.status_code == 200, read.text
    seq: int = ledger_entries(runtime, "vault.read")[0]["seq"]
    return seq


def test_an_inspector_opens_a_sealed_reason_and_that_is_recorded(
    anon: TestClient, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> None:
    seq = _read_entry(anon, web_runtime)
    inspector = client_for(Role.inspector)
    entry = inspector.get(f"/ledger/entries/{seq}")
    assert "Open the sealed reason" in entry.text and REASON not in entry.text
    confirm = inspector.get(f"/ledger/entries/{seq}/reason")
    assert confirm.status_code == 200 and REASON not in confirm.text
    opened = inspector.post(
        f"/ledger/entries/{seq}/reason",
        data={"csrf_token": csrf_from(inspector, f"/ledger/entries/{seq}/reason")},
    )
    assert opened.status_code == 200 and REASON in opened.text
    recorded = ledger_entries(web_runtime, "vault.note_opened")[0]
    assert recorded["actor"] == "inspector" and recorded["data"]["seq"] == seq
    assert REASON not in str(recorded)


def test_opening_needs_a_recent_password_and_an_inspector(
    anon: TestClient,
    client_for: Callable[[Role], TestClient],
    web_runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seq = _read_entry(anon, web_runtime)
    before = len(ledger_entries(web_runtime, "vault.note_opened"))
    officer = client_for(Role.officer)
    assert officer.get(f"/ledger/entries/{seq}/reason").status_code == 403
    inspector = client_for(Role.inspector)
    token = csrf_from(inspector, f"/ledger/entries/{seq}/reason")
    later = time.time() + 20 * 60
    monkeypatch.setattr(access.time, "time", lambda: later - 60)  # still signed in...
    inspector.get("/home")  # ...and active, but the password is 19 minutes old
    monkeypatch.setattr(access.time, "time", lambda: later)
    stale = inspector.post(f"/ledger/entries/{seq}/reason", data={"csrf_token": token})
    assert stale.status_code == 303
    assert stale.headers["location"] == f"/reauth?next=/ledger/entries/{seq}/reason"
    assert REASON not in stale.text
    assert len(ledger_entries(web_runtime, "vault.note_opened")) == before
    # An entry without a sealed note has nothing to open.
    plain = ledger_entries(web_runtime, "auth.sign_in")[0]["seq"]
    assert inspector.get(f"/ledger/entries/{plain}/reason").status_code == 404
