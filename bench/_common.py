"""Helpers shared by the benchmarks: statistics, a plain-text table, verdicts,
private PostgreSQL databases and a cProfile summary."""

from __future__ import annotations

import contextlib
import cProfile
import io
import math
import os
import pstats
import signal
import statistics
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa

PG_ENV = "HALLQ_TEST_PG"


def pg_default() -> str | None:
    """The PostgreSQL server to use when --pg is not given (the test suite's variable)."""
    return os.environ.get(PG_ENV) or None


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


def format_profile(prof: cProfile.Profile, limit: int = 25) -> str:
    """The top functions of a finished profile, by own time and by cumulative time."""
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    out.write(f"--- top {limit} by own time (tottime) ---\n")
    stats.sort_stats("tottime").print_stats(limit)
    out.write(f"--- top {limit} by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(limit)
    text = out.getvalue()
    paths = sysconfig.get_paths()
    for prefix in sorted({paths["purelib"], paths["stdlib"], os.getcwd()}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    return text


def fmt_rate(per_s: float) -> str:
    return f"{per_s:,.0f}/s"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def machine_line() -> str:
    """CPU count and load: on a shared 2-core machine, other work is the main source of noise."""
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min)"


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
    import httpx2 as httpx

    side = " ".join([module, *args[:1]])
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=Path(__file__).resolve().parent.parent,
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
        url = f"http://127.0.0.1:{fields[0]}"
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{side} does not answer /healthz:\n{log_tail(log)}")
            time.sleep(0.05)
        yield proc, fields
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=stop_timeout)
