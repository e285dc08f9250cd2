"""The service's PostgreSQL role cannot switch off, or go around, the ledger's guards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, make_url, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safeshare.cli import app
from safeshare.config import get_settings
from safeshare.db.session import make_engine
from safeshare.ledger import service
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.runtime import get_runtime

pytestmark = pytest.mark.postgres
runner = CliRunner()
ORIGIN = "role-test.example/ledger"


@pytest.fixture(scope="module")
def app_role(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated by `safeshare db upgrade --grant-app-role` as the owner; yields
    the URL the service would use, as the restricted role."""
    role = f"safeshare_app_{uuid.uuid4().hex[:8]}"
    database = f"safeshare_role_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    owner_url = make_url(postgres_url).set(database=database)
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SAFESHARE_DATABASE_URL", owner_url.render_as_string(hide_password=False))
            env.setenv("SAFESHARE_VAR_DIR", str(tmp_path_factory.mktemp("role")))
            get_settings.cache_clear()
            get_runtime.cache_clear()
            missing = runner.invoke(app, ["db", "upgrade", "--grant-app-role", "no_such_role"])
            assert missing.exit_code == 1 and "does not exist" in missing.output
            done = runner.invoke(app, ["db", "upgrade", "--grant-app-role", role])
            assert done.exit_code == 0, done.output
            get_runtime().engine.dispose()
        yield owner_url.set(username=role).render_as_string(hide_password=False)
    finally:
        get_settings.cache_clear()
        get_runtime.cache_clear()
        with admin.connect() as conn:  # the role's grants go with the database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


REFUSED = [
    "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only",
    "ALTER TABLE ledger_entries DISABLE TRIGGER ALL",
    "DROP TRIGGER ledger_entries_append_only ON ledger_entries",
    "SET session_replication_role = replica",
    "UPDATE ledger_entries SET actor = 'x'",
    "DELETE FROM ledger_entries",
    "TRUNCATE ledger_entries",
    "UPDATE ledger_checkpoints SET note = note",
    "DELETE FROM ledger_checkpoints",
    "DELETE FROM ledger_cosignatures",
    "DELETE FROM ledger_nodes",
    "DELETE FROM ledger_head",
    "CREATE TRIGGER sneaky BEFORE INSERT ON ledger_entries "
    "FOR EACH ROW EXECUTE FUNCTION ledger_reject_change()",
    "ALTER TABLE ledger_entries OWNER TO CURRENT_USER",
    "CREATE TABLE ledger_shadow (x int)",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_app_role_is_refused(app_role: str, statement: str) -> None:
    engine = make_engine(app_role)
    try:
        with Session(engine) as session:
            service.append_entry(session, kind="k", actor="a", data={})
            with pytest.raises(exc.DBAPIError) as raised:
                session.connection().execute(text(statement))
            message = str(raised.value.orig)
            assert any(
                reason in message
                for reason in ("permission denied", "must be owner", "append-only")
            ), message
    finally:
        engine.dispose()


def test_the_app_role_can_do_the_services_work(app_role: str) -> None:
    engine = make_engine(app_role)
    signer = Ed25519NoteSigner.generate(ORIGIN)
    try:
        with Session(engine) as session:
            for n in range(5):
                service.append_entry(session, kind="k", actor="a", data={"n": n})
            service.create_checkpoint(session, signer=signer, origin=ORIGIN)
            session.commit()
            report = service.verify_log(session, verifiers=[signer.verifier], origin=ORIGIN)
            assert report.ok, report.problems
            owner = session.connection().execute(
                text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
            )
            assert owner.scalar_one() == 0
            # Ordinary tables stay fully writable.
            session.connection().execute(
                text(
                    "INSERT INTO organisations (name, kind, created_at) "
                    "VALUES ('Org', 'force', now())"
                )
            )
            session.connection().execute(text("DELETE FROM organisations WHERE name = 'Org'"))
    finally:
        engine.dispose()


def test_grant_app_role_refuses_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SAFESHARE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade", "--grant-app-role", "app"])
        assert result.exit_code == 1 and "PostgreSQL only" in result.output
    finally:
        get_runtime().engine.dispose()
        get_settings.cache_clear()
        get_runtime.cache_clear()
