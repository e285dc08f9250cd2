"""`safeshare doctor`: everything that must hold before the service can be trusted with a report.

The key checks are the ones `serve` applies at start-up (`safeshare.startup`); the doctor adds
the database, the migrations and a check of the ledger with public material only.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from safeshare.db import migrate
from safeshare.ledger.verification import verify_ledger
from safeshare.runtime import Runtime
from safeshare.startup import Check, key_checks

_DATABASE = "Database"
_MIGRATIONS = "Migrations"
_LEDGER = "Ledger verification"


def database_check(runtime: Runtime) -> Check:
    """The database answers a trivial query (the URL itself is never printed: it may hold a
    password)."""
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return Check(
            _DATABASE,
            False,
            f"cannot connect ({type(exc).__name__})",
            "check SAFESHARE_DATABASE_URL and that the server is running",
        )
    return Check(_DATABASE, True, f"reachable ({runtime.engine.url.get_backend_name()})")


def migrations_check(runtime: Runtime) -> Check:
    """Every feature's migration branch is at its head."""
    try:
        current, wanted = migrate.current_heads(runtime.engine), migrate.script_heads()
    except SQLAlchemyError as exc:
        return Check(_MIGRATIONS, False, f"cannot be read ({type(exc).__name__})")
    if current != wanted:
        missing = len(wanted - current)
        return Check(
            _MIGRATIONS,
            False,
            f"{missing} feature branch(es) not at head",
            "run `safeshare db upgrade`",
        )
    return Check(_MIGRATIONS, True, "at head")


def ledger_check(runtime: Runtime) -> Check:
    """Recomputes the ledger and checks it with public keys only (the signing key may be in an
    HSM or elsewhere). "Key not configured" and "tampering found" are different answers: the
    first is set-up, the second is an incident. Witnesses are not asked over the network."""
    try:
        with runtime.session() as session:
            result = verify_ledger(session, settings=runtime.settings, consult_witnesses=False)
    except SQLAlchemyError as exc:
        return Check(_LEDGER, False, f"not checked: database error ({type(exc).__name__})")
    if result.status == "not_configured":
        return Check(
            _LEDGER,
            False,
            "not checked: no ledger key is configured",
            "create it with `safeshare ledger keygen`, or set SAFESHARE_LEDGER_VKEY",
        )
    if result.status == "unwitnessed":
        return Check(
            _LEDGER,
            False,
            f"not witnessed: {result.message}",
            "check the witnesses are reachable, then run `safeshare ledger witness`",
        )
    if result.status != "ok":
        return Check(
            _LEDGER,
            False,
            f"tampering or damage found: {result.message}",
            "run `safeshare ledger verify` and report it as an incident",
        )
    return Check(_LEDGER, True, "latest checkpoints verify with the public key")


def run_checks(runtime: Runtime) -> list[Check]:
    """Every check, in the order an operator should fix them; later ones skip if the database
    is down."""
    checks = key_checks(runtime.settings)
    database = database_check(runtime)
    checks.append(database)
    if database.ok:
        migrations = migrations_check(runtime)
        checks.append(migrations)
        if migrations.ok:
            checks.append(ledger_check(runtime))
    return checks
