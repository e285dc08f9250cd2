"""SQL that differs between PostgreSQL and SQLite, and the small helpers every oversight
query shares. Constants go into SQL as literals, not parameters, where an expression is both
selected and grouped by: PostgreSQL matches GROUP BY expressions textually."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CTE, Select

TIMEZONE = ZoneInfo("Europe/London")
"""The statistics' calendar: periods, days and months are counted in UK time. Not
`Settings.zone`: on SQLite `local_date` spells out the UK's summer-time rule in SQL, so
another zone would count days wrongly there (pages and messages use `Settings.zone`)."""

Counts = dict[tuple[str, ...], int]
AnySelect = Select[*tuple[Any, ...]]


def dialect_name(session: Session) -> str:
    """ "postgresql" or "sqlite"."""
    return session.get_bind().dialect.name


def month_of_day(session: Session, column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a date column."""
    if dialect_name(session) == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)


def utc_month(session: Session, column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a UTC timestamp."""
    # Constants as SQL literals, not parameters: the same expression is grouped by, and
    # PostgreSQL matches GROUP BY expressions textually.
    if dialect_name(session) == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'")
        )
    return func.strftime(literal_column("'%Y-%m'"), column)


def seconds_between(session: Session, start: Any, finish: Any) -> ColumnElement[int]:
    """Whole seconds from `start` to `finish`."""
    if dialect_name(session) == "postgresql":
        return cast(func.extract("epoch", finish - start), Integer)
    return cast((func.julianday(finish) - func.julianday(start)) * 86400, Integer)


def local_date(session: Session, column: Any) -> ColumnElement[date]:
    """The Europe/London calendar date of a UTC timestamp.

    SQLite has no time zone database, so there the UK rule is spelt out: summer time (UTC+1)
    from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
    """
    if dialect_name(session) == "postgresql":
        return cast(func.timezone(literal_column(f"'{TIMEZONE.key}'"), column), Date)
    year = func.strftime(literal_column("'%Y'"), column)

    def last_sunday(month_end: str) -> ColumnElement[str]:
        return func.datetime(
            year.concat(literal_column(f"'-{month_end}'")),
            literal_column("'-6 days'"),
            literal_column("'weekday 0'"),
            literal_column("'+1 hour'"),
        )

    moment = func.datetime(column)
    summer = and_(moment >= last_sunday("03-31"), moment < last_sunday("10-31"))
    return type_coerce(
        case((summer, func.date(column, literal_column("'+1 hour'"))), else_=func.date(column)),
        Date,
    )


def as_text(column: Any) -> ColumnElement[str]:
    """The column as text, so every breakdown's keys compare alike."""
    return cast(column, String)


def sum_groupings(
    session: Session, base: CTE, groupings: Mapping[str, Sequence[str]]
) -> dict[str, Counts]:
    """Sum `base.n` by each grouping of `base`'s columns, in one statement (UNION ALL)."""
    width = max(len(columns) for columns in groupings.values())
    parts: list[AnySelect] = []
    for name, columns in groupings.items():
        keys = [as_text(base.c[column]) for column in columns]
        keys += [cast(null(), String)] * (width - len(keys))
        parts.append(
            select(
                literal_column(f"'{name}'").label("grouping"),
                *[k.label(f"k{i}") for i, k in enumerate(keys)],
                func.sum(base.c.n).label("n"),
            ).group_by(*[base.c[column] for column in columns])
        )
    result: dict[str, Counts] = {name: {} for name in groupings}
    for row in session.execute(union_all(*parts)):
        name = row[0]
        size = len(groupings[name])
        result[name][tuple(str(v) for v in row[1 : 1 + size])] = int(row[-1])
    return result


def grouped(session: Session, statement: AnySelect) -> Counts:
    """Rows of (key..., count) as a dict keyed by the stringified keys."""
    return {tuple(str(v) for v in row[:-1]): int(row[-1]) for row in session.execute(statement)}


def insert_for(session: Session) -> Any:
    """The dialect's INSERT construct (both have ON CONFLICT)."""
    return pg_insert if dialect_name(session) == "postgresql" else sqlite_insert


def without_jit(session: Session) -> None:
    """Turn PostgreSQL's JIT compiler off for this transaction. Statistics queries over a
    million rows are costed high enough to trigger it, yet run in well under a second, so
    compiling them cost more than it saved: about 0.4 s per query on the impact page at
    1,000,000 decisions (bench/oversight_stats.py). SQLite has no JIT."""
    if dialect_name(session) == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
