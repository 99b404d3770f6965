"""The leadership of a server process: ``acquire`` (again and again: it keeps or takes the lead),
``is_leader``, ``release`` at shutdown."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Leadership(ABC):
    @abstractmethod
    def acquire(self) -> bool:
        """Keep the lead, or take it if nobody holds it; whether this process leads now.
        Blocking (a database round trip): call it from a worker thread."""

    @property
    @abstractmethod
    def is_leader(self) -> bool:
        """What the last ``acquire`` found (no database round trip)."""

    @abstractmethod
    def release(self) -> None:
        """Give the lead up (at shutdown); another process takes it at its next ``acquire``."""
