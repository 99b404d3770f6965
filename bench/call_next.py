"""Call-next cost against queue size: QueueService.call_next with 1,000 and 100,000 waiting.

Requirement: call-next stays flat as the queue grows: its median cost with 100,000
waiting tickets across 20 services is at most 1.5 times its cost with 1,000.

    .venv/bin/python -m bench.call_next [--sizes 1000,100000] [--calls 200] [--rounds 5] [--pg URL]

The demo hall has fewer than 20 services, so this benchmark generates its own hall
"bench": 20 services and 20 windows serving 4-6 services each, with weights. Each
queue is filled fast: the first tickets through QueueService.issue, the rest with one
bulk insert of rows built by the project's own lifecycle.issue / ticket_values (plus
their ticket.issue events and the number counters), so they are indistinguishable
from issued ones. Every timed call is followed, untimed, by a no-show (the window is
free again) and the issue of a replacement ticket (the queue keeps its size).

A bare baseline in the same run (sqlite3 / psycopg: SELECT the head of one line
ORDER BY ... LIMIT 1, UPDATE it, COMMIT, on a same-size table with the same queue
index) shows the floor. Rounds alternate sizes and sides. The exit code is always 0.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import random
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from queue_server.config import Config, demo_config, parse_config
from queue_server.domain import Ticket, TicketState
from queue_server.rules import lifecycle
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from queue_server.storage.sql import ticket_values
from queue_server.storage.tables import counter_t, event_t, ticket_t

from ._common import (
    PG_UNAVAILABLE,
    add_db_args,
    fmt_ms,
    format_profile,
    machine_line,
    median,
    percentile,
    pg_not_measured,
    pg_wanted,
    private_pg_database,
    psycopg_conninfo,
    safe_url,
    sqlite_connect,
    table,
    verdict,
)

HALL = "bench"
TARGET = 1.5
# 20 ticket prefixes; I and O are skipped (they read like 1 and 0 on LED screens).
CODES = tuple("ABCDEFGHJKLMNPQRSTUV")
# Priority classes at the kiosk: mostly normal, some priority (elderly, disabled) and green.
PRIORITIES = (("normal", 0.90), ("elderly", 0.05), ("disabled", 0.03), ("green", 0.02))
Row = tuple[Any, ...]
EVENT_COLUMNS = ("hall", "seq", "at", "kind", "ticket_id", "window", "staff", "from_state", "to_state", "detail")


# -- the hall ------------------------------------------------------------------------


def window_services(k: int) -> dict[str, float]:
    """Window k+1 serves 4-6 services: two main ones, helpers at half weight, some a favoured one."""
    n = len(CODES)
    services = {CODES[k % n]: 1.0, CODES[(k + 1) % n]: 1.0, CODES[(k + 5) % n]: 0.5, CODES[(k + 10) % n]: 0.5}
    if k % 2 == 0:
        services[CODES[(k + 15) % n]] = 0.5
    if k % 3 == 0:
        services[CODES[(k + 3) % n]] = 2.0
    return services


def bench_toml() -> str:
    parts = [
        "[[hall]]",
        f'slug = "{HALL}"',
        'name_zh = "基准测试大厅"',
        'name_en = "Benchmark hall"',
        'timezone = "Asia/Shanghai"',
        "aging_minutes = 60",
        "",
    ]
    for i, code in enumerate(CODES):
        parts += [
            "[[hall.services]]",
            f'code = "{code}"',
            f'name_zh = "事项{code}"',
            f'name_en = "Service {code}"',
            f"expected_minutes = {8 + (i % 5) * 4}",
            "",
        ]
    for k in range(20):
        table_ = ", ".join(f"{c} = {w}" for c, w in window_services(k).items())
        parts += ["[[hall.windows]]", f"number = {k + 1}", f"services = {{ {table_} }}", ""]
    return "\n".join(parts)


def bench_config() -> Config:
    return parse_config(bench_toml(), "bench/call_next.py:bench_toml")


def arrivals(size: int, seed: int) -> list[tuple[str, str]]:
    """(service, priority class) of each ticket: a skewed spread over the 20 services."""
    rng = random.Random(seed)
    popularity = [1 / (1 + 0.15 * i) for i in range(len(CODES))]
    services = rng.choices(CODES, weights=popularity, k=size)
    classes = rng.choices([p for p, _ in PRIORITIES], weights=[w for _, w in PRIORITIES], k=size)
    return list(zip(services, classes, strict=True))


class BenchClock:
    """Real time, unless ``fixed`` is set (while the queue is filled with past arrivals)."""

    def __init__(self) -> None:
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(UTC)


def arrival_window(config: Config, span_minutes: float) -> tuple[datetime, datetime]:
    """From ``span_minutes`` ago (not before the hall's local midnight) until a second ago."""
    hall = config.hall(HALL)
    assert hall is not None
    now = datetime.now(UTC)
    local = now.astimezone(hall.tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return max(now - timedelta(minutes=span_minutes), midnight + timedelta(seconds=1)), now - timedelta(seconds=1)


# -- filling a store -----------------------------------------------------------------


@dataclass
class Fill:
    size: int
    issued: int
    seconds: float
    waiting: int
    day: date


def fill_queue(
    store: Store, service: QueueService, clock: BenchClock, size: int, issued: int, span_minutes: float, seed: int
) -> Fill:
    started = time.perf_counter()
    config = service.config
    first, last = arrival_window(config, span_minutes)
    step = (last - first) / size
    plan = arrivals(size, seed)
    counts: Counter[str] = Counter()

    # The first tickets: the real issue path.
    issued = min(issued, size)
    for i in range(issued):
        code, klass = plan[i]
        clock.fixed = first + i * step
        ticket = service.issue(HALL, code, klass).ticket
        counts[code] += 1
        assert ticket.number == f"{code}{counts[code]:03d}", (ticket.number, counts[code])
    clock.fixed = first
    day = service.business_day(HALL)
    clock.fixed = None

    # The rest: rows built by the project's own code, one bulk insert.
    hall = config.hall(HALL)
    assert hall is not None
    tiers = {p.code: p.tier for p in hall.priority_classes}
    rng = random.Random(seed + 1)
    tickets: list[Ticket] = []
    for i in range(issued, size):
        code, klass = plan[i]
        counts[code] += 1
        tickets.append(
            lifecycle.issue(
                hall=HALL,
                day=day,
                service=code,
                running_number=counts[code],
                priority=klass,
                tier=tiers[klass],
                at=first + i * step,
                token=base64.urlsafe_b64encode(rng.randbytes(16)).rstrip(b"=").decode(),  # as token_urlsafe(16)
            )
        )
    with store.reader(HALL) as reader:
        seq = reader.last_seq()
    engine: sa.Engine = store.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        if tickets:
            # executemany without RETURNING (far faster on psycopg); the ids are read back by number.
            conn.execute(sa.insert(ticket_t), [ticket_values(t) for t in tickets])
            t = ticket_t.c
            ids = dict(conn.execute(sa.select(t.number, t.id).where(t.hall == HALL, t.business_day == day)).all())
            events = []
            for n, ticket in enumerate(tickets, start=1):
                event = lifecycle.issued_event(replace(ticket, id=ids[ticket.number]))
                row = {name: getattr(event, name) for name in EVENT_COLUMNS}
                row["seq"] = seq + n
                events.append(row)
            conn.execute(sa.insert(event_t), events)
        c = counter_t.c
        for code, last_number in counts.items():
            key = sa.and_(c.hall == HALL, c.service == code, c.business_day == day)
            if conn.execute(sa.update(counter_t).where(key).values(last=last_number)).rowcount == 0:
                conn.execute(sa.insert(counter_t).values(hall=HALL, service=code, business_day=day, last=last_number))
        if conn.dialect.name == "postgresql":
            # What autovacuum would soon do on a live server after 100,000 inserts.
            conn.exec_driver_sql("ANALYZE")
    with store.reader(HALL) as reader:
        waiting = sum(reader.waiting_counts(day).values())
    return Fill(size=size, issued=issued, seconds=time.perf_counter() - started, waiting=waiting, day=day)


# -- the project's call-next ---------------------------------------------------------


@dataclass
class ProjectQueue:
    store: Store
    service: QueueService
    fill: Fill
    windows: list[int]
    next_window: int = 0

    def call(self, profiler: cProfile.Profile | None = None) -> float:
        """One timed call-next; then, untimed, a no-show and a replacement arrival."""
        window = self.windows[self.next_window % len(self.windows)]
        self.next_window += 1
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        outcome = self.service.call_next(HALL, window, f"clerk{window}")
        elapsed = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
        ticket = outcome.ticket
        if ticket is None or ticket.state is not TicketState.CALLED:
            raise RuntimeError(f"window {window} called nobody: did the business day change during the run?")
        self.service.no_show(HALL, window, f"clerk{window}")
        self.service.issue(HALL, ticket.service, ticket.priority)
        return elapsed


def project_queue(url: str, config: Config, size: int, issued: int, span_minutes: float, seed: int) -> ProjectQueue:
    store = open_store(url)
    store.sync_halls(config)
    clock = BenchClock()
    service = QueueService(store, config, clock=clock)
    hall = config.hall(HALL)
    assert hall is not None
    windows = [w.number for w in hall.windows]
    for number in windows:
        service.open_window(HALL, number, f"clerk{number}")
    fill = fill_queue(store, service, clock, size, issued, span_minutes, seed)
    queue = ProjectQueue(store=store, service=service, fill=fill, windows=windows)
    for _ in windows:  # warm-up: every window's statement compiled and cached once
        queue.call()
    return queue


# -- the bare baselines --------------------------------------------------------------


BASE_DDL = """
CREATE TABLE bench_queue (
    id {id} PRIMARY KEY,
    hall VARCHAR(63) NOT NULL,
    business_day DATE NOT NULL,
    service VARCHAR(1) NOT NULL,
    number VARCHAR(16) NOT NULL,
    tier INTEGER NOT NULL,
    state VARCHAR(16) NOT NULL,
    order_key BIGINT NOT NULL,
    target_window INTEGER NOT NULL DEFAULT 0,
    "window" INTEGER,
    called_at {ts}
)"""
# The same column list as the project's call-next index (ix_ticket_queue).
BASE_INDEX = (
    "CREATE INDEX ix_bench_queue ON bench_queue "
    "(hall, business_day, state, target_window, service, tier, order_key, id)"
)
BASE_INSERT = "INSERT INTO bench_queue (hall, business_day, service, number, tier, state, order_key) VALUES ({p})"
BASE_HEAD = (
    "SELECT id FROM bench_queue WHERE hall = {p} AND business_day = {p} AND state = 'waiting' "
    "AND target_window = 0 AND service = {p} AND tier = {p} ORDER BY order_key, id LIMIT 1"
)
BASE_TAKE = "UPDATE bench_queue SET state = 'called', \"window\" = {p}, called_at = {p} WHERE id = {p}"


@dataclass
class BareQueue:
    """SELECT the head of one line, UPDATE it, COMMIT; the caller supplies the connection's dialect."""

    placeholder: str
    begin: Callable[[], object]
    execute: Callable[[str, tuple[Any, ...]], Any]
    commit: Callable[[], object]
    day: date
    lines: list[str]
    next_line: int = 0
    head_sql: str = ""
    take_sql: str = ""
    insert_sql: str = ""

    def __post_init__(self) -> None:
        p = self.placeholder
        self.head_sql = BASE_HEAD.format(p=p)
        self.take_sql = BASE_TAKE.format(p=p)
        self.insert_sql = BASE_INSERT.format(p=", ".join([p] * 7))

    def call(self) -> float:
        service = self.lines[self.next_line % len(self.lines)]
        self.next_line += 1
        now = datetime.now(UTC)
        start = time.perf_counter()
        self.begin()
        row = self.execute(self.head_sql, (HALL, self.day, service, 4)).fetchone()
        if row is None:
            raise RuntimeError(f"baseline line {service} is empty")
        self.execute(self.take_sql, (1, now, row[0]))
        self.commit()
        elapsed = time.perf_counter() - start
        # Untimed: a replacement arrival keeps the table's size.
        self.begin()
        us = int(now.timestamp() * 1_000_000)
        self.execute(self.insert_sql, (HALL, self.day, service, "X", 4, "waiting", us))
        self.commit()
        return elapsed


def bare_rows(size: int, day: date, config: Config, span_minutes: float, seed: int) -> list[Row]:
    first, last = arrival_window(config, span_minutes)
    step = (last - first) / size
    hall = config.hall(HALL)
    assert hall is not None
    tiers = {p.code: int(p.tier) for p in hall.priority_classes}
    counts: Counter[str] = Counter()
    rows: list[Row] = []
    for i, (code, klass) in enumerate(arrivals(size, seed)):
        counts[code] += 1
        us = int((first + i * step).timestamp() * 1_000_000)
        rows.append((HALL, day, code, f"{code}{counts[code]:03d}", tiers[klass], "waiting", us))
    return rows


def primary_lines() -> list[str]:
    """The baseline rotates over the windows' main services, like the project over the windows."""
    return [next(iter(window_services(k))) for k in range(20)]


@contextlib.contextmanager
def bare_sqlite(path: Path, rows: list[Row], day: date) -> Iterator[BareQueue]:
    conn = sqlite_connect(path)
    try:
        conn.execute(BASE_DDL.format(id="INTEGER", ts="TEXT"))
        conn.execute(BASE_INDEX)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(BASE_INSERT.format(p=", ".join("?" * 7)), [(*r[:1], r[1].isoformat(), *r[2:]) for r in rows])
        conn.execute("COMMIT")

        def execute(sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
            # Dates as ISO text, as the project stores them on SQLite.
            return conn.execute(sql, tuple(p.isoformat() if isinstance(p, date) else p for p in params))

        queue = BareQueue(
            placeholder="?",
            begin=lambda: conn.execute("BEGIN IMMEDIATE"),
            execute=execute,
            commit=lambda: conn.execute("COMMIT"),
            day=day,
            lines=primary_lines(),
        )
        for _ in range(20):
            queue.call()
        yield queue
    finally:
        conn.close()


@contextlib.contextmanager
def bare_pg(url: str, rows: list[Row], day: date) -> Iterator[BareQueue]:
    with psycopg.connect(psycopg_conninfo(url)) as conn:
        conn.execute(BASE_DDL.format(id="BIGINT GENERATED BY DEFAULT AS IDENTITY", ts="TIMESTAMPTZ"))
        conn.execute(BASE_INDEX)
        with conn.cursor() as cur:
            cur.executemany(BASE_INSERT.format(p=", ".join(["%s"] * 7)), rows)
        conn.commit()
        conn.execute("ANALYZE bench_queue")
        conn.commit()
        cur = conn.cursor()
        queue = BareQueue(
            placeholder="%s",
            begin=lambda: None,
            execute=cur.execute,
            commit=conn.commit,
            day=day,
            lines=primary_lines(),
        )
        for _ in range(20):
            queue.call()
        yield queue


# -- running and reporting -----------------------------------------------------------


@dataclass
class Samples:
    """Per-call seconds, grouped by round."""

    rounds: list[list[float]] = field(default_factory=list)

    @property
    def all(self) -> list[float]:
        return [t for r in self.rounds for t in r]

    @property
    def median(self) -> float:
        return median(self.all)

    @property
    def p90(self) -> float:
        return percentile(self.all, 90)

    @property
    def round_medians(self) -> list[float]:
        return [median(r) for r in self.rounds]


@dataclass
class Args:
    sizes: list[int]
    calls: int
    rounds: int
    issued: int
    span: float
    seed: int
    tmp: Path | None


def measure(
    args: Args, project: dict[int, ProjectQueue], bare: dict[int, BareQueue]
) -> tuple[dict[int, Samples], dict[int, Samples]]:
    proj: dict[int, Samples] = {s: Samples() for s in args.sizes}
    base: dict[int, Samples] = {s: Samples() for s in args.sizes}
    for r in range(args.rounds):
        sizes = args.sizes if r % 2 == 0 else args.sizes[::-1]
        for size in sizes:
            sides: list[tuple[Samples, Callable[[], float]]] = [
                (proj[size], project[size].call),
                (base[size], bare[size].call),
            ]
            if r % 2:
                sides.reverse()
            for samples, call in sides:
                samples.rounds.append([call() for _ in range(args.calls)])
    return proj, base


def report(title: str, args: Args, fills: dict[int, Fill], proj: dict[int, Samples], base: dict[int, Samples]) -> float:
    small, large = min(args.sizes), max(args.sizes)
    print(title)
    rows = []
    for size in args.sizes:
        p, b = proj[size], base[size]
        rm = p.round_medians
        rows.append(
            [
                f"{size:,}",
                fmt_ms(p.median),
                fmt_ms(p.p90),
                f"{min(rm) * 1000:.3f}..{max(rm) * 1000:.3f}",
                f"{p.median / proj[small].median:.2f}",
                fmt_ms(b.median),
                fmt_ms(b.p90),
                f"{b.median / base[small].median:.2f}",
            ]
        )
    print(
        table(
            [
                "waiting",
                "call_next median",
                "p90",
                "round medians ms",
                f"÷{small:,}",
                "bare median",
                "bare p90",
                f"÷{small:,}",
            ],
            rows,
        )
    )
    for size in args.sizes:
        f = fills[size]
        print(
            f"  {size:,}: {f.issued} issued + {size - f.issued:,} bulk-inserted in {f.seconds:.1f} s; "
            f"{f.waiting:,} waiting on {f.day} (verified)"
        )
    ratio = proj[large].median / proj[small].median
    print(
        f"  project/bare at {large:,}: {proj[large].median / base[large].median:.1f}x "
        f"(the bare loop is one indexed SELECT ... LIMIT 1 + UPDATE + COMMIT)"
    )
    print(f"  target: median({large:,}) / median({small:,}) = {ratio:.2f} <= {TARGET}  ->  {verdict(ratio <= TARGET)}")
    print()
    return ratio


def pg_plan_counts(store: Store) -> tuple[int, int]:
    """(generic, custom) plans PostgreSQL used for the call-next heads statements on the project's
    pooled connection (the benchmark is single-threaded, so that is the connection every call used)."""
    engine: sa.Engine = store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT anon_1.id, %%' AND statement LIKE '%%UNION ALL%%'"
        ).one()
    return int(row[0]), int(row[1])


def pg_plan_note(project: dict[int, ProjectQueue]) -> str:
    parts = []
    for size, queue in project.items():
        generic, custom = pg_plan_counts(queue.store)
        parts.append(f"{size:,}: {generic:,} generic / {custom:,} custom")
    return "  PostgreSQL plan cache for the heads UNION statement (custom = planned again at that call): " + "; ".join(
        parts
    )


def run_backend(
    name: str,
    args: Args,
    config: Config,
    urls: dict[int, str],
    bare_factory: Callable[[int, list[Row], date], AbstractContextManager[BareQueue]],
    profile: bool,
) -> tuple[float, dict[int, Samples]]:
    project: dict[int, ProjectQueue] = {}
    fills: dict[int, Fill] = {}
    try:
        with contextlib.ExitStack() as stack:
            bare: dict[int, BareQueue] = {}
            for size in args.sizes:
                queue = project_queue(urls[size], config, size, args.issued, args.span, args.seed)
                project[size] = queue
                fills[size] = queue.fill
                rows = bare_rows(size, queue.fill.day, config, args.span, args.seed)
                bare[size] = stack.enter_context(bare_factory(size, rows, queue.fill.day))
            proj, base = measure(args, project, bare)
            ratio = report(
                f"{name}: call_next, {args.calls} timed calls per round x {args.rounds} rounds per size and side, "
                "20 windows in turn",
                args,
                fills,
                proj,
                base,
            )
            if name == "PostgreSQL":
                print(pg_plan_note(project))
                print()
            if profile:
                large = max(args.sizes)
                profiler = cProfile.Profile()
                for _ in range(args.calls):
                    project[large].call(profiler)
                print(f"cProfile of {args.calls} more call_next on {name} with {large:,} waiting (timed part only):")
                print(format_profile(profiler))
            return ratio, proj
    finally:
        for queue in project.values():
            queue.store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.call_next", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,100000",
        help="comma-separated queue sizes; the target compares the largest with the smallest (default 1000,100000)",
    )
    parser.add_argument("--calls", type=int, default=200, help="timed calls per round, size and side (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument(
        "--issued", type=int, default=300, help="tickets issued through QueueService.issue before the bulk insert"
    )
    parser.add_argument(
        "--span", type=float, default=120, help="minutes over which the waiting tickets arrived (default 120)"
    )
    parser.add_argument("--seed", type=int, default=20240601, help="random seed for services and priorities")
    add_db_args(parser, private="private databases are")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite (only with --pg)")
    parser.add_argument("--profile", action="store_true", help="afterwards, cProfile call_next at the largest size")
    ns = parser.parse_args(argv)
    args = Args(
        sizes=sorted({int(s.replace("_", "")) for s in ns.sizes.split(",") if s.strip()}),
        calls=ns.calls,
        rounds=ns.rounds,
        issued=ns.issued,
        span=ns.span,
        seed=ns.seed,
        tmp=ns.tmp,
    )
    config = bench_config()
    hall = config.hall(HALL)
    assert hall is not None
    per_window = sorted(len(w.services) for w in hall.windows)
    demo = demo_config().hall("demo")
    demo_services = len(demo.services) if demo else 0

    print("HallQ call-next benchmark")
    print(f"  machine: {machine_line()}")
    print(
        f'  hall "{HALL}" generated for this benchmark (the demo hall has only {demo_services} services): '
        f"{len(hall.services)} services {''.join(CODES)}, {len(hall.windows)} windows serving "
        f"{per_window[0]}-{per_window[-1]} services each, all open"
    )
    print(
        "  waiting tickets: skewed over the 20 services; "
        + ", ".join(f"{code} {share:.0%}" for code, share in PRIORITIES)
        + f"; arrived over the last {args.span:g} min (aging bound {hall.aging_minutes} min)"
    )
    print("  after each timed call, untimed: no-show at that window and one replacement arrival (size stays put)")
    print()

    small, large = min(args.sizes), max(args.sizes)
    parts: list[str] = []

    def verdict_of(name: str, ratio: float, proj: dict[int, Samples]) -> str:
        return (
            f"{name}: {fmt_ms(proj[small].median)} at {small:,}, {fmt_ms(proj[large].median)} at {large:,}, "
            f"ratio {ratio:.2f} (target <= {TARGET}) {verdict(ratio <= TARGET)}"
        )

    if not ns.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=args.tmp) as tmp:
            urls = {size: f"sqlite:///{Path(tmp) / f'hallq_{size}.db'}" for size in args.sizes}

            def sqlite_bare(size: int, rows: list[Row], day: date) -> AbstractContextManager[BareQueue]:
                return bare_sqlite(Path(tmp) / f"bare_{size}.db", rows, day)

            ratio, proj = run_backend("SQLite", args, config, urls, sqlite_bare, ns.profile)
        parts.append(verdict_of("sqlite", ratio, proj))

    if pg := pg_wanted(ns):
        try:
            with contextlib.ExitStack() as dbs:
                pg_urls = {size: dbs.enter_context(private_pg_database(pg, f"_{size}")) for size in args.sizes}
                names = ", ".join(str(sa.make_url(u).database) for u in pg_urls.values())
                print(f"PostgreSQL at {safe_url(pg)}: private databases {names} (dropped at the end)")
                print("  ANALYZE after each fill, as autovacuum would do on a live server")

                def pg_bare(size: int, rows: list[Row], day: date) -> AbstractContextManager[BareQueue]:
                    return bare_pg(pg_urls[size], rows, day)

                pg_ratio, pg_proj = run_backend("PostgreSQL", args, config, pg_urls, pg_bare, ns.profile)
            parts.append(verdict_of("postgres", pg_ratio, pg_proj))
        except PG_UNAVAILABLE as exc:
            parts.append(pg_not_measured(exc))

    summary = "SUMMARY call_next " + ("; ".join(parts) or "nothing measured")
    print(f"machine at the end: {machine_line()}")
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
