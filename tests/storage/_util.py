"""Helpers for the storage tests: raw table dumps and worker subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from queue_server.storage import Store
from queue_server.storage.tables import (
    counter_t,
    event_t,
    hall_t,
    service_t,
    ticket_t,
    window_service_t,
    window_t,
)

ROOT = Path(__file__).resolve().parents[2]
ALL_TABLES = (hall_t, service_t, window_t, window_service_t, counter_t, ticket_t, event_t)


def engine(store: Store) -> sa.Engine:
    eng: sa.Engine = store.engine  # type: ignore[attr-defined]
    return eng


def rows(store: Store, table: sa.Table) -> list[dict[str, Any]]:
    """Every row of ``table``, in primary-key order, as plain dicts."""
    with engine(store).connect() as conn:
        result = conn.execute(sa.select(table).order_by(*table.primary_key.columns))
        return [dict(r) for r in result.mappings()]


def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    return {t.name: rows(store, t) for t in ALL_TABLES}


def scalar(store: Store, stmt: sa.Executable) -> Any:
    with engine(store).connect() as conn:
        return conn.execute(stmt).scalar_one()


class Worker:
    """``python -m tests.storage._worker …`` with its stdout read line by line in a thread."""

    def __init__(self, *args: str) -> None:
        self.args = args
        # stderr goes to a file: nobody reads it while the process runs, and a full pipe would block it.
        self._stderr_file = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in kill())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.storage._worker", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self._stderr_file,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.stderr = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip():
                self.lines.put(json.loads(line))
        self.lines.put(None)

    def wait_for(self, done: Callable[[list[dict[str, Any]]], bool], timeout: float) -> list[dict[str, Any]]:
        """Collect lines until ``done(lines so far)`` holds; fail on timeout or early exit."""
        end = time.monotonic() + timeout
        while not done(self.seen):
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"worker {self.args[0]} timed out after {len(self.seen)} lines")
            try:
                item = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if item is None:
                raise AssertionError(f"worker {self.args[0]} exited early: {self.finish(5)}\n{self.stderr}")
            self.seen.append(item)
        return self.seen

    def finish(self, timeout: float) -> int:
        """Wait for the process to end by itself; returns its exit code (kills it on timeout)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._drain()
        return code

    def _drain(self) -> None:
        self._reader.join(timeout=5)
        while True:
            try:
                item = self.lines.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self.seen.append(item)
        if not self._stderr_file.closed:
            self._stderr_file.seek(0)
            self.stderr = self._stderr_file.read()

    def sigkill(self) -> None:
        """SIGKILL now, then collect whatever it printed before dying."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._drain()

    def kill(self) -> None:
        """Cleanup for ``finally`` blocks: a no-op when the process already ended."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
        for stream in (self.proc.stdout, self._stderr_file):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()

    def ops(self, op: str) -> list[dict[str, Any]]:
        return [line for line in self.seen if line["op"] == op]
