"""What a database failure means to the caller of a command.

A command is one transaction: when the database fails under it, nothing of it was stored
(or, for a failure at the commit itself, all of it), so the caller may simply try again.
The HTTP edge maps these kinds to answers; storage only says which kind a failure is.
"""

from __future__ import annotations

import enum
import sqlite3

from sqlalchemy import exc as sa_exc

try:  # psycopg is there whenever PostgreSQL is used; SQLite alone does not need it.
    import psycopg
except ImportError:  # pragma: no cover
    psycopg = None  # type: ignore[assignment]

# How long a client should wait before retrying a command the database could not run.
RETRY_AFTER_S = 2

# SQLite says "no such table" with the same class as "database is locked": only these are
# a busy or unreachable database rather than a broken schema.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "disk is full", "readonly")


class DbFailure(enum.Enum):
    UNAVAILABLE = "unavailable"  # lost connection, locked, pool exhausted: retry later
    BAD_VALUE = "bad_value"  # a value the database cannot store (input checks should come first)
    CONFLICT = "conflict"  # a unique or foreign key constraint: another command got there first


def _driver_unavailable(err: BaseException | None) -> bool:
    if isinstance(err, sqlite3.OperationalError):
        text = str(err).lower()
        return any(word in text for word in _SQLITE_UNAVAILABLE)
    return psycopg is not None and isinstance(err, psycopg.OperationalError | psycopg.InterfaceError)


def classify(exc: BaseException) -> DbFailure | None:
    """The kind of database failure ``exc`` is, or None when it is not one."""
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or _driver_unavailable(exc.orig):
            return DbFailure.UNAVAILABLE
        if isinstance(exc, sa_exc.InterfaceError):
            return DbFailure.UNAVAILABLE
        if isinstance(exc, sa_exc.OperationalError) and not isinstance(exc.orig, sqlite3.OperationalError):
            return DbFailure.UNAVAILABLE
        if isinstance(exc, sa_exc.DataError):
            return DbFailure.BAD_VALUE
        if isinstance(exc, sa_exc.IntegrityError):
            return DbFailure.CONFLICT
        return None
    # The pool ran dry, or a connection lost mid-transaction was used again before its rollback.
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.PendingRollbackError | sa_exc.DisconnectionError):
        return DbFailure.UNAVAILABLE
    # The driver's own error, raised outside SQLAlchemy's wrapping (SQLite's BEGIN IMMEDIATE hook).
    if _driver_unavailable(exc):
        return DbFailure.UNAVAILABLE
    # sqlite3 binding an id past 64 bits (PostgreSQL compares it as a numeric and finds nothing).
    if isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc):
        return DbFailure.BAD_VALUE
    return None
