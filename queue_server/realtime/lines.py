"""The lines of a hall's live view: who waits where, in what order, and how many ahead.

The lines mirror ``HallReader.count_ahead``: a waiting ticket stands in its
service's line, or, once transferred to a window, in that window's line (of
every service); people ahead are the waiting tickets of the line with
``(tier, order_key)`` less than or equal to its own, itself excluded. Each line
is a sorted list of ``(tier, order_key, id)``, so ``ahead`` is one bisect and a
join or a leave is one insort or one delete, even with 100,000 people waiting.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain import Ticket, TicketState
from ..views import ticket_view
from .messages import BadEvent, TicketView, ticket_view_of

# A service code names the service's shared line; a window number names the line
# of the tickets transferred to that window (whatever their service).
Line = str | int
Entry = tuple[int, int, int]  # (tier, order_key, id): a line's sort order

# Larger than any ticket id: bisecting with it passes every entry of the same (tier, key).
_PAST_IDS = 2**63


@dataclass(frozen=True, slots=True)
class Row:
    """What the view keeps of a ticket: its public view and the fields the lines sort by."""

    id: int
    service: str
    state: TicketState
    tier: int
    order_key: int
    window: int | None
    target_window: int | None
    day: date
    view: TicketView

    @property
    def line(self) -> Line:
        return self.service if self.target_window is None else self.target_window

    @property
    def entry(self) -> Entry:
        return (self.tier, self.order_key, self.id)

    @property
    def at_window(self) -> bool:
        return self.state.at_window and self.window is not None


def row_of_view(view: Any) -> Row:
    """The ticket an event carries (``detail["ticket"]``); ``BadEvent`` if it is not one."""
    if not isinstance(view, Mapping):
        raise BadEvent(f"ticket view is {type(view).__name__}, not an object")
    try:
        return Row(
            id=int(view["id"]),
            service=str(view["service"]),
            state=TicketState(view["state"]),
            tier=int(view["tier"]),
            order_key=int(view["order_key"]),
            window=None if view["window"] is None else int(view["window"]),
            target_window=None if view["target_window"] is None else int(view["target_window"]),
            day=date.fromisoformat(view["business_day"]),
            view=ticket_view_of(dict(view)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadEvent(f"bad ticket view: {exc!r}") from exc


def row_of(t: Ticket) -> Row:
    """A stored ticket, without parsing back the view made from it."""
    return Row(
        id=t.id,
        service=t.service,
        state=t.state,
        tier=int(t.tier),
        order_key=t.order_key,
        window=t.window,
        target_window=t.target_window,
        day=t.business_day,
        view=ticket_view_of(ticket_view(t)),
    )


class Lines:
    """The sorted lines and every service's waiting count; which rows stand in line is the
    view's call (a waiting ticket of its business day)."""

    def __init__(self, services: Iterable[str] = ()) -> None:
        self._services = tuple(services)
        self._lines: dict[Line, list[Entry]] = {}
        self._waiting: dict[str, int] = dict.fromkeys(self._services, 0)

    def join(self, row: Row, sort: bool = True) -> None:
        line = self._lines.setdefault(row.line, [])
        if sort:
            bisect.insort(line, row.entry)
        else:
            line.append(row.entry)
        self._waiting[row.service] = self._waiting.get(row.service, 0) + 1

    def sort(self) -> None:
        """Once after joining unsorted, rather than an insort per ticket: a big hall loads in one pass."""
        for line in self._lines.values():
            line.sort()

    def leave(self, row: Row) -> None:
        line = self._lines[row.line]
        i = bisect.bisect_left(line, row.entry)
        del line[i]
        if not line:
            del self._lines[row.line]
        left = self._waiting[row.service] - 1
        if left or row.service in self._services:
            self._waiting[row.service] = left
        else:
            del self._waiting[row.service]  # an unconfigured service shows only while someone waits

    def clear(self) -> None:
        """A new business day: nobody waits."""
        self._lines.clear()
        self._waiting = dict.fromkeys(self._services, 0)

    def ahead(self, row: Row) -> int:
        """Waiting people ahead of ``row``, which stands in line."""
        line = self._lines.get(row.line, [])
        return bisect.bisect_right(line, (row.tier, row.order_key, _PAST_IDS)) - 1

    def waiting(self, services: Iterable[str] | None = None) -> dict[str, int]:
        if services is None:
            return dict(sorted(self._waiting.items()))
        return {s: self._waiting.get(s, 0) for s in services}

    def count(self, service: str) -> int:
        return self._waiting.get(service, 0)

    def total(self) -> int:
        return sum(len(line) for line in self._lines.values())

    def state(self) -> dict[str, list[Entry]]:
        """Every non-empty line by name, for comparing two views."""
        return {str(k): list(v) for k, v in sorted(self._lines.items(), key=lambda kv: str(kv[0])) if v}
