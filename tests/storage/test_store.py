"""The store on both backends: schema, hall sync, transactions, numbering, the event
sequence, the queue reads, the day's rollover, rejected commands and stored times.

Every test runs on a SQLite file and, with HALLQ_TEST_PG set, on PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from queue_server.config import Config
from queue_server.domain import Ticket, TicketState, Tier, WindowState
from queue_server.errors import (
    BadRequest,
    HallQError,
    InvalidTransition,
    NotEligible,
    NotFound,
    NoWindowServes,
    RecallLimitReached,
    WindowBusy,
    WindowUnavailable,
)
from queue_server.rules import lifecycle
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from queue_server.storage.tables import event_t, metadata, service_t, ticket_t, window_service_t, window_t
from tests.conftest import FakeClock

from ._util import dump, engine, rows, scalar

INTEGRITY_ERRORS = (sa.exc.IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)
PRAGMAS = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
HALL = "t"
TABLES = {"hall", "service", "window", "window_service", "ticket_counter", "ticket", "event"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def alembic_head() -> str:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", "queue_server.storage:migrations")
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def new_ticket(service: str, running_number: int, at: datetime, day: date) -> Ticket:
    """A waiting ticket built by the rules, not yet stored."""
    return lifecycle.issue(
        hall=HALL,
        day=day,
        service=service,
        running_number=running_number,
        priority="normal",
        tier=Tier.NORMAL,
        at=at,
        token="tok",
    )


def event_count(store: Store) -> int:
    return int(scalar(store, sa.select(sa.func.count()).select_from(event_t)))


# -- migrations --------------------------------------------------------------


def test_migrations_create_the_schema_and_are_idempotent(fresh_db_url: str, config: Config, clock: FakeClock) -> None:
    first = open_store(fresh_db_url)
    try:
        with engine(first).connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            assert names >= TABLES | {"alembic_version"}
            assert MigrationContext.configure(conn).get_current_heads() == (alembic_head(),)
            # The migrated schema is exactly what the SQLModel tables describe.
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
            uniques = {u["name"] for u in sa.inspect(conn).get_unique_constraints("ticket")}
            assert "uq_ticket_number" in uniques
            assert "uq_event_seq" in {u["name"] for u in sa.inspect(conn).get_unique_constraints("event")}
            indexes = {i["name"] for i in sa.inspect(conn).get_indexes("ticket")}
            assert {"ix_ticket_queue", "ix_ticket_window"} <= indexes
        first.sync_halls(config)
        issued = QueueService(first, config, clock=clock).issue(HALL, "A")
    finally:
        first.close()

    # Open the same URL again, migrating again: nothing changes, nothing is lost.
    for _ in range(2):
        again = open_store(fresh_db_url)
        try:
            with engine(again).connect() as conn:
                assert MigrationContext.configure(conn).get_current_heads() == (alembic_head(),)
                assert int(conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar_one()) == 1
            with again.reader(HALL) as r:
                assert r.ticket(issued.ticket.id) == issued.ticket
                assert r.last_seq() == 1
        finally:
            again.close()


def test_migrations_downgrade_to_nothing_and_upgrade_again(fresh_db_url: str) -> None:
    store = open_store(fresh_db_url)
    try:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", "queue_server.storage:migrations")
        with engine(store).begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        with engine(store).connect() as conn:
            assert not TABLES & set(sa.inspect(conn).get_table_names())
        store.migrate()
        with engine(store).connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) >= TABLES
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        store.close()


def test_open_store_without_migrate_runs_no_migration(fresh_db_url: str) -> None:
    store = open_store(fresh_db_url, migrate=False)
    try:
        with engine(store).connect() as conn:
            assert not TABLES & set(sa.inspect(conn).get_table_names())
    finally:
        store.close()


# -- hall sync ---------------------------------------------------------------


def test_sync_halls_creates_halls_services_and_windows(store: Store, config: Config) -> None:
    store.sync_halls(config)
    assert store.halls() == [HALL]
    services = {r["code"]: r for r in rows(store, service_t)}
    assert set(services) == {"A", "B", "C", "D"}
    assert services["B"]["name_zh"] == "不动产登记" and services["B"]["expected_minutes"] == 20
    assert all(r["active"] for r in services.values())
    with store.reader(HALL) as r:
        windows = {w.number: w for w in r.windows()}
        assert set(windows) == {1, 2, 3}
        assert windows[1].services == {"A": 1.0, "B": 1.0}
        assert windows[2].services == {"B": 2.0, "C": 1.0}
        assert windows[3].services == {"C": 1.0}
        assert windows[3].kind.value == "dedicated"
        assert all(w.state is WindowState.CLOSED for w in windows.values())
        assert r.window(4) is None


def test_resync_updates_names_deactivates_services_and_closes_windows(
    store: Store, config: Config, service: QueueService
) -> None:
    service.open_window(HALL, 3, "clerk3")
    service.open_window(HALL, 2, "clerk2")
    hall = config.halls[0]
    renamed = replace(
        hall,
        name_zh="新测试大厅",
        name_en="Renamed hall",
        services=tuple(
            replace(s, name_zh="企业开办（新）", expected_minutes=12) if s.code == "A" else s
            for s in hall.services
            if s.code != "C"
        ),
        windows=(hall.windows[0], replace(hall.windows[1], services={"B": 3.0})),
    )
    other = replace(hall, slug="u", name_zh="另一个大厅", windows=hall.windows[:1])
    store.sync_halls(Config(halls=(renamed, other)))

    assert store.halls() == [HALL, "u"]
    with engine(store).connect() as conn:
        hall_row = conn.execute(sa.text("SELECT name_zh, name_en FROM hall WHERE slug = 't'")).one()
    assert tuple(hall_row) == ("新测试大厅", "Renamed hall")
    services = {r["code"]: r for r in rows(store, service_t) if r["hall"] == HALL}
    assert set(services) == {"A", "B", "C", "D"}  # C is kept for old tickets' history...
    assert not services["C"]["active"]  # ...but no longer offered
    assert services["A"]["active"] and services["A"]["name_zh"] == "企业开办（新）"
    assert services["A"]["expected_minutes"] == 12
    with store.reader(HALL) as r:
        w3 = r.window(3)
        assert w3 is not None and w3.state is WindowState.CLOSED and w3.staff is None and w3.services == {}
        w2 = r.window(2)
        assert w2 is not None and w2.services == {"B": 3.0}
        assert w2.state is WindowState.OPEN and w2.staff == "clerk2"  # kept windows keep their state
    with store.reader("u") as r:
        assert [w.number for w in r.windows()] == [1]

    # Putting C back in the file offers it again.
    store.sync_halls(config)
    assert all(r["active"] for r in rows(store, service_t) if r["hall"] == HALL)
    assert {r["window"] for r in rows(store, window_service_t) if r["hall"] == HALL and r["service"] == "C"} == {2, 3}


# -- transactions ------------------------------------------------------------


def test_exception_in_transaction_rolls_back_ticket_counter_and_event(store: Store, service: QueueService) -> None:
    day = service.business_day(HALL)
    before = dump(store)
    with pytest.raises(RuntimeError, match="boom"), store.transaction(HALL) as tx:
        n = tx.next_number("A", day)
        ticket = tx.insert_ticket(new_ticket("A", n, service.clock(), day))
        tx.append(lifecycle.issued_event(ticket))
        # Inside the transaction the writes are visible...
        assert tx.ticket(ticket.id) == ticket
        assert tx.last_seq() == 1
        raise RuntimeError("boom")
    # ...after it, nothing of them is.
    assert dump(store) == before
    with store.reader(HALL) as r:
        assert r.ticket(ticket.id) is None
        assert r.last_seq() == 0 and r.events() == []
    assert service.issue(HALL, "A").ticket.number == "A001"


def test_transaction_takes_the_halls_lock_up_front(db_url: str, store: Store, service: QueueService) -> None:
    """Before the transaction has written anything, nobody else can take the hall for writing."""
    with store.transaction(HALL) as tx:
        tx.last_seq()  # a read only
        if db_url.startswith("sqlite"):
            other = sqlite3.connect(sa.make_url(db_url).database, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
                assert other.execute("SELECT count(*) FROM hall").fetchone() == (1,)  # reads go on (WAL)
            finally:
                other.close()
        else:
            with psycopg.connect(sa.make_url(db_url).render_as_string(hide_password=False)) as other:
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    other.execute("SELECT slug FROM hall WHERE slug = 't' FOR UPDATE NOWAIT")
                other.rollback()
                assert other.execute("SELECT count(*) FROM hall").fetchone() == (1,)
    # Released at the end of the transaction.
    assert service.issue(HALL, "A").ticket.number == "A001"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sqlite_connections_use_wal_full_sync_and_a_busy_timeout(store: Store) -> None:
    with engine(store).connect() as conn:
        pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in PRAGMAS}
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 30_000, "foreign_keys": 1}


def test_uncommitted_writes_are_invisible_to_readers(store: Store, service: QueueService) -> None:
    day = service.business_day(HALL)
    with store.transaction(HALL) as tx:
        ticket = tx.insert_ticket(new_ticket("A", tx.next_number("A", day), service.clock(), day))
        tx.append(lifecycle.issued_event(ticket))
        with store.reader(HALL) as r:
            assert r.ticket(ticket.id) is None
            assert r.last_seq() == 0
    with store.reader(HALL) as r:
        assert r.ticket(ticket.id) == ticket
        assert r.last_seq() == 1


def test_unknown_hall_raises_not_found(store: Store, service: QueueService) -> None:
    with pytest.raises(NotFound), store.transaction("nope"):
        pytest.fail("a transaction on an unknown hall must not start")
    with pytest.raises(NotFound), store.reader("nope"):
        pytest.fail("a reader on an unknown hall must not start")
    # The known hall still works after the refusals.
    with store.reader(HALL) as r:
        assert r.last_seq() == 0


def test_unknown_hall_raises_not_found_before_any_sync(store: Store) -> None:
    with pytest.raises(NotFound), store.transaction(HALL):
        pass
    with pytest.raises(NotFound), store.reader(HALL):
        pass


# -- numbering ---------------------------------------------------------------


def test_numbers_run_per_service_and_restart_next_business_day(
    store: Store, service: QueueService, clock: FakeClock
) -> None:
    day1 = service.business_day(HALL)
    numbers = [service.issue(HALL, s).ticket.number for s in "AABACBA"]
    assert numbers == ["A001", "A002", "B001", "A003", "C001", "B002", "A004"]
    clock.advance(24 * 3600)
    day2 = service.business_day(HALL)
    assert day2 == day1 + timedelta(days=1)
    numbers2 = [service.issue(HALL, s).ticket.number for s in "BAA"]
    assert numbers2 == ["B001", "A001", "A002"]

    tickets = rows(store, ticket_t)
    pairs = Counter((t["business_day"], t["number"]) for t in tickets)
    assert max(pairs.values()) == 1
    assert {t["number"] for t in tickets if t["business_day"] == day2} == {"B001", "A001", "A002"}


def test_business_day_follows_the_halls_time_zone(service: QueueService, clock: FakeClock) -> None:
    # 23:59:59 in Shanghai is 15:59:59 UTC; one second later is a new business day there.
    clock.now = datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC)
    late = service.issue(HALL, "A").ticket
    clock.advance(1)
    early = service.issue(HALL, "A").ticket
    assert (late.business_day.isoformat(), late.number) == ("2026-11-23", "A001")
    assert (early.business_day.isoformat(), early.number) == ("2026-11-24", "A001")


def test_duplicate_number_on_one_day_is_refused_by_the_database(store: Store, service: QueueService) -> None:
    first = service.issue(HALL, "A").ticket
    before = dump(store)
    # Hot statements run on the driver's cursor, so the driver's own error may come through.
    with pytest.raises(INTEGRITY_ERRORS, match=r"(?i)unique|uq_ticket_number"), store.transaction(HALL) as tx:
        tx.insert_ticket(new_ticket("A", 1, service.clock(), first.business_day))
    assert dump(store) == before


# -- the event sequence ------------------------------------------------------


def test_event_seq_is_gapless_across_commands(store: Store, service: QueueService, clock: FakeClock) -> None:
    seqs: list[int] = []
    seqs += [e.seq for e in service.open_window(HALL, 1, "c1").events]
    seqs += [e.seq for e in service.open_window(HALL, 3, "c3").events]
    a = service.issue(HALL, "A")
    seqs += [e.seq for e in a.events]
    seqs += [e.seq for e in service.issue(HALL, "B").events]
    clock.advance(30)
    with pytest.raises(InvalidTransition):
        service.finish(HALL, 1)  # rejected: takes no number
    nothing = service.call_next(HALL, 3)  # nobody waits for C: no event
    assert nothing.ticket is None and nothing.events == []
    for clerk_action in (service.call_next, service.recall, service.start):
        clock.advance(5)
        seqs += [e.seq for e in clerk_action(HALL, 1).events]
    with pytest.raises(NoWindowServes):
        service.issue(HALL, "D")  # rejected after the ticket was written: rolled back
    seqs += [e.seq for e in service.finish(HALL, 1).events]
    seqs += [e.seq for e in service.issue(HALL, "C").events]

    n = len(seqs)
    assert seqs == list(range(1, n + 1))
    with store.reader(HALL) as r:
        assert [e.seq for e in r.events()] == seqs
        assert r.last_seq() == n
        assert [e.seq for e in r.events(after_seq=3, limit=2)] == [4, 5]
        assert [e.kind for e in r.ticket_events(a.ticket.id)] == [
            "ticket.issue",
            "ticket.call",
            "ticket.recall",
            "ticket.start",
            "ticket.finish",
        ]
    assert event_count(store) == n


# -- queue reads -------------------------------------------------------------


def test_heads_give_one_ticket_per_service_and_tier_plus_targeted_and_returned(
    store: Store, service: QueueService, clock: FakeClock
) -> None:
    day = service.business_day(HALL)

    def issue(svc: str, priority: str = "normal") -> Ticket:
        clock.advance(1)
        return service.issue(HALL, svc, priority).ticket

    a_normal = [issue("A"), issue("A"), issue("A")]
    a_elderly = [issue("A", "elderly"), issue("A", "disabled")]  # one tier: PRIORITY
    a_green = [issue("A", "green"), issue("A", "green")]
    clock.advance(1)
    a_appt = service.issue(HALL, "A", appointment="APT-1", slot_start=clock.now + timedelta(minutes=5)).ticket
    b_normal = [issue("B"), issue("B")]
    c_normal = [issue("C")]

    # Window 2 calls B001, then sends it to window 1 by name; window 1 holds a visitor who is back.
    service.open_window(HALL, 2, "c2")
    service.open_window(HALL, 1, "c1")
    called = service.call_next(HALL, 2).ticket
    assert called is not None and called.id == b_normal[0].id
    service.transfer(HALL, 2, to_window=1, reason="需要窗口1办理")
    held = service.call_next(HALL, 1).ticket
    assert held is not None and held.id == a_green[0].id
    service.hold(HALL, 1, reason="取材料")
    with store.reader(HALL) as r:
        w1 = r.window(1)
        assert w1 is not None
        ids = [t.id for t in r.heads(w1, day)]
    # Held but not back yet: not a head.
    assert held.id not in ids
    with store.reader(HALL) as r:
        assert [t.id for t in r.held_tickets(1)] == [held.id]
        assert r.current_ticket(1) is None
    service.mark_returned(HALL, held.id)

    with store.reader(HALL) as r:
        w1, w2, w3 = r.window(1), r.window(2), r.window(3)
        assert w1 is not None and w2 is not None and w3 is not None
        heads1 = r.heads(w1, day)
        heads2 = r.heads(w2, day)
        heads3 = r.heads(w3, day)
    ids1 = [t.id for t in heads1]
    assert len(ids1) == len(set(ids1))
    assert set(ids1) == {
        a_normal[0].id,
        a_elderly[0].id,
        a_green[1].id,  # a_green[0] is held, so the next green one heads the line
        a_appt.id,
        b_normal[1].id,  # B's normal line (B001 left it for window 1)
        b_normal[0].id,  # transferred to window 1 by name
        held.id,  # held at window 1, visitor back
    }
    untargeted = [(t.service, t.tier) for t in heads1 if t.state is TicketState.WAITING and t.target_window is None]
    assert len(untargeted) == len(set(untargeted))
    assert {t.id for t in heads2} == {b_normal[1].id, c_normal[0].id}  # not B001 (targeted elsewhere)
    assert {t.id for t in heads3} == {c_normal[0].id}
    # Another day's lines are empty (only the held visitor, who is not tied to a day, stays).
    with store.reader(HALL) as r:
        assert [t for t in r.heads(w1, day + timedelta(days=1)) if t.state is TicketState.WAITING] == []


def test_count_ahead_counts_own_line_by_tier_then_arrival(
    store: Store, service: QueueService, clock: FakeClock
) -> None:
    def issue(svc: str, priority: str = "normal") -> tuple[Ticket, int]:
        clock.advance(1)
        issued = service.issue(HALL, svc, priority)
        return issued.ticket, issued.ahead

    a1, ahead1 = issue("A")
    b1, ahead_b = issue("B")
    a2, ahead2 = issue("A")
    a3, ahead3 = issue("A", "elderly")
    a4, ahead4 = issue("A", "green")
    assert (ahead1, ahead_b, ahead2, ahead3, ahead4) == (0, 0, 1, 0, 0)
    with store.reader(HALL) as r:
        now = {t.number: r.count_ahead(t) for t in (a1, a2, a3, a4, b1)}
    # green A, elderly A, then A001, A002 by arrival; B is its own line.
    assert now == {a4.number: 0, a3.number: 1, a1.number: 2, a2.number: 3, b1.number: 0}

    service.open_window(HALL, 1, "c1")
    first = service.call_next(HALL, 1).ticket
    assert first is not None and first.id == a4.id
    with store.reader(HALL) as r:
        assert r.count_ahead(a2) == 2
        assert r.count_ahead(a3) == 0
        assert r.waiting_counts(a1.business_day) == {"A": 3, "B": 1}


def test_reactivated_no_show_goes_back_behind_the_configured_people(
    store: Store, service: QueueService, clock: FakeClock
) -> None:
    service.open_window(HALL, 1, "c1")
    tickets = []
    for _ in range(5):
        clock.advance(1)
        tickets.append(service.issue(HALL, "A").ticket)
    late = service.call_next(HALL, 1).ticket
    assert late is not None and late.id == tickets[0].id
    service.no_show(HALL, 1)
    with store.reader(HALL) as r:
        assert r.current_ticket(1) is None
        assert r.line_keys(late.business_day, "A", Tier.NORMAL, 10) == [t.order_key for t in tickets[1:]]
    back = service.reactivate(HALL, late.id).ticket
    assert back is not None and back.state is TicketState.WAITING
    with store.reader(HALL) as r:
        assert r.count_ahead(back) == 2  # the small hall's requeue_after
        keys = r.line_keys(late.business_day, "A", Tier.NORMAL, 10)
    assert keys == sorted(keys) and keys.index(back.order_key) == 2
    following = service.call_next(HALL, 1).ticket
    assert following is not None and following.id == tickets[1].id


# -- the business day's end --------------------------------------------------


def test_rollover_marks_earlier_open_tickets_not_served(store: Store, service: QueueService, clock: FakeClock) -> None:
    service.open_window(HALL, 1, "c1")
    waiting = service.issue(HALL, "A").ticket
    no_show = service.issue(HALL, "A").ticket
    held = service.issue(HALL, "A").ticket
    done = service.issue(HALL, "A").ticket
    cancelled = service.issue(HALL, "A").ticket
    late_waiting = service.issue(HALL, "B").ticket
    service.call_ticket(HALL, 1, no_show.id, reason="测试")
    service.no_show(HALL, 1)
    service.call_ticket(HALL, 1, held.id, reason="测试")
    service.start(HALL, 1)
    service.hold(HALL, 1, reason="取材料")
    service.call_ticket(HALL, 1, done.id, reason="测试")
    service.start(HALL, 1)
    service.finish(HALL, 1)
    service.cancel(HALL, cancelled.id)

    clock.advance(24 * 3600)
    today = service.issue(HALL, "A").ticket
    assert today.number == "A001"
    seq_before = event_count(store)
    out = service.rollover(HALL)

    states = {r["id"]: r["state"] for r in rows(store, ticket_t)}
    assert states == {
        waiting.id: "not_served",
        no_show.id: "not_served",
        held.id: "not_served",
        done.id: "done",
        cancelled.id: "cancelled",
        late_waiting.id: "not_served",
        today.id: "waiting",
    }
    assert sorted(e.ticket_id for e in out.events if e.ticket_id is not None) == sorted(
        [waiting.id, no_show.id, held.id, late_waiting.id]
    )
    assert {(e.kind, e.to_state) for e in out.events} == {("ticket.rollover", "not_served")}
    assert {e.from_state for e in out.events} == {"waiting", "no_show", "held"}
    assert event_count(store) == seq_before + 4
    # A second rollover has nothing left to do.
    assert service.rollover(HALL).events == []


# -- rejected commands -------------------------------------------------------


@pytest.fixture
def busy_hall(service: QueueService, clock: FakeClock) -> dict[str, Ticket]:
    """Window 1 open with A001 called and already recalled to the limit (2); window 2 open
    and idle; window 3 closed; A002, B001 and C001 waiting."""
    service.open_window(HALL, 1, "c1")
    service.open_window(HALL, 2, "c2")
    a1 = service.issue(HALL, "A").ticket
    a2 = service.issue(HALL, "A").ticket
    service.issue(HALL, "B")
    service.issue(HALL, "C")
    clock.advance(10)
    called = service.call_ticket(HALL, 1, a1.id, reason="测试").ticket
    assert called is not None and called.id == a1.id
    service.recall(HALL, 1)
    service.recall(HALL, 1)
    return {"a1": a1, "a2": a2}


Rejection = Callable[[QueueService, dict[str, Ticket]], object]
REJECTIONS: dict[str, tuple[type[HallQError], Rejection]] = {
    "finish with no ticket": (InvalidTransition, lambda s, t: s.finish(HALL, 2)),
    "finish before start": (InvalidTransition, lambda s, t: s.finish(HALL, 1)),
    "start with no ticket": (InvalidTransition, lambda s, t: s.start(HALL, 2)),
    "call from a closed window": (WindowUnavailable, lambda s, t: s.call_next(HALL, 3)),
    "call from a busy window": (WindowBusy, lambda s, t: s.call_next(HALL, 1)),
    "call a ticket the window does not serve": (
        NotEligible,
        lambda s, t: s.call_ticket(HALL, 2, t["a2"].id, reason="测试"),
    ),
    "call from a window that does not exist": (NotFound, lambda s, t: s.call_next(HALL, 9)),
    "transfer to a service no window serves": (NoWindowServes, lambda s, t: s.transfer(HALL, 1, service="D")),
    "transfer to an unknown service": (NotFound, lambda s, t: s.transfer(HALL, 1, service="Z")),
    "transfer to a missing window": (NotFound, lambda s, t: s.transfer(HALL, 1, to_window=9)),
    "issue for an unknown service": (NotFound, lambda s, t: s.issue(HALL, "Z")),
    "issue for a service no window serves": (NoWindowServes, lambda s, t: s.issue(HALL, "D")),
    "issue with an unknown priority": (BadRequest, lambda s, t: s.issue(HALL, "A", "vip")),
    "recall beyond the limit": (RecallLimitReached, lambda s, t: s.recall(HALL, 1)),
    "open an open window": (InvalidTransition, lambda s, t: s.open_window(HALL, 1)),
    "close a busy window": (WindowBusy, lambda s, t: s.close_window(HALL, 1)),
    "reactivate a waiting ticket": (InvalidTransition, lambda s, t: s.reactivate(HALL, t["a2"].id)),
    "cancel a missing ticket": (NotFound, lambda s, t: s.cancel(HALL, 999_999)),
    "set services to an unknown one": (NotFound, lambda s, t: s.set_window_services(HALL, 2, {"Z": 1.0})),
}


@pytest.mark.parametrize("case", list(REJECTIONS))
def test_rejected_command_changes_nothing(
    case: str, store: Store, service: QueueService, busy_hall: dict[str, Ticket], clock: FakeClock
) -> None:
    error, command = REJECTIONS[case]
    clock.advance(5)
    before = dump(store)
    with pytest.raises(error) as raised:
        command(service, busy_hall)
    assert isinstance(raised.value, HallQError)
    assert raised.value.message
    assert dump(store) == before
    # The hall still works, and the next number is the one that would have come anyway.
    assert service.issue(HALL, "A").ticket.number == "A003"
    with store.reader(HALL) as r:
        assert r.last_seq() == len(before["event"]) + 1


def test_failed_issue_after_the_number_was_taken_spends_no_number(store: Store, service: QueueService) -> None:
    """A service no window serves is found out after the counter moved: all of it rolls back."""
    before = dump(store)
    with pytest.raises(NoWindowServes):
        service.issue(HALL, "D")
    with pytest.raises(BadRequest, match="slot"):
        service.issue(HALL, "A", appointment="APT-9")
    assert dump(store) == before
    service.set_window_services(HALL, 3, {"C": 1.0, "D": 1.0})
    assert service.issue(HALL, "D").ticket.number == "D001"


# -- stored times ------------------------------------------------------------


def _read_back(url: str, ticket_id: int) -> tuple[Ticket, list[datetime]]:
    """Through a brand-new store (new engine, new connections)."""
    store = open_store(url, migrate=False)
    try:
        with store.reader(HALL) as r:
            ticket = r.ticket(ticket_id)
            assert ticket is not None
            return ticket, [e.at for e in r.ticket_events(ticket_id)]
    finally:
        store.close()


def test_aware_utc_times_round_trip(db_url: str, store: Store, service: QueueService, clock: FakeClock) -> None:
    issued_at = datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC)
    clock.now = issued_at
    service.open_window(HALL, 1, "c1")
    ticket = service.issue(HALL, "A").ticket
    # The clock may hand out any aware time: it is the same instant, stored as UTC.
    called_at = datetime(2026, 11, 23, 9, 5, 0, 1, tzinfo=SHANGHAI)
    clock.now = called_at
    service.call_next(HALL, 1)
    clock.now = started_at = datetime(2026, 11, 23, 1, 6, 0, 999999, tzinfo=UTC)
    service.start(HALL, 1)
    clock.now = finished_at = datetime(2026, 11, 23, 1, 16, 30, 500000, tzinfo=UTC)
    service.finish(HALL, 1)

    back, event_times = _read_back(db_url, ticket.id)
    for got, want in (
        (back.issued_at, issued_at),
        (back.called_at, called_at),
        (back.started_at, started_at),
        (back.finished_at, finished_at),
    ):
        assert got is not None
        assert got == want
        assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert event_times == [issued_at, called_at, started_at, finished_at]
    assert all(t.utcoffset() == timedelta(0) for t in event_times)
    assert back.business_day.isoformat() == "2026-11-23"

    with engine(store).connect() as conn:
        if conn.dialect.name == "sqlite":
            raw = conn.exec_driver_sql("SELECT issued_at, called_at FROM ticket").one()
            # SQLite keeps UTC wall-clock text.
            assert str(raw[0]).startswith("2026-11-23 01:02:03.456789")
            assert str(raw[1]).startswith("2026-11-23 01:05:00.000001")
        else:
            raw = conn.exec_driver_sql(
                "SELECT pg_typeof(issued_at)::text, issued_at AT TIME ZONE 'UTC' FROM ticket"
            ).one()
            assert raw[0] == "timestamp with time zone"
            assert raw[1] == datetime(2026, 11, 23, 1, 2, 3, 456789)
    with store.reader(HALL) as r:
        assert r.line_stats(replace(back, id=0, state=TicketState.WAITING), 5).recent_mean_s == pytest.approx(
            629.500001
        )


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_times_do_not_depend_on_the_session_time_zone(db_url: str, store: Store, config: Config) -> None:
    """A PostgreSQL server (or role) set to Asia/Shanghai changes nothing that is stored or read."""
    store.sync_halls(config)
    shanghai_url = sa.make_url(db_url).update_query_dict({"options": "-c timezone=Asia/Shanghai"})
    local = open_store(shanghai_url.render_as_string(hide_password=False), migrate=False)
    try:
        with engine(local).connect() as conn:
            assert conn.exec_driver_sql("SHOW timezone").scalar_one() == "Asia/Shanghai"
        at = datetime(2026, 11, 23, 15, 59, 59, 999999, tzinfo=UTC)  # 23:59:59.999999 in Shanghai
        service = QueueService(local, config, clock=lambda: at)
        service.open_window(HALL, 1)
        ticket = service.issue(HALL, "A").ticket
        service.call_next(HALL, 1)
        for reader_store in (local, store):
            with reader_store.reader(HALL) as r:
                back = r.ticket(ticket.id)
                assert back is not None
                assert back.issued_at == at and back.called_at == at
                assert back.issued_at.utcoffset() == timedelta(0)
                assert back.business_day.isoformat() == "2026-11-23"
                assert [e.at for e in r.ticket_events(ticket.id)] == [at, at]
        with engine(store).connect() as conn:
            raw = conn.exec_driver_sql("SELECT issued_at AT TIME ZONE 'UTC' FROM ticket").scalar_one()
        assert raw == datetime(2026, 11, 23, 15, 59, 59, 999999)
    finally:
        local.close()


def test_naive_times_are_refused(store: Store, service: QueueService) -> None:
    day = service.business_day(HALL)
    before = dump(store)
    with pytest.raises((ValueError, sa.exc.StatementError), match="naive"), store.transaction(HALL) as tx:
        tx.insert_ticket(new_ticket("A", 1, datetime(2026, 11, 23, 9, 0), day))
    with pytest.raises((ValueError, sa.exc.StatementError), match="naive"), store.transaction(HALL) as tx:
        tx.append(replace(lifecycle.issued_event(new_ticket("A", 1, service.clock(), day)), at=datetime(2026, 11, 23)))
    assert dump(store) == before


# -- several halls -------------------------------------------------------------


def test_halls_number_and_sequence_independently(store: Store, config: Config, clock: FakeClock) -> None:
    hall = config.halls[0]
    two = Config(halls=(hall, replace(hall, slug="u", name_zh="另一个大厅")))
    store.sync_halls(two)
    service = QueueService(store, two, clock=clock)
    got = [(slug, service.issue(slug, "A").ticket.number) for slug in ("t", "u", "u", "t", "u")]
    assert got == [("t", "A001"), ("u", "A001"), ("u", "A002"), ("t", "A002"), ("u", "A003")]
    service.open_window("u", 1)
    called = service.call_next("u", 1).ticket
    assert called is not None and (called.hall, called.number) == ("u", "A001")
    for slug, n in (("t", 2), ("u", 5)):
        with store.reader(slug) as r:
            assert [e.seq for e in r.events()] == list(range(1, n + 1))
            assert {e.hall for e in r.events()} == {slug}
    with store.reader("t") as r:
        assert r.ticket(called.id) is None  # another hall's ticket is not visible here
        assert r.waiting_counts(called.business_day) == {"A": 2}


# -- the window's own rows ----------------------------------------------------


def test_window_state_and_services_persist(store: Store, service: QueueService) -> None:
    service.open_window(HALL, 2, "c2")
    service.pause_window(HALL, 2, "午休")
    service.set_window_services(HALL, 2, {"C": 1.5, "D": 2.0})
    with store.reader(HALL) as r:
        w = r.window(2)
        assert w is not None
        assert (w.state, w.staff, w.pause_reason) == (WindowState.PAUSED, "c2", "午休")
        assert w.services == {"C": 1.5, "D": 2.0}
    assert {r["number"]: r["state"] for r in rows(store, window_t)} == {1: "closed", 2: "paused", 3: "closed"}
    # Now D has a window: a D ticket can be issued.
    assert service.issue(HALL, "D").ticket.number == "D001"


def test_current_tickets_reads_every_windows_current_ticket_at_once(store: Store, service: QueueService) -> None:
    service.open_window(HALL, 1, "c1")
    service.open_window(HALL, 2, "c2")
    for _ in range(3):
        service.issue(HALL, "B")
    first = service.call_next(HALL, 1).ticket
    second = service.call_next(HALL, 2).ticket
    service.start(HALL, 2)
    assert first is not None and second is not None
    with store.reader(HALL) as r:
        at = r.current_tickets([1, 2, 3])
        assert {n: t.id for n, t in at.items()} == {1: first.id, 2: second.id}
        assert all(at[n] == r.current_ticket(n) for n in (1, 2)) and r.current_ticket(3) is None
        assert r.current_tickets([]) == {}
