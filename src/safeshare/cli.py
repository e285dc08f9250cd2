"""The `safeshare` command: serve, migrate, demo data, users and each feature's commands."""

from __future__ import annotations

import logging
import os
import sys
from functools import partial

import typer
from rich.console import Console
from rich.table import Table

from safeshare import demo
from safeshare.auth import service as auth_service
from safeshare.auth.passwords import generate_password
from safeshare.auth.roles import ROLE_LABELS, Role
from safeshare.config import get_settings
from safeshare.db import migrate
from safeshare.errors import SafeShareError
from safeshare.ledger import cli as ledger_cli
from safeshare.ledger import service as ledger_service
from safeshare.oversight import cli as oversight_cli
from safeshare.oversight import service as oversight_service
from safeshare.policy import cli as policy_cli
from safeshare.reporting import cli as reporting_cli
from safeshare.runtime import get_runtime
from safeshare.support import cli as support_cli
from safeshare.support import service as support_service
from safeshare.vault import cli as vault_cli

app = typer.Typer(
    help="SafeShare: safe reporting and an information-sharing firewall.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="Fictional demo data.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts and API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(policy_cli.app, name="policy")
app.add_typer(ledger_cli.app, name="ledger")
app.add_typer(support_cli.app, name="support")
app.add_typer(vault_cli.app, name="vault")
app.add_typer(reporting_cli.app, name="reports")
app.add_typer(oversight_cli.app, name="report")

console = Console()
err_console = Console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}")
    return typer.Exit(code)


def _print_demo_passwords(created: list[tuple[str, str, str]]) -> None:
    if not created:
        console.print(
            "Demo users already exist; their passwords were printed when they were created."
        )
        return
    table = Table(title="Demo users (fictional). These passwords are shown only once.")
    for column in ("username", "role", "password"):
        table.add_column(column)
    for row in created:
        table.add_row(*row)
    console.print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    runtime = get_runtime()
    migrate.upgrade(runtime.engine)
    console.print(
        f"Database is up to date: {', '.join(sorted(migrate.current_heads(runtime.engine)))}"
    )


@demo_app.command("load")
def demo_load() -> None:
    """Load fictional demo data: organisations and one user of each role."""
    runtime = get_runtime()
    if not migrate.is_up_to_date(runtime.engine):
        raise _fail("The database needs upgrading first: run 'safeshare db upgrade'.")
    with runtime.session() as session:
        created = demo.load_demo_data(session)
    _print_demo_passwords(created)


@users_app.command("create")
def users_create(
    username: str = typer.Argument(..., help="Lower-case login name."),
    role: Role = typer.Option(..., "--role", help="One of: " + ", ".join(r.value for r in Role)),
    display_name: str = typer.Option("", "--name", help="Name shown in the service."),
    organisation: str = typer.Option(
        "", "--organisation", help="Organisation name (required for advocates)."
    ),
    team: str = typer.Option("", "--team"),
    password: str = typer.Option(
        "",
        "--password",
        envvar="SAFESHARE_NEW_PASSWORD",
        help="Default: a random password, printed once.",
    ),
) -> None:
    """Create a user account."""
    runtime = get_runtime()
    generated = not password
    password = password or generate_password()
    try:
        with runtime.session() as session:
            org_id = None
            if organisation:
                org = auth_service.get_organisation_by_name(session, name=organisation)
                if org is None:
                    raise _fail(f"No organisation called {organisation!r}.")
                org_id = org.id
            auth_service.create_user(
                session,
                username=username,
                display_name=display_name or username,
                role=role,
                password=password,
                organisation_id=org_id,
                team=team or None,
                actor="cli",
            )
    except SafeShareError as exc:
        raise _fail(exc.message) from None
    console.print(f"Created {username} ({ROLE_LABELS[role]}).")
    if generated:
        console.print(f"Password (shown once): [bold]{password}[/bold]")


@users_app.command("list")
def users_list() -> None:
    """List user accounts (never passwords)."""
    runtime = get_runtime()
    with runtime.session() as session:
        users = auth_service.list_users(session)
        table = Table(title="Users")
        for column in ("username", "name", "role", "organisation", "active", "locked until"):
            table.add_column(column)
        for user in users:
            table.add_row(
                user.username,
                user.display_name,
                user.role,
                user.organisation.name if user.organisation else "",
                "yes" if user.is_active else "no",
                user.locked_until.isoformat(timespec="minutes") if user.locked_until else "",
            )
    console.print(table)


@users_app.command("token")
def users_token(
    username: str = typer.Argument(...),
    label: str = typer.Option("", "--label", help="What the token is for."),
) -> None:
    """Issue an API bearer token for a user (printed once; only its hash is stored)."""
    runtime = get_runtime()
    with runtime.session() as session:
        user = auth_service.get_user_by_username(session, username=username)
        if user is None:
            raise _fail(f"No user called {username!r}.")
        token = auth_service.issue_token(session, user_id=user.id, label=label)
    console.print(token)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo_data: bool = typer.Option(False, "--demo", help="Load demo data into an empty database."),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        help="Worker processes (default: the number of cores; 1 on SQLite).",
    ),
) -> None:
    """Run the web service (development applies migrations automatically)."""
    import uvicorn

    from safeshare.web.app import WORKER_APP, create_app, prepare_workers

    settings = get_settings()
    runtime = get_runtime()
    if not settings.is_production or demo_data:
        migrate.upgrade(runtime.engine)
    elif not migrate.is_up_to_date(runtime.engine):
        raise _fail("The database needs upgrading: run 'safeshare db upgrade'.")
    if demo_data:
        with runtime.session() as session:
            created = demo.load_demo_data(session) if demo.is_empty(session) else []
        _print_demo_passwords(created)
    backend = runtime.engine.url.get_backend_name()
    if not workers:
        # SQLite writes take turns on the file lock: extra processes only add lock waits.
        workers = 1 if backend == "sqlite" else os.cpu_count() or 1
    console.print(
        f"SafeShare on http://{host}:{port}/ ({settings.env}, {backend}, {workers} workers)"
    )
    run = partial(
        uvicorn.run, host=host, port=port, access_log=False, server_header=False, log_level="info"
    )
    if workers == 1:
        run(create_app(settings, runtime))
        return
    # Each worker process builds its own app from the environment; files they share (the
    # development keys) are created once here first.
    prepare_workers(settings)
    runtime.engine.dispose()
    # A worker importing the app on a busy machine can miss uvicorn's 5 s health ping and be
    # killed and restarted in a loop; allow it longer.
    run(WORKER_APP, factory=True, workers=workers, timeout_worker_healthcheck=30)


def main() -> None:
    logging.basicConfig(
        level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    ledger_service.subscribe_to_events()
    support_service.subscribe_to_events()
    oversight_service.subscribe_to_events()
    try:
        app()
    except SafeShareError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        sys.exit(1)
