"""The public JSON shapes of tickets, windows, evaluations, appointments and notices.

Stored with every event (so the realtime feed and the audit trail show the
state a transition produced, and no screen has to refetch) and returned by the
API. One place, so both always agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .domain import SCORE_LABELS, Appointment, DeviceHealth, Evaluation, Notice, Ticket, Window


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


def _iso(at: datetime | date | None) -> str | None:
    return at.isoformat() if at is not None else None


def masked_name(name: str) -> str:
    """A visitor's name as screens may show it (姓名脱敏): the first character, then asterisks."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def device_view(d: DeviceHealth) -> dict[str, Any]:
    return {
        "id": d.device,
        "kind": d.kind,
        "window": d.window,
        "state": d.state.value,
        "error": d.error,
        "since": d.since.isoformat(),
    }


def evaluation_view(e: Evaluation) -> dict[str, Any]:
    zh, en = SCORE_LABELS[e.score]
    return {
        "ticket_id": e.ticket_id,
        "number": e.number,
        "score": e.score,
        "label_zh": zh,
        "label_en": en,
        "bad": e.bad,
        "channel": e.channel,
        "service": e.service,
        "window": e.window,
        "staff": e.staff,
        "comment": e.comment,
        "at": e.at.isoformat(),
        "follow_up_due": _iso(e.follow_up_due),
        "followed_up_at": _iso(e.followed_up_at),
    }


def appointment_view(a: Appointment) -> dict[str, Any]:
    """An appointment as screens see it: the visitor's name masked."""
    return {
        "id": a.id,
        "code": a.code,
        "service": a.service,
        "slot_start": a.slot_start.isoformat(),
        "slot_end": a.slot_end.isoformat(),
        "name": masked_name(a.name),
        "cancelled": a.cancelled,
        "ticket_id": a.ticket_id,
        "checked_in_at": _iso(a.checked_in_at),
        "created_at": a.created_at.isoformat(),
    }


def notice_view(n: Notice) -> dict[str, Any]:
    return {
        "id": n.id,
        "text_zh": n.text_zh,
        "text_en": n.text_en,
        "created_at": n.created_at.isoformat(),
        "expires_at": _iso(n.expires_at),
        "created_by": n.created_by,
        "active": n.active,
    }
