"""Which server process runs the timed jobs (the roster runner, the rollover): the leader.

On PostgreSQL several processes may serve one database: one holds an advisory lock and leads,
the others keep trying, so one of them takes over within seconds of the leader's death. On
SQLite one process owns the hall file (a file lock beside it, should several start)."""

from __future__ import annotations

from .base import Leadership
from .local import LocalLeadership


def leadership_for(url: str) -> Leadership:
    """The leadership for the store at ``url``."""
    if url.startswith(("postgresql", "postgres")):
        from .postgres import PostgresLeadership

        return PostgresLeadership(url)
    return LocalLeadership.beside(url)


__all__ = ["Leadership", "LocalLeadership", "leadership_for"]
