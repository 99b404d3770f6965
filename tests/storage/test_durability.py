"""SIGKILL for real: a server process issuing and serving tickets is killed in the
middle of its work. Everything it acknowledged (printed after the command
returned) must be in the database afterwards, exactly as acknowledged, and no
number may be handed out twice."""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from queue_server.config import Config
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from queue_server.storage.tables import event_t, ticket_t

from ._util import Worker, engine, rows

HALL = "t"
ACKNOWLEDGED_ISSUES = 50
# The worker's commands for one ticket, in order, and the state each leaves it in.
CHAIN = ["issue", "call", "start", "finish"]
STATE_AFTER = {"issue": "waiting", "call": "called", "start": "serving", "finish": "done"}
EVENT_OF = {"issue": "ticket.issue", "call": "ticket.call", "start": "ticket.start", "finish": "ticket.finish"}


def kill_mid_load(db_url: str, hall_file: Path) -> list[dict[str, Any]]:
    """Run the mixed worker until it acknowledged enough tickets, SIGKILL it, return its lines."""
    worker = Worker("mixed", "--url", db_url, "--config", str(hall_file), "--services", "AB", "--deadline", "30")
    try:
        worker.wait_for(lambda lines: sum(line["op"] == "issue" for line in lines) >= ACKNOWLEDGED_ISSUES, 30)
        # Land the kill anywhere: inside a transaction, between two, in the middle of serving.
        time.sleep(random.uniform(0, 0.03))
        worker.sigkill()
        assert worker.proc.returncode == -9
    finally:
        worker.kill()
    return worker.seen


def test_sigkill_loses_nothing_acknowledged(db_url: str, store: Store, config: Config, hall_file: Path) -> None:
    store.sync_halls(config)
    QueueService(store, config).open_window(HALL, 1, "clerk1")
    store.close()

    lines = kill_mid_load(db_url, hall_file)
    acked: dict[int, dict[str, Any]] = {}  # ticket id -> its last acknowledged line
    acked_ops: list[tuple[int, str]] = []
    for line in lines:
        if line["op"] in STATE_AFTER:
            assert line["state"] == STATE_AFTER[line["op"]]
            if line["op"] == "issue":
                assert line["id"] not in acked
            else:
                assert CHAIN.index(line["op"]) == CHAIN.index(acked[line["id"]]["op"]) + 1
            acked[line["id"]] = line
            acked_ops.append((line["id"], line["op"]))
    assert sum(op == "issue" for _, op in acked_ops) >= ACKNOWLEDGED_ISSUES
    assert any(op == "finish" for _, op in acked_ops), "the worker never served anybody"

    # Reopen, as a restarted server would.
    reopened = open_store(db_url)
    try:
        with engine(reopened).connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        tickets = {r["id"]: r for r in rows(reopened, ticket_t)}
        events = rows(reopened, event_t)

        # Every acknowledged ticket is there with its number; its state is the acknowledged
        # one, except that the one command in flight at the kill may have committed too.
        in_flight = []
        for ticket_id, line in acked.items():
            row = tickets.get(ticket_id)
            assert row is not None, f"acknowledged ticket {line['number']} is gone"
            assert row["number"] == line["number"]
            assert row["service"] == line["service"]
            step = CHAIN.index(line["op"])
            if row["state"] != line["state"]:
                assert step + 1 < len(CHAIN) and row["state"] == STATE_AFTER[CHAIN[step + 1]], (line, row["state"])
                in_flight.append((ticket_id, CHAIN[step + 1]))
        unacked = [t for ticket_id, t in tickets.items() if ticket_id not in acked]
        for t in unacked:
            assert t["state"] == "waiting"
            in_flight.append((t["id"], "issue"))
        assert len(in_flight) <= 1, in_flight

        # Numbers: unique, and per service a gapless run (a killed issue spends no number
        # unless its ticket was stored).
        assert max(Counter((t["business_day"], t["number"]) for t in tickets.values()).values()) == 1
        for svc in "AB":
            numbers = sorted(int(t["number"][1:]) for t in tickets.values() if t["service"] == svc)
            assert numbers == list(range(1, len(numbers) + 1))

        # The events match: one per acknowledged command (plus the window's opening and the
        # command in flight, if it committed), in a gapless sequence.
        have = Counter((e["ticket_id"], e["kind"]) for e in events if e["ticket_id"] is not None)
        want = Counter((ticket_id, EVENT_OF[op]) for ticket_id, op in acked_ops + in_flight)
        assert have == want
        issue_numbers = {e["ticket_id"]: e["detail"]["number"] for e in events if e["kind"] == "ticket.issue"}
        assert {i: acked[i]["number"] for i in acked} == {i: issue_numbers[i] for i in acked}
        assert sorted(e["seq"] for e in events) == list(range(1, len(events) + 1))
        assert len(events) == 1 + len(acked_ops) + len(in_flight)

        # The stored counter is exactly where the stored tickets are (behind would reuse a number).
        with engine(reopened).connect() as conn:
            counters = dict(conn.execute(sa.text("SELECT service, last FROM ticket_counter")).all())
        assert counters == Counter(t["service"] for t in tickets.values())

        # The restarted server goes on from the next number: nothing is reused.
        service = QueueService(reopened, config)
        for svc in "AB":
            last = max(int(t["number"][1:]) for t in tickets.values() if t["service"] == svc)
            assert service.issue(HALL, svc).ticket.number == f"{svc}{last + 1:03d}"
        # And the window goes on too: finish what was in flight, then call the next one.
        with reopened.reader(HALL) as r:
            current = r.current_ticket(1)
        if current is not None and current.state.value == "called":
            service.start(HALL, 1)
        if current is not None:
            service.finish(HALL, 1)
        called = service.call_next(HALL, 1).ticket
        assert called is not None and called.state.value == "called"
    finally:
        reopened.close()
