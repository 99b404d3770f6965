"""Caller-pad key -> window screen frame, through the whole path, against a bare pty echo.

Project: a real ``run.py`` server process drives a simulated pad bus and LED bus on
ptys (``[hall.hardware]`` mode "local", bus pacing ``gap_ms = 0``). Each sample writes a
"call next" key frame on the pad pty and waits until the window's screen has received
the frame showing the called number (decoded by the screen simulator): the pad bus
driver, the key mapping, the window action with its transaction and audit row, the
realtime hub, the controller and the Onbon screen driver are all on that path. The
window is then freed with "6 + confirm" (no-show), untimed.

Baseline, in the same run: the same number of round trips of a same-sized frame
through a bare pty pair, echoed back by a thread (the floor that the pty itself costs).

    .venv/bin/python -m bench.pad_latency [--samples 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import functools
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path

from hardware.padbus import PadKey, key_frame
from hardware.sim.demo import hardware_toml, simulate
from hardware.sim.screen import ScreenBus
from queue_server.auth.service import AuthService
from queue_server.config import parse_config
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import open_store

from ._common import ROOT, fmt_ms, free_port, machine_line, median, percentile, table, wait_healthy

HALL = """
[[hall]]
slug = "b"
name_zh = "基准大厅"
name_en = "Bench hall"

[[hall.services]]
code = "A"
name_zh = "综合受理"
name_en = "General"
expected_minutes = 5

[[hall.windows]]
number = 1
services = { A = 1.0 }
"""
PASSWORD = "bench clerk secret"


def project_round(tmp: Path, samples: int) -> list[float]:
    config = parse_config(HALL, "bench")
    sims = simulate(config.halls[0], tmp / "tty", gap_ms=0)
    path = tmp / "hall.toml"
    path.write_text(HALL + hardware_toml(sims.hardware), encoding="utf-8")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        hall_config = parse_config(path.read_text("utf-8"), str(path))
        store.sync_halls(hall_config)
        AuthService(store.accounts).create_user("li", PASSWORD, Role.CLERK, "b")
        # The queue is filled before the server starts (the API's issue limits would slow it down).
        service = QueueService(store, hall_config)
        service.open_window("b", 1, "li")
        for _ in range(samples + 5):
            service.issue("b", "A")
    finally:
        store.close()
    sims.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, str(ROOT / "run.py"), "--config", str(path), "--db", db, "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--log-level", "warning"], cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_healthy(base, proc, time.monotonic() + 30, "the pad_latency server (run.py)")
        screens, pads = sims.screens, sims.pads
        screens.wait_for_text(1, "1号窗口", timeout=10)
        times: list[float] = []
        for i in range(samples + 5):
            number = f"A{i + 1:03d}"
            start = time.perf_counter()
            pads.port.write(key_frame(1, PadKey.CALL_NEXT))
            screens.wait_until(functools.partial(showing, screens, number), 10, number)
            elapsed = time.perf_counter() - start
            if i >= 5:  # the first calls warm caches and prepared statements
                times.append(elapsed)
            pads.port.write(key_frame(1, PadKey.CONFIRM, (6,)))
            screens.wait_until(functools.partial(idle, screens, number), 10, "idle")
        return times
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        sims.close()


def showing(screens: ScreenBus, number: str) -> bool:
    return any(number in line for line in screens.screens[1].lines)


def idle(screens: ScreenBus, number: str) -> bool:
    return not showing(screens, number)


def baseline_round(samples: int, size: int) -> list[float]:
    """Round trips of ``size`` bytes through a bare pty pair, echoed by a thread on the slave side."""
    master, slave = os.openpty()
    tty.setraw(slave)
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([slave], [], [], 0.05)
            if ready:
                os.write(slave, os.read(slave, 4096))

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    frame = bytes(i % 256 for i in range(size))
    times: list[float] = []
    try:
        for i in range(samples + 5):
            start = time.perf_counter()
            os.write(master, frame)
            got = 0
            while got < size:
                select.select([master], [], [], 1.0)
                got += len(os.read(master, 4096))
            if i >= 5:
                times.append(time.perf_counter() - start)
    finally:
        stop.set()
        thread.join()
        os.close(master)
        os.close(slave)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=100, help="calls per round (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians of the rounds are printed (default 3)")
    args = parser.parse_args()
    print(f"pad key -> window screen frame; {args.samples} calls x {args.rounds} rounds; {machine_line()}")
    frame_size = 15 + 60  # a key frame out plus a two-line screen frame back, in bytes
    project: list[tuple[float, float]] = []
    baseline: list[tuple[float, float]] = []
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="hallq-bench-pad-") as tmp:
            p = project_round(Path(tmp), args.samples)
        b = baseline_round(args.samples, frame_size)
        project.append((median(p), percentile(p, 99)))
        baseline.append((median(b), percentile(b, 99)))
        print(f"  round {r + 1}: project p50 {fmt_ms(project[-1][0])} p99 {fmt_ms(project[-1][1])}; "
              f"bare pty p50 {fmt_ms(baseline[-1][0])} p99 {fmt_ms(baseline[-1][1])}")  # fmt: skip
    p50, p99 = median([x[0] for x in project]), median([x[1] for x in project])
    b50, b99 = median([x[0] for x in baseline]), median([x[1] for x in baseline])
    print(
        table(
            ["", "p50", "p99"],
            [
                ["project: pad key -> screen frame", fmt_ms(p50), fmt_ms(p99)],
                ["baseline: bare pty echo round trip", fmt_ms(b50), fmt_ms(b99)],
                ["ratio", f"{p50 / b50:.1f}x", f"{p99 / b99:.1f}x"],
            ],
        )
    )
    print(f"SUMMARY pad_latency p50 {fmt_ms(p50)} p99 {fmt_ms(p99)} bare p50 {fmt_ms(b50)} p99 {fmt_ms(b99)}")
    print(f"load after: {machine_line()}")


if __name__ == "__main__":
    main()
