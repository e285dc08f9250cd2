"""TOTP secrets are sealed at rest (ASVS 2.8.2): migration 0015 seals existing ones, and
downgrading opens them again; a new enrolment never writes the plain secret."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from sqlalchemy import text

from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.db import migrate
from safeshare.db.sealing import SecretSealer
from safeshare.db.session import make_engine
from safeshare.errors import ConfigurationError
from safeshare.runtime import Runtime

PLAIN = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sealing.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


def test_migration_seals_existing_secrets_and_downgrade_opens_them(
    empty_db_url: str, tmp_path: Path
) -> None:
    key_file = tmp_path / "totp.key"
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0017_account_security", totp_key_file=key_file)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, display_name, role, password_hash,"
                    " is_active, failed_logins, session_epoch, created_at, totp_secret)"
                    " VALUES (7, 'old-admin', 'Old', 'admin', 'x', true, 0, 0,"
                    " CURRENT_TIMESTAMP, :s)"
                ),
                {"s": PLAIN},
            )
        migrate.upgrade(engine, "0015_sso_and_totp_sealing", totp_key_file=key_file)
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT totp_secret FROM users WHERE id = 7")).scalar_one()
        assert PLAIN not in stored and stored.startswith("s1.")
        sealer = SecretSealer.from_file(key_file)
        assert sealer.open(stored, user_id=7) == PLAIN
        with pytest.raises(ConfigurationError):  # bound to its user: no copying between rows
            sealer.open(stored, user_id=8)
        migrate.downgrade(engine, "0017_account_security", totp_key_file=key_file)
        with engine.connect() as conn:
            back = conn.execute(text("SELECT totp_secret FROM users WHERE id = 7")).scalar_one()
        assert back == PLAIN
    finally:
        engine.dispose()


def test_enrolment_stores_only_the_sealed_secret(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'e.db'}")
    runtime = Runtime(settings)
    migrate.upgrade(runtime.engine)
    with runtime.session() as session:
        user = auth_service.create_user(
            session, username="sealed-admin", display_name="S", role=Role.admin,
            password="a long test passphrase for sealing",
        )  # fmt: skip
        secret = mfa.begin_enrolment(session, user_id=user.id)
        code = pyotp.TOTP(secret).now()
        assert mfa.confirm_enrolment(session, user_id=user.id, code=code)
        user_id = user.id
    with runtime.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT totp_secret FROM users WHERE id = :i"), {"i": user_id}
        ).scalar_one()
    assert secret not in stored
    # Another key (a stolen dump restored elsewhere) cannot open it.
    other = SecretSealer.from_file(tmp_path / "other.key")
    with pytest.raises(ConfigurationError):
        other.open(stored, user_id=user_id)
    runtime.engine.dispose()
