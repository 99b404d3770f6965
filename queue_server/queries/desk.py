"""A window's desk: what the clerk console lists beside the call button."""

from __future__ import annotations

from typing import Any

from ..domain import TicketState
from ..errors import NotFound
from ..rules import routing
from ..service import QueueService
from ..views import ticket_view

MAX_WAITING = 50  # waiting tickets listed on the desk (the counts cover everyone)


def window_desk(service: QueueService, slug: str, number: int) -> dict[str, Any]:
    """The held tickets of window ``number`` and the first waiting tickets it may call."""
    day = service.business_day(slug)
    with service.store.reader(slug) as r:
        window = r.window(number)
        if window is None:
            raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {slug}")
        held = r.held_tickets(number)
        active = r.active_tickets(day)
        done = r.window_counts(number, day)
    # The waiting tickets the window may call (the held ones, listed apart, are candidates only
    # once their visitor is back).
    waiting = [t for t in active if t.state is TicketState.WAITING and routing.is_candidate(t, window)]
    waiting.sort(key=lambda t: (int(t.tier), t.order_key, t.id))  # roughly the calling order
    return {
        "hall": slug,
        "window": number,
        "business_day": day.isoformat(),
        "held": [ticket_view(t) for t in held],
        "waiting": [ticket_view(t) for t in waiting[:MAX_WAITING]],
        "waiting_total": len(waiting),
        "today": {"served": done.get("done", 0), "no_show": done.get("no_show", 0)},
    }
