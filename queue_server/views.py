"""The public JSON shapes of tickets and windows.

Stored with every event (so the realtime feed and the audit trail show the
state a transition produced, and no screen has to refetch) and returned by the
API. One place, so both always agree.
"""

from __future__ import annotations

from typing import Any

from .domain import Ticket, Window


def ticket_view(t: Ticket) -> dict[str, Any]:
    """A ticket as anyone in the hall may see it (no token)."""
    return {
        "id": t.id,
        "number": t.number,
        "service": t.service,
        "state": t.state.value,
        "priority": t.priority,
        "tier": int(t.tier),
        "order_key": t.order_key,
        "window": t.window,
        "target_window": t.target_window,
        "business_day": t.business_day.isoformat(),
        "issued_at": t.issued_at.isoformat(),
        "called_at": t.called_at.isoformat() if t.called_at else None,
        "recall_count": t.recall_count,
    }


def window_view(w: Window, current: Ticket | None = None) -> dict[str, Any]:
    return {
        "number": w.number,
        "kind": w.kind.value,
        "state": w.state.value,
        "staff": w.staff,
        "pause_reason": w.pause_reason,
        "services": dict(sorted(w.services.items())),
        "current": ticket_view(current) if current else None,
    }
