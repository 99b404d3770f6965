"""What every simulator shares: a virtual port, a lock, and waiting for a condition."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .pty import VirtualPort

T = TypeVar("T")


class Simulator:
    def __init__(self, path: str | Path) -> None:
        self.port = VirtualPort(path, self._received)
        self._changed = threading.Condition()
        # The last bytes each way, for the simulator page: (monotonic time, "in" from the host | "out", bytes).
        self.traffic: deque[tuple[float, str, bytes]] = deque(maxlen=40)

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
            self.traffic.append((time.monotonic(), "in", data))
            self.on_bytes(data)
            self._changed.notify_all()

    def send(self, data: bytes) -> None:
        """Write to the host, as the device."""
        self.traffic.append((time.monotonic(), "out", data))
        self.port.write(data)

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
