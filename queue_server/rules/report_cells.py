"""Aggregate cells: what a report adds up, one cell per hall, business day and dimension key.

A cell is kept per dimension, not per combination of them: the day's total (``total``), and
one cell per service, zone, window, clerk and quarter-hour slot of issue. Each ticket folds
into one cell of each dimension, so a report grouped by any one of them (or by hour, merging
four slots, or by day, reading the totals) reads few rows: about a hundred a day for a busy
hall, not one per ticket. Every figure is a sum, a maximum or a histogram (``report_hist``),
so cells of any days merge without losing anything the report answers.

Each delta is also added to the same dimension's cell of its month (``MONTH`` before the
dimension's name, keyed by the month's first day): a year's report reads twelve months of
those and the days of the months it covers in part, not 366 days of cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from .report_hist import Measure, bucket, hist_json, hist_read

TOTAL = "total"
MONTH = "M"  # before a dimension's name: the month's cell (``Mservice``)
DIMENSIONS = (TOTAL, "service", "zone", "window", "clerk", "slot")
# The measures kept as histograms, and the plain counts, in the order the table stores them.
MEASURES = ("wait", "service_time", "noon_wait")
COUNTS = (
    "issued",
    "served",
    "no_show",
    "cancelled",
    "not_served",
    "transferred",
    "called_within",
    "noon_issued",
    "noon_served",
    "rated_1",
    "rated_2",
    "rated_3",
    "rated_4",
    "rated_5",
    "appt_booked",
    "appt_cancelled",
    "appt_kept",
    "appt_on_time",
    "appt_late",
    "appt_too_late",
    "appt_offset_count",
    "appt_offset_sum_us",
)


@dataclass(frozen=True, slots=True, order=True)
class CellKey:
    day: date
    dim: str
    key: str


@dataclass(slots=True)
class Cell:
    """The figures of one cell (or of a delta to add to one)."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    not_served: int = 0
    transferred: int = 0
    called_within: int = 0  # called within the hall's target (hall.target.called_within_minutes)
    noon_issued: int = 0
    noon_served: int = 0
    rated_1: int = 0
    rated_2: int = 0
    rated_3: int = 0
    rated_4: int = 0
    rated_5: int = 0
    appt_booked: int = 0
    appt_cancelled: int = 0
    appt_kept: int = 0
    appt_on_time: int = 0
    appt_late: int = 0
    appt_too_late: int = 0
    appt_offset_count: int = 0
    appt_offset_sum_us: int = 0  # check-in minus slot start: negative early, positive late
    wait: Measure = field(default_factory=Measure)
    service_time: Measure = field(default_factory=Measure)
    noon_wait: Measure = field(default_factory=Measure)

    def merge(self, other: Cell) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in MEASURES:
            measure: Measure = getattr(self, name)
            measure.merge(getattr(other, name))

    def copy(self) -> Cell:
        new = Cell()
        new.merge(self)
        return new

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}

    def is_empty(self) -> bool:
        return not any(self.counts().values()) and not any(getattr(self, m).count for m in MEASURES)


assert {f.name for f in fields(Cell)} == set(COUNTS) | set(MEASURES)


def add_to(cells: dict[CellKey, Cell], key: CellKey, delta: Cell) -> None:
    """Add ``delta`` into ``cells[key]`` (a copy: one delta may go to several keys)."""
    cell = cells.get(key)
    if cell is None:
        cells[key] = delta.copy()
    else:
        cell.merge(delta)


@dataclass(frozen=True, slots=True)
class Delta:
    """A sparse addition to cells: the counts it changes and the durations it adds. A ticket
    changes a handful of the counts and adds one to three durations, and goes into six cells
    (twelve with the months): adding only what it holds costs a fraction of merging a whole
    ``Cell`` into each, which the rebuild of a month's log does a million times."""

    counts: tuple[tuple[str, int], ...] = ()
    durations: tuple[tuple[str, int], ...] = ()  # (measure, microseconds)
    buckets: tuple[int, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "buckets", tuple(bucket(us) for _, us in self.durations))

    def add_into(self, cell: Cell) -> None:
        for name, n in self.counts:
            setattr(cell, name, getattr(cell, name) + n)
        for (name, us), b in zip(self.durations, self.buckets, strict=True):
            measure: Measure = getattr(cell, name)
            measure.add(us, b)

    def cell(self) -> Cell:
        cell = Cell()
        self.add_into(cell)
        return cell


def add_delta(cells: dict[CellKey, Cell], key: CellKey, delta: Delta) -> None:
    cell = cells.get(key)
    if cell is None:
        cell = cells[key] = Cell()
    delta.add_into(cell)


def merge_into(cells: dict[CellKey, Cell], more: Mapping[CellKey, Cell]) -> None:
    for key, delta in more.items():
        add_to(cells, key, delta)


def merged(cells: Iterable[Cell]) -> Cell:
    total = Cell()
    for cell in cells:
        total.merge(cell)
    return total


def cell_row(key: CellKey, cell: Cell) -> dict[str, Any]:
    """A cell as its table row holds it (without the hall): key, counts, and per measure its
    count, exact sum and maximum in microseconds and sparse histogram."""
    row: dict[str, Any] = {"day": key.day, "dim": key.dim, "key": key.key, **cell.counts()}
    for name in MEASURES:
        m: Measure = getattr(cell, name)
        row.update({
            f"{name}_count": m.count, f"{name}_sum_us": m.sum_us, f"{name}_max_us": m.max_us,
            f"{name}_hist": hist_json(m.hist),
        })  # fmt: skip
    return row


def row_cell(row: Mapping[str, Any]) -> tuple[CellKey, Cell]:
    cell = Cell()
    for name in COUNTS:
        setattr(cell, name, int(row[name]))
    for name in MEASURES:
        measure = Measure(
            int(row[f"{name}_count"]), int(row[f"{name}_sum_us"]), int(row[f"{name}_max_us"]),
            hist_read(row[f"{name}_hist"]),
        )  # fmt: skip
        setattr(cell, name, measure)
    return CellKey(row["day"], row["dim"], row["key"]), cell


def cells_of(rows: Iterable[Mapping[str, Any]]) -> dict[CellKey, Cell]:
    return dict(row_cell(r) for r in rows)


def plus(deltas: Mapping[CellKey, Cell]) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """What adding ``deltas`` makes of the stored rows of their days: the rows to write (the
    cells ``deltas`` touch, each stored cell plus its delta), for ``ReportStore.add``."""

    def combine(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
        old = cells_of(stored)
        out = []
        for key, delta in sorted(deltas.items()):
            cell = old.get(key, Cell())
            cell.merge(delta)
            out.append(cell_row(key, cell))
        return out

    return combine


def month_of(day: date) -> date:
    return day.replace(day=1)


def with_months(cells: Mapping[CellKey, Cell]) -> dict[CellKey, Cell]:
    """``cells`` and, added up, the month cells they count in."""
    out: dict[CellKey, Cell] = {}
    for key, cell in cells.items():
        add_to(out, key, cell)
        add_to(out, CellKey(month_of(key.day), MONTH + key.dim, key.key), cell)
    return out


def as_days(cells: Mapping[CellKey, Cell]) -> dict[CellKey, Cell]:
    """Month cells read as cells of their dimension (dated the month's first day)."""
    return {CellKey(k.day, k.dim.removeprefix(MONTH), k.key): c for k, c in cells.items()}


__all__ = [
    "COUNTS",
    "DIMENSIONS",
    "MEASURES",
    "MONTH",
    "TOTAL",
    "Cell",
    "CellKey",
    "Delta",
    "add_delta",
    "add_to",
    "as_days",
    "cell_row",
    "cells_of",
    "merge_into",
    "merged",
    "month_of",
    "plus",
    "row_cell",
    "with_months",
]
