"""What every simulator shares: a virtual port, a lock, and waiting for a condition."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .pty import VirtualPort

T = TypeVar("T")


class Simulator:
    def __init__(self, path: str | Path) -> None:
        self.port = VirtualPort(path, self._received)
        self._changed = threading.Condition()

    @property
    def url(self) -> str:
        return self.port.url

    def start(self) -> None:
        self.port.plug()

    def close(self) -> None:
        self.port.close()

    def unplug(self) -> None:
        self.port.unplug()

    def replug(self) -> None:
        self.port.plug()

    def _received(self, data: bytes) -> None:
        with self._changed:
            self.on_bytes(data)
            self._changed.notify_all()

    def on_bytes(self, data: bytes) -> None:
        raise NotImplementedError

    def wait_until(self, check: Callable[[], T], timeout: float = 5.0, what: str = "") -> T:
        """The first truthy ``check()`` (evaluated under the simulator's lock); AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = check()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{type(self).__name__}: timed out waiting for {what or check}")
                self._changed.wait(left)
