"""The `safeshare` command: serve, migrate, demo data, users and each feature's commands."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from safeshare import demo, demo_history, doctor, startup
from safeshare.auth import lifecycle, mfa
from safeshare.auth import service as auth_service
from safeshare.auth.models import User
from safeshare.auth.passwords import generate_password
from safeshare.auth.roles import ROLE_LABELS, Role
from safeshare.config import get_settings
from safeshare.db import migrate, roles
from safeshare.errors import SafeShareError
from safeshare.ledger import cli as ledger_cli
from safeshare.ledger import witness_cli
from safeshare.oversight import cli as oversight_cli
from safeshare.policy import cli as policy_cli
from safeshare.reporting import cli as reporting_cli
from safeshare.retention import cli as retention_cli
from safeshare.runtime import Runtime, get_runtime
from safeshare.subject_access import cli as subject_access_cli
from safeshare.subscriptions import subscribe_all
from safeshare.support import cli as support_cli
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
app.add_typer(witness_cli.app, name="witness")
app.add_typer(support_cli.app, name="support")
app.add_typer(vault_cli.app, name="vault")
app.add_typer(reporting_cli.app, name="reports")
app.add_typer(oversight_cli.app, name="report")
app.add_typer(retention_cli.app, name="retention")
app.add_typer(subject_access_cli.app, name="subject-access")

# `serve --demo` loads a history this size on first start: most statistics shown, in under a
# minute on 2 cores (`demo load --history --scale 1` loads the full 18 months' volumes).
SERVE_DEMO_SCALE = 0.35

console = Console()
err_console = Console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]Error:[/red] {message}", soft_wrap=True)
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
    # In a log or a pipe, print wide enough that no password or key is folded across lines.
    (console if console.is_terminal else Console(width=200)).print(table)


@db_app.command("upgrade")
def db_upgrade(
    grant_app_role: str = typer.Option(
        "",
        "--grant-app-role",
        help="PostgreSQL: after migrating (as the owner), grant this role only what the "
        "service needs (no UPDATE/DELETE on ledger tables, no ownership).",
    ),
) -> None:
    """Apply all database migrations."""
    runtime = get_runtime()
    migrate.upgrade(runtime.engine, totp_key_file=runtime.settings.totp_key_file)
    console.print(
        f"Database is up to date: {', '.join(sorted(migrate.current_heads(runtime.engine)))}"
    )
    if grant_app_role:
        try:
            roles.grant_app_role(runtime.engine, grant_app_role)
        except SafeShareError as exc:
            raise _fail(exc.message) from None
        console.print(f"Granted the service's privileges to {grant_app_role}.")


def _load_history(runtime: Runtime, *, seed: int, scale: float) -> list[tuple[str, str, str, str]]:
    """Load the demo history with a progress bar; returns the accounts it created."""
    columns = (TextColumn("Demo history"), BarColumn(), MofNCompleteColumn(), TextColumn("days"))
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("history", total=demo_history.DAYS + 1)
        result = demo_history.load_history(
            runtime, seed=seed, scale=scale, on_day=lambda _day: progress.advance(task)
        )
    summary = ", ".join(f"{n:,} {kind.replace('_', ' ')}" for kind, n in result.counts.items())
    console.print(
        f"Loaded the demo history {result.start:%d %B %Y} to {result.end:%d %B %Y} "
        f"in {result.seconds:.1f} s: {summary}.",
        soft_wrap=True,
    )
    return result.created_users


@demo_app.command("load")
def demo_load(
    history: bool = typer.Option(
        False, "--history", help="Also load 18 months of fictional activity (empty database)."
    ),
    seed: int = typer.Option(demo_history.DEFAULT_SEED, "--seed", help="Same seed, same history."),
    scale: float = typer.Option(1.0, "--scale", min=0.001, help="1.0: about 3,000 reports."),
) -> None:
    """Load fictional demo data: organisations and one user of each role (and a history)."""
    runtime = get_runtime()
    if not migrate.is_up_to_date(runtime.engine):
        raise _fail("The database needs upgrading first: run 'safeshare db upgrade'.")
    if history:
        try:
            startup.require_ready(runtime.settings)
            created = _load_history(runtime, seed=seed, scale=scale)
        except SafeShareError as exc:
            raise _fail(exc.message) from None
    else:
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
    demo_data: bool = typer.Option(
        False, "--demo", help="Load demo data and its history into an empty database."
    ),
    seed: int = typer.Option(demo_history.DEFAULT_SEED, "--seed", help="The demo history's seed."),
    scale: float = typer.Option(
        SERVE_DEMO_SCALE,
        "--scale",
        min=0,
        help="The demo history's size (0: demo data, no history; 1.0: about 3,000 reports).",
    ),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        help="Worker processes (default: the number of cores).",
    ),
) -> None:
    """Run the web service (development applies migrations automatically)."""
    import uvicorn

    from safeshare.web.app import WORKER_APP, create_app, prepare_workers, server_options

    settings = get_settings()
    try:
        created_keys = startup.require_ready(settings)
    except SafeShareError as exc:
        # One line, non-zero exit: a service without its keys would fail a victim mid-report.
        raise _fail(f"not starting: {exc.message}") from None
    for path in created_keys:
        console.print(f"Created a development key: {path} (owner-only)")
    runtime = get_runtime()
    if not settings.is_production or demo_data:
        migrate.upgrade(runtime.engine, totp_key_file=runtime.settings.totp_key_file)
    elif not migrate.is_up_to_date(runtime.engine):
        raise _fail("The database needs upgrading: run 'safeshare db upgrade'.")
    if demo_data:
        with runtime.session() as session:
            is_empty = demo.is_empty(session) and not demo_history.has_reports(session)
        created: list[tuple[str, str, str, str]] = []
        if is_empty and scale > 0:
            created = _load_history(runtime, seed=seed, scale=scale)
        elif is_empty:
            with runtime.session() as session:
                created = demo.load_demo_data(session)
        _print_demo_passwords(created)
    backend = runtime.engine.url.get_backend_name()
    if not workers:
        # On SQLite too: group commits queue on a file lock (`db.writer_lock`), not in
        # SQLite's sleeping busy handler, so a second process adds throughput, not waits.
        workers = os.cpu_count() or 1
    console.print(
        f"SafeShare on http://{host}:{port}/ ({settings.env}, {backend}, {workers} workers)"
    )
    options = server_options(settings)  # forwarded headers only from configured proxies

    def run(target: object, **extra: object) -> None:
        uvicorn.run(target, host=host, port=port, log_level="info", **options, **extra)  # type: ignore[arg-type]

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


@app.command("dpia")
def dpia_command(
    out: Path = typer.Option(..., "-o", "--out", help="The file to write."),
    output_format: str = typer.Option("md", "--format", help="md or pdf."),
) -> None:
    """Write a DPIA draft from the live configuration, for the force's DPO to complete."""
    from safeshare.dpia import render
    from safeshare.dpia import service as dpia
    from safeshare.retention.config import load_schedule

    if output_format not in ("md", "pdf"):
        raise typer.BadParameter("use md or pdf", param_hint="--format")
    settings = get_settings()
    try:
        schedule = load_schedule(settings.retention.schedule)
        with get_runtime().session() as session:
            draft = dpia.gather(session, settings=settings, schedule=schedule)
    except SafeShareError as exc:
        raise _fail(exc.message) from None
    if output_format == "md":
        out.write_text(render.markdown(draft), encoding="utf-8")
    else:
        out.write_bytes(render.pdf(draft))
    console.print(f"Wrote the DPIA draft to {out}")


@app.command("doctor")
def doctor_command() -> None:
    """Check keys, database, migrations and the ledger; print what to fix (exit 1 if any)."""
    checks = doctor.run_checks(get_runtime())
    for check in checks:
        # One line per check, never wrapped, so it can be read in a log or grepped.
        mark = "[green]ok[/green]     " if check.ok else "[red]problem[/red]"
        fix = f" [bold]→ {escape(check.fix)}[/bold]" if check.fix else ""
        console.print(f"{mark} {check.name}: {escape(check.detail)}{fix}", soft_wrap=True)
    failed = [check for check in checks if not check.ok]
    if failed:
        raise _fail(f"{len(failed)} problem(s) found")
    console.print("Everything checked is in order.")


def main() -> None:
    try:
        settings = get_settings()
    except SafeShareError as exc:  # e.g. a weak secret key in production: one line, no traceback
        err_console.print(f"Error: {exc.message}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except ValidationError as exc:  # a malformed SAFESHARE_* value: name it, never echo it
        names = ", ".join(".".join(str(p) for p in err["loc"]) for err in exc.errors())
        message = f"Error: invalid setting(s): {names}"
        err_console.print(message, markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    subscribe_all()
    try:
        app()
    except SafeShareError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        sys.exit(1)
