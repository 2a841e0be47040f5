"""Bulk writes through the driver's own executemany, and row ids handed out before the insert."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_rows(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], *, ignore: bool = False
) -> None:
    """Insert rows (all with the same columns) in one executemany; `ignore` skips conflicts.

    The statement layer's per-row work (parameter sets, RETURNING, result rows) costs more than
    the database's own for the small rows ingest writes by the thousand; here only each
    column's type conversion remains.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = list(rows[0])
    row_values: Callable[[dict[str, Any]], tuple[Any, ...]] = (
        itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    )
    converters = [
        (at, _memoised(table, name, dialect, to_db) if _is_time(table, name) else to_db)
        for at, name in enumerate(columns)
        if (to_db := _to_db(table, name, dialect)) is not None
    ]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        value = row_values(row)
        if converters:
            converted = list(value)
            for at, to_db in converters:
                converted[at] = to_db(converted[at])
            value = tuple(converted)
        values.append(value)
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(_placeholders(dialect, len(columns)))})"
    )
    if ignore:
        statement += " ON CONFLICT DO NOTHING"
    connection = await session.connection()
    await connection.exec_driver_sql(statement, values)


async def allocate_ids(session: AsyncSession, table: Table, count: int) -> list[int]:
    """`count` fresh ids for `table`'s integer primary key, to write rows that refer to each other.

    PostgreSQL draws them from the column's sequence. SQLite continues after the highest id:
    the caller holds the story lock, so no writer in this process takes them meanwhile; one in
    another process (a `poll --once` beside the bot) makes the insert fail on the key, and the
    transaction rolls back whole.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = await session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": count},
        )
        return sorted(value for (value,) in rows)
    highest = (await session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table.name}"))).scalar()
    start = int(highest or 0) + 1
    return list(range(start, start + count))


def _to_db(table: Table, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    processor: Callable[[Any], Any] | None = (
        table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    )
    return processor


def _is_time(table: Table, column: str) -> bool:
    kind = table.c[column].type
    kind = getattr(kind, "impl_instance", kind)  # a TypeDecorator: what it stores
    try:
        return kind.python_type is datetime
    except NotImplementedError:
        return False


def _memoised(
    table: Table, column: str, dialect: Dialect, to_db: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """One conversion per time: an item's publication time is written to its story, its
    actors and its band row too, and a group's fetch time to all of them."""
    key = (dialect.name, type(table.c[column].type))
    found = _TIME_CONVERTERS.get(key)
    if found is None:
        found = _TIME_CONVERTERS[key] = lru_cache(maxsize=4096)(to_db)
    return found


_TIME_CONVERTERS: dict[tuple[str, type], Callable[[Any], Any]] = {}


def _placeholders(dialect: Dialect, count: int) -> list[str]:
    if dialect.paramstyle == "qmark":
        return ["?"] * count
    if dialect.paramstyle in ("numeric_dollar", "numeric"):
        mark = "$" if dialect.paramstyle == "numeric_dollar" else ":"
        return [f"{mark}{index}" for index in range(1, count + 1)]
    return ["%s"] * count  # format, pyformat: positional %s
