"""Builders and checks shared by the pure-rule tests: real domain values, no storage."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from queue_server.domain import Ticket, TicketState, Tier, Window, WindowKind, WindowState
from queue_server.rules.lifecycle import to_us

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
NOW_US = to_us(NOW)
DAY = date(2026, 11, 23)
MINUTE_US = 60_000_000
_CJK = re.compile(r"[\u4e00-\u9fff]")


def minutes_ago(minutes: float) -> int:
    """An order key for someone who joined the line ``minutes`` before NOW."""
    return NOW_US - int(minutes * MINUTE_US)


def make_ticket(
    id: int = 1,
    *,
    service: str = "A",
    state: TicketState = TicketState.WAITING,
    tier: Tier = Tier.NORMAL,
    priority: str = "normal",
    order_key: int | None = None,
    **fields: Any,
) -> Ticket:
    base = Ticket(
        id=id,
        hall="t",
        business_day=DAY,
        service=service,
        number=f"{service}{id:03d}",
        priority=priority,
        tier=tier,
        state=state,
        order_key=NOW_US if order_key is None else order_key,
        issued_at=NOW - timedelta(minutes=5),
        token=f"tok{id}",
    )
    return replace(base, **fields)


def make_window(
    number: int = 1,
    services: dict[str, float] | None = None,
    state: WindowState = WindowState.OPEN,
    **fields: Any,
) -> Window:
    return Window(
        hall="t",
        number=number,
        kind=WindowKind.COMPREHENSIVE,
        state=state,
        services={"A": 1.0, "B": 1.0} if services is None else services,
        **fields,
    )


def assert_bilingual(message: str, *needles: str) -> None:
    """Chinese first, then " / " and English; each needle (a ticket or window number)
    appears in both halves so a clerk reading either language knows which one."""
    zh, sep, en = message.partition(" / ")
    assert sep, f"no ' / ' separator in {message!r}"
    assert _CJK.search(zh), f"the first half is not Chinese: {zh!r}"
    assert en.strip() and en.isascii(), f"the second half is not English: {en!r}"
    for needle in needles:
        assert needle in zh, f"{needle!r} missing from the Chinese half {zh!r}"
        assert needle in en, f"{needle!r} missing from the English half {en!r}"
