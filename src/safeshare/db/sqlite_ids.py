"""Ids for new rows on SQLite, given before a flush so a batch inserts as one executemany.

To learn a new row's id the ORM needs `INSERT ... RETURNING`, and on SQLite it cannot batch
those (SQLite does not promise RETURNING in parameter order), so a group commit of 64
decisions ran 64 INSERT statements. Given its id, a row needs nothing back, and the ORM
sends all of a table's rows in one `executemany`. The ids are what SQLite itself would
choose (one more than the largest, as no table here is AUTOINCREMENT), and are safe only
while this connection holds the write lock: the group commit begins with BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Integer, Table, func, inspect, select
from sqlalchemy.orm import Session


def assign_new_row_ids(session: Session) -> None:
    """Give each new row awaiting flush an id, table by table, in the order they were added.

    Only rows whose table has a single integer primary key left unset are touched; the
    caller must hold SQLite's write lock (a concurrent writer could take the same ids).
    """
    waiting: dict[Table, list[tuple[Any, str]]] = defaultdict(list)
    for state in sorted((inspect(obj) for obj in session.new), key=lambda s: s.insert_order):
        table = state.mapper.local_table
        pk = state.mapper.primary_key
        if not isinstance(table, Table) or len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        attribute = state.mapper.get_property_by_column(pk[0]).key
        if getattr(state.obj(), attribute) is None:
            waiting[table].append((state.obj(), attribute))
    for table, rows in waiting.items():
        column = next(iter(table.primary_key.columns))
        largest = session.connection().execute(select(func.max(column))).scalar()
        for offset, (obj, attribute) in enumerate(rows, start=1):
            setattr(obj, attribute, (largest or 0) + offset)
