"""A report's figures from merged cells (pure): totals and one row per group.

满意率 follows the practice of 国办发〔2019〕51号 evaluation systems: satisfied are the ratings
非常满意, 满意 and 基本满意 (5, 4, 3) over every rating given; 差评 are 不满意 and 非常不满意
(2, 1). (The day's KPIs of reports/kpis.py count only 5 and 4 as satisfied; its field says so.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .report_cells import TOTAL, Cell, CellKey
from .report_hist import PERCENTILE_ERROR_S, US

GROUPS = ("service", "zone", "window", "clerk", "hour", "quarter", "day")
# The stored dimension each grouping reads (beside the totals).
_STORED = {"hour": "slot", "quarter": "slot", "day": TOTAL}
SATISFIED_SCORES = (3, 4, 5)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def cell_view(cell: Cell, target_minutes: float) -> dict[str, Any]:
    ratings = {s: getattr(cell, f"rated_{s}") for s in (5, 4, 3, 2, 1)}
    rated = sum(ratings.values())
    satisfied = sum(ratings[s] for s in SATISFIED_SCORES)
    booked = cell.appt_booked - cell.appt_cancelled
    return {
        "issued": cell.issued,
        "served": cell.served,
        "no_show": cell.no_show,
        "cancelled": cell.cancelled,
        "not_served": cell.not_served,
        "transferred": cell.transferred,
        "wait": cell.wait.view(),
        "service_time": cell.service_time.view(),
        "within_target": {
            "minutes": target_minutes,
            "count": cell.called_within,
            "share": _share(cell.called_within, cell.wait.count),
        },
        "noon": {"issued": cell.noon_issued, "served": cell.noon_served, "wait": cell.noon_wait.view()},
        "appointments": {
            "booked": booked,
            "cancelled": cell.appt_cancelled,
            "kept": cell.appt_kept,
            "kept_share": _share(cell.appt_kept, booked),
            "on_time": cell.appt_on_time,
            "late": cell.appt_late,
            "too_late": cell.appt_too_late,
            "offset_mean_s": cell.appt_offset_sum_us / cell.appt_offset_count / US if cell.appt_offset_count else None,
        },
        "ratings": {
            "count": rated,
            "by_score": {str(s): n for s, n in ratings.items()},
            "satisfied": satisfied,
            "satisfied_share": _share(satisfied, rated),
            "bad": ratings[1] + ratings[2],
            "mean_score": round(sum(s * n for s, n in ratings.items()) / rated, 6) if rated else None,
        },
    }


def _group_of(key: CellKey, by: str) -> str | None:
    """The group a stored cell counts in when grouping ``by``; None: not at all (another dimension)."""
    if by == "day":
        return key.day.isoformat() if key.dim == TOTAL else None
    if by in ("hour", "quarter"):
        if key.dim != "slot":
            return None
        slot = int(key.key)
        return f"{slot // 4:02d}:00" if by == "hour" else f"{slot // 4:02d}:{slot % 4 * 15:02d}"
    return key.key if key.dim == by else None


def grouped(cells: Iterable[tuple[CellKey, Cell]], by: str) -> dict[str, Cell]:
    """The cells merged per group of ``by``, by group."""
    out: dict[str, Cell] = {}
    for key, cell in cells:
        group = _group_of(key, by)
        if group is None:
            continue
        if group in out:
            out[group].merge(cell)
        else:
            out[group] = cell.copy()
    return dict(sorted(out.items()))


def dimensions(by: str | None) -> set[str]:
    """The stored dimensions a report grouped ``by`` reads: the totals and the group's."""
    return {TOTAL} if by is None else {TOTAL, _STORED.get(by, by)}


def report(cells: dict[CellKey, Cell], by: str | None, target_minutes: float) -> dict[str, Any]:
    """Totals of every cell, and a row per group of ``by`` (none: totals only)."""
    items = list(cells.items())
    totals = Cell()
    for key, cell in items:
        if key.dim == TOTAL:
            totals.merge(cell)
    rows = []
    if by is not None:
        rows = [{"group": g, **cell_view(c, target_minutes)} for g, c in grouped(items, by).items()]
    return {
        "by": by,
        "totals": cell_view(totals, target_minutes),
        "rows": rows,
        "percentile_error_s": PERCENTILE_ERROR_S,
    }


__all__ = ["GROUPS", "SATISFIED_SCORES", "cell_view", "dimensions", "grouped", "report"]
