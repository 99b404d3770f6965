"""SQLite: the process that owns the database file leads. Alone, it always does; should
several processes serve one file, an exclusive lock on ``<db>.leader`` beside it decides (the
operating system drops it when the holder dies)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import sqlalchemy as sa

from .base import Leadership


class LocalLeadership(Leadership):
    def __init__(self, lock_path: Path | None = None) -> None:
        self.lock_path = lock_path
        self._fd: int | None = None
        self._leader = lock_path is None

    @classmethod
    def beside(cls, url: str) -> LocalLeadership:
        """A file lock beside the SQLite file of ``url`` (none for an in-memory database)."""
        database = sa.make_url(url).database
        if not database or database == ":memory:":
            return cls(None)
        return cls(Path(database).with_name(Path(database).name + ".leader"))

    def acquire(self) -> bool:
        if self.lock_path is None or self._fd is not None:
            return self._leader
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd, self._leader = fd, True
        return True

    @property
    def is_leader(self) -> bool:
        return self._leader

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._leader = self.lock_path is None
