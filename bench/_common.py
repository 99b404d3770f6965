"""Helpers shared by the benchmarks: statistics, a plain-text table, verdicts, the
database options and private PostgreSQL databases, the demo hall made ready to issue,
the bare SQLite baseline's connection, server processes and cProfile summaries."""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import math
import os
import pstats
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
import sqlalchemy as sa

from queue_server.config import Config
from queue_server.service import QueueService
from queue_server.storage import Store, open_store
from queue_server.storage.sqlite import BUSY_TIMEOUT_MS

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "HALLQ_TEST_PG"
DEMO_HALL = "demo"
# What a PostgreSQL server that is not there (or refuses us) raises: the benchmark says "not measured".
PG_UNAVAILABLE: tuple[type[Exception], ...] = (sa.exc.OperationalError, psycopg.OperationalError)

# A table shaped like a small ticket row, for the bare SQLite loops.
SQLITE_BASELINE_DDL = """
CREATE TABLE bench_ticket (
    id INTEGER PRIMARY KEY,
    hall TEXT NOT NULL,
    service TEXT NOT NULL,
    number TEXT NOT NULL,
    state TEXT NOT NULL,
    order_key INTEGER NOT NULL,
    issued_at TEXT NOT NULL
)"""
BASELINE_INSERT_SQLITE = (
    "INSERT INTO bench_ticket (hall, service, number, state, order_key, issued_at) VALUES (?, ?, ?, ?, ?, ?)"
)


def pg_default() -> str | None:
    """The PostgreSQL server to use when --pg is not given (the test suite's variable)."""
    return os.environ.get(PG_ENV) or None


def add_db_args(parser: argparse.ArgumentParser, private: str = "a private database is") -> None:
    """``--tmp DIR``, ``--pg URL`` and ``--no-pg``; ``private`` says what --pg creates and drops."""
    parser.add_argument("--tmp", type=Path, default=None, help="directory for the SQLite files (default: system temp)")
    parser.add_argument(
        "--pg",
        default=pg_default(),
        metavar="URL",
        help=f"also measure on this PostgreSQL server (default: ${PG_ENV}); {private} created and dropped",
    )
    parser.add_argument("--no-pg", action="store_true", help=f"skip PostgreSQL even if ${PG_ENV} is set")


def pg_wanted(args: argparse.Namespace) -> str | None:
    """The PostgreSQL server to measure on (from ``add_db_args``' options), or None."""
    url: str | None = args.pg
    return None if args.no_pg else url or None


def pg_not_measured(exc: Exception) -> str:
    """Say why PostgreSQL was not measured (one of ``PG_UNAVAILABLE``); the summary's words for it."""
    print(f"PostgreSQL: not measured ({type(exc).__name__}: {str(exc).strip().splitlines()[0]})\n")
    return "postgres: not measured"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "BELOW TARGET"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned first column, right-aligned figures."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  " + "  ".join(parts).rstrip()

    rule = "  " + "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def psycopg_conninfo(url: str) -> str:
    """A SQLAlchemy URL as a libpq URL that psycopg.connect() accepts."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def private_pg_database(base_url: str, tag: str = "") -> Iterator[str]:
    """Create ``hallq_bench_<random>`` on the server of ``base_url`` and yield its URL;
    drop it (WITH (FORCE)) afterwards, whatever happened."""
    name = f"hallq_bench_{uuid.uuid4().hex[:10]}{tag}"
    admin = sa.create_engine(sa.make_url(base_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield sa.make_url(base_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def safe_url(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


# -- the demo hall -------------------------------------------------------------------


def service_codes(config: Config, hall: str = DEMO_HALL) -> list[str]:
    """The codes of ``hall``'s services, in the configuration's order."""
    found = config.hall(hall)
    assert found is not None
    return [s.code for s in found.services]


def prepared_service(store: Store, config: Config, windows: int, hall: str = DEMO_HALL) -> QueueService:
    """``config``'s halls synced into ``store`` and ``hall``'s first ``windows`` windows open."""
    store.sync_halls(config)
    service = QueueService(store, config)
    found = config.hall(hall)
    assert found is not None
    for win in found.windows[:windows]:
        service.open_window(hall, win.number)  # no clerk: the demo checks logins against its staff list
    return service


# -- the bare SQLite baseline ----------------------------------------------------------


def sqlite_connect(path: Path) -> sqlite3.Connection:
    """The project's connection settings (queue_server/storage/sqlite.py), with the bare module."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def sqlite_settings(tmp: Path | None) -> tuple[str, str]:
    """PRAGMAs as the project's engine and the bare connection really have them (files in ``tmp``)."""
    query = "SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT synchronous FROM pragma_synchronous), "
    query += "(SELECT timeout FROM pragma_busy_timeout)"
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=tmp) as d:
        store = open_store(f"sqlite:///{Path(d) / 'hallq.db'}")
        engine: sa.Engine = store.engine  # type: ignore[attr-defined]
        with engine.connect() as conn:
            project = conn.exec_driver_sql(query).one()
        store.close()
        bare_conn = sqlite_connect(Path(d) / "bare.db")
        bare = bare_conn.execute(query).fetchone()
        bare_conn.close()
    sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}

    def show(row: tuple[object, ...] | sa.Row[tuple[object, ...]] | None) -> str:
        assert row is not None
        mode, level, timeout = row[0], row[1], row[2]
        return f"journal_mode={mode} synchronous={sync.get(int(str(level)), level)} busy_timeout={timeout}ms"

    return show(project), show(bare)


def flush_cost_us(tmp: Path | None, count: int = 200) -> float:
    """Median cost of a small in-place write + fdatasync in the temp directory (what a WAL commit
    with synchronous=FULL waits for once the WAL file has its size): what 'durable' costs here."""
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=tmp) as d:
        fd = os.open(Path(d) / "probe", os.O_WRONLY | os.O_CREAT)
        try:
            os.write(fd, b"\0" * 65536)
            os.fsync(fd)
            for i in range(count):
                os.pwrite(fd, b"x" * 100, (i * 4096) % 65536)
                start = time.perf_counter()
                os.fdatasync(fd)
                times.append(time.perf_counter() - start)
        finally:
            os.close(fd)
    return median(times) * 1e6


# -- profiles --------------------------------------------------------------------------


def short_paths(text: str) -> str:
    """``text`` without the site-packages, standard library and repository prefixes of file names."""
    paths = sysconfig.get_paths()
    for prefix in sorted({paths["purelib"], paths["stdlib"], str(ROOT)}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    return text


def format_profile(source: cProfile.Profile | Path, limit: int = 25, title: str = "") -> str:
    """The top functions of a finished profile (or a pstats dump file), by own time and by
    cumulative time; ``title`` heads both lists."""
    out = io.StringIO()
    stats = pstats.Stats(source if isinstance(source, cProfile.Profile) else str(source), stream=out)
    head = f"{title}: " if title else ""
    out.write(f"--- {head}top {limit} by own time (tottime) ---\n")
    stats.sort_stats("tottime").print_stats(limit)
    out.write(f"--- {head}top {limit} by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(limit)
    return short_paths(out.getvalue())


def print_thread_profiles(prof: Path, limit: int) -> None:
    """The profiles a server wrote with ``HALLQ_BENCH_PROFILE=prof`` (bench/_http_server.py's
    ThreadProfiles): the event loop thread, then the threadpool threads merged."""
    for suffix, title in ((".loop", "event loop thread"), (".pool", "threadpool threads, merged")):
        path = prof.with_name(prof.name + suffix)
        if path.exists():
            print(format_profile(path, limit, title))
        else:
            print(f"--- {title}: no profile written ---")


def fmt_rate(per_s: float) -> str:
    return f"{per_s:,.0f}/s"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def machine_line() -> str:
    """CPU count and load: on a shared 2-core machine, other work is the main source of noise."""
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min)"


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], deadline_s: float, what: str) -> None:
    """Poll ``url``/healthz until it answers 200; RuntimeError naming ``what`` if ``proc`` exits
    first or ``deadline_s`` (a ``time.monotonic()`` value) passes."""
    import httpx2 as httpx

    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline_s:
            raise RuntimeError(f"{what} does not answer /healthz")
        time.sleep(0.05)


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def server_process(
    module: str, args: Sequence[str], log: Path, env: dict[str, str], start_timeout: float, stop_timeout: float
) -> Iterator[tuple[subprocess.Popen[bytes], list[str]]]:
    """Run ``python -m module *args`` from the repository root until the block ends.

    Waits for the ``LISTENING port …`` line it prints (yielded as its fields) and for
    ``/healthz`` to answer; stops it with SIGINT (uvicorn's graceful shutdown), killing it
    if that takes longer than ``stop_timeout``.
    """
    side = " ".join([module, *args[:1]])
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + start_timeout
        fields: list[str] | None = None
        while fields is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{side} did not start:\n{log_tail(log)}")
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("LISTENING "):
                    fields = line.split()[1:]
            time.sleep(0.05)
        try:
            wait_healthy(f"http://127.0.0.1:{fields[0]}", proc, deadline, side)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}:\n{log_tail(log)}") from None
        yield proc, fields
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=stop_timeout)
