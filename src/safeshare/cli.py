"""The `safeshare` command: serve, migrate, demo data, users and each feature's commands."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from safeshare import demo
from safeshare.auth import lifecycle, mfa
from safeshare.auth import service as auth_service
from safeshare.auth.models import User
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


def _print_demo_passwords(created: list[tuple[str, str, str, str]]) -> None:
    if not created:
        console.print(
            "Demo users already exist; their passwords were printed when they were created."
        )
        return
    table = Table(
        title="Demo users (fictional). Shown only once. Roles with a TOTP key sign in with a "
        "code from an authenticator app set up with that key."
    )
    for column in ("username", "role", "password", "TOTP key"):
        table.add_column(column, overflow="fold")  # never cut a secret shown only once
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
        for column in ("username", "name", "role", "organisation", "team", "active", "MFA"):
            table.add_column(column)
        for user in users:
            table.add_row(
                user.username,
                user.display_name,
                user.role,
                user.organisation.name if user.organisation else "",
                user.team or "",
                "yes" if user.is_active else "no",
                "yes" if user.totp_enabled_at else "no",
            )
    console.print(table)


@users_app.command("token")
def users_token(
    username: str = typer.Argument(...),
    label: str = typer.Option("", "--label", "--name", help="What the token is for."),
    days: int = typer.Option(90, "--days", min=1, max=366, help="Days until it expires."),
) -> None:
    """Issue a named API bearer token that expires (printed once; only its hash is stored)."""
    with _user_session(username) as (session, user):
        token = auth_service.issue_token(
            session, user_id=user.id, label=label, lifetime=timedelta(days=days), actor="cli"
        )
    console.print(token)


@contextmanager
def _user_session(username: str) -> Iterator[tuple[Session, User]]:
    """A committing session and the named user, or a clean error."""
    try:
        with get_runtime().session() as session:
            user = auth_service.get_user_by_username(session, username=username)
            if user is None:
                raise _fail(f"No user called {username!r}.")
            yield session, user
    except SafeShareError as exc:
        raise _fail(exc.message) from None


@users_app.command("deactivate")
def users_deactivate(username: str = typer.Argument(...)) -> None:
    """Deactivate an account: its sessions end and its API tokens are revoked at once."""
    with _user_session(username) as (session, user):
        lifecycle.deactivate_user(session, user_id=user.id, actor="cli")
    console.print(f"Deactivated {username}; sessions ended and tokens revoked.")


@users_app.command("reactivate")
def users_reactivate(username: str = typer.Argument(...)) -> None:
    """Let a deactivated account sign in again (old tokens stay revoked)."""
    with _user_session(username) as (session, user):
        lifecycle.reactivate_user(session, user_id=user.id, actor="cli")
    console.print(f"Reactivated {username}.")


@users_app.command("set-role")
def users_set_role(
    username: str = typer.Argument(...),
    role: Role = typer.Argument(..., help="One of: " + ", ".join(r.value for r in Role)),
) -> None:
    """Change a user's role (their sessions end)."""
    with _user_session(username) as (session, user):
        auth_service.set_role(session, user_id=user.id, role=role, actor="cli")
    console.print(f"{username} is now {ROLE_LABELS[role]}.")


@users_app.command("set-organisation")
def users_set_organisation(
    username: str = typer.Argument(...),
    organisation: str = typer.Argument(..., help="Organisation name, or '' for none."),
) -> None:
    """Move a user to another organisation (their sessions end)."""
    with _user_session(username) as (session, user):
        org = auth_service.get_organisation_by_name(session, name=organisation)
        if organisation and org is None:
            raise _fail(f"No organisation called {organisation!r}.")
        lifecycle.set_organisation(
            session, user_id=user.id, organisation_id=org.id if org else None, actor="cli"
        )
    console.print(f"{username} moved to {organisation or 'no organisation'}.")


@users_app.command("reset-password")
def users_reset_password(username: str = typer.Argument(...)) -> None:
    """Print a one-time code (valid 24 hours) the user enters at /reset-password."""
    with _user_session(username) as (session, user):
        code = lifecycle.start_password_reset(session, user_id=user.id, actor="cli")
    console.print(f"One-time reset code for {username} (shown once): [bold]{code}[/bold]")


@users_app.command("reset-mfa")
def users_reset_mfa(username: str = typer.Argument(...)) -> None:
    """Clear a lost authenticator: the user sets up multi-factor sign-in again next time."""
    with _user_session(username) as (session, user):
        mfa.reset_mfa(session, user_id=user.id, actor="cli")
    console.print(f"Multi-factor sign-in reset for {username}; their sessions ended.")


@users_app.command("tokens")
def users_tokens(username: str = typer.Argument(...)) -> None:
    """List a user's API tokens (never the tokens themselves)."""
    with _user_session(username) as (session, user):
        tokens = lifecycle.list_tokens(session, user_id=user.id)
    table = Table(title=f"API tokens of {username}")
    for column in ("id", "name", "created", "expires", "last used", "state"):
        table.add_column(column)
    for token in tokens:
        table.add_row(
            str(token.id),
            token.label,
            token.created_at.isoformat(timespec="minutes"),
            token.expires_at.isoformat(timespec="minutes"),
            token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "",
            "live" if token.is_live else ("revoked" if token.revoked_at else "expired"),
        )
    console.print(table)


@users_app.command("revoke-token")
def users_revoke_token(
    token_id: int = typer.Argument(..., help="The id from 'users tokens'."),
) -> None:
    """Revoke one API token now."""
    try:
        with get_runtime().session() as session:
            lifecycle.revoke_token(session, token_id=token_id, actor="cli")
    except SafeShareError as exc:
        raise _fail(exc.message) from None
    console.print(f"Revoked token {token_id}.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo_data: bool = typer.Option(False, "--demo", help="Load demo data into an empty database."),
) -> None:
    """Run the web service (development applies migrations automatically)."""
    import uvicorn

    from safeshare.web.app import create_app, server_options

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
    console.print(f"SafeShare on http://{host}:{port}/ ({settings.env}, {backend})")
    uvicorn.run(
        create_app(settings, runtime),
        host=host,
        port=port,
        log_level="info",
        **server_options(settings),  # type: ignore[arg-type]
    )


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
