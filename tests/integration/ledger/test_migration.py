"""Ledger migrations (0003, 0013) go down and up on both back ends, leaving a usable ledger."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from safeshare.db import migrate
from safeshare.db.session import make_engine
from safeshare.ledger import service

LEDGER_TABLES = {
    "ledger_entries",
    "ledger_nodes",
    "ledger_checkpoints",
    "ledger_head",
    "ledger_cosignatures",
}


def test_downgrade_and_upgrade_the_ledger_branch(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    try:
        assert "0013_ledger_cosignatures" in migrate.current_heads(engine)
        assert set(inspect(engine).get_table_names()) >= LEDGER_TABLES
        migrate.downgrade(engine, "0013_ledger_cosignatures@-1")
        assert "0003_ledger" in migrate.current_heads(engine)
        assert "ledger_cosignatures" not in inspect(engine).get_table_names()
        migrate.downgrade(engine, "0003_ledger@-1")
        assert "0003_ledger" not in migrate.current_heads(engine)
        assert not LEDGER_TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
        with Session(engine) as session:
            assert service.append_entry(session, kind="k", actor="a", data={}).seq == 0
            session.commit()
    finally:
        engine.dispose()
