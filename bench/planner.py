"""The planner: the hall's twin on a day and on a city, and sizing a month, against bare baselines.

Requirements: one hall day (2,000 tickets, 20 windows) through HallQ's own rules at least
10,000 times faster than real time, compared with the same day in a bare SimPy M/M/c model;
sizing a month of slots for one hall in seconds; a city day (200 halls, 600,000 tickets) on
2 cores in under 60 s, with its memory. One run measures all three (``--part``), project and
baseline rounds interleaved, alternating which goes first; medians are printed.

    .venv/bin/python -m bench.planner [--part day|sizing|city|all] [--rounds 7] [--sizing-rounds 3] [--city-rounds 3]
        [--tickets 2000] [--windows 20] [--halls 200] [--hall-tickets 3000] [--workers 2]

Hall day (bench/_planner_city.py): 09:00-17:00, Poisson arrivals over 5 services, exponential
service times (mean 245 s) for all, green 2 % and elderly 5 %, a weighted service per window,
an hour's lunch on every third window, 5 % no-shows recalled, aging at 30 minutes, windows
closing at 17:00 (still waiting then is counted). Project: ``twin.simulate`` (drawing the
arrivals, the engine on the server's routing and lifecycle rules, the per-slot and per-service
statistics). Also timed: the twin on the bare model's own set-up (one service, c windows, no
rules in play), which isolates the engine from the rules. Baseline: SimPy, one ``Resource`` of
c windows, the same arrival rate and service-time distribution, run until the queue is empty.
Each round uses one seed for every side. The mean waits are shown beside Erlang C's for M/M/c
in steady state (a day starting empty waits a little less; lunches make the rules' day wait more).

Sizing: an 8-week generated history (weekday levels, the default intraday shape, Poisson
counts, lognormal durations, 5 % no-shows; Chinese public holidays closed) before March 2026,
then the month forecast (``rules.forecast``), service times and no-show shares from the
history, and every open slot sized by Erlang C (``rules.sizing.size_days``), plus the twin's
check (``rules.sizing_check.check_sizing``) when that module exists. These are the pure rules
``queries.planning`` runs after reading the log; the read is not timed here. Baseline: the
textbook Erlang C sizing (factorial sums) of the same slots' rates, nothing else.

City: ``--halls`` halls of 30 windows and 6 services, ``--hall-tickets`` each, one task per
hall in a ``ProcessPoolExecutor`` of ``--workers`` spawned processes (start-up included in the
wall time); each task returns a summary, not the tickets. Baseline: the bare SimPy day of the
same size per hall in the same kind of pool. Memory: each worker's peak RSS (``ru_maxrss``,
reported by the worker with every task), the parent's peak, and RUSAGE_CHILDREN as a cross-check.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from statistics import fmean

from queue_server.rules.erlang import mean_wait

from . import _planner_city as city
from . import _planner_sizing as sizing
from ._common import machine_line, median, table, verdict

SPEEDUP_TARGET = 10_000.0
SIZING_TARGET_S = 10.0  # "seconds"
CITY_TARGET_S = 60.0


def _timed(run: Callable[[int], city.DayFigures], seed: int) -> tuple[float, city.DayFigures]:
    started = time.perf_counter()
    figures = run(seed)
    return time.perf_counter() - started, figures


def day_part(args: argparse.Namespace) -> str:
    n, c = args.tickets, args.windows
    print(f"\n== one hall day: {n:,} tickets expected, {c} windows, 8 h ==")
    print(f"  machine: {machine_line()}")
    sides: dict[str, Callable[[int], city.DayFigures]] = {
        "twin, HallQ's rules": lambda seed: city.twin_figures(city.hall_day(n, c), f"day/{seed}"),
        "twin, M/M/c set-up": lambda seed: city.twin_figures(city.mmc_day(n, c), f"day/{seed}"),
        "bare SimPy M/M/c": lambda seed: city.bare_day(n, c, f"day/{seed}"),
    }
    names = list(sides)
    walls: dict[str, list[float]] = {k: [] for k in names}
    figs: dict[str, list[city.DayFigures]] = {k: [] for k in names}
    for name in names:  # warm-up: imports, first-call caches
        sides[name](-1)
    for r in range(args.rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            wall, f = _timed(sides[name], r)
            walls[name].append(wall)
            figs[name].append(f)
    erlang_s = mean_wait(c, n / city.DAY_S, 1 / city.MEAN_S)
    bare = median(walls[names[2]])
    rows = []
    for name in names:
        wall = median(walls[name])
        rows.append(
            [
                name,
                f"{wall * 1000:.1f} ms",
                f"{city.DAY_S / wall:,.0f}×",
                f"{wall / bare:.1f}",
                f"{fmean(f.tickets for f in figs[name]):,.0f}",
                f"{fmean(f.mean_wait_s for f in figs[name]):.1f} s",
                f"{fmean(f.waiting_at_closing for f in figs[name]):.1f}",
            ]
        )
    rows.append(["Erlang C, M/M/c steady state", "", "", "", "", f"{erlang_s:.1f} s", ""])
    headers = ["side", "wall (median)", "speed-up", "/ bare", "tickets", "mean wait", "waiting at 17:00"]
    print(table(headers, rows))
    print(f"  {args.rounds} rounds, one seed per round for every side; tickets and waits are means over the rounds")
    wall = median(walls[names[0]])
    speedup = city.DAY_S / wall
    ok = speedup >= SPEEDUP_TARGET
    print(f"  target: simulated-to-real speed-up >= {SPEEDUP_TARGET:,.0f}×: {speedup:,.0f}× {verdict(ok)}")
    return (
        f"hall day {wall * 1000:.0f} ms ({speedup:,.0f}× real time; {verdict(ok)}) vs bare SimPy "
        f"{bare * 1000:.0f} ms, ratio {wall / bare:.1f}"
    )


def sizing_part(args: argparse.Namespace) -> str:
    print("\n== sizing a month of slots for one hall ==")
    print(f"  machine: {machine_line()}")
    history = sizing.history(args.seed)
    targets = sizing.month()
    check = importlib.util.find_spec("queue_server.rules.sizing_check") is not None
    print(
        f"  history: {len(history.days)} open days, {history.tickets:,} tickets; month: "
        f"{sum(1 for t in targets if t.hours)} open days; simulation check: "
        + ("rules.sizing_check.check_sizing" if check else "none (no rules/sizing_check.py here: Erlang C only)")
    )
    result = sizing.project(history, targets, False)  # warm-up; its rates feed the bare side
    sides: dict[str, Callable[[], object]] = {"erlang": lambda: sizing.project(history, targets, False)}
    walls: dict[str, list[float]] = {"erlang": []}
    if check:
        # Counted in one process, untimed (a count cannot cross into the workers); also the
        # check's warm-up. Timed: the days side by side in --workers processes, as the server runs them.
        started = time.perf_counter()
        result, runs, tickets = sizing.counted_project(history, targets)
        one = time.perf_counter() - started
        print(f"  the check simulates {runs} twin days ({tickets:,} tickets) for the month; {one:.1f} s in one process")
        sides["check"] = lambda: sizing.project(history, targets, True, workers=args.workers)
        walls["check"] = []
    sides["bare"] = lambda: sizing.bare(result.rates)
    walls["bare"] = []
    names = list(sides)
    for r in range(args.sizing_rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            started = time.perf_counter()
            sides[name]()
            walls[name].append(time.perf_counter() - started)
    bare_windows = sizing.bare(result.rates)
    if bare_windows != result.erlang:
        differ = sizing.differences(bare_windows, result.erlang)
        print(f"  note: the bare sizing differs from Erlang C's on {differ} slots")

    def row(label: str, name: str, windows: dict[sizing.Key, int]) -> list[str]:
        hours = sum(windows.values()) * 15 / 60
        return [label, f"{median(walls[name]):.3f} s", f"{len(windows):,}", f"{hours:,.0f}", str(max(windows.values()))]

    rows = [row("forecast + service times + Erlang C", "erlang", result.erlang)]
    if check:
        reps = importlib.import_module("queue_server.rules.sizing_check").CHECK_REPLICATIONS
        label = f"the same + the twin's check ({reps} replications a round, {args.workers} processes)"
        rows.append(row(label, "check", result.windows))
    rows.append(row("bare textbook Erlang C of the same slots", "bare", bare_windows))
    print(table(["side", "wall (median)", "slots", "window-hours", "peak windows"], rows))
    p = median(walls["check" if check else "erlang"])
    ok = p <= SIZING_TARGET_S
    print(f"  target: seconds (<= {SIZING_TARGET_S:g} s): {verdict(ok)}")
    text = f"sizing a month: Erlang C {median(walls['erlang']):.2f} s"
    if check:
        text += f", with the twin's check {p:.1f} s"
    else:
        text += " (no simulation check in the checkout)"
    return text + f" ({verdict(ok)}) vs bare Erlang C {median(walls['bare']):.3f} s"


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def _city_round(
    task: Callable[[tuple[int, int]], city.HallRun], args: argparse.Namespace
) -> tuple[float, list[city.HallRun]]:
    started = time.perf_counter()
    with _pool(args.workers) as pool:
        runs = list(pool.map(task, [(k, args.hall_tickets) for k in range(args.halls)], chunksize=4))
    return time.perf_counter() - started, runs


def city_part(args: argparse.Namespace) -> str:
    total = args.halls * args.hall_tickets
    head = f"{args.halls} halls × {city.CITY_WINDOWS} windows, {total:,} tickets expected, {args.workers} workers"
    print(f"\n== a city day: {head} ==")
    print(f"  machine: {machine_line()}")
    sides = {"twin, HallQ's rules": city.city_hall, "bare SimPy M/M/c": city.city_bare_hall}
    names = list(sides)
    walls: dict[str, list[float]] = {k: [] for k in names}
    peaks: dict[str, list[int]] = {k: [] for k in names}
    served: dict[str, list[int]] = {k: [] for k in names}
    waits: dict[str, list[float]] = {k: [] for k in names}
    for r in range(args.city_rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            wall, runs = _city_round(sides[name], args)
            walls[name].append(wall)
            peaks[name].append(max(x.worker_peak_kib for x in runs))
            served[name].append(sum(x.figures.tickets for x in runs))
            waits[name].append(fmean(x.figures.mean_wait_s for x in runs))
            print(f"  round {r + 1} {name}: {wall:.1f} s")
    parent_kib = city.peak_kib()
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p, b = median(walls[names[0]]), median(walls[names[1]])
    rows = [
        [name, f"{median(walls[name]):.1f} s", f"{median(peaks[name]) / 1024:.0f} MiB",
         f"{fmean(served[name]):,.0f}", f"{fmean(waits[name]):.1f} s"]
        for name in names
    ]  # fmt: skip
    print(table(["side", "wall (median)", "largest worker peak RSS", "tickets", "mean wait (hall mean)"], rows))
    print(
        f"  parent peak RSS {parent_kib / 1024:.0f} MiB (VmHWM, the whole run); RUSAGE_CHILDREN ru_maxrss "
        f"{children_kib / 1024:.0f} MiB (every worker so far; Linux carries the parent's peak across the "
        "spawn's exec into it, so it is at least the parent's)"
    )
    ok = p < CITY_TARGET_S
    print(f"  target: < {CITY_TARGET_S:g} s on {args.workers} cores: {verdict(ok)}")
    return (
        f"city day {p:.1f} s for {fmean(served[names[0]]):,.0f} tickets ({verdict(ok)}), worker peak "
        f"{median(peaks[names[0]]) / 1024:.0f} MiB, parent {parent_kib / 1024:.0f} MiB; vs bare SimPy {b:.1f} s, "
        f"ratio {p / b:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planner", description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("day", "sizing", "city", "all"), default="all", help="what to measure")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the hall day (default 7)")
    parser.add_argument("--sizing-rounds", type=int, default=3, help="rounds of the sizing (default 3)")
    parser.add_argument("--city-rounds", type=int, default=3, help="rounds of the city day per side (default 3)")
    parser.add_argument("--tickets", type=int, default=2000, help="expected tickets of the hall day (default 2000)")
    parser.add_argument("--windows", type=int, default=20, help="windows of the hall day (default 20)")
    parser.add_argument("--halls", type=int, default=200, help="halls of the city (default 200)")
    parser.add_argument("--hall-tickets", type=int, default=3000, help="expected tickets per city hall (default 3000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the city day (default 2)")
    parser.add_argument("--seed", type=int, default=20260302, help="seed of the generated history")
    args = parser.parse_args(argv)
    print(f"planner benchmark; machine at the start: {machine_line()}")
    parts = []
    if args.part in ("day", "all"):
        parts.append(day_part(args))
    if args.part in ("sizing", "all"):
        parts.append(sizing_part(args))
    if args.part in ("city", "all"):
        parts.append(city_part(args))
    print(f"\nmachine at the end: {machine_line()}")
    print("SUMMARY planner: " + "; ".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
