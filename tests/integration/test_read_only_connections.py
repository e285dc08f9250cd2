"""A read-only route's connection: no transaction, no writes, and back to the pool as it came."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safeshare.auth.models import ApiToken
from safeshare.db.session import make_engine
from safeshare.web.concurrency import ReadOnlyRouteWroteError, refuse_writes

AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def _driver_autocommit(dbapi: Any) -> bool:
    """psycopg says so with `autocommit`, pysqlite with no `isolation_level`."""
    return getattr(dbapi, "autocommit", False) is True or (
        getattr(dbapi, "isolation_level", "") is None
    )


def test_a_read_only_connection_reads_without_a_transaction_and_refuses_writes(
    db_url: str,
) -> None:
    engine = make_engine(db_url, pool_size=1, max_overflow=0)  # the same connection again
    try:
        with Session(engine) as session:
            connection = session.connection(execution_options=AUTOCOMMIT)
            refuse_writes(connection)
            dbapi = connection.connection.dbapi_connection
            assert _driver_autocommit(dbapi)
            session.execute(select(ApiToken.id).limit(1)).all()
            with pytest.raises(ReadOnlyRouteWroteError):
                session.execute(update(ApiToken).where(ApiToken.id == -1).values(label="x"))
        assert not _driver_autocommit(dbapi)  # reset on its way back to the pool
        with Session(engine) as session:  # the next user of it writes in a transaction
            connection = session.connection()
            assert connection.connection.dbapi_connection is dbapi
            session.execute(update(ApiToken).where(ApiToken.id == -1).values(label="x"))
            assert session.in_transaction()
            session.commit()
    finally:
        engine.dispose()
