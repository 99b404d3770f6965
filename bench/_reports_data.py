"""A city's month for bench/reports.py: 200 generated halls, their tickets and event log made
in bulk by SQL in the project's own schema, and the report cells rebuilt by the project.

Going through QueueService would take hours for 20 million tickets, so each hall's month is
made by three statements on the server (one transaction per hall): the tickets (outcomes,
waits, service times, windows and clerks drawn with ``random()``), the ``evaluation`` rows of
the rated ones, and the event rows the report fold reads, each with the ticket's view after
it in ``detail`` as the commands write it (issue, call, start, finish, 好差评, no-show,
cancel, the rollover of the unserved), numbered per hall in time order. The cells are then
built by ``ReportFolder.rebuild`` (the project's rebuild path: the raw log read page by page
and folded in Python) per hall, on worker processes.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg

from queue_server.config import Config, parse_config

SERVICES = tuple("ABCDEF")
WINDOWS = 10
TZ = "Asia/Shanghai"
OPEN_S = 9 * 3600  # the halls issue from 09:00 to 17:00 local time
HOURS_S = 8 * 3600


def hall_slug(k: int) -> str:
    return f"h{k:03d}"


def city_toml(halls: int, tree: bool) -> str:
    """``halls`` halls of 6 services in 2 zones and 10 windows serving every service; with
    ``tree``, the first is the city's hall and the others sit under it (level and parent)."""
    parts: list[str] = []
    for k in range(1, halls + 1):
        parts += [
            "[[hall]]",
            f'slug = "{hall_slug(k)}"',
            f'name_zh = "政务服务中心{k:03d}"',
            f'name_en = "Service hall {k:03d}"',
            f'timezone = "{TZ}"',
        ]
        if tree:
            parts += ['level = "city"'] if k == 1 else ['level = "county"', f'parent = "{hall_slug(1)}"']
        parts.append("")
        for zone, name in (("A", "综合受理A区"), ("B", "综合受理B区")):
            parts += ["[[hall.zones]]", f'code = "{zone}"', f'name_zh = "{name}"', f'name_en = "Zone {zone}"', ""]
        for i, code in enumerate(SERVICES):
            parts += [
                "[[hall.services]]",
                f'code = "{code}"',
                f'name_zh = "事项{code}"',
                f'name_en = "Service {code}"',
                f'zone = "{"AB"[i % 2]}"',
                f"expected_minutes = {6 + 2 * i}",
                "",
            ]
        for w in range(1, WINDOWS + 1):
            served = ", ".join(f"{c} = 1.0" for c in SERVICES)
            parts += ["[[hall.windows]]", f"number = {w}", f"services = {{ {served} }}", ""]
    return "\n".join(parts)


def city_config(halls: int, tree: bool) -> Config:
    return parse_config(city_toml(halls, tree), "bench/_reports_data.py:city_toml")


# One hall's month. Outcomes: 90 % served, 5 % no-show (rolled over as not served), 3 %
# cancelled while waiting, 2 % still waiting at the rollover; waits exponential (mean 10 min,
# at most 2 h), service 2-17 min; 30 % of the served rate their service.
GEN_TICKETS = """
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('ticket', 'id')) AS id, x.*,
       x.service || lpad((row_number() OVER (PARTITION BY x.day, x.service ORDER BY x.i))::text, 4, '0') AS number,
       CASE WHEN x.outcome IN ('s', 'n') THEN x.issued_at + x.wait END AS called_at,
       CASE WHEN x.outcome = 's' THEN x.issued_at + x.wait + interval '20 seconds' END AS started_at,
       CASE WHEN x.outcome = 's' THEN x.issued_at + x.wait + interval '20 seconds' + x.serve END AS finished_at,
       CASE WHEN x.outcome = 's' AND x.u_rate < 0.3 THEN
            CASE WHEN x.u_score < 0.60 THEN 5 WHEN x.u_score < 0.85 THEN 4 WHEN x.u_score < 0.94 THEN 3
                 WHEN x.u_score < 0.97 THEN 2 ELSE 1 END END AS score,
       ((x.day + 1)::timestamp AT TIME ZONE %(tz)s) AS rollover_at
FROM (
    SELECT d.day, g.i,
           (%(services)s::text[])[1 + floor(6 * power(random(), 1.4))::int] AS service,
           (d.day::timestamp AT TIME ZONE %(tz)s)
               + make_interval(secs => %(open_s)s + (g.i - 1 + random()) * %(hours_s)s / %(n)s) AS issued_at,
           make_interval(secs => least(7200, -ln(1 - random()) * 600)) AS wait,
           make_interval(secs => 120 + random() * 900) AS serve,
           CASE WHEN o.u < 0.90 THEN 's' WHEN o.u < 0.95 THEN 'n' WHEN o.u < 0.98 THEN 'c' ELSE 'x' END AS outcome,
           1 + floor(random() * %(windows)s)::int AS win,
           random() AS u_rate, random() AS u_score
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d0(day_ts)
    CROSS JOIN LATERAL (SELECT d0.day_ts::date AS day) d
    CROSS JOIN generate_series(1, %(n)s) AS g(i)
    CROSS JOIN LATERAL (SELECT random() + 0 * g.i AS u) o
) x
"""

INSERT_TICKETS = """
INSERT INTO ticket (id, hall, business_day, service, number, priority, tier, state, order_key, issued_at,
                    token, "window", target_window, recall_count, reactivations, returned,
                    called_at, started_at, finished_at, service_seconds)
SELECT id, %(hall)s::varchar, day, service, number, 'normal', 4,
       CASE outcome WHEN 's' THEN 'done' WHEN 'c' THEN 'cancelled' ELSE 'not_served' END,
       (extract(epoch FROM issued_at) * 1000000)::bigint, issued_at,
       substr(md5(id::text || %(hall)s::varchar), 1, 22),
       CASE WHEN outcome IN ('s', 'n') THEN win END, 0, 0, 0, false,
       called_at, started_at, finished_at, extract(epoch FROM finished_at - started_at)
FROM gen
"""

INSERT_EVALUATIONS = """
INSERT INTO evaluation (ticket_id, hall, score, at, channel, service, "window", staff, comment, follow_up_due)
SELECT id, %(hall)s::varchar, score, finished_at + interval '15 seconds', 'pad', service, win,
       %(hall)s::varchar || '_w' || win, '', CASE WHEN score <= 2 THEN day + 15 END
FROM gen WHERE score IS NOT NULL
"""

# The ticket's view after each event, as the commands put it in ``detail["ticket"]``.
INSERT_EVENTS = """
INSERT INTO event (hall, seq, at, kind, ticket_id, "window", staff, from_state, to_state, detail)
SELECT %(hall)s::varchar, %(base)s + row_number() OVER (ORDER BY e.at, e.id, e.k), e.at, e.kind, e.id, e.ev_win,
       e.ev_staff, e.from_state, e.to_state,
       CASE e.kind
           WHEN 'ticket.issue' THEN json_build_object('number', e.number, 'service', e.service,
                                                      'priority', 'normal', 'ticket', e.view)
           WHEN 'ticket.call' THEN json_build_object('number', e.number, 'ticket', e.view)
           WHEN 'evaluation.submit' THEN json_build_object(
               'score', e.score, 'bad', e.score <= 2,
               'evaluation', json_build_object('ticket_id', e.id, 'number', e.number, 'score', e.score,
                                               'channel', 'pad', 'service', e.service, 'window', e.win,
                                               'staff', e.ev_staff, 'comment', '', 'at', e.at),
               'ticket', e.view)
           WHEN 'ticket.rollover' THEN json_build_object('ticket', e.view, 'reason', 'rollover')
           ELSE json_build_object('ticket', e.view)
       END
FROM (
    SELECT g.id, g.number, g.service, g.score, g.win, v.k, v.kind, v.at, v.ev_win,
           CASE WHEN v.ev_win IS NOT NULL THEN %(hall)s::varchar || '_w' || g.win END AS ev_staff,
           v.from_state, v.to_state,
           json_build_object(
               'id', g.id, 'number', g.number, 'service', g.service,
               'state', coalesce(v.to_state, 'done'), 'priority', 'normal', 'tier', 4,
               'order_key', (extract(epoch FROM g.issued_at) * 1000000)::bigint,
               'window', CASE WHEN v.k > 0 AND g.called_at IS NOT NULL THEN g.win END,
               'target_window', NULL, 'business_day', g.day, 'issued_at', g.issued_at,
               'called_at', CASE WHEN v.k > 0 THEN g.called_at END, 'recall_count', 0
           ) AS view
    FROM gen g
    CROSS JOIN LATERAL (VALUES
        (0, 'ticket.issue', g.issued_at, NULL::int, NULL, 'waiting'),
        (1, 'ticket.call', g.called_at, g.win, 'waiting', 'called'),
        (2, 'ticket.start', g.started_at, g.win, 'called', 'serving'),
        (3, 'ticket.finish', g.finished_at, g.win, 'serving', 'done'),
        (4, 'evaluation.submit', CASE WHEN g.score IS NOT NULL THEN g.finished_at + interval '15 seconds' END,
            g.win, NULL, NULL),
        (5, 'ticket.no_show', CASE WHEN g.outcome = 'n' THEN g.called_at + interval '2 minutes' END,
            g.win, 'called', 'no_show'),
        (6, 'ticket.cancel', CASE WHEN g.outcome = 'c' THEN g.issued_at + g.wait / 2 END, NULL, 'waiting', 'cancelled'),
        (7, 'ticket.rollover', CASE WHEN g.outcome IN ('n', 'x') THEN g.rollover_at END, NULL,
            CASE WHEN g.outcome = 'n' THEN 'no_show' ELSE 'waiting' END, 'not_served')
    ) AS v(k, kind, at, ev_win, from_state, to_state)
    WHERE v.at IS NOT NULL
) e
"""


@dataclass(frozen=True)
class Month:
    """The generated month: its first and last day and the tickets per hall-day."""

    first: date
    days: int
    per_hall_day: int

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)


def generate_hall(conn: psycopg.Connection[tuple[object, ...]], slug: str, month: Month, seed: float) -> None:
    """One hall's month of tickets, ratings and events, in one transaction."""
    params: dict[str, object] = {
        "hall": slug,
        "tz": TZ,
        "services": list(SERVICES),
        "open_s": OPEN_S,
        "hours_s": HOURS_S,
        "n": month.per_hall_day,
        "windows": WINDOWS,
        "first": month.first,
        "last": month.last,
    }
    with conn.transaction():
        conn.execute("SELECT setseed(%s)", (seed,))
        conn.execute(GEN_TICKETS, params)
        conn.execute(INSERT_TICKETS, params)
        conn.execute(INSERT_EVALUATIONS, params)
        base = conn.execute("SELECT coalesce(max(seq), 0) FROM event WHERE hall = %s", (slug,)).fetchone()
        assert base is not None
        conn.execute(INSERT_EVENTS, {**params, "base": int(str(base[0]))})


def generate_city(conninfo: str, slugs: list[str], month: Month, workers: int, progress: Callable[[int], None]) -> None:
    """Every hall's month, ``workers`` connections generating halls side by side (the work is
    the server's: these threads only wait on it)."""
    todo = list(enumerate(slugs))
    lock = threading.Lock()
    done = 0

    def work() -> None:
        nonlocal done
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")  # generation only: the bench's own data
            while True:
                with lock:
                    if not todo:
                        return
                    k, slug = todo.pop(0)
                generate_hall(conn, slug, month, seed=((k * 7919) % 10007) / 10007)
                with lock:
                    done += 1
                    progress(done)

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(work) for _ in range(workers)]:
            f.result()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # What autovacuum does soon after a bulk load on a live server (statistics, visibility map).
        conn.execute("VACUUM ANALYZE ticket")
        conn.execute("VACUUM ANALYZE event")
        conn.execute("VACUUM ANALYZE evaluation")


# -- the project's rebuild, per hall on worker processes -----------------------------

_worker: dict[str, object] = {}


def _init_rebuild(url: str, halls: int, tree: bool) -> None:
    from queue_server.commands.report_fold import ReportFolder
    from queue_server.service import QueueService
    from queue_server.storage import open_store

    store = open_store(url, migrate=False)
    _worker["folder"] = ReportFolder(QueueService(store, city_config(halls, tree)))


def _rebuild_one(slug: str) -> tuple[str, int, int, float]:
    from queue_server.commands.report_fold import ReportFolder

    folder = _worker["folder"]
    assert isinstance(folder, ReportFolder)
    started = time.perf_counter()
    done = folder.rebuild(slug)
    return slug, int(done["mark"]), int(done["cells"]), time.perf_counter() - started


@dataclass
class Rebuilt:
    seconds: float
    events: int
    cells: int
    hall_seconds: float  # the sum of the halls' own times (the work, whatever the parallelism)


def rebuild_city(url: str, slugs: list[str], tree: bool, workers: int, progress: Callable[[int], None]) -> Rebuilt:
    """``ReportFolder.rebuild(hall)`` for every hall (every day: the mark becomes the log's end),
    one hall per task on ``workers`` spawned processes; the wall time includes starting them."""
    started = time.perf_counter()
    events = cells = 0
    own = 0.0
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, ctx, _init_rebuild, (url, len(slugs), tree)) as pool:
        for n, (_slug, marked, written, seconds) in enumerate(pool.map(_rebuild_one, slugs), start=1):
            events += marked
            cells += written
            own += seconds
            progress(n)
    return Rebuilt(time.perf_counter() - started, events, cells, own)


__all__ = [
    "SERVICES",
    "WINDOWS",
    "Month",
    "Rebuilt",
    "city_config",
    "generate_city",
    "hall_slug",
    "rebuild_city",
]
