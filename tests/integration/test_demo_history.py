"""The demo history: loaded through the real services on both back ends, genuine ledger,
deterministic from its seed, and rich enough that the statistics are mostly published."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safeshare import demo_history, events, startup
from safeshare.auth import passwords
from safeshare.auth.roles import Role
from safeshare.cli import app
from safeshare.config import Settings
from safeshare.db import migrate
from safeshare.demo_history import HistoryExistsError, HistoryResult, cast
from safeshare.ledger import service as ledger_service
from safeshare.ledger.startup import ledger_verifier
from safeshare.oversight import assurance
from safeshare.oversight.models import Feedback, ShareOutcome
from safeshare.oversight.presentation import StatTable
from safeshare.oversight.schemas import StatisticsFilters
from safeshare.oversight.vocabulary import ENFORCEMENT_OUTCOMES, FeedbackSource
from safeshare.policy import service as policy
from safeshare.policy.models import PolicyDecision, PolicyDisclosure, PolicyReview
from safeshare.redaction.tables import WITHHELD
from safeshare.reporting.models import Report
from safeshare.runtime import Runtime, get_runtime
from safeshare.support.models import SupportReferral

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SMALL = 0.05
FURTHER_DIMENSIONS = (
    "disability",
    "religion",
    "sexual_orientation",
    "preferred_language",
    "immigration_status_category",
)
runner = CliRunner()


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Demo accounts hash their random passwords; tests need not pay production argon2 cost."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    saved = list(events._subscribers)  # load_history subscribes as the CLI does; undo that
    yield
    events._subscribers[:] = saved


def runtime_for(tmp_path: Path, url: str) -> Runtime:
    settings = Settings(
        var_dir=tmp_path,
        database_url=url,
        secret_key="test-secret-key-that-is-long-enough-for-tests",  # type: ignore[arg-type]
    )
    startup.require_ready(settings)
    runtime = Runtime(settings)
    migrate.upgrade(runtime.engine)
    return runtime


def load(runtime: Runtime, *, scale: float = SMALL, seed: int = 7) -> HistoryResult:
    return demo_history.load_history(runtime, seed=seed, scale=scale, now=NOW)


def count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def table_counts(session: Session) -> dict[str, int]:
    return {
        "reports": count(session, Report),
        "decisions": count(session, PolicyDecision),
        "reviews_pending": count(session, PolicyReview, PolicyReview.status == "pending"),
        "reviews_decided": count(session, PolicyReview, PolicyReview.status == "decided"),
        "disclosures": count(session, PolicyDisclosure),
        "outcomes": count(session, ShareOutcome),
        "referrals": count(session, SupportReferral),
        "referrals_open": count(
            session, SupportReferral, SupportReferral.status.in_(("pending", "accepted"))
        ),
        "ledger_entries": ledger_service.count_entries(session),
        "checkpoints": len(ledger_service.list_checkpoints(session)),
    }


def check_history(runtime: Runtime, result: HistoryResult) -> dict[str, int]:
    """What every loaded history must hold, whatever the back end."""
    with runtime.session() as session:
        counts = table_counts(session)
        for name in (
            "reports", "decisions", "reviews_pending", "reviews_decided", "disclosures",
            "outcomes", "referrals", "referrals_open", "checkpoints",
        ):  # fmt: skip
            assert counts[name] > 0, name
        assert counts["reports"] == result.counts["reports"] == round(3000 * SMALL)
        # Every share request names a real report made before it, and its subject's crime
        # type is that report's own.
        reports = {
            ref: (crime, at)
            for ref, crime, at in session.execute(
                select(Report.reference, Report.crime_type, Report.reported_at)
            )
        }
        decisions = list(session.scalars(select(PolicyDecision)))
        for decision in decisions:
            assert decision.report_ref in reports
            crime, reported_at = reports[decision.report_ref]
            assert decision.requested_at >= reported_at
            subject = decision.share_request().subject
            expected = (
                crime
                if crime in ("domestic_abuse", "sexual_offence", "modern_slavery")
                else "other"
            )
            assert [str(c) for c in subject.crime_types] == [expected]
        # Three forces, each on its own regime, and decisions from each.
        home = runtime.settings.force_name
        forces = [f.name or home for f in cast.FORCES]
        regimes = {policy.get_active_regime(session, force=f) for f in forces}
        assert len(regimes) == 3
        assert {d.force for d in decisions} == set(forces)
        # The ledger recomputes from its stored entries and every checkpoint verifies.
        report = ledger_service.verify_log(
            session,
            verifiers=[ledger_verifier(runtime.settings)],
            origin=runtime.settings.ledger_origin,
        )
        assert report.ok, report.problems
        assert counts["ledger_entries"] > counts["reports"] + counts["decisions"]
        # Issue 19's answers: the further monitoring questions (every pathway), the
        # immigration-abuse indicator (staff pathways only), enforcement outcomes, and
        # feedback from victims and advocates.
        staff = Report.pathway.in_(("officer", "third_party"))
        for column in (getattr(Report, d) for d in FURTHER_DIMENSIONS):
            assert count(session, Report, staff, column.is_not(None)) > 0, column.key
            assert count(session, Report, ~staff, column.is_not(None)) > 0, column.key
        assert count(session, Report, staff, Report.immigration_abuse.is_not(None)) > 0
        assert count(session, Report, ~staff, Report.immigration_abuse.is_not(None)) == 0
        enforcement = [o.value for o in ENFORCEMENT_OUTCOMES]
        assert count(session, ShareOutcome, ShareOutcome.outcome.in_(enforcement)) > 0
        for source in FeedbackSource:
            assert count(session, Feedback, Feedback.source == source.value) > 0, source
    return counts


def test_history_on_sqlite_is_genuine_and_deterministic(tmp_path: Path) -> None:
    first = runtime_for(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}")
    result = load(first)
    counts = check_history(first, result)
    with first.session() as session:
        # The advocate inbox and the review queue have something in them.
        assert policy.list_pending_reviews(session)
    with pytest.raises(HistoryExistsError):
        load(first)

    second = runtime_for(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}")
    again = load(second)
    assert again.counts == result.counts
    with second.session() as session:
        assert table_counts(session) == counts
    first.engine.dispose()
    second.engine.dispose()


@pytest.mark.postgres
def test_history_on_postgres(tmp_path: Path, fresh_postgres_url: str) -> None:
    runtime = runtime_for(tmp_path, fresh_postgres_url)
    check_history(runtime, load(runtime))
    runtime.engine.dispose()


# --- disclosure control: the headline tables are mostly published ------------------------


def cells(table: StatTable) -> list[str]:
    """Every count shown in a table (rates and text are derived from them)."""
    columns = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    return [row.figures[i].label for row in table.rows for i in columns]


def published_share(runtime: Runtime, start: date, end: date) -> tuple[float, list[str]]:
    filters = StatisticsFilters(start=start, end=end)
    with runtime.session() as session:
        report = assurance.build_assurance_report(
            session,
            filters=filters,
            settings=runtime.settings,
            actor_role=Role.pcc_analyst,
            now=NOW,
        )
    shown = [label for section in report.sections for t in section.tables for label in cells(t)]
    key = {f.label: f.value for f in report.key_figures}
    assert key["Ledger verification"] == "Checks passed"
    assert key["Share requests"] != WITHHELD
    return sum(label != WITHHELD for label in shown) / len(shown), shown


@pytest.mark.slow
def test_most_headline_cells_are_published(tmp_path: Path) -> None:
    runtime = runtime_for(tmp_path, f"sqlite:///{tmp_path / 'big.db'}")
    load(runtime, scale=0.3)  # the full history (1.0) publishes over 90%
    whole, _ = published_share(runtime, (NOW - timedelta(days=547)).date(), NOW.date())
    assert whole >= 0.7, whole
    runtime.engine.dispose()


# --- the command line ------------------------------------------------------------------


def test_demo_load_history_prints_passwords_once_and_refuses_twice(cli_env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(app, ["demo", "load", "--history", "--scale", "0.01", "--seed", "3"])
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded the demo history" in loaded.output
    for username in ("officer", "disclosure", "advocate", "pc.hale", "adv.saheli"):
        assert username in loaded.output
    again = runner.invoke(app, ["demo", "load", "--history", "--scale", "0.01"])
    assert again.exit_code == 1 and "already holds reports" in again.output
    with get_runtime().session() as session:
        assert count(session, Report) == 30


def test_serve_demo_loads_the_history_into_an_empty_database(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app_, **_: served.append(app_))
    result = runner.invoke(app, ["serve", "--demo", "--scale", "0.01"])
    assert result.exit_code == 0, result.output
    assert served and "Loaded the demo history" in result.output
    with get_runtime().session() as session:
        assert count(session, Report) == 30
    # A restart finds the demo there and loads nothing more.
    again = runner.invoke(app, ["serve", "--demo", "--scale", "0.01"])
    assert again.exit_code == 0 and "already exist" in again.output
    with get_runtime().session() as session:
        assert count(session, Report) == 30


def test_serve_demo_with_scale_zero_loads_no_history(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda app_, **_: None)
    result = runner.invoke(app, ["serve", "--demo", "--scale", "0"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo history" not in result.output and "officer" in result.output
    with get_runtime().session() as session:
        assert count(session, Report) == 0
