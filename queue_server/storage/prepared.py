"""Hot statements compiled once and run straight on the driver's cursor.

Issuing a ticket runs four statements; through SQLAlchemy's execution layer
each costs several times what SQLite itself spends on it. The statements are
still written in SQLAlchemy Core (so both backends share them); only their
execution skips the per-call machinery. Parameters are converted the way the
column types would convert them, and results must be plain numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

Converter = Callable[[Any], Any]


def _require_aware(value: datetime) -> None:
    # A naive time would be read as the server's local time: refuse it, as UTCDateTime does.
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; pass an aware UTC time")


def sqlite_value(value: Any) -> Any:
    """As SQLAlchemy's SQLite types store them (naive UTC text, ISO dates, JSON text)."""
    if isinstance(value, datetime):
        _require_aware(value)
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def postgres_value(value: Any) -> Any:
    if isinstance(value, datetime):
        _require_aware(value)
    if isinstance(value, dict):
        return json.dumps(value)
    return value


class Prepared:
    """One Core statement, compiled for one dialect with named parameters."""

    def __init__(self, stmt: sa.ClauseElement, dialect: Dialect, convert: Converter) -> None:
        if dialect.name == "sqlite":
            # sqlite3 takes :name parameters with a dict; SQLAlchemy's default there is qmark.
            dialect = cast(Any, type(dialect))(paramstyle="named")
        self.stmt = stmt  # kept alive: PreparedSet keys on its id
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        # Literals in the statement (LIMIT 1, coalesce(…, 0)) become parameters too.
        self.defaults = {k: convert(v) for k, v in compiled.params.items() if v is not None}
        self.convert = convert

    def run(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Execute inside ``conn``'s transaction; returns the driver's cursor."""
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cur = dbapi.cursor()
        cur.execute(self.sql, {**self.defaults, **{k: self.convert(v) for k, v in params.items()}})
        return cur


class PreparedSet:
    """The prepared statements of one engine, compiled lazily on first use."""

    def __init__(self, dialect: Dialect, convert: Converter) -> None:
        self.dialect = dialect
        self.convert = convert
        self._cache: dict[int, Prepared] = {}

    def __call__(self, stmt: sa.ClauseElement) -> Prepared:
        prepared = self._cache.get(id(stmt))
        if prepared is None:
            prepared = self._cache[id(stmt)] = Prepared(stmt, self.dialect, self.convert)
        return prepared
