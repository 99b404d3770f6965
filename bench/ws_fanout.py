"""WebSocket fan-out: a clerk's call-next reaching 1,000 hall displays, against a bare Starlette broadcast.

Requirements:
- with 1,000 display clients connected, the time from a clerk's call-next request to the
  event's arrival at every client has a p99 at most 3 times that of a bare Starlette
  broadcast of a same-sized message to 1,000 clients (both p50/p99 printed);
- memory per idle connected display stays under 30 KiB (RSS growth divided by clients).

    .venv/bin/python -m bench.ws_fanout [--clients 1000] [--calls 30] [--rounds 3] [--tmp DIR]
                                        [--warmup 5] [--windows 2] [--connect-concurrency 50] [--settle 1]
                                        [--compression deflate|none] [--profile] [--tracemalloc]

Every round starts a fresh server process (bench/_ws_server.py; the project on a fresh
SQLite file); project and baseline rounds alternate (and swap which goes first) so machine
noise hits both. The clients run in this process (websockets' asyncio client on uvloop); a
message's arrival is when its last frame has been read off the socket and decoded. The exit
code is always 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.frames import DATA_OPCODES, Frame

from queue_server.auth.service import AuthService
from queue_server.config import Config, demo_config
from queue_server.principal import DeviceKind, Role
from queue_server.storage import open_store

from ._common import (
    machine_line,
    median,
    percentile,
    prepared_service,
    print_thread_profiles,
    process_cpu_s,
    server_process,
    short_paths,
    table,
    verdict,
)
from ._http_server import PROFILE_ENV
from ._ws_server import HALL, TRACEMALLOC_ENV, raise_fd_limit, vm_rss_kib

TARGET_RATIO = 3.0
TARGET_KIB = 30.0
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
EVENT_TIMEOUT_S = 30.0  # one event reaching every client
HTTP_TIMEOUT_S = 30.0
WARM_CLIENTS = 10  # connected for the warm-up before the 0-client RSS reading
SIDES = ("project", "baseline")
WS_PATH = f"/ws/halls/{HALL}"
MANAGER = "bench-manager"
TOO_SLOW = 4008
TRACE_FRAMES = 6  # tracemalloc frames kept by --tracemalloc


def action_path(window: int, action: str) -> str:
    return f"/api/halls/{HALL}/windows/{window}/{action}"


@dataclass(frozen=True)
class Settings:
    clients: int
    calls: int
    warmup: int
    windows: int
    connect_concurrency: int
    settle: float
    compression: str | None
    tmp: Path | None


@dataclass
class Round:
    """One side's round."""

    clients: int
    calls: int
    connected: int = 0
    connect_s: float = 0.0
    all_latencies: list[float] = field(default_factory=list)  # per timed call: arrival at the last client - t0
    client_latencies: list[float] = field(default_factory=list)  # per timed call and client
    answer_latencies: list[float] = field(default_factory=list)  # the POST's answer - t0
    failures: Counter[str] = field(default_factory=Counter)
    closes: Counter[str] = field(default_factory=Counter)  # connections the server closed during the round
    gaps: int = 0  # messages whose seq/prev did not follow the client's last seq
    unasked_snapshots: int = 0
    mismatched: int = 0  # clients disagreeing on what an event was
    rss0_kib: int | None = None
    half: int = 0  # clients connected at the middle RSS reading
    rsshalf_kib: int | None = None
    rssn_kib: int | None = None
    rss_after_kib: int | None = None
    elapsed: float = 0.0  # the timed calls
    server_cpu_s: float | None = None
    loadgen_cpu_s: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def per_client_kib(self) -> float | None:
        if self.rss0_kib is None or self.rssn_kib is None or not self.connected:
            return None
        return (self.rssn_kib - self.rss0_kib) / self.connected

    @property
    def marginal_kib(self) -> float | None:
        """(RSS_N - RSS_N/2) / (N - N/2): what one more display costs, without the one-off costs of
        the first connections (threadpool threads and their malloc arenas, pooled database connections)."""
        if self.rsshalf_kib is None or self.rssn_kib is None or self.connected <= self.half:
            return None
        return (self.rssn_kib - self.rsshalf_kib) / (self.connected - self.half)

    @property
    def flagged(self) -> bool:
        return (
            bool(self.failures)
            or bool(self.closes)
            or self.gaps > 0
            or self.mismatched > 0
            or self.connected < self.clients
            or len(self.all_latencies) < self.calls
        )

    def p_all(self, pct: float) -> float:
        return percentile(self.all_latencies, pct) if self.all_latencies else float("nan")

    def p_client(self, pct: float) -> float:
        return percentile(self.client_latencies, pct) if self.client_latencies else float("nan")

    def p_answer(self, pct: float) -> float:
        return percentile(self.answer_latencies, pct) if self.answer_latencies else float("nan")


@dataclass(frozen=True)
class Probe:
    """The project's real messages, the baseline's templates."""

    snapshot: str
    call: str
    no_show: str
    extensions: str
    ws: str
    loop: str
    http: str


# -- servers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    loop: str
    http: str
    ws: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def running_server(side: str, args: list[str], log: Path, env_extra: dict[str, str] | None = None) -> Iterator[Server]:
    """Start ``python -m bench._ws_server side *args``, wait until /healthz answers; stop it afterwards
    (SIGINT: uvicorn's graceful shutdown; killed if it takes longer than STOP_TIMEOUT_S)."""
    env = dict(os.environ)
    for name in (PROFILE_ENV, TRACEMALLOC_ENV):
        env.pop(name, None)
    env.update(env_extra or {})
    with server_process("bench._ws_server", [side, *args], log, env, START_TIMEOUT_S, STOP_TIMEOUT_S) as (
        proc,
        fields,
    ):
        port, loop, http, ws = fields
        yield Server(proc, int(port), loop, http, ws)


@dataclass(frozen=True)
class Credentials:
    manager: str  # bearer token of a manager of the demo hall
    display: str  # display device token


def prepare_project_db(db: Path, config: Config, windows: int, tickets: int) -> Credentials:
    """The demo hall, ``windows`` windows open (1 and 2 serve A and B), ``tickets`` waiting tickets of
    A and B, a manager's bearer token and a display token: all before the server starts."""
    store = open_store(f"sqlite:///{db}")
    try:
        service = prepared_service(store, config, windows, HALL)
        for i in range(tickets):
            service.issue(HALL, "AB"[i % 2])
        auth = AuthService(store.accounts)
        password = secrets.token_urlsafe(16)
        auth.create_user(MANAGER, password, Role.MANAGER, HALL)
        manager = auth.login(MANAGER, password, "127.0.0.1", bearer=True).secret
        _, display = auth.create_device_token(DeviceKind.DISPLAY, HALL, "bench.ws_fanout")
    finally:
        store.close()
    return Credentials(manager, display)


# -- the clients -----------------------------------------------------------------------


class TimedConnection(ClientConnection):
    """A websockets client connection that notes when each message's last frame has been read off
    the socket and decoded (in ``data_received``), before the reading task gets to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frame_times: deque[float] = deque()

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and event.fin and event.opcode in DATA_OPCODES:
            self.frame_times.append(time.perf_counter())
        super().process_event(event)


class Client:
    __slots__ = ("arrivals", "closed", "conn", "gaps", "last_seq", "snapshots", "task")

    def __init__(self, conn: TimedConnection, seq: int) -> None:
        self.conn = conn
        self.last_seq = seq
        self.arrivals: dict[int, float] = {}
        self.gaps = 0
        self.snapshots = 0
        self.closed: str | None = None  # how the connection ended, while it was still wanted
        self.task: asyncio.Task[None] | None = None


class Tracker:
    """How many of the current clients have each event; the waits for "every client has it"."""

    def __init__(self) -> None:
        self.clients: list[Client] = []
        self.alive = 0  # clients not closed (kept as a count: it is read at every arrival)
        self.counts: Counter[int] = Counter()
        self.meta: dict[int, tuple[Any, Any]] = {}
        self.mismatched = 0
        self.closing = False
        self._waits: dict[int, asyncio.Future[None]] = {}

    def add(self, client: Client) -> None:
        self.clients.append(client)
        self.alive += 1

    def lost(self, client: Client, how: str) -> None:
        """``client`` closed while it was still wanted."""
        if client.closed is None:
            client.closed = how
            self.alive -= 1
            self.poke()

    def remove(self, clients: list[Client]) -> None:
        gone = set(clients)
        self.clients = [c for c in self.clients if c not in gone]
        self.alive = sum(1 for c in self.clients if c.closed is None)

    def arrived(self, seq: int, kind: Any, ticket_id: Any) -> None:
        self.counts[seq] += 1
        if self.meta.setdefault(seq, (kind, ticket_id)) != (kind, ticket_id):
            self.mismatched += 1
        self._check(seq)

    def poke(self) -> None:
        for seq in list(self._waits):
            self._check(seq)

    def _check(self, seq: int) -> None:
        fut = self._waits.get(seq)
        if fut is not None and not fut.done() and self.counts[seq] >= self.alive:
            fut.set_result(None)

    async def wait(self, seq: int, timeout: float) -> bool:
        if self.counts[seq] >= self.alive:
            return True
        fut = asyncio.get_running_loop().create_future()
        self._waits[seq] = fut
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waits.pop(seq, None)


async def _read(client: Client, tracker: Tracker) -> None:
    """Read every message; its arrival is when TimedConnection read its last frame. Check that
    seq/prev follow on, and tell the tracker."""
    conn = client.conn
    try:
        async for raw in conn:
            arrived = conn.frame_times.popleft()
            msg = json.loads(raw)
            if msg.get("type") == "event":
                seq = int(msg["seq"])
                if seq != client.last_seq + 1 or msg.get("prev") != client.last_seq:
                    client.gaps += 1
                client.last_seq = seq
                client.arrivals[seq] = arrived
                event = msg.get("event") or {}
                tracker.arrived(seq, event.get("kind"), event.get("ticket_id"))
            elif msg.get("type") == "snapshot":
                client.snapshots += 1
                client.last_seq = int(msg["seq"])
    except ConnectionClosed:
        pass
    finally:
        if not tracker.closing:
            code = conn.close_code
            tracker.lost(client, f"{code} {conn.close_reason or ''}".strip() if code is not None else "no close frame")


async def connect_clients(
    url: str, count: int, opts: Settings, tracker: Tracker, failures: Counter[str]
) -> tuple[list[Client], int]:
    """``count`` clients (at most ``connect_concurrency`` handshakes at once), each past its snapshot;
    returns them and the size of the first snapshot."""
    gate = asyncio.Semaphore(opts.connect_concurrency)
    sizes: list[int] = []

    async def one() -> Client | None:
        async with gate:
            try:
                conn = await connect(
                    url,
                    create_connection=TimedConnection,
                    compression=opts.compression,
                    proxy=None,
                    open_timeout=HTTP_TIMEOUT_S,
                    ping_interval=None,  # like a browser: the server pings, the client answers
                    close_timeout=5,
                )
            except (OSError, TimeoutError, WebSocketException) as exc:
                failures[f"connect: {type(exc).__name__}"] += 1
                return None
            assert isinstance(conn, TimedConnection)
            try:
                raw = await asyncio.wait_for(conn.recv(), HTTP_TIMEOUT_S)
                conn.frame_times.popleft()
                snap = json.loads(raw)
                if snap.get("type") != "snapshot":
                    raise ValueError(f"first message is {snap.get('type')!r}")
            except (TimeoutError, ConnectionClosed, ValueError, TypeError) as exc:
                failures[f"snapshot: {type(exc).__name__}"] += 1
                await conn.close()
                return None
            sizes.append(len(raw))
            client = Client(conn, int(snap["seq"]))
        tracker.add(client)
        client.task = asyncio.create_task(_read(client, tracker))
        return client

    made = await asyncio.gather(*(one() for _ in range(count)))
    return [c for c in made if c is not None], (sizes[0] if sizes else 0)


async def close_clients(clients: list[Client], tracker: Tracker) -> None:
    tracker.closing = True
    await asyncio.gather(*(c.conn.close() for c in clients), return_exceptions=True)
    tasks = [c.task for c in clients if c.task is not None]
    await asyncio.gather(*tasks, return_exceptions=True)
    tracker.remove(clients)
    tracker.closing = False


async def gc_and_rss(http: httpx.AsyncClient, pid: int) -> int | None:
    """Collect garbage in the server, let it settle, read its RSS from outside."""
    await http.get("/_bench/gc")
    await asyncio.sleep(0.2)
    return vm_rss_kib(pid)


# -- one call ------------------------------------------------------------------------------


async def post_action(http: httpx.AsyncClient, window: int, action: str, result: Round) -> tuple[int, Any] | None:
    try:
        resp = await http.post(action_path(window, action))
    except httpx.HTTPError as exc:
        result.failures[f"{action}: {type(exc).__name__}"] += 1
        return None
    if resp.status_code != 200:
        result.failures[f"{action}: HTTP {resp.status_code}"] += 1
        return None
    body = resp.json()
    return int(body["seq"]), (body.get("ticket") or {}).get("id")


async def one_call(http: httpx.AsyncClient, tracker: Tracker, window: int, result: Round, timed: bool) -> None:
    """call-next (timed: from before the POST to the event's arrival at every client), then,
    untimed, no-show of that ticket so the window is free, waited for at every client too."""
    t0 = time.perf_counter()
    answer = await post_action(http, window, "call-next", result)
    answered = time.perf_counter()
    if answer is None:
        return
    seq, ticket_id = answer
    if not await tracker.wait(seq, EVENT_TIMEOUT_S):
        result.failures["call: not at every client within 30 s"] += 1
    if tracker.meta.get(seq) != ("ticket.call", ticket_id):
        result.failures[f"call: seq {seq} is {tracker.meta.get(seq)}, not ticket.call of {ticket_id}"] += 1
    arrivals = [t for c in tracker.clients if (t := c.arrivals.pop(seq, None)) is not None]
    if timed and arrivals and len(arrivals) >= tracker.alive:
        result.all_latencies.append(max(arrivals) - t0)
        result.client_latencies.extend(t - t0 for t in arrivals)
        result.answer_latencies.append(answered - t0)
    answer = await post_action(http, window, "no-show", result)
    if answer is not None:
        if not await tracker.wait(answer[0], EVENT_TIMEOUT_S):
            result.failures["no-show: not at every client within 30 s"] += 1
        for c in tracker.clients:
            c.arrivals.pop(answer[0], None)


# -- a round -----------------------------------------------------------------------------------


async def drive(server: Server, url: str, bearer: str, opts: Settings, result: Round) -> None:
    tracker = Tracker()
    pid = server.proc.pid
    async with httpx.AsyncClient(
        base_url=server.url,
        headers={"authorization": f"Bearer {bearer}"},
        timeout=HTTP_TIMEOUT_S,
        trust_env=False,
    ) as http:
        windows = [1 + i % opts.windows for i in range(opts.calls + 2 * opts.warmup)]
        turn = iter(windows)
        # Warm-up: a few clients and calls (the project loads its hall view here), then none.
        warm, _ = await connect_clients(url, WARM_CLIENTS, opts, tracker, result.failures)
        for _ in range(opts.warmup):
            await one_call(http, tracker, next(turn), result, timed=False)
        await close_clients(warm, tracker)
        await asyncio.sleep(0.5)
        result.rss0_kib = await gc_and_rss(http, pid)

        # N/2 clients, an RSS reading, then the other half and the RSS_N reading.
        start = time.perf_counter()
        clients, _ = await connect_clients(url, opts.clients // 2, opts, tracker, result.failures)
        elapsed = time.perf_counter() - start
        result.half = len(clients)
        await asyncio.sleep(opts.settle)
        result.rsshalf_kib = await gc_and_rss(http, pid)
        start = time.perf_counter()
        more, _ = await connect_clients(url, opts.clients - opts.clients // 2, opts, tracker, result.failures)
        clients += more
        result.connect_s = elapsed + time.perf_counter() - start
        result.connected = len(clients)
        await asyncio.sleep(opts.settle)
        result.rssn_kib = await gc_and_rss(http, pid)

        for _ in range(opts.warmup):
            await one_call(http, tracker, next(turn), result, timed=False)
        cpu0, server_cpu0 = time.process_time(), process_cpu_s(pid)
        start = time.perf_counter()
        for _ in range(opts.calls):
            await one_call(http, tracker, next(turn), result, timed=True)
            await asyncio.sleep(0.01)
        result.elapsed = time.perf_counter() - start
        result.loadgen_cpu_s = time.process_time() - cpu0
        server_cpu1 = process_cpu_s(pid)
        if server_cpu0 is not None and server_cpu1 is not None:
            result.server_cpu_s = server_cpu1 - server_cpu0
        result.rss_after_kib = await gc_and_rss(http, pid)
        result.stats = (await http.get("/_bench/stats")).json()

        for c in clients:
            if c.closed is not None:
                result.closes[c.closed] += 1
            result.gaps += c.gaps
            result.unasked_snapshots += c.snapshots
        result.mismatched = tracker.mismatched
        await close_clients(clients, tracker)


def run_drive(server: Server, url: str, bearer: str, opts: Settings, result: Round) -> None:
    bound = 120 + 0.05 * opts.clients + 5 * (opts.calls + 2 * opts.warmup)

    async def bounded() -> None:
        try:
            await asyncio.wait_for(drive(server, url, bearer, opts, result), bound)
        except TimeoutError:
            result.failures[f"round timed out after {bound:.0f} s"] += 1

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(bounded())


def tickets_needed(opts: Settings) -> int:
    return opts.calls + 2 * opts.warmup + 20


def project_round(config: Config, opts: Settings, env_extra: dict[str, str] | None = None) -> Round:
    result = Round(opts.clients, opts.calls)
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=opts.tmp) as tmp:
        db = Path(tmp) / "hallq.db"
        creds = prepare_project_db(db, config, opts.windows, tickets_needed(opts))
        with running_server("project", [str(db)], Path(tmp) / "server.log", env_extra) as server:
            url = f"ws://127.0.0.1:{server.port}{WS_PATH}?access_token={creds.display}"
            run_drive(server, url, creds.manager, opts, result)
    return result


def baseline_round(templates: Path, opts: Settings) -> Round:
    result = Round(opts.clients, opts.calls)
    args = ["--snapshot", str(templates / "snapshot.json"), "--call", str(templates / "call.json")]
    args += ["--no-show", str(templates / "no_show.json")]
    with (
        tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=opts.tmp) as tmp,
        running_server("baseline", args, Path(tmp) / "server.log") as server,
    ):
        # The same URL shape and headers as the project's; the bare server ignores the tokens.
        token = "hqd_" + secrets.token_urlsafe(32)
        url = f"ws://127.0.0.1:{server.port}{WS_PATH}?access_token={token}"
        run_drive(server, url, "hqs_" + secrets.token_urlsafe(32), opts, result)
    return result


# -- the probe: the project's real messages -------------------------------------------------------


async def _probe_messages(server: Server, url: str, bearer: str, opts: Settings) -> tuple[str, str, str, str]:
    async with (
        httpx.AsyncClient(
            base_url=server.url, headers={"authorization": f"Bearer {bearer}"}, timeout=HTTP_TIMEOUT_S, trust_env=False
        ) as http,
        connect(url, compression=opts.compression, proxy=None, ping_interval=None) as first,
    ):
        extensions = first.response.headers.get("Sec-WebSocket-Extensions", "") if first.response else ""
        await first.recv()
        call = no_show = ""
        for i in range(max(1, opts.warmup)):
            for action in ("call-next", "no-show"):
                resp = await http.post(action_path(1 + i % opts.windows, action))
                resp.raise_for_status()
                raw = await asyncio.wait_for(first.recv(), EVENT_TIMEOUT_S)
                text = raw if isinstance(raw, str) else raw.decode()
                if action == "call-next":
                    call = text
                else:
                    no_show = text
        # The snapshot a display gets once the hall has had a few calls (its "calls" list).
        async with connect(url, compression=opts.compression, proxy=None, ping_interval=None) as second:
            snap = await second.recv()
            snapshot = snap if isinstance(snap, str) else snap.decode()
    return snapshot, call, no_show, extensions or "none"


def probe(config: Config, opts: Settings, templates: Path) -> Probe:
    """One project server: a client's snapshot and the call-next and no-show messages, as sent."""
    with tempfile.TemporaryDirectory(prefix="hallq_bench_", dir=opts.tmp) as tmp:
        db = Path(tmp) / "hallq.db"
        creds = prepare_project_db(db, config, opts.windows, tickets_needed(opts))
        with running_server("project", [str(db)], Path(tmp) / "server.log") as server:
            url = f"ws://127.0.0.1:{server.port}{WS_PATH}?access_token={creds.display}"
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                snapshot, call, no_show, extensions = runner.run(_probe_messages(server, url, creds.manager, opts))
    for name, text in (("snapshot", snapshot), ("call", call), ("no_show", no_show)):
        (templates / f"{name}.json").write_text(text)
    kinds = (json.loads(call)["event"]["kind"], json.loads(no_show)["event"]["kind"])
    if kinds != ("ticket.call", "ticket.no_show"):
        raise RuntimeError(f"the probe caught {kinds}, not ticket.call and ticket.no_show")
    return Probe(snapshot, call, no_show, extensions, server.ws, server.loop, server.http)


# -- output ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def kib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} KiB"


def describe(side: str, index: int, r: Round) -> str:
    cpu = ""
    if r.server_cpu_s is not None and r.all_latencies:
        cpu = f", server CPU {r.server_cpu_s / max(1, r.calls) * 1000:.1f} ms/call"
    if r.elapsed:
        cpu += f", client CPU {r.loadgen_cpu_s / r.elapsed:.0%}"
    problems = []
    if r.failures:
        problems.append(f"FAILURES {dict(r.failures)}")
    if r.closes:
        problems.append(f"CLOSED BY THE SERVER {dict(r.closes)}")
    if r.gaps:
        problems.append(f"{r.gaps} OUT-OF-SEQUENCE messages")
    if r.mismatched:
        problems.append(f"{r.mismatched} MISMATCHED events")
    if r.unasked_snapshots:
        problems.append(f"{r.unasked_snapshots} unasked snapshots")
    too_slow = sum(n for how, n in r.closes.items() if how.startswith(f"{TOO_SLOW} "))
    evicted = r.stats.get("evicted")
    extra = f", closed {TOO_SLOW} (too slow) {too_slow}" + (f", hub evicted {evicted}" if evicted is not None else "")
    return (
        f"  round {index} {side:<8} all clients p50 {ms(r.p_all(50))} p99 {ms(r.p_all(99))}; "
        f"per client p50 {ms(r.p_client(50))} p99 {ms(r.p_client(99))}; POST answer p50 {ms(r.p_answer(50))}; "
        f"{len(r.all_latencies)}/{r.calls} calls at {r.connected}/{r.clients} clients (connected in "
        f"{r.connect_s:.1f} s); RSS {r.rss0_kib} -> {r.rsshalf_kib} -> {r.rssn_kib} KiB = "
        f"{kib(r.per_client_kib)}/client (marginal {kib(r.marginal_kib)}), "
        f"{r.rss_after_kib} KiB after the calls{cpu}{extra}"
        + ("; " + "; ".join(problems) if problems else "")
        + ("  FLAGGED" if r.flagged else "")
    )


def _med(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return median(known) if known else None


def report(proj: list[Round], base: list[Round]) -> tuple[float, float | None, float | None]:
    def p99(rounds: list[Round]) -> float:
        return median([r.p_all(99) for r in rounds])

    ratio = p99(proj) / p99(base) if p99(base) else float("nan")
    ratios = [p.p_all(99) / b.p_all(99) if b.p_all(99) else float("nan") for p, b in zip(proj, base, strict=True)]

    def row(label: str, rounds: list[Round]) -> list[str]:
        cpu = _med([r.server_cpu_s / r.calls * 1000 if r.server_cpu_s is not None else None for r in rounds])
        return [
            label,
            ms(median([r.p_all(50) for r in rounds])),
            ms(p99(rounds)),
            ms(median([r.p_client(50) for r in rounds])),
            ms(median([r.p_client(99) for r in rounds])),
            ms(median([r.p_answer(50) for r in rounds])),
            kib(_med([r.per_client_kib for r in rounds])),
            kib(_med([r.marginal_kib for r in rounds])),
            "n/a" if cpu is None else f"{cpu:.1f} ms",
        ]

    rows = [
        row(f"project  call-next -> {WS_PATH}", proj),
        row("baseline Starlette send_text loop", base),
        [
            "ratio project/baseline (p99, all clients)",
            "",
            f"{ratio:.2f}",
            "",
            "",
            "",
            "",
            "",
            f"(rounds {min(ratios):.2f}-{max(ratios):.2f})",
        ],
    ]
    headers = ["", "all p50", "all p99", "client p50", "client p99", "POST p50", "RSS/client", "marginal", "CPU/call"]
    print(table(headers, rows))
    print("  (all: per call, from before the POST to the event's arrival at the last client; client: the same for")
    print("   every client and call, pooled; POST: the HTTP answer; medians over the rounds. With 30 timed calls the")
    print("   per-round p99 is the slowest call. RSS/client: (VmRSS with the clients idle - VmRSS with none) /")
    print("   clients, both after gc.collect(); marginal: the same from N/2 to N clients, without one-off costs of")
    print("   the first connections; CPU/call: the server's user+system time per timed call, the no-show included)")
    loadgen = median([r.loadgen_cpu_s / r.elapsed for r in base if r.elapsed])
    if loadgen > 0.85:
        print(
            f"  note: the clients used {loadgen:.0%} of a core during the baseline rounds: the bare fan-out may be"
            " capped by the clients, and the ratio flattered"
        )
    proj_kib = _med([r.per_client_kib for r in proj])
    base_kib = _med([r.per_client_kib for r in base])
    print(f"  target: p99 ratio <= {TARGET_RATIO:.0f}  ->  {verdict(ratio <= TARGET_RATIO)}")
    mem_ok = proj_kib is not None and proj_kib < TARGET_KIB
    print(f"  target: project RSS per idle display < {TARGET_KIB:.0f} KiB ({kib(proj_kib)})  ->  {verdict(mem_ok)}")
    print()
    return ratio, proj_kib, base_kib


def profile_round(config: Config, opts: Settings, limit: int = 30) -> None:
    with tempfile.TemporaryDirectory(prefix="hallq_bench_prof_", dir=opts.tmp) as tmp:
        prof = Path(tmp) / "server.prof"
        r = project_round(config, opts, {PROFILE_ENV: str(prof)})
        print(
            f"cProfile of the project server over one more round (the whole run: {opts.clients} connections, "
            f"{opts.warmup * 2 + opts.calls} calls; all clients p99 {ms(r.p_all(99))} under the profiler"
            f"{'; FLAGGED' if r.flagged else ''})."
        )
        print_thread_profiles(prof, limit)


async def _trace_memory(server: Server, url: str, opts: Settings) -> dict[str, Any]:
    tracker = Tracker()
    failures: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=server.url, timeout=120, trust_env=False) as http:
        warm, _ = await connect_clients(url, WARM_CLIENTS, opts, tracker, failures)
        await close_clients(warm, tracker)
        await asyncio.sleep(0.5)
        await http.get("/_bench/gc")
        await http.get("/_bench/mem", params={"mark": "1"})
        clients, _ = await connect_clients(url, opts.clients, opts, tracker, failures)
        await asyncio.sleep(opts.settle)
        await http.get("/_bench/gc")
        diff: dict[str, Any] = (await http.get("/_bench/mem")).json()
        diff["connected"] = len(clients)
        await close_clients(clients, tracker)
    return diff


def _short(site: str) -> str:
    return short_paths(site).removesuffix(":0")


def tracemalloc_round(config: Config, opts: Settings, templates: Path) -> None:
    """Where the Python heap of idle clients goes, project and baseline (tracemalloc sees what goes
    through Python's allocators, zlib's state included; not the kernel's socket buffers)."""
    diffs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="hallq_bench_mem_", dir=opts.tmp) as tmp:
        db = Path(tmp) / "hallq.db"
        creds = prepare_project_db(db, config, opts.windows, tickets_needed(opts))
        env = {TRACEMALLOC_ENV: str(TRACE_FRAMES)}
        with running_server("project", [str(db)], Path(tmp) / "project.log", env) as server:
            url = f"ws://127.0.0.1:{server.port}{WS_PATH}?access_token={creds.display}"
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                diffs["project"] = runner.run(_trace_memory(server, url, opts))
        args = ["--snapshot", str(templates / "snapshot.json"), "--call", str(templates / "call.json")]
        args += ["--no-show", str(templates / "no_show.json")]
        with running_server("baseline", args, Path(tmp) / "baseline.log", env) as server:
            url = f"ws://127.0.0.1:{server.port}{WS_PATH}?access_token=hqd_x"
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                diffs["baseline"] = runner.run(_trace_memory(server, url, opts))
    per: dict[str, dict[str, float]] = {}
    for side, diff in diffs.items():
        n = max(1, int(diff.get("connected", 0)))
        per[side] = {_short(site): size / 1024 / n for site, size, _ in diff.get("filename", [])}
    n_proj, n_base = diffs["project"].get("connected", 0), diffs["baseline"].get("connected", 0)
    print(
        f"tracemalloc: Python heap grown with idle clients ({n_proj} project, {n_base} baseline), "
        "KiB per client, by file (top 60 files each)"
    )
    files = sorted(set(per["project"]) | set(per["baseline"]), key=lambda f: -per["project"].get(f, 0.0))
    rows = [[f, f"{per['project'].get(f, 0.0):.2f}", f"{per['baseline'].get(f, 0.0):.2f}"] for f in files]
    rows = [r for r in rows if float(r[1]) >= 0.05 or float(r[2]) >= 0.05]
    rows.append(
        ["total of the files listed", f"{sum(per['project'].values()):.2f}", f"{sum(per['baseline'].values()):.2f}"]
    )
    print(table(["file", "project", "baseline"], rows))
    print()
    for side in ("project", "baseline"):
        n = max(1, int(diffs[side].get("connected", 0)))
        print(f"  top lines, {side} (KiB per client, blocks per client)")
        for site, size, count in diffs[side].get("lineno", [])[:25]:
            print(f"    {size / 1024 / n:7.2f} KiB  {count / n:5.1f}  {_short(site)}")
        print()
    n = max(1, int(diffs["project"].get("connected", 0)))
    print(f"  top allocation stacks, project (innermost frame first, up to {TRACE_FRAMES} frames)")
    for frames, size, count in diffs["project"].get("traceback", [])[:20]:
        print(f"    {size / 1024 / n:7.2f} KiB  {count / n:5.1f}  " + " <- ".join(_short(f) for f in reversed(frames)))
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ws_fanout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="display clients connected (default 1000)")
    parser.add_argument("--calls", type=int, default=30, help="timed calls per round (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (default 3)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls before each phase (default 5)")
    parser.add_argument("--windows", type=int, default=2, choices=[1, 2], help="demo windows the calls alternate on")
    parser.add_argument("--connect-concurrency", type=int, default=50, help="handshakes at once (default 50)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds idle before the RSS reading (default 1)")
    parser.add_argument(
        "--compression",
        choices=["deflate", "none"],
        default="deflate",
        help="deflate (default): the clients offer permessage-deflate, as browsers do; none: they do not",
    )
    parser.add_argument("--tmp", type=Path, default=None, help="directory for the SQLite files (default: system temp)")
    parser.add_argument("--profile", action="store_true", help="afterwards, cProfile the project server for a round")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="afterwards, show where the project's idle-client memory goes"
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.calls < 1 or args.rounds < 1 or args.warmup < 0 or args.connect_concurrency < 1:
        parser.error("--clients, --calls, --rounds and --connect-concurrency must be positive, --warmup not negative")
    opts = Settings(
        clients=args.clients,
        calls=args.calls,
        warmup=args.warmup,
        windows=args.windows,
        connect_concurrency=args.connect_concurrency,
        settle=args.settle,
        compression=None if args.compression == "none" else "deflate",
        tmp=args.tmp,
    )
    fds = raise_fd_limit()
    if fds < opts.clients + 100:
        print(f"the open-file limit ({fds}) is too low for {opts.clients} clients", file=sys.stderr)
        return 0
    config = demo_config()

    print("HallQ WebSocket fan-out benchmark")
    print(f"  machine: {machine_line()}")
    templates_dir = tempfile.TemporaryDirectory(prefix="hallq_bench_tpl_", dir=opts.tmp)
    templates = Path(templates_dir.name)
    try:
        found = probe(config, opts, templates)
        print(
            f"  servers: one uvicorn process each on 127.0.0.1 (port chosen by the OS), 1 worker, loop {found.loop}, "
            f'HTTP {found.http}, WebSocket {found.ws} (ws="auto"), permessage-deflate declined as run.py serves'
        )
        print("    (pings every 20 s), log level warning, no access log; a fresh process every round")
        print(
            f"  clients: {opts.clients} websockets (asyncio) connections in this process (uvloop), "
            f"compression {args.compression} (negotiated: {found.extensions}), no client pings; open-file limit {fds}"
        )
        print(
            f"  messages (the project's, caught by a probe): snapshot {len(found.snapshot.encode())} B, "
            f"call event {len(found.call.encode())} B, no-show event {len(found.no_show.encode())} B"
        )
        print(
            "  project: run.build_app's app (realtime plug-in) on a fresh SQLite file, demo hall, "
            f"windows 1-{opts.windows} open, {tickets_needed(opts)} waiting tickets (A/B), "
            "a manager's bearer token, a display token;"
        )
        print(f"    per call: POST {action_path(1, 'call-next')} (windows alternate), then, untimed, POST …/no-show")
        print(
            "  baseline: Starlette, the same two paths: WebSocket endpoint registering clients and sending the"
            " snapshot text;"
        )
        print(
            "    POST broadcasts the project's message of that kind (seq/prev renumbered, same size) with"
            " `await ws.send_text` to each client in turn, then answers"
        )
        print(
            f"  per round and side: {WARM_CLIENTS} clients + {opts.warmup} calls warm-up, none connected -> RSS_0; "
            f"{opts.clients // 2} connected ({opts.connect_concurrency} handshakes at once), snapshots read, "
            f"{opts.settle:g} s idle -> RSS_N/2; {opts.clients} -> RSS_N; {opts.warmup} untimed + {opts.calls} timed "
            f"calls; {args.rounds} rounds per side, interleaved"
        )
        print()

        series: dict[str, list[Round]] = {side: [] for side in SIDES}
        for index in range(1, args.rounds + 1):
            order = SIDES if index % 2 else tuple(reversed(SIDES))
            for side in order:
                r = project_round(config, opts) if side == "project" else baseline_round(templates, opts)
                series[side].append(r)
                print(describe(side, index, r), flush=True)
        print()
        proj, base = series["project"], series["baseline"]
        ratio, proj_kib, base_kib = report(proj, base)
        flagged = sum(r.flagged for s in series.values() for r in s)
        if flagged:
            print(
                f"  {flagged} round(s) FLAGGED: failed requests, clients not connected or closed by the server, "
                "events missing, out of sequence or late\n"
            )

        if args.profile:
            profile_round(config, opts)
        if args.tracemalloc:
            tracemalloc_round(config, opts, templates)

        print(f"machine at the end: {machine_line()}")
        mem_ok = proj_kib is not None and proj_kib < TARGET_KIB
        print(
            f"SUMMARY ws_fanout {opts.clients} clients: p99 {ms(median([r.p_all(99) for r in proj]))} vs bare "
            f"{ms(median([r.p_all(99) for r in base]))} = {ratio:.2f} (target <= {TARGET_RATIO:.0f}) "
            f"{verdict(ratio <= TARGET_RATIO)}; RSS per idle display {kib(proj_kib)} (bare {kib(base_kib)}, "
            f"target < {TARGET_KIB:.0f} KiB) {verdict(mem_ok)}" + (f"; {flagged} round(s) flagged" if flagged else "")
        )
    finally:
        templates_dir.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
