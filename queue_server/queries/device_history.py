"""A hall's serial devices over time: every change of health (online, retrying, offline,
unknown) the event log holds, newest first. Only changes are stored (a heartbeat is not), so
this is each device's history without gaps. The stretch of log is found by a binary search
(``window_log.events_between``): a week of a busy hall is read, not its year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..service import QueueService
from .window_log import events_between

HEALTH = "device.health"


@dataclass(frozen=True, slots=True)
class HealthChange:
    seq: int
    at: datetime
    device: str
    kind: str
    window: int | None
    from_state: str | None
    to_state: str
    error: str


def device_history(
    service: QueueService, slug: str, since: datetime, until: datetime, device: str | None = None, limit: int = 200
) -> list[HealthChange]:
    """Health changes in ``[since, until)`` (of ``device`` only, if given), newest first, at most
    ``limit`` (the newest ones)."""
    service.hall(slug)
    found: list[HealthChange] = []
    with service.store.reader(slug) as r:
        for e in events_between(r, since, until):
            if e.kind != HEALTH:
                continue
            d = e.detail.get("device")
            if not isinstance(d, dict) or (device is not None and d.get("id") != device):
                continue
            found.append(
                HealthChange(
                    seq=e.seq,
                    at=e.at,
                    device=str(d.get("id", "")),
                    kind=str(d.get("kind", "")),
                    window=e.window,
                    from_state=e.from_state,
                    to_state=e.to_state or str(d.get("state", "")),
                    error=str(d.get("error", "")),
                )
            )
    found.reverse()
    return found[:limit]
