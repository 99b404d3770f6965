"""Where and what a clerk's duties are, for the console: each post's window, each shift's name,
the hall's time zone, and whether the clerk is on the staff registry at all. The duties
themselves (``/my/duties``) name posts and shifts by code only, and the registry reads that
hold the rest are for managers."""

from __future__ import annotations

from dataclasses import dataclass

from ..service import QueueService


@dataclass(frozen=True, slots=True)
class DutyPlaces:
    on_staff: bool  # False: an account without a staff record (it has no duties to show)
    timezone: str
    windows: dict[str, int | None]  # post code → its window (None: a post without one)
    shifts: dict[str, tuple[str, str]]  # shift code → (name_zh, name_en)


def duty_places(service: QueueService, slug: str, login: str) -> DutyPlaces:
    hall = service.hall(slug)
    with service.store.reader(slug) as r:
        member = r.staff_member(login)
        windows = {p.code: p.window for p in r.posts()}
        shifts = {s.code: (s.name_zh, s.name_en) for s in r.shift_templates()}
    return DutyPlaces(member is not None and member.active, str(hall.tz), windows, shifts)
