"""Many kiosks and windows at once: threads sharing one store, and separate OS
processes sharing one database (SQLite file or PostgreSQL). Whatever the
interleaving, numbers are unique, no ticket is called twice, and every ticket a
kiosk was handed exists."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from queue_server.config import Config
from queue_server.domain import Ticket
from queue_server.errors import WindowBusy
from queue_server.service import QueueService
from queue_server.storage import Store
from queue_server.storage.tables import event_t, ticket_t

from ._util import Worker, rows, scalar

HALL = "t"
SERVICES = "ABC"  # D has no window


def check_hall(store: Store, issued: dict[int, Ticket | dict[str, Any]], windows_open: int) -> dict[str, int]:
    """The invariants that must hold however the commands interleaved; returns tickets per state."""
    tickets = {r["id"]: r for r in rows(store, ticket_t)}
    events = rows(store, event_t)

    # Every ticket a kiosk got exists, with the number it was given; nothing else exists.
    assert set(tickets) == set(issued)
    for ticket_id, got in issued.items():
        number = got.number if isinstance(got, Ticket) else got["number"]
        assert tickets[ticket_id]["number"] == number

    # Numbers: unique per business day, and per service a gapless run 1..n.
    assert max(Counter((t["business_day"], t["number"]) for t in tickets.values()).values()) == 1
    by_service: dict[tuple[Any, str], list[int]] = defaultdict(list)
    for t in tickets.values():
        by_service[(t["business_day"], t["service"])].append(int(t["number"][1:]))
    for numbers in by_service.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))

    # No ticket was called twice (there are no recalls, no-shows or holds here).
    calls = Counter(e["ticket_id"] for e in events if e["kind"] == "ticket.call")
    assert not calls or max(calls.values()) == 1
    for t in tickets.values():
        assert calls[t["id"]] == (0 if t["state"] == "waiting" else 1)

    # Each served ticket went call -> start -> finish at one window.
    per_ticket: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for e in sorted(events, key=lambda e: e["seq"]):
        if e["ticket_id"] is not None:
            per_ticket[e["ticket_id"]].append((e["kind"], e["window"]))
    for ticket_id, t in tickets.items():
        kinds = [k for k, _ in per_ticket[ticket_id]]
        expected = {
            "waiting": ["ticket.issue"],
            "called": ["ticket.issue", "ticket.call"],
            "serving": ["ticket.issue", "ticket.call", "ticket.start"],
            "done": ["ticket.issue", "ticket.call", "ticket.start", "ticket.finish"],
        }[t["state"]]
        assert kinds == expected, (t["number"], kinds)
        assert {w for k, w in per_ticket[ticket_id] if k != "ticket.issue"} <= {t["window"]}

    # A gapless event sequence with nothing but these commands in it.
    assert sorted(e["seq"] for e in events) == list(range(1, len(events) + 1))
    assert len(events) == windows_open + sum(len(v) for v in per_ticket.values())

    states = Counter(t["state"] for t in tickets.values())
    assert set(states) <= {"waiting", "called", "serving", "done"}
    assert sum(states.values()) == len(issued)
    return dict(states)


# -- threads on one store -----------------------------------------------------


def test_threads_issue_and_call_on_one_store(store: Store, config: Config) -> None:
    store.sync_halls(config)
    service = QueueService(store, config)  # the real clock
    for w in (1, 2, 3):
        service.open_window(HALL, w, f"clerk{w}")

    issuers, per_issuer = 8, 25
    caller_windows = (1, 2, 3, 1)  # two clerks' threads share window 1: one gets WindowBusy
    deadline = time.monotonic() + 15
    issued: list[Ticket] = []
    served: list[tuple[int, int, int]] = []  # (thread, window, ticket id)
    errors: list[BaseException] = []
    issuing_done = threading.Event()
    stop_calling = threading.Event()

    def issuer(i: int) -> None:
        try:
            for k in range(per_issuer):
                if time.monotonic() > deadline:
                    return
                issued.append(service.issue(HALL, SERVICES[(i + k) % len(SERVICES)]).ticket)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def caller(i: int) -> None:
        window = caller_windows[i]
        try:
            while not stop_calling.is_set() and time.monotonic() < deadline:
                drained = issuing_done.is_set()
                try:
                    called = service.call_next(HALL, window, f"thread{i}")
                except WindowBusy:  # the other thread of this window has a ticket there
                    time.sleep(0.005)
                    continue
                if called.ticket is None:
                    if drained:
                        return
                    time.sleep(0.01)
                    continue
                served.append((i, window, called.ticket.id))
                started = service.start(HALL, window)
                assert started.ticket is not None and started.ticket.id == called.ticket.id
                finished = service.finish(HALL, window)
                assert finished.ticket is not None and finished.ticket.id == called.ticket.id
        except BaseException as exc:  # reported below
            errors.append(exc)

    issuer_threads = [threading.Thread(target=issuer, args=(i,), daemon=True) for i in range(issuers)]
    caller_threads = [threading.Thread(target=caller, args=(i,), daemon=True) for i in range(len(caller_windows))]
    for t in issuer_threads + caller_threads:
        t.start()
    for t in issuer_threads:
        t.join(timeout=20)
    issuing_done.set()
    # Let the windows work on for a bounded while (they stop early once the hall is empty).
    drain_until = time.monotonic() + 2
    for t in caller_threads:
        t.join(timeout=max(0.0, drain_until - time.monotonic()))
    stop_calling.set()
    for t in caller_threads:
        t.join(timeout=20)
    assert not any(t.is_alive() for t in issuer_threads + caller_threads), "threads did not stop"
    assert not errors, errors

    assert len(issued) == issuers * per_issuer, "issuing did not finish in time"
    assert len({t.id for t in issued}) == len(issued)
    served_ids = [ticket_id for _, _, ticket_id in served]
    assert len(served_ids) == len(set(served_ids)), "a ticket was called by two windows"
    states = check_hall(store, {t.id: t for t in issued}, windows_open=3)
    # Each window finishes what it called before it stops: the rest still waits.
    assert states.get("done", 0) == len(served) > 0
    assert states.get("waiting", 0) == len(issued) - len(served)


# -- separate OS processes ----------------------------------------------------


def test_processes_issue_and_call_on_one_database(
    db_url: str, store: Store, config: Config, hall_file: Path, tmp_path: Path
) -> None:
    """2 kiosk processes and 2 clerk processes (windows 1+3 and window 2) on one database."""
    store.sync_halls(config)
    service = QueueService(store, config)
    for w in (1, 2, 3):
        service.open_window(HALL, w, f"clerk{w}")

    per_issuer = 30
    stop_file = tmp_path / "stop-calling"
    common = ("--url", db_url, "--config", str(hall_file))
    issuers = [
        Worker("issue", *common, "--count", str(per_issuer), "--services", services, "--deadline", "25")
        for services in ("ABC", "CBA")
    ]
    callers = [
        Worker("call", *common, "--windows", windows, "--stop-file", str(stop_file), "--deadline", "30")
        for windows in ("1,3", "2")
    ]
    workers = issuers + callers
    try:
        for w in issuers:
            assert w.finish(timeout=35) == 0, w.stderr
        stop_file.touch()
        for w in callers:
            assert w.finish(timeout=35) == 0, w.stderr
    finally:
        for w in workers:
            w.kill()

    issued = {line["id"]: line for w in issuers for line in w.ops("issue")}
    assert len(issued) == 2 * per_issuer
    # What each clerk process was told it called, started and finished.
    called: dict[int, tuple[int, int]] = {}
    for n, w in enumerate(callers):
        for line in w.ops("call"):
            assert line["id"] not in called, f"ticket {line['number']} called twice"
            called[line["id"]] = (n, line["window"])
        for op in ("start", "finish"):
            assert sorted(line["id"] for line in w.ops(op)) == sorted(line["id"] for line in w.ops("call"))
    assert set(called) == set(issued)  # the clerks emptied the hall
    assert {window for _, window in called.values()} <= {1, 2, 3}
    assert {n for n, window in called.values() if window in (1, 3)} <= {0}
    assert {n for n, window in called.values() if window == 2} <= {1}

    states = check_hall(store, issued, windows_open=3)
    assert states == {"done": len(issued)}
    tickets = {r["id"]: r for r in rows(store, ticket_t)}
    for ticket_id, (_, window) in called.items():
        assert tickets[ticket_id]["window"] == window
    with store.reader(HALL) as r:
        assert r.last_seq() == 3 + 4 * len(issued)


def test_concurrent_transactions_on_one_hall_are_serialised(store: Store, config: Config) -> None:
    """While one transaction holds the hall, another one waits for it (it does not run beside it)."""
    store.sync_halls(config)
    service = QueueService(store, config)
    entered = threading.Event()
    release = threading.Event()
    order: list[str] = []
    errors: list[BaseException] = []

    def holder() -> None:
        try:
            with store.transaction(HALL) as tx:
                tx.last_seq()
                entered.set()
                release.wait(timeout=10)
                order.append("holder commits")
        except BaseException as exc:  # reported below
            errors.append(exc)

    def second() -> None:
        try:
            entered.wait(timeout=10)
            service.issue(HALL, "A")
            order.append("issue done")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=holder, daemon=True), threading.Thread(target=second, daemon=True)]
    for t in threads:
        t.start()
    assert entered.wait(timeout=10)
    time.sleep(0.5)
    assert order == []  # the issue is still waiting for the hall's lock
    release.set()
    for t in threads:
        t.join(timeout=15)
    assert not errors, errors
    assert order == ["holder commits", "issue done"]
    with store.reader(HALL) as r:
        assert r.last_seq() == 1
    assert scalar(store, sa.select(sa.func.count()).select_from(ticket_t)) == 1
