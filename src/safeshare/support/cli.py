"""`safeshare support ...`: import and export the directory and its areas as CSV.

The operator at the command line acts as the system (administrator rights), like the
other features' commands.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from safeshare.errors import SafeShareError
from safeshare.runtime import get_runtime
from safeshare.support import service
from safeshare.support.csv_io import read_areas_csv
from safeshare.support.errors import CsvImportError, RowError

app = typer.Typer(help="The support directory: CSV import and export.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

MAX_ERRORS_SHOWN = 100
# Excel writes a byte-order mark and reads UTF-8 properly only with one.
ENCODING = "utf-8-sig"


def _print_errors(errors: tuple[RowError, ...] | list[RowError]) -> None:
    table = Table(title=f"{len(errors)} problem(s); nothing was imported")
    for column in ("row", "column", "problem"):
        table.add_column(column)
    for error in errors[:MAX_ERRORS_SHOWN]:
        table.add_row(str(error.row), error.column or "", error.message)
    err_console.print(table)
    if len(errors) > MAX_ERRORS_SHOWN:
        err_console.print(f"... and {len(errors) - MAX_ERRORS_SHOWN} more.")


@app.command("import")
def import_directory(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file of services."),
) -> None:
    """Create or update services from a CSV file: all rows, or none if any row is wrong."""
    try:
        with (
            get_runtime().session() as session,
            file.open(encoding=ENCODING, newline="") as source,
        ):
            summary = service.import_directory_csv(
                session, actor=service.SYSTEM_ACTOR, source=source
            )
    except CsvImportError as exc:
        _print_errors(exc.errors)
        raise typer.Exit(1) from None
    except SafeShareError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(1) from None
    console.print(
        f"Imported: {summary.created} service(s) created, {summary.updated} updated, "
        f"{summary.organisations_created} organisation(s) created."
    )


@app.command("export")
def export_directory(
    file: Path = typer.Argument(..., dir_okay=False, help="CSV file to write."),
) -> None:
    """Write the whole directory, inactive services included, to a CSV file."""
    with (
        get_runtime().session() as session,
        file.open("w", encoding=ENCODING, newline="") as target,
    ):
        count = service.export_directory_csv(session, target=target)
    console.print(f"Exported {count} service(s) to {file}.")


@app.command("areas")
def import_areas(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV file: code, name, neighbours."
    ),
) -> None:
    """Replace the localities and their borders, which rank services by distance."""
    with file.open(encoding=ENCODING, newline="") as source:
        areas, errors = read_areas_csv(source)
    if errors:
        _print_errors(errors)
        raise typer.Exit(1)
    try:
        with get_runtime().session() as session:
            service.replace_area_map(session, actor=service.SYSTEM_ACTOR, areas=areas)
    except SafeShareError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(1) from None
    console.print(f"Loaded {len(areas)} area(s).")
