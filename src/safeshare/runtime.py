"""Process-wide engine and session factory built from settings (CLI and web share it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from safeshare.config import Settings, get_settings
from safeshare.db.group_commit import GroupCommitter
from safeshare.db.sealing import INFO_KEY, SecretSealer
from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.db.writer_lock import WriterLock

# Connections beyond the request slots (`db_pool_size`), one each for the group committer
# and the periodic checkpointer, so neither ever waits behind requests (a decision request
# keeps its slot while it waits for the group commit, though its connection is back by then).
BACKGROUND_CONNECTIONS = 2


class Runtime:
    """The engine and session factory for one configuration."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine: Engine = make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=BACKGROUND_CONNECTIONS,
        )
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)
        # Every unit of work can seal and open account secrets (TOTP) with the configured key.
        assert settings.totp_key_file is not None  # filled in by Settings
        self.sessions.configure(info={INFO_KEY: SecretSealer.from_file(settings.totp_key_file)})
        # Units of work that append to the ledger and need no other change in their request's
        # transaction (the decision API) commit in groups; the thread starts on first use.
        self.group_commit = GroupCommitter(self.sessions, writer_lock=WriterLock(self.engine))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits once at the end, rolls back on error."""
        with unit_of_work(self.sessions) as session:
            yield session


@lru_cache(maxsize=1)
def get_runtime() -> Runtime:
    return Runtime(get_settings())
