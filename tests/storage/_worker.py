"""A separate OS process that drives one hall, for the multi-process and SIGKILL tests.

Run from the repository root as ``python -m tests.storage._worker MODE --url URL --config FILE …``
(FILE is the test hall, tests/conftest.py's SMALL_HALL written out by the test).
It prints one JSON line per acknowledged command (flushed right after the command
returned, i.e. after its transaction committed), so the parent knows exactly what
the process was told had happened.

Modes:
  issue  --count N --services ABC        issue N tickets, rotating over the services
  call   --windows 1,3 --stop-file PATH  call next / start / finish on the windows until
                                         the stop file exists and every window found nothing
  mixed  --window 1 --services AB        issue forever, and every third round call next,
                                         start and finish on the window (until killed)

Every mode stops by itself after ``--deadline`` seconds (exit code 3).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from queue_server.config import load_config
from queue_server.domain import Ticket
from queue_server.service import QueueService
from queue_server.storage import open_store

HALL = "t"


def say(op: str, ticket: Ticket | None = None, **extra: Any) -> None:
    line: dict[str, Any] = {"op": op, "t": round(time.time(), 4), **extra}
    if ticket is not None:
        line.update(id=ticket.id, number=ticket.number, service=ticket.service, state=ticket.state.value)
    print(json.dumps(line), flush=True)


def serve_one(service: QueueService, window: int) -> bool:
    """Call next on ``window``; if somebody came, start and finish them. True if a ticket was served."""
    called = service.call_next(HALL, window, f"clerk{window}")
    if called.ticket is None:
        return False
    say("call", called.ticket, window=window)
    started = service.start(HALL, window)
    say("start", started.ticket, window=window)
    finished = service.finish(HALL, window)
    say("finish", finished.ticket, window=window)
    return True


def run_issue(service: QueueService, args: argparse.Namespace, stop_at: float) -> int:
    for i in range(args.count):
        if time.monotonic() > stop_at:
            return 3
        issued = service.issue(HALL, args.services[i % len(args.services)])
        say("issue", issued.ticket)
    return 0


def run_call(service: QueueService, args: argparse.Namespace, stop_at: float) -> int:
    windows = [int(w) for w in args.windows.split(",")]
    stop_file = Path(args.stop_file)
    while time.monotonic() < stop_at:
        # Read the stop file before the pass: a pass that finds nothing after it
        # appeared means every issued ticket has been called.
        stopping = stop_file.exists()
        served = [serve_one(service, w) for w in windows]
        if not any(served):
            if stopping:
                return 0
            time.sleep(0.02)
    return 3


def run_mixed(service: QueueService, args: argparse.Namespace, stop_at: float) -> int:
    i = 0
    while time.monotonic() < stop_at:
        issued = service.issue(HALL, args.services[i % len(args.services)])
        say("issue", issued.ticket)
        if i % 3 == 2:
            serve_one(service, args.window)
        i += 1
    return 3


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tests.storage._worker")
    parser.add_argument("mode", choices=["issue", "call", "mixed"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--config", required=True, help="the hall's TOML file")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--services", default="ABC")
    parser.add_argument("--windows", default="1")
    parser.add_argument("--window", type=int, default=1)
    parser.add_argument("--stop-file", default="")
    parser.add_argument("--deadline", type=float, default=20.0)
    args = parser.parse_args(argv)
    stop_at = time.monotonic() + args.deadline

    store = open_store(args.url, migrate=False)
    service = QueueService(store, load_config(args.config))
    say("ready")
    try:
        if args.mode == "issue":
            return run_issue(service, args, stop_at)
        if args.mode == "call":
            return run_call(service, args, stop_at)
        return run_mixed(service, args, stop_at)
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
