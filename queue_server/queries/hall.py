"""A hall at a glance: its services with their lines, its windows with who serves what.

One view for everyone who reads the hall as a whole: the kiosk, the screens, the
dashboard, the landing page's ``/api/halls`` and ``GET /api/halls/{hall}``.
"""

from __future__ import annotations

from typing import Any

from ..domain import Ticket, Window
from ..errors import NotFound
from ..service import QueueService


def hall_view(service: QueueService, slug: str) -> dict[str, Any]:
    hall = service.hall(slug)
    day = service.business_day(slug)
    with service.store.reader(slug) as r:
        waiting = r.waiting_counts(day)
        paused = r.paused_services()
        all_windows = r.windows()
        at = r.current_tickets([w.number for w in all_windows])
        seq = r.last_seq()
    served = {code for w in all_windows for code in w.services}
    return {
        "slug": hall.slug,
        "name_zh": hall.name_zh,
        "name_en": hall.name_en,
        "business_day": day.isoformat(),
        "seq": seq,
        "zones": [{"code": z.code, "name_zh": z.name_zh, "name_en": z.name_en} for z in hall.zones],
        "services": [
            {
                "code": s.code,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "zone": s.zone,
                "waiting": waiting.get(s.code, 0),
                "available": s.code in served and s.code not in paused,
                "paused_reason": paused.get(s.code),
            }
            for s in hall.services
        ],
        "priority_classes": [
            {"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en} for p in hall.priority_classes
        ],
        "windows": [_window(w, at.get(w.number)) for w in all_windows],
    }


def _window(w: Window, current: Ticket | None) -> dict[str, Any]:
    return {
        "number": w.number,
        "kind": w.kind.value,
        "state": w.state.value,
        "staff": w.staff,
        "pause_reason": w.pause_reason,
        "services": sorted(w.services),
        "current": current.number if current else None,
    }


def windows_at(service: QueueService, slug: str) -> list[tuple[Window, Ticket | None]]:
    """Every window of the hall as stored, with the ticket called or served there."""
    service.hall(slug)
    with service.store.reader(slug) as r:
        windows = r.windows()
        at = r.current_tickets([w.number for w in windows])
    return [(w, at.get(w.number)) for w in windows]


def window_at(service: QueueService, slug: str, number: int) -> tuple[Window, Ticket | None]:
    """Window ``number`` as stored, with the ticket called or served there; 404 for none."""
    service.hall(slug)
    with service.store.reader(slug) as r:
        window = r.window(number)
        current = r.current_ticket(number) if window is not None else None
    if window is None:
        raise NotFound(f"没有 {number} 号窗口 / window {number} does not exist in {slug}")
    return window, current
