"""Shared fixtures: real stores on SQLite files and, when HALLQ_TEST_PG is set,
on a private PostgreSQL database created for this test run and dropped after."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from queue_server.config import Config, parse_config
from queue_server.errors import HallQError
from queue_server.service import QueueService
from queue_server.storage import Store, open_store

PG_ENV = "HALLQ_TEST_PG"
PG_SKIP = f"PostgreSQL tests need {PG_ENV}, e.g. {PG_ENV}=postgresql://postgres@127.0.0.1:5432/test make test"

SMALL_HALL = """
[[hall]]
slug = "t"
name_zh = "测试大厅"
name_en = "Test hall"
recall_limit = 2
aging_minutes = 30

[hall.no_show]
requeue_after = 2
max_reactivations = 1

[[hall.zones]]
code = "z"
name_zh = "综合"
name_en = "General"

[[hall.services]]
code = "A"
name_zh = "企业开办"
name_en = "Business"
zone = "z"
expected_minutes = 10

[[hall.services]]
code = "B"
name_zh = "不动产登记"
name_en = "Property"
zone = "z"
expected_minutes = 20

[[hall.services]]
code = "C"
name_zh = "社保"
name_en = "Insurance"
zone = "z"
expected_minutes = 5

[[hall.services]]
code = "D"
name_zh = "无窗口事项"
name_en = "Unserved"
zone = "z"
expected_minutes = 5

[[hall.windows]]
number = 1
services = { A = 1.0, B = 1.0 }

[[hall.windows]]
number = 2
services = { B = 2.0, C = 1.0 }

[[hall.windows]]
number = 3
kind = "dedicated"
services = ["C"]
"""
# D is declared but no window serves it until a test assigns one.

# The small hall "t" and a copy of it, "u": what belongs to one hall is not seen from the other.
TWO_HALLS = SMALL_HALL + "\n" + SMALL_HALL.replace('slug = "t"', 'slug = "u"')


def small_config() -> Config:
    return parse_config(SMALL_HALL, "tests/conftest.py:SMALL_HALL")


@dataclass
class FakeClock:
    """A clock the test moves by hand; starts on a weekday morning in Shanghai."""

    now: datetime = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 Asia/Shanghai

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def with_config(store: Store, clock: FakeClock, extra: str = "", *, halls: str = SMALL_HALL) -> QueueService:
    """A service on ``store`` for the halls of ``halls`` + ``extra`` (TOML appended to the last hall:
    ``[hall.appointments]``, ``[[hall.staff]]``, …), synced into the store first."""
    config = parse_config(halls + extra)
    store.sync_halls(config)
    return QueueService(store, config, clock=clock)


def refused(snapshot: Callable[[], object], error: type[HallQError], call: Callable[[], object]) -> str:
    """``call()`` raises ``error`` with a "中文 / English" message, and leaves what ``snapshot()``
    reads (the state a refused command must not touch) as it was; returns the message."""
    before = snapshot()
    with pytest.raises(error) as info:
        call()
    assert snapshot() == before
    zh, sep, en = info.value.message.partition(" / ")
    assert sep and zh and en.strip()
    return info.value.message


@contextmanager
def private_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database ``<prefix>_<random>`` on the server of $HALLQ_TEST_PG
    (the test skips without it); yields its URL and drops it (WITH (FORCE)) afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sa.make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield sa.make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A private PostgreSQL database for this run, dropped afterwards."""
    with private_pg_database("hallq_test") as url:
        yield url


_pg_migrated: set[str] = set()


def truncate_all(store: Store) -> None:
    """Empty every HallQ table (the schema stays)."""
    from queue_server.storage.tables import metadata

    engine: sa.Engine = store.engine  # type: ignore[attr-defined]
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def emptied_pg_store(url: str) -> Store:
    """A store on the run's PostgreSQL database ``url`` (``pg_url``) with every table empty:
    migrated the first time in the run, truncated every time. The caller closes it."""
    store = open_store(url, migrate=url not in _pg_migrated)
    _pg_migrated.add(url)
    truncate_all(store)
    return store


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL on each backend: a new SQLite file, or the run's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hallq.db'}"
    url: str = request.getfixturevalue("pg_url")
    emptied_pg_store(url).close()
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config() -> Config:
    return small_config()


@pytest.fixture
def service(store: Store, config: Config, clock: FakeClock) -> QueueService:
    store.sync_halls(config)
    return QueueService(store, config, clock=clock)


@pytest.fixture(scope="session", autouse=True)
def keep_screenshots() -> Iterator[None]:
    """Browser tests write screenshots to test-artifacts/; after the run,
    DISPLAYS_SCREENSHOTS=1 copies them into docs/screenshots/ for the README."""
    yield
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
    if os.environ.get("DISPLAYS_SCREENSHOTS") == "1" and artifacts.exists():
        target = artifacts.parent / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        for png in artifacts.glob("*.png"):
            shutil.copy(png, target / png.name)
