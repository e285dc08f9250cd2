"""`safeshare reports ...`: erase a report by crypto-shredding, and list reports (unsealed)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Column, Table

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.config import get_settings
from safeshare.reporting import service
from safeshare.reporting.schemas import ReportQuery
from safeshare.reporting.vocabulary import CaseStatus, CrimeType, Pathway
from safeshare.runtime import get_runtime
from safeshare.vault.cli import cli_actor, exit_on_error, retire_after_grace
from safeshare.vault.providers import build_key_provider, get_vault_config

app = typer.Typer(help="Work with reports from the command line.", no_args_is_help=True)


def _operator() -> Actor:
    # Whoever can run the CLI on the server already holds the database and the key file.
    return Actor(username=cli_actor(), role=Role.admin)


@app.command()
def erase(
    reference: str = typer.Argument(..., help="The report reference, e.g. SS-7K4MQ-2XD9B."),
    reason: str = typer.Option(..., prompt=True, help="Why (recorded in the ledger)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    retire: bool = typer.Option(True, help="Retire the old key so backups cannot be opened."),
) -> None:
    """Erase a report for good: destroy its data key, then retire the key that wrapped it."""
    if not yes:
        typer.confirm(f"Erase {reference}? Its sealed details cannot be recovered.", abort=True)
    runtime, config = get_runtime(), get_settings().reporting
    provider = build_key_provider(get_settings(), get_vault_config())
    with exit_on_error(), runtime.session() as session:
        result = service.erase_report(
            session,
            reference=reference,
            actor=_operator(),
            reason=reason,
            provider=provider,
            config=config,
        )
    typer.echo(f"Erased {result.reference}.")
    if result.rotated_key_id is not None and retire:
        with exit_on_error():
            retired = retire_after_grace(runtime, provider, grace=get_vault_config().retire_grace)
        typer.echo(f"Retired {', '.join(retired) or 'no key (still in use)'}.")


@app.command(name="list")
def list_reports(
    reference: str | None = typer.Option(None, help="Reference or its beginning."),
    crime_type: CrimeType | None = typer.Option(None),
    pathway: Pathway | None = typer.Option(None),
    status: CaseStatus | None = typer.Option(None),
    include_erased: bool = typer.Option(False),
    page: int = typer.Option(1, min=1),
    page_size: int = typer.Option(25, min=1, max=100),
) -> None:
    """List reports, newest first, with unsealed fields only."""
    query = ReportQuery(
        reference=reference,
        crime_type=crime_type,
        pathway=pathway,
        status=status,
        include_erased=include_erased,
        page=page,
        page_size=page_size,
    )
    with exit_on_error(), get_runtime().session() as session:
        result = service.search_reports(
            session, query=query, actor=_operator(), config=get_settings().reporting
        )
    # The reference must stay whole so it can be copied into `reports erase`.
    table = Table(
        Column("Reference", no_wrap=True), "Reported", "Crime type", "Pathway", "Status", "Area"
    )
    for row in result.items:
        table.add_row(
            row.reference,
            f"{row.reported_at:%Y-%m-%d %H:%M}",
            row.crime_type.value,
            row.pathway.value,
            row.status.value,
            row.area or "",
        )
    console = Console()
    console.print(table)
    console.print(f"Page {result.page} of {result.pages} ({result.total} reports)")
