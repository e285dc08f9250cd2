"""The administrator's erase page: reference and reason, a confirmation step, crypto-shredding,
then old keys retired in a later unit of work so a backup taken before cannot be opened.

Runs its own app with no retirement grace period: the background task that retires keys
would otherwise wait the configured 30 seconds (TestClient runs it before returning).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.db import migrate
from safeshare.runtime import Runtime
from safeshare.vault.config import VaultConfig
from safeshare.vault.errors import KeyUnavailableError
from safeshare.vault.keys import FileKeyProvider, WrappedKey
from safeshare.web.app import create_app
from tests.web.conftest import make_settings, seed_users
from tests.web.reporting_fixtures import (
    bearer,
    ensure_vault_key,
    error_summary,
    ledger_entries,
    make_report,
    post_form,
    reason_of,
    signed_in,
    step_up_token_for,
)

STATUS = "erase-me-status-4b1f"


@pytest.fixture(scope="module")
def erase_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    settings = make_settings(
        tmp_path_factory.mktemp("erase"), vault=VaultConfig(retire_grace_seconds=0)
    )
    runtime = Runtime(settings)
    migrate.upgrade(runtime.engine)
    seed_users(runtime)
    ensure_vault_key(settings)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def erase_app(erase_runtime: Runtime) -> FastAPI:
    return create_app(erase_runtime.settings, erase_runtime)


@pytest.fixture
def admin(erase_app: FastAPI) -> Iterator[TestClient]:
    client = signed_in(erase_app, "admin")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def officer(erase_app: FastAPI) -> Iterator[TestClient]:
    client = signed_in(erase_app, "officer")
    yield client
    client.__exit__(None, None, None)


def _database_file(runtime: Runtime) -> Path:
    database = runtime.engine.url.database
    assert database is not None
    return Path(database)


def _backup(runtime: Runtime, into: Path) -> Path:
    """A consistent copy of the SQLite database, as a nightly backup would be."""
    target = into / "backup.db"
    with sqlite3.connect(_database_file(runtime)) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


def _wrapped_key(database: Path, report_id: int) -> tuple[str, bytes] | None:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT k.kek_id, k.wrapped_key FROM vault_data_keys k "
            "JOIN reports r ON r.public_id = k.subject WHERE r.id = ?",
            (report_id,),
        ).fetchone()
    return None if row is None or row[1] is None else (row[0], bytes(row[1]))


def _subject(database: Path, report_id: int) -> str:
    with sqlite3.connect(database) as conn:
        subject: str = conn.execute(
            "SELECT public_id FROM reports WHERE id = ?", (report_id,)
        ).fetchone()[0]
    return subject


def test_erase_form_validates_reference_and_reason(
    admin: TestClient, erase_runtime: Runtime
) -> None:
    assert admin.get("/admin/erase-report").status_code == 200
    empty = post_form(admin, "/admin/erase-report", {})
    assert empty.status_code == 400
    assert error_summary(empty.text) == [
        ("#reference", "Enter the report reference"),
        ("#reason", "Enter the reason, in at least 5 characters"),
    ]
    unknown = post_form(
        admin, "/admin/erase-report", {"reference": "SS-AAAAA-AAAAA", "reason": "Asked to"}
    )
    assert unknown.status_code == 400
    assert error_summary(unknown.text) == [("#reference", "There is no report with that reference")]
    assert 'value="SS-AAAAA-AAAAA"' in unknown.text and ">Asked to</textarea>" in unknown.text


def test_erase_confirms_then_shreds_and_retires_the_old_key(
    admin: TestClient,
    officer: TestClient,
    erase_app: FastAPI,
    erase_runtime: Runtime,
    tmp_path: Path,
) -> None:
    receipt = make_report(
        erase_runtime, details={"immigration_status": STATUS, "name": "Erased Person"}
    )
    provider = FileKeyProvider(erase_runtime.settings.vault_key_file)  # type: ignore[arg-type]
    shown = post_form(
        officer,
        f"/reports/{receipt.report_id}/sealed",
        {"fields": "immigration_status", "reason": "Before erasure"},
    )
    assert STATUS in shown.text
    backup = _backup(erase_runtime, tmp_path)
    before = _wrapped_key(backup, receipt.report_id)
    assert before is not None and before[0] in provider.key_ids()

    # Step 1: reference and reason -> the confirmation page; nothing is erased yet.
    check = post_form(
        admin,
        "/admin/erase-report",
        {"reference": receipt.reference.lower(), "reason": "Victim asked for erasure"},
    )
    assert check.status_code == 200
    assert f"Are you sure you want to erase report {receipt.reference}?" in check.text
    assert STATUS not in check.text
    assert _wrapped_key(_database_file(erase_runtime), receipt.report_id) is not None

    # Step 2: confirm -> erased, then the old key is retired in a later unit of work.
    done = post_form(
        admin,
        "/admin/erase-report/confirm",
        {"reference": receipt.reference, "reason": "Victim asked for erasure"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/erase-report"
    assert f"Report {receipt.reference} has been erased" in admin.get("/admin/erase-report").text
    assert _wrapped_key(_database_file(erase_runtime), receipt.report_id) is None
    assert before[0] not in provider.key_ids()  # the KEK that wrapped it is gone
    with pytest.raises(KeyUnavailableError):
        provider.unwrap(
            WrappedKey(before[0], before[1]), subject=_subject(backup, receipt.report_id)
        )
    kinds = [e["kind"] for e in ledger_entries(erase_runtime)]
    for kind in ("report.erased", "vault.shredded", "vault.rotated", "vault.key_retired"):
        assert kind in kinds
    erased = next(e for e in ledger_entries(erase_runtime, "report.erased"))
    assert erased["actor"] == "admin"
    assert reason_of(erase_runtime, erased["data"]) == "Victim asked for erasure"

    # Afterwards the sealed fields cannot be shown, on the page or through the API.
    page = officer.get(f"/reports/{receipt.report_id}")
    assert "This report was erased" in page.text
    assert f'action="/reports/{receipt.report_id}/sealed"' not in page.text
    refused = post_form(
        officer,
        f"/reports/{receipt.report_id}/sealed",
        {"fields": "immigration_status", "reason": "After erasure"},
    )
    assert refused.status_code == 410 and STATUS not in refused.text
    api = TestClient(erase_app).post(
        f"/api/v1/reports/{receipt.report_id}/sealed-reads",
        headers=bearer(step_up_token_for(erase_runtime, "officer")),
        json={"fields": ["immigration_status"], "reason": "After erasure"},
    )
    assert api.status_code == 410 and STATUS not in api.text
    again = post_form(
        admin, "/admin/erase-report", {"reference": receipt.reference, "reason": "Twice over"}
    )
    assert error_summary(again.text) == [("#reference", "That report has already been erased")]
