"""A city's month of reports on PostgreSQL: 200 halls, 20 million tickets over 30 days.

Requirement: report the wall time of the city's monthly ranking and of one hall's monthly
report against a bare SQL aggregate over the same raw ticket rows in the same run, and the
p99 of call-next while the ranking runs against idle.

    .venv/bin/python -m bench.reports [--pg URL] [--tickets 20000000] [--rounds 5] [--keep | --reuse]

The data is made in a private database (``hallq_bench_reports_<pid>``, dropped at the end;
with ``--keep`` or ``--reuse`` it is named after its size and kept, and ``--reuse`` skips the
generation when a complete one exists): the project's schema from its migrations, the 200
halls synced from a generated hall file, each hall's month of tickets, ratings and event log
made in bulk by SQL (bench/_reports_data.py), then the report cells built by the project's
own rebuild (``ReportFolder.rebuild`` per hall on worker processes), timed.

Measured in rounds (project and bare interleaved, alternating which goes first):

- the city ranking: each hall's month totals from ``queries.reports.summary`` (what the
  hall's report API answers), ranked by served then mean wait; against one bare
  ``GROUP BY hall`` over the month's raw ticket rows (issued, served, mean wait,
  ``percentile_cont(0.9)`` wait), ranked by the server;
- one hall's month: ``summary`` totals only and by service; against the same bare
  aggregate for that hall (totals, and grouped by service);
- call-next: p50/p99 of ``QueueService.call_next`` on one hall with a queue (each call
  followed, untimed, by start, finish and a replacement issue), idle and while a thread of
  the same process runs the city ranking in a loop (as a server's threadpool would serve a
  manager's report beside the clerks' calls).

The project's figures are checked against the bare ones (issued and served equal per hall,
mean waits within a millisecond, p90 within the histogram's 15 s). The exit code is always 0.
"""

from __future__ import annotations

import argparse
import calendar
import importlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import psycopg
import sqlalchemy as sa

from queue_server.commands.report_fold import ReportFolder
from queue_server.config import Config
from queue_server.domain import TicketState
from queue_server.queries.reports import summary
from queue_server.service import QueueService
from queue_server.storage import open_store

from ._common import (
    PG_ENV,
    PG_UNAVAILABLE,
    fmt_ms,
    machine_line,
    median,
    percentile,
    pg_default,
    psycopg_conninfo,
    safe_url,
    table,
)
from ._reports_data import SERVICES, WINDOWS, Month, Rebuilt, city_config, generate_city, hall_slug, rebuild_city

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
META = "bench_reports_meta"  # the bench's own note of what a kept database holds

BARE_CITY = """
SELECT hall, count(*) AS issued, count(*) FILTER (WHERE state = 'done') AS served,
       avg(extract(epoch FROM called_at - issued_at)) AS wait_mean_s,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at)) AS wait_p90_s
FROM ticket WHERE business_day BETWEEN %(first)s AND %(last)s
GROUP BY hall ORDER BY served DESC, wait_mean_s
"""
BARE_HALL = """
SELECT {group} count(*) AS issued, count(*) FILTER (WHERE state = 'done') AS served,
       avg(extract(epoch FROM called_at - issued_at)) AS wait_mean_s,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at)) AS wait_p90_s
FROM ticket WHERE hall = %(hall)s AND business_day BETWEEN %(first)s AND %(last)s {group_by}
"""


# -- the database --------------------------------------------------------------------


def admin_engine(base_url: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(base_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def db_exists(base_url: str, name: str) -> bool:
    engine = admin_engine(base_url)
    try:
        with engine.connect() as conn:
            return (
                conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}).first() is not None
            )
    finally:
        engine.dispose()


@contextmanager
def bench_database(base_url: str, name: str, keep: bool, fresh: bool) -> Iterator[str]:
    """The database ``name`` on ``base_url``'s server (made anew if ``fresh``); dropped at the
    end unless ``keep``."""
    engine = admin_engine(base_url)
    try:
        with engine.connect() as conn:
            if fresh:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield sa.make_url(base_url).set(database=name).render_as_string(hide_password=False)
        finally:
            if not keep:
                with engine.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


@dataclass
class Meta:
    month: Month
    halls: int
    generated_s: float
    rebuilt: Rebuilt


def read_meta(conninfo: str) -> Meta | None:
    with psycopg.connect(conninfo) as conn:
        if conn.execute("SELECT to_regclass(%s)", (META,)).fetchone() in (None, (None,)):
            return None
        row = conn.execute(
            f"SELECT first, days, per_hall_day, halls, generated_s, rebuilt_s, events, cells, hall_s FROM {META}"
        ).fetchone()
    if row is None:
        return None
    first, days, per, halls, gen_s, reb_s, events, cells, hall_s = row
    assert isinstance(first, date)
    return Meta(
        Month(first, int(str(days)), int(str(per))),
        int(str(halls)),
        float(str(gen_s)),
        Rebuilt(float(str(reb_s)), int(str(events)), int(str(cells)), float(str(hall_s))),
    )


def write_meta(conninfo: str, meta: Meta) -> None:
    m, r = meta.month, meta.rebuilt
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {META} (first date, days int, per_hall_day int, halls int, generated_s float8, "
            "rebuilt_s float8, events bigint, cells bigint, hall_s float8)"
        )
        conn.execute(
            f"INSERT INTO {META} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                m.first,
                m.days,
                m.per_hall_day,
                meta.halls,
                meta.generated_s,
                r.seconds,
                r.events,
                r.cells,
                r.hall_seconds,
            ),
        )


def previous_month(today: date, days: int) -> Month:
    """The calendar month before ``today``'s, ``days`` of it (at most its length)."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return Month(first, min(days, calendar.monthrange(first.year, first.month)[1]), 0)


def progress_printer(what: str, total: int) -> Callable[[int], None]:
    started = time.perf_counter()
    step = max(1, total // 10)

    def show(done: int) -> None:
        if done % step == 0 or done == total:
            print(f"  {what}: {done}/{total} halls, {time.perf_counter() - started:.0f} s", flush=True)

    return show


def prepare(
    url: str, args: argparse.Namespace, config: Config, slugs: list[str], tree: bool, kept: Meta | None
) -> Meta:
    """Schema, halls, the month's rows and the rebuilt cells; or what a kept database holds."""
    conninfo = psycopg_conninfo(url)
    if kept is not None:
        print(f"reusing the data generated before ({META}): generation and rebuild not run again")
        return kept
    store = open_store(url)
    store.sync_halls(config)
    today = QueueService(store, config).business_day(slugs[0])
    store.close()
    month = previous_month(today, args.days)
    month = Month(month.first, month.days, max(1, round(args.tickets / (len(slugs) * month.days))))
    print(
        f"generating {month.per_hall_day:,} tickets per hall-day × {len(slugs)} halls × {month.days} days", flush=True
    )
    started = time.perf_counter()
    generate_city(conninfo, slugs, month, args.workers, progress_printer("generated", len(slugs)))
    generated_s = time.perf_counter() - started
    print(f"rebuilding the report cells (ReportFolder.rebuild per hall, {args.workers} processes)", flush=True)
    rebuilt = rebuild_city(url, slugs, tree, args.workers, progress_printer("rebuilt", len(slugs)))
    meta = Meta(month, len(slugs), generated_s, rebuilt)
    write_meta(conninfo, meta)
    return meta


def data_size(conninfo: str, month: Month) -> dict[str, int]:
    """Rows of the tables a report reads (every row: a kept database also holds the call-next
    tickets of earlier runs), the month's tickets, and the database's size."""
    with psycopg.connect(conninfo) as conn:
        out = {}
        row = conn.execute(
            "SELECT count(*) FROM ticket WHERE business_day BETWEEN %s AND %s", (month.first, month.last)
        ).fetchone()
        assert row is not None
        out["month"] = int(str(row[0]))
        for name in ("ticket", "event", "evaluation", "day_aggregate"):
            row = conn.execute(f"SELECT count(*) FROM {name}").fetchone()
            assert row is not None
            out[name] = int(str(row[0]))
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        assert size is not None
        out["bytes"] = int(str(size[0]))
    return out


# -- the measured reads --------------------------------------------------------------


Ranked = list[tuple[str, int, int, float | None, float | None]]  # hall, issued, served, mean, p90


CityReports = Callable[[QueueService, str, date, date, str], dict[str, Any]]


def city_api() -> CityReports | None:
    """The project's city ranking (``queries.city.city_reports``) where this checkout has it."""
    try:
        module = importlib.import_module("queue_server.queries.city")
    except ImportError:
        return None
    found = getattr(module, "city_reports", None)
    return cast(CityReports, found) if callable(found) else None


def city_project(service: QueueService, slugs: list[str], month: Month, api: CityReports | None) -> Ranked:
    """The city's month ranked on served: the city API over the tree under the first hall (it
    also ranks the month before, for each hall's change of place), or else each hall's
    ``summary`` totals, ranked here."""
    if api is not None:
        answer = api(service, slugs[0], month.first, month.last, "served")
        totals = [(h["slug"], h["totals"]) for h in answer["halls"]]
    else:
        totals = [(s, summary(service, s, month.first, month.last, None)["totals"]) for s in slugs]
        totals.sort(key=lambda st: -int(st[1]["served"]))
    return [(s, t["issued"], t["served"], t["wait"]["mean_s"], t["wait"]["p90_s"]) for s, t in totals]


def city_bare(conn: psycopg.Connection[tuple[Any, ...]], month: Month) -> Ranked:
    rows = conn.execute(BARE_CITY, {"first": month.first, "last": month.last}).fetchall()
    return [(str(h), int(i), int(s), _float(m), _float(p)) for h, i, s, m, p in rows]


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def hall_project(service: QueueService, slug: str, month: Month, by: str | None) -> dict[str, Any]:
    return summary(service, slug, month.first, month.last, by)


def hall_bare(conn: psycopg.Connection[tuple[Any, ...]], slug: str, month: Month, by: str | None) -> list[Any]:
    sql = BARE_HALL.format(group="service," if by else "", group_by="GROUP BY service" if by else "")
    return conn.execute(sql, {"hall": slug, "first": month.first, "last": month.last}).fetchall()


def check(project: Ranked, bare: Ranked) -> str:
    """How far the project's figures are from the raw rows' (issued and served must be equal)."""
    mine = {r[0]: r for r in project}
    counts_equal = len(mine) == len(bare) and all(mine[h][1:3] == (i, s) for h, i, s, _m, _p in bare)
    mean_diff = max(abs((mine[h][3] or 0) - (m or 0)) for h, _i, _s, m, _p in bare)
    p90_diff = max(abs((mine[h][4] or 0) - (p or 0)) for h, _i, _s, _m, p in bare)
    served = [r[2] for r in project]
    ordered = served == sorted(served, reverse=True)
    return (
        f"issued and served equal for every hall: {'yes' if counts_equal else 'NO'}; mean wait differs by at most "
        f"{mean_diff * 1000:.3f} ms, p90 wait by at most {p90_diff:.1f} s (histogram bucket middle against "
        f"percentile_cont); ranked by served: {'yes' if ordered else 'NO'}"
    )


@dataclass
class Pair:
    project: list[float]
    bare: list[float]

    def row(self, what: str, unit: Callable[[float], str]) -> list[str]:
        p, b = median(self.project), median(self.bare)
        return [what, unit(p), unit(b), f"{p / b:.3f}"]


def measure(rounds: int, project: Callable[[], object], bare: Callable[[], object], pair: Pair) -> None:
    for r in range(rounds):
        sides: list[tuple[Callable[[], object], list[float]]] = [(project, pair.project), (bare, pair.bare)]
        for fn, out in sides if r % 2 == 0 else reversed(sides):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)


# -- call-next idle and busy ---------------------------------------------------------


@dataclass
class Clerks:
    service: QueueService
    slug: str
    turn: int = 0

    def open(self, queue: int) -> None:
        for w in range(1, WINDOWS + 1):
            self.service.open_window(self.slug, w)
        for i in range(queue):
            self.service.issue(self.slug, SERVICES[i % len(SERVICES)], "normal")
        for _ in range(2 * WINDOWS):  # warm-up: every window's statements compiled once
            self.cycle()

    def cycle(self) -> float:
        """One timed call-next; untimed, its start and finish and a replacement arrival."""
        window = 1 + self.turn % WINDOWS
        self.turn += 1
        started = time.perf_counter()
        outcome = self.service.call_next(self.slug, window)
        elapsed = time.perf_counter() - started
        ticket = outcome.ticket
        if ticket is None or ticket.state is not TicketState.CALLED:
            raise RuntimeError(f"window {window} called nobody: did the business day change during the run?")
        self.service.start(self.slug, window)
        self.service.finish(self.slug, window)
        self.service.issue(self.slug, ticket.service, "normal")
        return elapsed


def call_next_phases(
    clerks: Clerks, rank: Callable[[], object], folder: ReportFolder, rounds: int, calls: int
) -> tuple[list[float], list[float], int]:
    """Call-next samples idle and busy (the ranking looping on a thread), rounds alternating
    which goes first; and how many rankings the busy phases completed."""
    idle: list[float] = []
    busy: list[float] = []
    rankings = 0
    for r in range(rounds):
        for phase in ("idle", "busy") if r % 2 == 0 else ("busy", "idle"):
            folder.fold(clerks.slug)  # what the report job does every 15 s: this hall's calls folded
            if phase == "idle":
                idle += [clerks.cycle() for _ in range(calls)]
                continue
            stop = threading.Event()
            done = [0]

            def loop(stop: threading.Event = stop, done: list[int] = done) -> None:
                while not stop.is_set():
                    rank()
                    done[0] += 1

            thread = threading.Thread(target=loop, name="city-ranking")
            thread.start()
            time.sleep(0.2)  # the ranking under way before the first call
            busy += [clerks.cycle() for _ in range(calls)]
            stop.set()
            thread.join()
            rankings += done[0]
    return idle, busy, rankings


# -- main ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--pg",
        default=pg_default() or DEFAULT_PG,
        metavar="URL",
        help=f"PostgreSQL server (default: ${PG_ENV} or {DEFAULT_PG})",
    )
    p.add_argument("--tickets", type=int, default=20_000_000, help="tickets over the city's month (default 20,000,000)")
    p.add_argument("--halls", type=int, default=200)
    p.add_argument("--days", type=int, default=30, help="days of the month with tickets (at most its length)")
    p.add_argument("--hall", default=hall_slug(2), help="the hall whose month is reported alone (default h002)")
    p.add_argument("--rounds", type=int, default=5, help="rounds per side of each read (default 5)")
    p.add_argument("--calls", type=int, default=200, help="timed call-nexts per phase and round (default 200)")
    p.add_argument("--call-rounds", type=int, default=3, help="idle/busy rounds of call-next (default 3)")
    p.add_argument("--queue", type=int, default=200, help="waiting tickets at the call-next hall (default 200)")
    p.add_argument("--workers", type=int, default=2, help="connections generating, processes rebuilding (default 2)")
    p.add_argument(
        "--per-hall",
        action="store_true",
        help="rank with queries.reports.summary per hall even where queries.city.city_reports exists",
    )
    p.add_argument("--keep", action="store_true", help="keep the database (named after its size) for --reuse")
    p.add_argument("--reuse", action="store_true", help="use a kept database of this size if complete (implies --keep)")
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> str:
    api = None if args.per_hall else city_api()
    config = city_config(args.halls, tree=api is not None)
    slugs = [hall_slug(k) for k in range(1, args.halls + 1)]
    if args.hall not in slugs:
        raise SystemExit(f"--hall {args.hall}: not one of h001..{slugs[-1]}")
    keep = args.keep or args.reuse
    name = f"hallq_bench_reports_{args.halls}h_{args.tickets}t" if keep else f"hallq_bench_reports_{os.getpid()}"
    kept = None
    if args.reuse and db_exists(args.pg, name):
        # A database left without its note (generation cut short) is made again.
        kept = read_meta(psycopg_conninfo(sa.make_url(args.pg).set(database=name).render_as_string(False)))
    with bench_database(args.pg, name, keep, fresh=kept is None) as url:
        print(f"database: {safe_url(url)}{' (kept)' if keep else ' (dropped at the end)'}\n", flush=True)
        meta = prepare(url, args, config, slugs, api is not None, kept)
        month, rebuilt = meta.month, meta.rebuilt
        conninfo = psycopg_conninfo(url)
        size = data_size(conninfo, month)
        print(
            f"\ndata: {size['ticket']:,} tickets ({size['month']:,} in the month), {size['event']:,} events, "
            f"{size['evaluation']:,} ratings, "
            f"{size['day_aggregate']:,} report cells; database {size['bytes'] / 2**30:.2f} GiB"
        )
        print(f"month: {month.first} .. {month.last} ({month.days} days, {month.per_hall_day:,} tickets per hall-day)")
        gen_rate = size["month"] / meta.generated_s
        print(f"generation (SQL, {args.workers} connections): {meta.generated_s:.1f} s, {gen_rate:,.0f} tickets/s")
        print(
            f"rebuild (ReportFolder.rebuild per hall on {args.workers} processes): {rebuilt.seconds:.1f} s wall, "
            f"{rebuilt.events / rebuilt.seconds:,.0f} events/s ({rebuilt.hall_seconds:.1f} s of hall rebuilds, "
            f"{rebuilt.events / rebuilt.hall_seconds:,.0f} events/s per process), {rebuilt.cells:,} cells\n",
            flush=True,
        )
        report_month = Month(month.first, calendar.monthrange(month.first.year, month.first.month)[1], 0)

        store = open_store(url, migrate=False)
        service = QueueService(store, config)
        with psycopg.connect(conninfo, autocommit=True) as bare:
            print(
                "measured: the city ranking as "
                + (
                    "queries.city.city_reports (measure served)"
                    if api
                    else "queries.reports.summary per hall, ranked here"
                )
                + "; "
                f"{args.rounds} rounds per side"
            )
            city, hall_totals, hall_service = Pair([], []), Pair([], []), Pair([], [])
            first_project = city_project(service, slugs, report_month, api)
            print(check(first_project, city_bare(bare, report_month)), flush=True)
            measure(
                args.rounds,
                lambda: city_project(service, slugs, report_month, api),
                lambda: city_bare(bare, report_month),
                city,
            )
            measure(
                args.rounds,
                lambda: hall_project(service, args.hall, report_month, None),
                lambda: hall_bare(bare, args.hall, report_month, None),
                hall_totals,
            )
            measure(
                args.rounds,
                lambda: hall_project(service, args.hall, report_month, "service"),
                lambda: hall_bare(bare, args.hall, report_month, "service"),
                hall_service,
            )

        clerks = Clerks(service, slugs[0])
        clerks.open(args.queue)
        folder = ReportFolder(service)
        idle, busy, rankings = call_next_phases(
            clerks, lambda: city_project(service, slugs, report_month, api), folder, args.call_rounds, args.calls
        )
        store.close()

    secs: Callable[[float], str] = lambda s: f"{s:.3f} s"  # noqa: E731
    print()
    print(
        table(
            ["read (medians)", "HallQ", "bare SQL", "ratio"],
            [
                city.row(f"city ranking, {args.halls} halls' month", secs),
                hall_totals.row(f"{args.hall}'s month, totals", fmt_ms),
                hall_service.row(f"{args.hall}'s month, by service", fmt_ms),
            ],
        )
    )
    i50, i99, b50, b99 = (percentile(idle, 50), percentile(idle, 99), percentile(busy, 50), percentile(busy, 99))
    print()
    print(
        table(
            [f"call-next at {slugs[0]} ({len(idle)} calls per phase)", "p50", "p99"],
            [
                ["idle", fmt_ms(i50), fmt_ms(i99)],
                [f"while the city ranking loops ({rankings} rankings)", fmt_ms(b50), fmt_ms(b99)],
                ["busy / idle", f"{b50 / i50:.2f}", f"{b99 / i99:.2f}"],
            ],
        )
    )
    print(f"\n{machine_line()}")
    cp, cb = median(city.project), median(city.bare)
    return (
        f"SUMMARY reports: city ranking {cp:.2f} s vs bare GROUP BY {cb:.2f} s ({cp / cb:.3f}); "
        f"{args.hall}'s month {median(hall_totals.project) * 1000:.1f} ms (by service "
        f"{median(hall_service.project) * 1000:.1f} ms) vs bare {median(hall_totals.bare) * 1000:.1f} ms "
        f"({median(hall_service.bare) * 1000:.1f} ms); call-next p99 idle {i99 * 1000:.1f} ms, "
        f"busy {b99 * 1000:.1f} ms ({b99 / i99:.2f}x); {size['month']:,} tickets, {size['event']:,} events; "
        f"generated {meta.generated_s:.0f} s, rebuilt {rebuilt.seconds:.0f} s "
        f"({rebuilt.events / rebuilt.seconds:,.0f} events/s)"
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"bench.reports: PostgreSQL {safe_url(args.pg)}; {machine_line()}", flush=True)
    try:
        line = run(args)
    except PG_UNAVAILABLE as exc:
        print(f"PostgreSQL: not measured ({type(exc).__name__}: {str(exc).strip().splitlines()[0]})")
        line = "SUMMARY reports: postgres: not measured"
    print(line, flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
