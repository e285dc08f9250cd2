"""A restricted PostgreSQL role for the running service: the database enforces what it may do.

Migrations run as the owner of the tables. The service connects as another role that owns
nothing and holds only the privileges it needs: on the append-only ledger tables SELECT and
INSERT (the head row also UPDATE), never UPDATE/DELETE/TRUNCATE/TRIGGER. Only an owner may
`ALTER TABLE ... DISABLE TRIGGER` or drop a trigger, and only a superuser may set
`session_replication_role`, so a compromised service cannot switch off the ledger's guards.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from safeshare.errors import ConfigurationError

APPEND_ONLY = ("ledger_entries", "ledger_nodes", "ledger_checkpoints", "ledger_cosignatures")
HEAD = "ledger_head"
READ_ONLY = ("alembic_version",)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Grant `role` exactly the service's privileges on every table; return the statements.

    Idempotent: run after every upgrade (new tables need grants). The role must exist, must
    not be a superuser, and must own none of the tables.
    """
    if engine.url.get_backend_name() != "postgresql":
        raise ConfigurationError("--grant-app-role applies to PostgreSQL only")
    if not _ROLE_NAME.match(role):
        raise ConfigurationError("role names are lower-case letters, digits and underscores")
    with engine.begin() as conn:
        found = conn.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).one_or_none()
        if found is None:
            raise ConfigurationError(
                f"role {role} does not exist: CREATE ROLE {role} LOGIN PASSWORD '...' first"
            )
        if found.rolsuper:
            raise ConfigurationError(f"role {role} is a superuser; use an ordinary role")
        tables = list(
            conn.execute(
                text(
                    "SELECT tablename, tableowner FROM pg_tables "
                    "WHERE schemaname = current_schema() ORDER BY tablename"
                )
            )
        )
        owned = [name for name, owner in tables if owner == role]
        if owned:
            raise ConfigurationError(f"role {role} owns {', '.join(owned)}: it must own nothing")
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        statements = [
            f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"REVOKE CREATE ON SCHEMA public FROM {role}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        ]
        for name, _owner in tables:
            statements.append(f'GRANT {_privileges(name)} ON TABLE "{name}" TO {role}')
        for statement in statements:
            conn.execute(text(statement))
    return statements


def _privileges(table: str) -> str:
    if table in APPEND_ONLY:
        return "SELECT, INSERT"
    if table == HEAD:
        return "SELECT, UPDATE"  # appenders lock and advance the one head row
    if table in READ_ONLY:
        return "SELECT"
    return "SELECT, INSERT, UPDATE, DELETE"
