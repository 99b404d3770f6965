"""规划's "simulate this roster" and the what-if comparison: a day run ``replications`` times
through the twin (seeds ``seed/0`` … as ``twin.replicate``, so a variation run with the same seed
meets the same visitors), summed up for the page: the day, each quarter hour, each service."""

from __future__ import annotations

import math
import time as timer
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..errors import BadRequest
from ..rules import whatif
from ..rules.twin import simulate
from ..rules.twin_model import ALL, SLOT_S, TwinDay, TwinResult
from ..rules.twin_stats import estimate
from ..service import QueueService
from .planning_sim import SimDay, sim_day, workload

MAX_REPLICATIONS = 50
MAX_VARIATIONS = 6


def _r(value: float | None, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def run(day: TwinDay, replications: int, seed: int) -> list[TwinResult]:
    return [simulate(day, f"{seed}/{k}") for k in range(replications)]


def summary(runs: Sequence[TwinResult]) -> dict[str, Any]:
    within = estimate([r.services[ALL].within_target for r in runs])
    ci = [_r(within.low, 4), _r(within.high, 4)] if within.n > 1 else [_r(within.mean, 4), _r(within.mean, 4)]
    return {
        "arrivals": _r(_mean([float(len(r.tickets)) for r in runs])),
        "wait_mean_s": _r(_mean([r.services[ALL].mean_s for r in runs])),
        "wait_p90_s": _r(_mean([r.services[ALL].p90_s for r in runs])),
        "within_share": _r(within.mean, 4),
        "within_share_ci": [None if v is None else min(1.0, max(0.0, v)) for v in ci],
        "waiting_at_close": _r(_mean([float(r.waiting_at_closing.get(ALL, 0)) for r in runs])),
        "utilisation": _r(_mean([r.utilisation for r in runs]), 4),
    }


def slots(sim: SimDay, day: TwinDay, runs: Sequence[TwinResult]) -> list[dict[str, Any]]:
    """Each open quarter hour: waits pooled over the runs (by visitors), the rest their mean."""
    n = len(runs)
    rows = {(row.slot, k): row for k, r in enumerate(runs) for row in r.slots if row.service == ALL}
    out = []
    for s in range(sim.slots):
        cells = [rows[s, k] for k in range(n) if (s, k) in rows]
        waited = [c for c in cells if c.waits.count]
        count = sum(c.waits.count for c in waited)
        out.append(
            {
                "slot": sim.clock(s),
                "arrivals": _r(sum(c.arrivals for c in cells) / n, 2),
                "open_windows": whatif.open_at(day, (s + 0.5) * SLOT_S),
                "required_windows": sim.required.get(s, 0),
                "wait_mean_s": _r(sum(c.waits.mean_s * c.waits.count for c in waited) / count if count else 0.0),
                "wait_p90_s": _r(_mean([c.waits.p90_s for c in waited])),
                "within_share": _r(sum(c.waits.within_target * c.waits.count for c in waited) / count, 4)
                if count
                else 1.0,
                "queue_mean": _r(sum(c.queue_mean for c in cells) / n, 2),
                "utilisation": _r(sum(c.utilisation or 0.0 for c in cells) / n, 4),
            }
        )
    return out


def services(sim: SimDay, runs: Sequence[TwinResult]) -> list[dict[str, Any]]:
    n = len(runs)
    out = []
    for s in sim.plan.hall.services:
        stats = [r.services[s.code] for r in runs if s.code in r.services]
        count = sum(w.count for w in stats)
        arrivals = sum(1 for r in runs for t in r.tickets if t.service == s.code)
        out.append(
            {
                "service": s.code,
                "name": s.name_zh,
                "name_en": s.name_en,
                "arrivals": _r(arrivals / n),
                "wait_mean_s": _r(sum(w.mean_s * w.count for w in stats) / count if count else 0.0),
                "wait_p90_s": _r(_mean([w.p90_s for w in stats if w.count])),
                "within_share": _r(sum(w.within_target * w.count for w in stats) / count, 4) if count else 1.0,
            }
        )
    return out


def _outcome(sim: SimDay, day: TwinDay, runs: Sequence[TwinResult]) -> dict[str, Any]:
    return {"staff_hours": _r(whatif.staff_hours(day), 2), "summary": summary(runs), "slots": slots(sim, day, runs)}


def _target(sim: SimDay) -> dict[str, Any]:
    t = sim.plan.hall.target
    return {"called_within_minutes": t.called_within_minutes, "share": t.share, "p90_wait_minutes": t.p90_wait_minutes}


def simulate_view(
    service: QueueService, slug: str, day: date, roster: str, replications: int, seed: int
) -> dict[str, Any]:
    began = timer.perf_counter()
    sim = sim_day(service, slug, day, roster, seed=seed)
    runs = run(sim.twin, replications, seed)
    return {
        "day": day.isoformat(),
        "roster": roster,
        "windows_from": sim.windows_from,
        "target": _target(sim),
        **_outcome(sim, sim.twin, runs),
        "services": services(sim, runs),
        "wall_s": round(timer.perf_counter() - began, 3),
    }


def resolve(sim: SimDay, spec: dict[str, Any]) -> whatif.Variation:
    """A variation as the API read it (``kind`` and clock times) made concrete for the day."""
    kind = spec["kind"]
    if kind == "departmental":
        return whatif.Departmental({s.code: s.zone for s in sim.plan.hall.services}, workload(sim))
    if kind == "add_clerk":
        # Clipped to the opening hours: a clerk before opening or after closing changes nothing.
        start = max(0.0, sim.seconds(spec["from"]))
        end = min(sim.twin.closes_s, sim.seconds(spec["to"]))
        if end <= start:
            raise ValueError("from: the span lies outside the opening hours")
        return whatif.AddClerk(start, end, spec["count"])
    if kind == "noon":
        return whatif.Noon(spec["on"], *sim.noon_s)
    return whatif.ServiceTimeCut(spec["service"], spec["cut"])


def params_view(spec: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in spec.items() if k != "kind"}
    for k in ("from", "to"):
        if k in out:
            out[k] = out[k].strftime("%H:%M")
    return out


def compare_view(
    service: QueueService,
    slug: str,
    day: date,
    roster: str,
    specs: Sequence[dict[str, Any]],
    replications: int,
    seed: int,
) -> dict[str, Any]:
    """The day as planned and each variation of it, all run with one seed."""
    began = timer.perf_counter()
    sim = sim_day(service, slug, day, roster, seed=seed)
    names = {s.code: s.name_zh for s in sim.plan.hall.services}
    varied: list[tuple[dict[str, Any], whatif.Variation, TwinDay]] = []
    for i, spec in enumerate(specs):
        try:
            v = resolve(sim, spec)
            varied.append((spec, v, whatif.apply(sim.twin, v)))
        except ValueError as e:
            field, _, why = str(e).partition(": ")
            raise BadRequest(f"字段 {field} 无效 / body.variations[{i}].{field} {why}") from None
    out_variations = []
    for spec, v, vday in varied:
        zh, en = whatif.label(v, sim.opens_minutes, names)
        out_variations.append(
            {
                "kind": spec["kind"],
                "label_zh": zh,
                "label_en": en,
                "params": params_view(spec),
                **_outcome(sim, vday, run(vday, replications, seed)),
            }
        )
    return {
        "day": day.isoformat(),
        "roster": roster,
        "windows_from": sim.windows_from,
        "target": _target(sim),
        "baseline": _outcome(sim, sim.twin, run(sim.twin, replications, seed)),
        "variations": out_variations,
        "wall_s": round(timer.perf_counter() - began, 3),
    }


__all__ = ["MAX_REPLICATIONS", "MAX_VARIATIONS", "compare_view", "simulate_view"]
