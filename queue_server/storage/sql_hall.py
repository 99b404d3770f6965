"""What every part of ``SqlHall`` shares: the store, the open connection and the hall.

``SqlHall`` (in sql.py) is composed of one class per concept (tickets, lines, windows,
events, records); each reads and writes through this state only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from .sql import SqlStore


class HallConnection:
    """One hall's connection, inside ``SqlStore.reader`` or ``SqlStore.transaction``."""

    def __init__(self, store: SqlStore, conn: Connection, hall: str) -> None:
        self.store = store
        self.conn = conn
        self.hall = hall
        self.appended_seq = 0  # the last event sequence number written in this transaction
