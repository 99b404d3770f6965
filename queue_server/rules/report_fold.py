"""Facts and events into cell deltas (pure): what the report job adds to the stored cells.

A ticket is folded once, by the event that makes it final (finished, cancelled, or not
served at the day's rollover); its rating (好差评) is folded by the rating's event into the
cells of the rated ticket (its business day, service, window, clerk, slot); appointments (预约)
by their own events into the cells of the slot's day, service, zone and quarter hour (not a
window's or clerk's: nobody serves a booking): booked when made or imported, cancelled,
kept when checked in, with the check-in's punctuality against the slot's start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..domain import Event
from .lifecycle import to_us
from .report_cells import TOTAL, Cell, CellKey, Delta, add_delta
from .report_facts import FINAL_STATES, FoldSettings, TicketFact, aware, slot_of, ticket_fact

OUTCOME_COUNTS = {"served": "served", "cancelled": "cancelled", "no_show": "no_show", "not_served": "not_served"}
APPOINTMENT_EVENTS = frozenset(
    {"appointment.create", "appointment.import", "appointment.cancel", "appointment.check_in"}
)


def slot_key(slot: int) -> str:
    return f"{slot:02d}"


def fact_keys(fact: TicketFact, settings: FoldSettings) -> list[CellKey]:
    """The cells a ticket counts in: the day's total and one per dimension ("" for none)."""
    d = fact.day
    return [
        CellKey(d, TOTAL, ""),
        CellKey(d, "service", fact.service),
        CellKey(d, "zone", settings.zone(fact.service)),
        CellKey(d, "window", "" if fact.window is None else str(fact.window)),
        CellKey(d, "clerk", fact.clerk),
        CellKey(d, "slot", slot_key(fact.slot)),
    ]


def fact_delta(fact: TicketFact, settings: FoldSettings) -> Delta:
    counts: list[tuple[str, int]] = [("issued", 1)]
    durations: list[tuple[str, int]] = []
    if fact.transferred:
        counts.append(("transferred", 1))
    if fact.noon_issued:
        counts.append(("noon_issued", 1))
    name = OUTCOME_COUNTS.get(fact.outcome)
    if name:
        counts.append((name, 1))
    if fact.wait_us is not None:
        durations.append(("wait", fact.wait_us))
        if fact.wait_us <= settings.target_us:
            counts.append(("called_within", 1))
        if fact.noon_wait:
            durations.append(("noon_wait", fact.wait_us))
    if fact.outcome == "served" and fact.service_us is not None:
        durations.append(("service_time", fact.service_us))
        if fact.noon_served:
            counts.append(("noon_served", 1))
    return Delta(tuple(counts), tuple(durations))


def fold_fact(cells: dict[CellKey, Cell], fact: TicketFact, settings: FoldSettings) -> None:
    delta = fact_delta(fact, settings)
    for key in fact_keys(fact, settings):
        add_delta(cells, key, delta)


def fold_rating(cells: dict[CellKey, Cell], fact: TicketFact, score: int, settings: FoldSettings) -> None:
    if score not in (1, 2, 3, 4, 5):
        return
    delta = Delta(((f"rated_{score}", 1),))
    for key in fact_keys(fact, settings):
        add_delta(cells, key, delta)


def _appointments(event: Event) -> list[dict[str, Any]]:
    if event.kind == "appointment.import":
        found = event.detail.get("appointments")
        return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []
    one = event.detail.get("appointment")
    return [one] if isinstance(one, dict) else []


def fold_appointment(cells: dict[CellKey, Cell], event: Event, settings: FoldSettings) -> None:
    for view in _appointments(event):
        try:
            slot_start = aware(datetime.fromisoformat(str(view["slot_start"])))
        except (KeyError, ValueError):
            continue
        service = str(view.get("service") or "")
        counts: list[tuple[str, int]]
        if event.kind in ("appointment.create", "appointment.import"):
            counts = [("appt_booked", 1)]
        elif event.kind == "appointment.cancel":
            counts = [("appt_cancelled", 1)]
        else:
            counts = [("appt_kept", 1), ("appt_offset_count", 1)]
            arrival = event.detail.get("arrival")
            if arrival in ("on_time", "late", "too_late"):
                counts.append((f"appt_{arrival}", 1))
            counts.append(("appt_offset_sum_us", to_us(aware(event.at)) - to_us(slot_start)))
        delta = Delta(tuple(counts))
        day = slot_start.astimezone(settings.tz).date()
        for key in (
            CellKey(day, TOTAL, ""),
            CellKey(day, "service", service),
            CellKey(day, "zone", settings.zone(service)),
            CellKey(day, "slot", slot_key(slot_of(slot_start, settings.tz))),
        ):
            add_delta(cells, key, delta)


def tickets_to_read(events: Iterable[Event]) -> set[int]:
    """The tickets whose whole history a batch needs: those it makes final, and those it rates."""
    return {
        e.ticket_id
        for e in events
        if e.ticket_id is not None
        and ((e.kind.startswith("ticket.") and e.to_state in FINAL_STATES) or e.kind == "evaluation.submit")
    }


def fold_events(
    events: Sequence[Event], histories: Mapping[int, Sequence[Event]], settings: FoldSettings
) -> dict[CellKey, Cell]:
    """The cell deltas of a batch of a hall's events, in order; ``histories`` holds every
    ``ticket.*`` event of each ticket in ``tickets_to_read(events)``."""
    cells: dict[CellKey, Cell] = {}
    for e in events:
        if e.kind in APPOINTMENT_EVENTS:
            fold_appointment(cells, e, settings)
            continue
        if e.ticket_id is None:
            continue
        final = e.kind.startswith("ticket.") and e.to_state in FINAL_STATES
        if not final and e.kind != "evaluation.submit":
            continue
        # Up to this event: a final ticket has no later ticket events, a rating comes after the finish.
        history = [h for h in histories.get(e.ticket_id, ()) if h.seq <= e.seq]
        fact = ticket_fact(history, settings)
        if fact is None:
            continue
        if final:
            fold_fact(cells, fact, settings)
        else:
            score = e.detail.get("score")
            if isinstance(score, int) and not isinstance(score, bool):
                fold_rating(cells, fact, score, settings)
    return cells


class Refold:
    """Every cell from the whole log, fed in order page by page (the rebuild): the same folds
    as ``fold_events``, with each open ticket's events kept until it is final and each final
    ticket's fact kept for the rating that may follow."""

    def __init__(self, settings: FoldSettings) -> None:
        self.settings = settings
        self.cells: dict[CellKey, Cell] = {}
        self._lives: dict[int, list[Event]] = {}
        self._facts: dict[int, TicketFact] = {}

    def feed(self, events: Iterable[Event]) -> None:
        for e in events:
            if e.kind in APPOINTMENT_EVENTS:
                fold_appointment(self.cells, e, self.settings)
            elif e.ticket_id is None:
                continue
            elif e.kind.startswith("ticket."):
                life = self._lives.setdefault(e.ticket_id, [])
                life.append(e)
                if e.to_state in FINAL_STATES:
                    fact = ticket_fact(self._lives.pop(e.ticket_id), self.settings)
                    if fact is not None:
                        self._facts[e.ticket_id] = fact
                        fold_fact(self.cells, fact, self.settings)
            elif e.kind == "evaluation.submit":
                rated = self._facts.get(e.ticket_id)
                score = e.detail.get("score")
                if rated is not None and isinstance(score, int) and not isinstance(score, bool):
                    fold_rating(self.cells, rated, score, self.settings)


__all__ = [
    "APPOINTMENT_EVENTS",
    "Refold",
    "fact_delta",
    "fact_keys",
    "fold_appointment",
    "fold_events",
    "fold_fact",
    "fold_rating",
    "slot_key",
    "tickets_to_read",
]
