"""`safeshare retention ...`, `safeshare subject-access produce` and `safeshare dpia`, as an
operator runs them: through the top-level command, on a throwaway SQLite deployment, with the
ledger subscribed (as `main()` does), and the ledger verified afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from safeshare import cli
from safeshare import config as settings_module
from safeshare import runtime as runtime_module
from safeshare.db import migrate
from safeshare.db.session import make_engine
from safeshare.ledger.models import LedgerEntry
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import SealedDetails
from safeshare.reporting.vocabulary import CaseStatus
from safeshare.subscriptions import subscribe_all, unsubscribe_all
from safeshare.vault.keys import FileKeyProvider
from tests.factories.reporting import create_public_report, reporting_config

runner = CliRunner()
CANARY_KEPT = "Canary Heldfast"
CANARY_GONE = "Canary Shredwell"


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    url = f"sqlite:///{tmp_path / 'safeshare.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", url)
    monkeypatch.setenv("SAFESHARE_USER", "dpo")
    settings_module.get_settings.cache_clear()
    runtime_module.get_runtime.cache_clear()
    vkey = _run("ledger", "keygen").strip().splitlines()[-1]
    monkeypatch.setenv("SAFESHARE_LEDGER_VKEY", vkey)  # verify with the public key only
    settings_module.get_settings.cache_clear()
    subscribe_all()
    try:
        yield tmp_path
    finally:
        unsubscribe_all()
        runtime_module.get_runtime().engine.dispose()
        settings_module.get_settings.cache_clear()
        runtime_module.get_runtime.cache_clear()


def _run(*args: str, input: str | None = None) -> str:
    result = runner.invoke(cli.app, list(args), input=input)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def _two_reports(var_dir: Path) -> tuple[str, str]:
    _run("vault", "keygen")
    provider = FileKeyProvider(var_dir / "vault.key")
    with runtime_module.get_runtime().session() as session:
        kept = create_public_report(
            session,
            provider=provider,
            config=reporting_config(),
            details=SealedDetails(name=CANARY_KEPT, address="12 Lantern Yard, Exampletown"),
        )
        gone = create_public_report(
            session,
            provider=provider,
            config=reporting_config(),
            details=SealedDetails(name=CANARY_GONE),
        )
    return kept.reference, gone.reference


def _statuses() -> dict[str, str]:
    with runtime_module.get_runtime().session() as session:
        return {r.reference: r.status for r in session.scalars(select(Report))}


def _assert_ledger_verifies() -> None:
    _run("ledger", "checkpoint")
    out = _run("ledger", "verify")
    assert "Ledger verified" in out and "no gaps" in out and "not yet covered" not in out, out


def _ledgered(kind: str) -> int:
    with runtime_module.get_runtime().session() as session:
        return len(session.scalars(select(LedgerEntry.seq).where(LedgerEntry.kind == kind)).all())


def test_retention_run_shreds_what_is_due_and_never_what_is_held(deployment: Path) -> None:
    kept, gone = _two_reports(deployment)
    assert "sealed_field" in _run("retention", "schedule")
    out = _run("retention", "hold", "set", kept, "--reason", "Live prosecution")
    assert f"set on {kept}" in out
    assert kept in _run("retention", "hold", "list")

    # Decades on, both reports are due; the dry run lists them and changes nothing.
    listing = _run("retention", "run", "--dry-run", "--as-of", "2100-01-01")
    assert "dry run: nothing changed" in listing and "(held)" in listing
    assert gone in listing and kept in listing
    assert not _ledgered("retention.crypto_shred")
    assert _statuses() == {kept: CaseStatus.new.value, gone: CaseStatus.new.value}

    out = _run("retention", "run", "--as-of", "2100-01-01")
    assert "Held back by legal holds:" in out and "Held back by legal holds: 0" not in out
    # The default schedule shreds sealed fields and only flags reports for review: the
    # unheld report's sealed answers are gone, the held one's can still be read.
    assert _ledgered("retention.crypto_shred") == 1 and _ledgered("retention.hold_set") == 1
    assert CANARY_KEPT in _bundle(deployment, kept)
    assert CANARY_GONE not in _bundle(deployment, gone)
    assert _statuses() == {kept: CaseStatus.new.value, gone: CaseStatus.new.value}
    _assert_ledger_verifies()

    # Once the hold is lifted the next run shreds the kept report's sealed answers too.
    _run("retention", "hold", "lift", "1", "--reason", "Case closed")
    assert "Nothing was due" not in _run("retention", "run", "--as-of", "2100-01-01")
    assert _ledgered("retention.crypto_shred") == 2
    assert CANARY_KEPT not in _bundle(deployment, kept)


def _bundle(var_dir: Path, reference: str) -> str:
    path = var_dir / f"{reference}.json"
    _run("subject-access", "produce", reference, "--verification", "In person", "-o", str(path))
    return path.read_text(encoding="utf-8")


def test_a_bad_as_of_date_is_refused_with_the_option_named(deployment: Path) -> None:
    result = runner.invoke(cli.app, ["retention", "run", "--as-of", "next tuesday"])
    assert result.exit_code == 2 and "--as-of" in result.output


def test_subject_access_bundle_holds_her_record_and_nobody_elses(deployment: Path) -> None:
    kept, gone = _two_reports(deployment)
    bundle_path, pdf_path = deployment / "bundle.json", deployment / "bundle.pdf"
    out = _run(
        "subject-access",
        "produce",
        kept,
        "--verification",
        "Passport seen in person",
        "--exempt",
        "sealed.address=Would reveal a third party",
        "-o",
        str(bundle_path),
        "--pdf",
        str(pdf_path),
    )
    assert "Subject access request" in out
    text = bundle_path.read_text(encoding="utf-8")
    assert CANARY_KEPT in text and CANARY_GONE not in text and gone not in text
    assert "Would reveal a third party" in text and "Lantern Yard" not in text
    json.loads(text)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert _ledgered("subject_access.produced")
    _assert_ledger_verifies()


def test_dpia_draft_names_the_regimes_and_the_schedule(deployment: Path) -> None:
    draft = deployment / "dpia.md"
    _run("dpia", "-o", str(draft))
    text = draft.read_text(encoding="utf-8")
    for expected in ("firewall", "sealed_field", "immigration"):
        assert expected in text.lower(), expected
    pdf = deployment / "dpia.pdf"
    _run("dpia", "-o", str(pdf), "--format", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    refused = runner.invoke(cli.app, ["dpia", "-o", str(draft), "--format", "docx"])
    assert refused.exit_code == 2 and "--format" in refused.output
