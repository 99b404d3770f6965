"""What the staffing command and query tests share: a hall with a staff list, a snapshot of
everything a staffing command may write, and instants in the hall's time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.service import QueueService
from queue_server.storage import Store
from queue_server.storage.staffing_tables import (
    calendar_day_t,
    leave_t,
    post_t,
    roster_assignment_t,
    roster_t,
    shift_template_t,
    staff_skill_t,
    staff_t,
)
from queue_server.storage.tables import event_t
from tests.conftest import FakeClock, with_config
from tests.storage._util import rows

HALL = "t"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)  # FakeClock's day

# li (李娜) knows A and B, wang (王强) has no skills on record (anything), zhang (张伟) knows C.
STAFF = """
[[hall.staff]]
login = "li"
name = "李娜"
skills = ["A", "B"]

[[hall.staff]]
login = "wang"
name = "王强"
skills = []

[[hall.staff]]
login = "zhang"
name = "张伟"
skills = ["C"]
"""
WRITTEN = (
    staff_t,
    staff_skill_t,
    shift_template_t,
    post_t,
    leave_t,
    calendar_day_t,
    roster_t,
    roster_assignment_t,
    event_t,
)


def staffed(store: Store, clock: FakeClock, extra: str = "") -> QueueService:
    return with_config(store, clock, STAFF + extra)


def snapshot(store: Store) -> Callable[[], dict[str, list[dict[str, Any]]]]:
    """Every row a staffing command may write (and the event log)."""
    return lambda: {t.name: rows(store, t) for t in WRITTEN}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def kinds(events: list[Any]) -> list[str]:
    return [e.kind for e in events]
