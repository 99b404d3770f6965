"""Storage-test fixtures on top of tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SMALL_HALL, private_pg_database


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database that no migration has touched yet: a new SQLite file, or a new
    PostgreSQL database of its own (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with private_pg_database("hallq_fresh") as url:
        yield url


@pytest.fixture
def hall_file(tmp_path: Path) -> Path:
    """The small test hall as a TOML file, for worker processes (``--config``)."""
    path = tmp_path / "hall.toml"
    path.write_text(SMALL_HALL, encoding="utf-8")
    return path
