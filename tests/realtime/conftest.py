"""Fixtures for the realtime tests: a hall on a real store, and a bus per backend."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.domain import Event
from queue_server.queries.snapshot import load_snapshot
from queue_server.realtime.bus import Backoff, EventBus
from queue_server.realtime.local import LocalBus
from queue_server.realtime.postgres import PostgresBus
from queue_server.realtime.view import HallView
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from tests.conftest import FakeClock, emptied_pg_store, small_config

HALL = "t"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the small test hall: copying it is much faster than migrating."""
    path = tmp_path_factory.mktemp("template") / "hallq.db"
    store = open_store(f"sqlite:///{path}")
    store.sync_halls(small_config())
    store.close()
    return path


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


class Recorder:
    """A ``QueueService`` listener that keeps every committed event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, events: list[Event]) -> None:
        self.events.extend(events)

    def take(self) -> list[Event]:
        out, self.events = self.events, []
        return out


def fresh_view(service: QueueService, lookback: int = 100_000) -> HallView:
    """What a hub would build right now: a snapshot, and the events committed while reading it."""
    snap, tail = load_snapshot(service, HALL, lookback=lookback)
    view = HallView.from_snapshot(snap)
    for e in tail:
        view.apply(e)
    return view


@pytest.fixture
def hall(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[QueueService, FakeClock, Recorder]]:
    """The small hall on its own SQLite file, with a fake clock and a recording listener."""
    store = open_store(copy_sqlite(sqlite_template, tmp_path / "hallq.db"), migrate=False)
    clock = FakeClock()
    service = QueueService(store, small_config(), clock=clock)
    recorder = Recorder()
    service.listeners.append(recorder)
    try:
        yield service, clock, recorder
    finally:
        store.close()


@pytest.fixture(params=["local", "postgres"])
def backend(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[str, Store]]:
    """("local", a SQLite store) or ("postgres", the run's PostgreSQL database emptied, with the hall)."""
    if request.param == "local":
        store = open_store(copy_sqlite(sqlite_template, tmp_path / "hallq.db"), migrate=False)
    else:
        store = emptied_pg_store(request.getfixturevalue("pg_url"))
        store.sync_halls(small_config())
    try:
        yield str(request.param), store
    finally:
        store.close()


def make_bus(kind: str, store: Store) -> EventBus:
    if kind == "local":
        return LocalBus()
    return PostgresBus(store.url, backoff=Backoff(first=0.05, cap=0.5), health_interval=2.0)
