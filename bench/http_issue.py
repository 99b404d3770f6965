"""HTTP issue rate: POST /api/halls/demo/tickets on a real uvicorn server against a bare Starlette insert endpoint.

Requirement: tickets issued over HTTP (each one committed before the response) reach at
least 0.20 of a bare Starlette endpoint that inserts and commits one row in sqlite3,
served and loaded the same way.

    .venv/bin/python -m bench.http_issue [--requests 2000] [--concurrency 16] [--rounds 5] [--tmp DIR]
                                         [--warmup 50] [--baseline-writer serialised|concurrent] [--profile]

Every round starts a fresh server process (bench/_http_server.py) on a fresh SQLite file;
project and baseline rounds alternate (and swap which goes first) so machine noise hits
both. The exit code is always 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import secrets
import sqlite3
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import uvloop

from queue_server.auth.service import AuthService
from queue_server.config import Config, demo_config
from queue_server.principal import DeviceKind
from queue_server.storage import open_store

from ._common import (
    SQLITE_BASELINE_DDL,
    flush_cost_us,
    fmt_ms,
    fmt_rate,
    machine_line,
    median,
    percentile,
    prepared_service,
    print_thread_profiles,
    process_cpu_s,
    server_process,
    service_codes,
    sqlite_connect,
    sqlite_settings,
    table,
    verdict,
)
from ._http_server import HALL, PROFILE_ENV, TICKETS_PATH, WRITERS

TARGET = 0.20
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 30.0
PATH = TICKETS_PATH.format(hall=HALL)
SIDES = ("project", "baseline")


@dataclass
class Round:
    """One side's round: the timed requests, and what the database holds afterwards."""

    requests: int
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)  # of the 201 answers, warm-up included
    created: int = 0  # 201 answers in the timed part
    failures: Counter[str] = field(default_factory=Counter)  # every non-201 outcome, warm-up included
    committed: int = 0  # rows in the database after the server stopped
    missing: int = 0  # answered 201 but not in the database
    audited: int | None = None  # project: ticket.issue audit rows
    server_cpu_s: float | None = None  # of the timed part
    loadgen_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.created / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def flagged(self) -> bool:
        return bool(self.failures) or self.missing > 0 or self.committed != len(self.ids)

    def p(self, pct: float) -> float:
        return percentile(self.latencies, pct) if self.latencies else float("nan")


@dataclass
class Series:
    rounds: list[Round] = field(default_factory=list)

    @property
    def rates(self) -> list[float]:
        return [r.rate for r in self.rounds]

    @property
    def median(self) -> float:
        return median(self.rates)


@dataclass(frozen=True)
class Settings:
    requests: int
    concurrency: int
    warmup: int
    windows: int
    tmp: Path | None
    writer: str


# -- servers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    loop: str
    http: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running_server(
    side: str, db: Path, log: Path, profile: Path | None = None, extra: tuple[str, ...] = ()
) -> Iterator[Server]:
    """Start ``python -m bench._http_server side db``, wait until /healthz answers, stop it afterwards
    (SIGINT: uvicorn's graceful shutdown; killed if it takes longer than STOP_TIMEOUT_S)."""
    env = dict(os.environ)
    env.pop(PROFILE_ENV, None)
    if profile is not None:
        env[PROFILE_ENV] = str(profile)
    with server_process("bench._http_server", [side, str(db), *extra], log, env, START_TIMEOUT_S, STOP_TIMEOUT_S) as (
        proc,
        fields,
    ):
        port, loop, http = fields
        yield Server(proc, int(port), loop, http)


# -- the load ------------------------------------------------------------------------


async def _drive(
    client: httpx.AsyncClient, codes: list[str], count: int, concurrency: int, result: Round, timed: bool
) -> None:
    """``count`` POSTs by ``concurrency`` workers over keep-alive connections."""
    counter = itertools.count()

    async def worker() -> None:
        while (i := next(counter)) < count:
            start = time.perf_counter()
            try:
                resp = await client.post(PATH, json={"service": codes[i % len(codes)]})
                ticket_id = int(resp.json()["id"]) if resp.status_code == 201 else None
            except httpx.HTTPError as exc:
                result.failures[type(exc).__name__] += 1
                continue
            except (ValueError, KeyError, TypeError):
                result.failures["201 without a ticket id"] += 1
                continue
            if ticket_id is None:
                result.failures[f"HTTP {resp.status_code}"] += 1
                continue
            result.ids.append(ticket_id)
            if timed:
                result.latencies.append(time.perf_counter() - start)
                result.created += 1

    await asyncio.gather(*(worker() for _ in range(min(concurrency, count))))


async def load(server: Server, bearer: str, codes: list[str], opts: Settings, result: Round) -> None:
    limits = httpx.Limits(max_connections=opts.concurrency, max_keepalive_connections=opts.concurrency)
    async with httpx.AsyncClient(
        base_url=server.url,
        headers={"authorization": f"Bearer {bearer}"},
        limits=limits,
        timeout=REQUEST_TIMEOUT_S,
        trust_env=False,
    ) as client:
        await _drive(client, codes, opts.warmup, opts.concurrency, result, timed=False)
        warmup_failures = sum(result.failures.values())
        cpu0, server_cpu0 = time.process_time(), process_cpu_s(server.proc.pid)
        start = time.perf_counter()
        try:
            await asyncio.wait_for(
                _drive(client, codes, opts.requests, opts.concurrency, result, timed=True),
                timeout=60 + 0.1 * opts.requests,
            )
        except TimeoutError:
            timed_failures = sum(result.failures.values()) - warmup_failures
            result.failures["not answered: round timed out"] += opts.requests - result.created - timed_failures
        result.elapsed = time.perf_counter() - start
        result.loadgen_cpu_s = time.process_time() - cpu0
        server_cpu1 = process_cpu_s(server.proc.pid)
        if server_cpu0 is not None and server_cpu1 is not None:
            result.server_cpu_s = server_cpu1 - server_cpu0


def run_load(server: Server, bearer: str, codes: list[str], opts: Settings) -> Round:
    result = Round(requests=opts.requests)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(load(server, bearer, codes, opts, result))
    return result


# -- the two sides ---------------------------------------------------------------------


def _ids(db: Path, query: str) -> set[int]:
    conn = sqlite3.connect(db)
    try:
        return {int(row[0]) for row in conn.execute(query)}
    finally:
        conn.close()


def project_round(config: Config, codes: list[str], opts: Settings, profile: Path | None = None) -> Round:
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=opts.tmp) as tmp:
        db = Path(tmp) / "hallq.db"
        store = open_store(f"sqlite:///{db}")
        try:
            prepared_service(store, config, opts.windows, HALL)
            _, kiosk = AuthService(store.accounts).create_device_token(DeviceKind.KIOSK, HALL, "bench.http_issue")
        finally:
            store.close()
        with running_server("project", db, Path(tmp) / "server.log", profile) as server:
            result = run_load(server, kiosk, codes, opts)
        stored = _ids(db, f"SELECT id FROM ticket WHERE hall = '{HALL}'")
        audited = _ids(db, "SELECT id FROM audit WHERE action = 'ticket.issue' AND outcome = 'ok'")
    result.committed, result.missing, result.audited = len(stored), len(set(result.ids) - stored), len(audited)
    return result


def baseline_round(codes: list[str], opts: Settings) -> Round:
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=opts.tmp) as tmp:
        db = Path(tmp) / "bare.db"
        conn = sqlite_connect(db)
        conn.execute(SQLITE_BASELINE_DDL)
        conn.close()
        with running_server("baseline", db, Path(tmp) / "server.log", extra=("--writer", opts.writer)) as server:
            # The same header as the project's requests; the bare endpoint ignores it.
            result = run_load(server, "hqd_" + secrets.token_urlsafe(32), codes, opts)
        stored = _ids(db, "SELECT id FROM bench_ticket")
    result.committed, result.missing = len(stored), len(set(result.ids) - stored)
    return result


def server_versions(opts: Settings) -> str:
    """Which loop and HTTP implementation uvicorn picked (the same "auto" settings for both servers)."""
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=opts.tmp) as tmp:
        db = Path(tmp) / "bare.db"
        sqlite_connect(db).close()
        with running_server("baseline", db, Path(tmp) / "server.log") as server:
            return f"loop {server.loop}, HTTP {server.http}"


# -- output ----------------------------------------------------------------------------


def describe(side: str, index: int, r: Round) -> str:
    cpu = f", server CPU {r.server_cpu_s / r.elapsed:.0%}" if r.server_cpu_s is not None and r.elapsed else ""
    audit = f", audit rows {r.audited}" if r.audited is not None else ""
    missing = f" ({r.missing} answered tickets MISSING)" if r.missing else ""
    fails = f", FAILURES {dict(r.failures)}" if r.failures else ""
    flag = "  FLAGGED" if r.flagged else ""
    return (
        f"  round {index} {side:<8} {fmt_rate(r.rate):>9}  p50 {fmt_ms(r.p(50))}  p99 {fmt_ms(r.p(99))}  "
        f"{r.created}/{r.requests} x 201, committed {r.committed}/{len(r.ids)}"
        f"{missing}{audit}{fails}{cpu}, load generator CPU {r.loadgen_cpu_s / r.elapsed:.0%}{flag}"
    )


def _cpu_per_request(series: Series) -> str:
    values = [r.server_cpu_s / r.created for r in series.rounds if r.server_cpu_s is not None and r.created]
    return fmt_ms(median(values)) if values else "n/a"


def _cpu_share(series: Series) -> str:
    values = [r.server_cpu_s / r.elapsed for r in series.rounds if r.server_cpu_s is not None and r.elapsed]
    return f"{median(values):.0%}" if values else "n/a"


def report(proj: Series, base: Series) -> float:
    ratio = proj.median / base.median if base.median else 0.0
    ratios = [p / b if b else 0.0 for p, b in zip(proj.rates, base.rates, strict=True)]

    def row(label: str, s: Series) -> list[str]:
        p50 = median([r.p(50) for r in s.rounds])
        p99 = median([r.p(99) for r in s.rounds])
        return [
            label,
            fmt_rate(s.median),
            fmt_rate(min(s.rates)),
            fmt_rate(max(s.rates)),
            fmt_ms(p50),
            fmt_ms(p99),
            _cpu_per_request(s),
            _cpu_share(s),
        ]

    rows = [
        row(f"project  POST {PATH} (kiosk token)", proj),
        row("baseline Starlette + sqlite3 INSERT; COMMIT", base),
        ["ratio project/baseline", f"{ratio:.3f}", f"{min(ratios):.3f}", f"{max(ratios):.3f}", "", "", "", ""],
    ]
    headers = ["", "median", "min", "max", "p50", "p99", "server CPU/req", "server CPU"]
    print(table(headers, rows))
    print("  (p50/p99: request latency at the client, median over the rounds; server CPU: user+system time of")
    print("   the server process during the timed part, per 201 answer and as a share of one core)")
    loadgen = median([r.loadgen_cpu_s / r.elapsed for r in base.rounds if r.elapsed])
    if loadgen > 0.85:
        print(
            f"  note: the load generator used {loadgen:.0%} of a core during the baseline rounds: the bare rate"
            " may be capped by the client, and the ratio flattered"
        )
    print(f"  target: ratio >= {TARGET:.2f}  ->  {verdict(ratio >= TARGET)}")
    print()
    return ratio


def profile_round(config: Config, codes: list[str], opts: Settings, limit: int = 25) -> None:
    with tempfile.TemporaryDirectory(prefix="hallq_bench_prof_", dir=opts.tmp) as tmp:
        prof = Path(tmp) / "server.prof"
        r = project_round(config, codes, opts, profile=prof)
        print(
            f"cProfile of the project server over one more round ({opts.warmup} + {opts.requests} requests, "
            f"{fmt_rate(r.rate)} under the profiler{'; FLAGGED' if r.flagged else ''})."
        )
        print("Threads waiting show up as time in lock acquire / epoll: read the SQL and app lines.")
        print_thread_profiles(prof, limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_issue", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per round (default 2000)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per side (default 5)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests before each round (default 50)")
    parser.add_argument("--windows", type=int, default=5, help="demo windows opened before issuing (default 5)")
    parser.add_argument("--tmp", type=Path, default=None, help="directory for the SQLite files (default: system temp)")
    parser.add_argument(
        "--baseline-writer",
        choices=WRITERS,
        default=WRITERS[0],
        help="serialised (default): the bare endpoint's threads take a lock before BEGIN IMMEDIATE; "
        "concurrent: no lock, they wait in SQLite's busy handler",
    )
    parser.add_argument("--profile", action="store_true", help="afterwards, cProfile the project server for a round")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--requests, --concurrency and --rounds must be positive, --warmup not negative")
    opts = Settings(args.requests, args.concurrency, args.warmup, args.windows, args.tmp, args.baseline_writer)
    config = demo_config()
    codes = service_codes(config, HALL)
    tmp_dir = args.tmp or Path(tempfile.gettempdir())

    print("HallQ HTTP issue benchmark")
    print(f"  machine: {machine_line()}")
    print(
        f"  {opts.requests} timed POSTs per round after {opts.warmup} warm-up, {opts.concurrency} in flight "
        f"(httpx2 AsyncClient, keep-alive, uvloop), {args.rounds} rounds per side, interleaved"
    )
    print(
        f"  servers: one uvicorn process each on 127.0.0.1 (port chosen by the OS), 1 worker, "
        f"{server_versions(opts)}, log level warning, no access log; a fresh process and file every round"
    )
    print(
        f"  project: the demo hall ({len(codes)} services cycled, {opts.windows} of 20 windows open), "
        "a kiosk device token (per-token limit lifted for the benchmark)"
    )
    print("  baseline: Starlette POST endpoint, sqlite3 BEGIN IMMEDIATE; INSERT one row; COMMIT in the threadpool")
    lock = "a lock taken before BEGIN IMMEDIATE" if opts.writer == "serialised" else "no lock: SQLite's busy handler"
    print(f"            (one connection per thread; writes {opts.writer}: {lock}), 201 JSON")
    settings = sqlite_settings(args.tmp)
    print(
        f"  SQLite files in {tmp_dir}; a small fdatasync here costs {flush_cost_us(args.tmp):.0f} µs\n"
        f"    project connection:  {settings[0]}\n    baseline connection: {settings[1]}"
    )
    print()

    series = {side: Series() for side in SIDES}
    for index in range(1, args.rounds + 1):
        order = SIDES if index % 2 else tuple(reversed(SIDES))
        for side in order:
            r = project_round(config, codes, opts) if side == "project" else baseline_round(codes, opts)
            series[side].rounds.append(r)
            print(describe(side, index, r), flush=True)
    print()
    proj, base = series["project"], series["baseline"]
    ratio = report(proj, base)
    flagged = sum(r.flagged for s in series.values() for r in s.rounds)
    if flagged:
        print(f"  {flagged} round(s) FLAGGED: failed requests or answered tickets missing from the database\n")

    if args.profile:
        profile_round(config, codes, opts)

    print(f"machine at the end: {machine_line()}")
    print(
        f"SUMMARY http_issue sqlite: {fmt_rate(proj.median)} vs bare {fmt_rate(base.median)} = {ratio:.3f} "
        f"(target >= {TARGET:.2f}) {verdict(ratio >= TARGET)}" + (f"; {flagged} round(s) flagged" if flagged else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
