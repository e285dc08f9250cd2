"""`safeshare retention ...`: apply the retention schedule, and set or lift legal holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from safeshare.auth.roles import Role
from safeshare.config import get_settings
from safeshare.holds import service as holds
from safeshare.holds.vocabulary import HOLD_NAMES, HoldKind
from safeshare.retention import service
from safeshare.retention.config import load_schedule
from safeshare.retention.vocabulary import AGE_FROM, RecordType
from safeshare.runtime import get_runtime
from safeshare.vault.cli import cli_actor, exit_on_error
from safeshare.vault.providers import build_key_provider, get_vault_config

app = typer.Typer(help="Apply the retention schedule; legal holds.", no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds: stop retention deleting a report's records.")
app.add_typer(hold_app, name="hold")
console = Console()


def _as_of(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("use a date like 2031-04-30", param_hint="--as-of") from None
    # The end of that day: everything due on it is due.
    return datetime.combine(day, time.max, tzinfo=UTC)


@app.command()
def schedule() -> None:
    """Show the retention schedule in force."""
    with exit_on_error():
        loaded = load_schedule(get_settings().retention.schedule)
    table = Table(title=f"Retention schedule ({loaded.source}, sha256 {loaded.sha256[:12]})")
    for heading in ("Record type", "Period (days)", "Counted from", "Action"):
        table.add_column(heading)
    for record_type in RecordType:
        rule = loaded.rule(record_type)
        table.add_row(
            record_type.value, str(rule.period.days), AGE_FROM[record_type], rule.action.value
        )
    console.print(table)


@app.command()
def run(
    dry_run: bool = typer.Option(False, "--dry-run", help="List what is due; change nothing."),
    as_of: str | None = typer.Option(None, "--as-of", help="Apply as on this date (YYYY-MM-DD)."),
) -> None:
    """Apply the schedule: flag reviews, delete and crypto-shred what is due, never what is
    under a legal hold; a ledger entry per action."""
    settings = get_settings()
    moment = _as_of(as_of)
    runtime = get_runtime()
    with exit_on_error():
        loaded = load_schedule(settings.retention.schedule)
        provider = build_key_provider(settings, get_vault_config())
    with exit_on_error(), runtime.session() as session:
        due = service.plan(session, schedule=loaded, as_of=moment)
        if dry_run:
            _listing(due)
            session.rollback()
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Applying the retention schedule", total=len(due))
            result = service.apply(
                session,
                items=due,
                schedule=loaded,
                provider=provider,
                config=settings.reporting,
                now=datetime.now(UTC),
                progress=lambda _item: progress.advance(task),
            )
    for (record_type, action), count in sorted(result.applied.items()):
        console.print(f"{action}: {count} {record_type}")
    console.print(f"Held back by legal holds: {result.held}")
    if not result.applied:
        console.print("Nothing was due.")


def _listing(due: list[service.DueItem]) -> None:
    table = Table(title=f"Due: {len(due)} (dry run: nothing changed)")
    for heading in ("Record type", "Record", "Report", "Due", "Action"):
        # Folded, never cut with an ellipsis: in a narrow terminal "(held)" must still show.
        table.add_column(heading, overflow="fold")
    for item in due:
        table.add_row(
            item.record_type.value,
            item.record_key,
            item.candidate.report_ref or "",
            f"{item.due_at:%Y-%m-%d}",
            f"{item.action.value} (held)" if item.is_held else item.action.value,
        )
    console.print(table)


@hold_app.command("set")
def hold_set(
    report_ref: str = typer.Argument(..., help="The report reference."),
    reason: str = typer.Option(..., prompt=True, help="Why (kept; its hash is ledgered)."),
    restriction: bool = typer.Option(
        False, "--restriction", help="Restrict processing instead: no new share decisions."
    ),
) -> None:
    """Put a report and everything tied to it under a legal hold (or, with --restriction,
    restrict its processing)."""
    kind = HoldKind.restriction if restriction else HoldKind.legal_hold
    with exit_on_error(), get_runtime().session() as session:
        hold = holds.set_hold(
            session,
            report_ref=report_ref,
            reason=reason,
            actor=cli_actor(),
            actor_role=Role.admin,
            kind=kind,
        )
        hold_id, reference = hold.id, hold.report_ref
    console.print(f"{HOLD_NAMES[kind]} {hold_id} set on {reference}.")


@hold_app.command("lift")
def hold_lift(
    hold_id: int = typer.Argument(..., help="The hold's number."),
    reason: str = typer.Option(..., prompt=True, help="Why it is lifted."),
) -> None:
    """Lift a legal hold or restriction."""
    with exit_on_error(), get_runtime().session() as session:
        holds.lift_hold(
            session, hold_id=hold_id, reason=reason, actor=cli_actor(), actor_role=Role.admin
        )
    console.print(f"Hold {hold_id} lifted.")


@hold_app.command("list")
def hold_list(include_lifted: bool = typer.Option(False, help="Show lifted holds too.")) -> None:
    """Legal holds, newest first."""
    with exit_on_error(), get_runtime().session() as session:
        rows = [
            (
                str(h.id),
                HOLD_NAMES[HoldKind(h.kind)],
                h.report_ref,
                h.set_by,
                f"{h.set_at:%Y-%m-%d}",
                "lifted" if h.lifted_at else "active",
            )
            for h in holds.list_holds(session, include_lifted=include_lifted)
        ]
    table = Table(title="Legal holds and restrictions")
    for heading in ("Hold", "Kind", "Report", "Set by", "Set on", "State"):
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
