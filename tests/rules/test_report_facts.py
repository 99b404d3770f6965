"""A ticket's events into its fact, facts and events into cell deltas, cells into a report
(pure): the rules of what counts, one case each."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain import Event
from queue_server.rules.report_cells import TOTAL, Cell, CellKey, cell_row, plus, row_cell
from queue_server.rules.report_facts import FoldSettings, ticket_fact
from queue_server.rules.report_fold import Refold, fold_events, tickets_to_read
from queue_server.rules.report_view import report

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
SETTINGS = FoldSettings(tz=SH, noon=(time(12), time(14)), target_us=10 * 60 * 1_000_000, zones={"A": "z", "B": "y"})


class Log:
    """Events with rising seqs, as a hall's log holds them."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: str, ticket: int | None, minute: float, to: str | None = None, **kw: Any) -> Event:
        service = kw.pop("service", "A")
        detail = kw.pop("detail", {})
        if kind.startswith("ticket."):
            detail = {"ticket": {"id": ticket, "service": service, "business_day": DAY.isoformat()}, **detail}
        e = Event(hall="t", kind=kind, at=T0 + timedelta(minutes=minute), ticket_id=ticket, to_state=to,
                  detail=detail, seq=len(self.events) + 1, **kw)  # fmt: skip
        self.events.append(e)
        return e

    def of(self, ticket: int) -> list[Event]:
        return [e for e in self.events if e.ticket_id == ticket]


def test_a_served_ticket() -> None:
    log = Log()
    log.add("ticket.issue", 1, 0, "waiting")
    log.add("ticket.call", 1, 12, "called", window=2, staff="li")
    log.add("ticket.recall", 1, 13, "called", window=2, staff="li")
    log.add("ticket.start", 1, 14, "serving", window=2, staff="li")
    log.add("ticket.finish", 1, 20, "done", window=2, staff="li")
    fact = ticket_fact(log.events, SETTINGS)
    assert fact is not None
    assert (fact.day, fact.service, fact.window, fact.clerk, fact.slot) == (DAY, "A", 2, "li", 36)
    assert (fact.outcome, fact.wait_us, fact.service_us) == ("served", 12 * 60_000_000, 6 * 60_000_000)
    assert not fact.transferred and not fact.noon_issued


def test_no_show_reactivated_and_served_is_served_held_counts_from_restart() -> None:
    log = Log()
    log.add("ticket.issue", 1, 0, "waiting")
    log.add("ticket.call", 1, 5, "called", window=1, staff="li")
    log.add("ticket.no_show", 1, 7, "no_show", window=1, staff="li")
    log.add("ticket.reactivate", 1, 9, "waiting")
    log.add("ticket.call", 1, 30, "called", window=3, staff="wang")
    log.add("ticket.start", 1, 31, "serving", window=3, staff="wang")
    log.add("ticket.hold", 1, 35, "held", window=3, staff="wang")
    log.add("ticket.call_back", 1, 50, "called", window=3, staff="wang")
    log.add("ticket.start", 1, 51, "serving", window=3, staff="wang")
    log.add("ticket.finish", 1, 55, "done", window=3, staff="wang")
    fact = ticket_fact(log.events, SETTINGS)
    assert fact is not None
    assert fact.outcome == "served" and (fact.window, fact.clerk) == (3, "wang")
    assert fact.wait_us == 5 * 60_000_000  # to the first call
    assert fact.service_us == 4 * 60_000_000  # the last start to the finish


def test_outcomes_at_the_days_end() -> None:
    log = Log()
    log.add("ticket.issue", 1, 0, "waiting")
    log.add("ticket.call", 1, 5, "called", window=1)
    log.add("ticket.no_show", 1, 7, "no_show", window=1)
    log.add("ticket.rollover", 1, 900, "not_served")
    log.add("ticket.issue", 2, 1, "waiting", service="B")
    log.add("ticket.call", 2, 3, "called", window=1, service="B")
    log.add("ticket.transfer", 2, 4, "waiting", window=1, service="A")
    log.add("ticket.rollover", 2, 900, "not_served")
    log.add("ticket.issue", 3, 2, "waiting")
    log.add("ticket.cancel", 3, 3, "cancelled")
    facts = {t: ticket_fact(log.of(t), SETTINGS) for t in (1, 2, 3)}
    assert {t: f.outcome for t, f in facts.items() if f} == {1: "no_show", 2: "not_served", 3: "cancelled"}
    two = facts[2]
    assert two is not None and two.transferred and two.service == "A"  # its last service


def test_noon_service() -> None:
    log = Log()
    log.add("ticket.issue", 1, 3 * 60 + 10, "waiting")  # 12:10
    log.add("ticket.call", 1, 3 * 60 + 40, "called", window=1)
    log.add("ticket.start", 1, 3 * 60 + 41, "serving", window=1)
    log.add("ticket.finish", 1, 5 * 60 + 10, "done", window=1)  # 14:10: started inside the noon period
    fact = ticket_fact(log.events, SETTINGS)
    assert fact is not None and fact.noon_issued and fact.noon_served and fact.noon_wait


def test_folding_a_log_page_by_page_equals_the_whole_refold() -> None:
    log = Log()
    log.add("appointment.create", None, -600, detail={"appointment": {
        "service": "B", "slot_start": "2026-11-23T10:00:00+08:00"}})  # fmt: skip
    log.add("appointment.import", None, -500, detail={"appointments": [
        {"service": "A", "slot_start": "2026-11-23T11:00:00+08:00"},
        {"service": "A", "slot_start": "2026-11-24T11:00:00+08:00"}]})  # fmt: skip
    log.add("appointment.cancel", None, -400, detail={"appointment": {
        "service": "A", "slot_start": "2026-11-24T11:00:00+08:00"}})  # fmt: skip
    log.add("ticket.issue", 1, 0, "waiting")
    log.add("ticket.issue", 2, 1, "waiting", service="B")
    log.add("appointment.check_in", 3, 50, detail={"arrival": "on_time", "appointment": {
        "service": "B", "slot_start": "2026-11-23T10:00:00+08:00"}})  # fmt: skip
    log.add("ticket.call", 1, 20, "called", window=1, staff="li")
    log.add("ticket.start", 1, 21, "serving", window=1, staff="li")
    log.add("ticket.finish", 1, 31, "done", window=1, staff="li")
    log.add("evaluation.submit", 1, 32, detail={"score": 3})
    log.add("ticket.cancel", 2, 40, "cancelled", service="B")
    whole = Refold(SETTINGS)
    whole.feed(log.events)
    paged: dict[CellKey, Cell] = {}
    for i in range(0, len(log.events), 4):
        page = log.events[i : i + 4]
        histories = {t: log.of(t) for t in tickets_to_read(page)}
        rows = plus(fold_events(page, histories, SETTINGS))([cell_row(k, c) for k, c in paged.items()])
        paged.update(row_cell(r) for r in rows)
    assert {k: cell_row(k, c) for k, c in paged.items()} == {k: cell_row(k, c) for k, c in whole.cells.items()}

    total = whole.cells[CellKey(DAY, TOTAL, "")]
    assert (total.issued, total.served, total.cancelled, total.rated_3) == (2, 1, 1, 1)
    assert (total.appt_booked, total.appt_kept, total.appt_on_time) == (2, 1, 1)
    assert total.appt_offset_sum_us == -10 * 60_000_000  # checked in at 09:50 for 10:00
    assert CellKey(DAY, "window", "") in whole.cells  # ticket 2 was never called
    assert whole.cells[CellKey(DAY + timedelta(days=1), TOTAL, "")].appt_cancelled == 1

    answer = report(whole.cells, "zone", 10)
    assert answer["totals"]["ratings"]["satisfied_share"] == 1.0  # 基本满意 counts as satisfied
    assert answer["totals"]["within_target"] == {"minutes": 10, "count": 0, "share": 0.0}
    assert [r["group"] for r in answer["rows"]] == ["y", "z"]
    assert [r["group"] for r in report(whole.cells, "hour", 10)["rows"]] == ["09:00", "10:00", "11:00"]
    assert [r["group"] for r in report(whole.cells, "quarter", 10)["rows"]] == ["09:00", "10:00", "11:00"]
    assert [r["group"] for r in report(whole.cells, "day", 10)["rows"]] == ["2026-11-23", "2026-11-24"]
