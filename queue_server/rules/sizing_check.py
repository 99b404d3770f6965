"""Erlang C's windows per slot checked by the twin, and corrected (pure).

Erlang C sizes each quarter hour as a steady M/M/c queue; a real day carries its queue from one
slot into the next, has priorities, appointments and a service mix. ``check_sizing`` simulates
the day with the sized windows (all comprehensive, serving every service) and adds a window to
each slot whose arrivals miss the target (more the further they miss), until every slot holds or reaches the cap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..config.model import ServiceTarget
from .twin import simulate
from .twin_model import SLOT_S, TwinDay, WindowPlan

MAX_ROUNDS = 12
# Runs per round, their visitors pooled per slot; rounds reuse the seeds, so a window added is
# judged on the same visitors. Two: on a generated month of a 47-window hall, three runs changed
# the answer by 0.3 % of its window-hours at twice the time.
CHECK_REPLICATIONS = 2
# A hall serves whoever took a number before closing (延时服务): windows open in the day's last
# slot go on calling until nobody waits, up to this long. Closing them on the hour would leave the
# last quarter hour's visitors uncalled, and the check would size that slot for a rush that a
# hall never has.
SERVE_OUT_S = 3600.0


def windows_for(
    required: Mapping[int, int], services: Mapping[str, float], slot_s: int = SLOT_S, serve_out_s: float = SERVE_OUT_S
) -> tuple[WindowPlan, ...]:
    """Comprehensive windows giving ``required`` open windows per slot (slots from the opening):
    window k opens in the first slot needing k, closes after the last, paused over the slots
    between that need fewer; those open in the day's last slot serve out their queue for up to
    ``serve_out_s``."""
    out: list[WindowPlan] = []
    day_last = max((s for s, n in required.items() if n > 0), default=0)
    for k in range(1, max(required.values(), default=0) + 1):
        slots = sorted(s for s, n in required.items() if n >= k)
        first, last = slots[0], slots[-1]
        pauses: list[tuple[float, float]] = []
        for s in range(first, last + 1):
            if required.get(s, 0) >= k:
                continue
            if pauses and pauses[-1][1] == s * slot_s:
                pauses[-1] = (pauses[-1][0], (s + 1) * slot_s)
            else:
                pauses.append((s * slot_s, (s + 1) * slot_s))
        serve_out = serve_out_s if last == day_last else 0.0
        out.append(
            WindowPlan(k, dict(services), first * slot_s, (last + 1) * slot_s, tuple(pauses), serve_out_s=serve_out)
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class SlotCheck:
    """A slot's simulated waits over the replications (visitors who arrived in it)."""

    arrivals: int
    within_share: float
    p90_s: float


def slot_checks(day: TwinDay, replications: int, seed: int | str, slot_s: int = SLOT_S) -> dict[int, SlotCheck]:
    """Each slot's waits pooled over ``replications`` runs; a visitor never called counts as a miss."""
    waits: dict[int, list[float]] = {}
    for k in range(replications):
        for t in simulate(day, f"{seed}/{k}", slot_s).tickets:
            if t.issued_s < day.warmup_s:
                continue
            w = math.inf if t.called_s is None else t.called_s - t.issued_s
            waits.setdefault(int(t.issued_s // slot_s), []).append(w)
    out: dict[int, SlotCheck] = {}
    for slot, ws in waits.items():
        ws.sort()
        within = sum(1 for w in ws if w <= day.target_s) / len(ws)
        p90 = ws[max(0, math.ceil(0.9 * len(ws)) - 1)]
        out[slot] = SlotCheck(len(ws), within, p90)
    return out


def _short_by(check: SlotCheck, target: ServiceTarget) -> int:
    """Windows to add to a slot: none when it meets the target, one when it is close, more the
    further it falls short (a window more per 15 points of the share), so a day far off
    converges in a few rounds."""
    p90_missed = bool(target.p90_wait_minutes) and check.p90_s > (target.p90_wait_minutes or 0) * 60
    if check.within_share >= target.share and not p90_missed:
        return 0
    return 1 + int(max(0.0, target.share - check.within_share) / 0.15)


def check_sizing(
    day: TwinDay,
    required: Mapping[int, int],
    target: ServiceTarget,
    *,
    replications: int = CHECK_REPLICATIONS,
    seed: int | str = 1,
    cap: int = 200,
    slot_s: int = SLOT_S,
) -> dict[int, int]:
    """``required`` (windows per slot from the opening) with windows added to every slot that
    misses ``target`` in the simulated day (``_short_by``), round after round, until none misses or each that
    does is at ``cap``. The day's own windows are replaced; its arrivals and times are kept."""
    services = {s: 1.0 for s in day.service_times}
    need = {s: min(cap, n) for s, n in required.items()}
    day = replace(day, target_s=target.called_within_minutes * 60.0)
    for _ in range(MAX_ROUNDS):
        checks = slot_checks(replace(day, windows=windows_for(need, services, slot_s)), replications, seed, slot_s)
        raised = False
        for slot, check in checks.items():
            more = _short_by(check, target) if slot in need else 0
            if more and need[slot] < cap:
                need[slot] = min(cap, need[slot] + more)
                raised = True
        if not raised:
            break
    return need


__all__ = ["CHECK_REPLICATIONS", "SERVE_OUT_S", "SlotCheck", "check_sizing", "slot_checks", "windows_for"]
