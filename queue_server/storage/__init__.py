"""Storage: pick a backend from a database URL."""

from __future__ import annotations

from .base import HallReader, HallTx, Store


def open_store(url: str, *, migrate: bool = True) -> Store:
    """``sqlite:///path`` or ``postgresql://…``; runs the migrations unless told not to."""
    store: Store
    if url.startswith("sqlite"):
        from .sqlite import SqliteStore

        store = SqliteStore(url)
    elif url.startswith(("postgresql", "postgres")):
        from .postgres import PostgresStore

        store = PostgresStore(url)
    else:
        raise ValueError(f"unsupported database URL {url!r}: use sqlite:///… or postgresql://…")
    if migrate:
        store.migrate()
    return store


__all__ = ["HallReader", "HallTx", "Store", "open_store"]
