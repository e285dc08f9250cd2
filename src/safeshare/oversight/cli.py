"""`safeshare report ...`: the assurance report as a PDF, and the recommendations seed.

The operator at the command line acts with administrator rights, like the other features'
commands; the PDF holds only disclosure-controlled figures, exactly as the web download.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from safeshare.auth.roles import Role
from safeshare.config import get_settings
from safeshare.errors import SafeShareError
from safeshare.oversight import pdf, recommendations
from safeshare.oversight.assurance import build_assurance_report
from safeshare.oversight.schemas import StatisticsFilters
from safeshare.runtime import get_runtime

app = typer.Typer(help="Oversight reports: the PDF assurance report.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2024-03-31", param_hint=option
        ) from None


@app.command("assurance")
def assurance(
    start: Annotated[str, typer.Option("--from", help="First day, e.g. 2024-01-01.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive), e.g. 2024-12-31.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the PDF.", dir_okay=False)],
    force: Annotated[
        str | None, typer.Option("--force", help="One force's figures (default: all forces).")
    ] = None,
) -> None:
    """Write the assurance report for a period: summary, charts, tables, ledger status."""
    try:
        filters = StatisticsFilters(
            start=_date(start, "--from"), end=_date(end, "--to"), force=force
        )
    except ValidationError as exc:
        message = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        err_console.print(f"[red]Error:[/red] {message}")
        raise typer.Exit(2) from None
    settings = get_settings()
    try:
        with get_runtime().session() as session:
            report = build_assurance_report(
                session, filters=filters, settings=settings, actor_role=Role.admin
            )
            data = pdf.render_pdf(report)
    except SafeShareError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    console.print(f"Wrote {out} ({len(data):,} bytes, {report.force_label}).")


@app.command("seed-recommendations")
def seed_recommendations() -> None:
    """Track the eight "Safe to share?" recommendations (fictional due dates); idempotent."""
    with get_runtime().session() as session:
        added = recommendations.seed_safe_to_share(session, actor="system")
    console.print(f"{added} recommendation(s) added.")
