"""A pty pair behind a stable path: the host opens the path, the simulator holds the master.

Unplugging closes both ends (the host's reads fail as with a pulled USB adapter) and
leaves the path dangling; plugging back makes a new pty and points the path at it.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from collections.abc import Callable
from pathlib import Path


class VirtualPort:
    """The device end of a serial line; ``on_data`` is called (in a thread) with what the host wrote."""

    def __init__(self, path: str | Path, on_data: Callable[[bytes], None]) -> None:
        self.path = Path(path)
        self.on_data = on_data
        self._master = -1
        self._slave = -1
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.plugged = False

    @property
    def url(self) -> str:
        return str(self.path)

    def plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo and no line discipline before the host opens it
        with self._lock:
            self._master, self._slave = master, slave
        tmp = self.path.with_suffix(".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.path)  # atomic: the host never sees a half-made link
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(master, self._stop), daemon=True)
        self._thread.start()
        self.plugged = True

    def unplug(self) -> None:
        """Pull the cable: the host's next read or write fails."""
        self.plugged = False
        self._stop.set()
        with self._lock:
            fds, self._master, self._slave = (self._master, self._slave), -1, -1
        for fd in fds:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if self._thread is not None:
            self._thread.join(timeout=2)

    def close(self) -> None:
        self.unplug()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def write(self, data: bytes) -> None:
        with self._lock:
            fd = self._master
        if fd < 0:
            return  # unplugged: the bytes go nowhere, as on a pulled cable
        with contextlib.suppress(OSError):
            os.write(fd, data)

    def _read(self, fd: int, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(fd, 4096)
            except OSError:
                return  # closed by unplug, or the host side went away for good
            if data:
                self.on_data(data)
