"""A mergeable summary of durations (waits, service times) for reports over any range of days.

Percentiles cannot be added up day by day, so every aggregate cell keeps, beside the count,
the exact sum and the exact maximum (in whole microseconds, so sums and means are exact), a
histogram of fixed 30-second buckets up to two hours with one overflow bucket above. Cells of
any number of days merge by adding counts, sums and buckets and taking the larger maximum.

Accuracy of a percentile read from a merged histogram: the nearest-rank value's bucket is
found exactly, and the bucket's midpoint is answered (never more than the exact maximum), so
the answer is within half a bucket, ``PERCENTILE_ERROR_S`` = 15 s, of the exact nearest-rank
percentile of the same durations, for every duration under ``BUCKET_LIMIT_S`` (2 h). Where the
percentile falls in the overflow bucket (more than a tenth of the waits over two hours for a
p90), the exact maximum is answered: an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

BUCKET_S = 30
BUCKET_LIMIT_S = 2 * 60 * 60
OVERFLOW = BUCKET_LIMIT_S // BUCKET_S  # the index of the bucket of everything from two hours on
PERCENTILE_ERROR_S = BUCKET_S / 2
US = 1_000_000


def bucket(duration_us: int) -> int:
    """The bucket of a duration: ``[i·30 s, (i+1)·30 s)``, the overflow from two hours on (a
    negative duration, which clock skew between processes could give, counts as zero)."""
    return min(max(duration_us, 0) // (BUCKET_S * US), OVERFLOW)


@dataclass(slots=True)
class Measure:
    """Durations, mergeable: how many, their exact sum and maximum, and the histogram."""

    count: int = 0
    sum_us: int = 0
    max_us: int = 0
    hist: dict[int, int] = field(default_factory=dict)

    def add(self, duration_us: int, bucket_of: int | None = None) -> None:
        """Count one duration (``bucket_of``: its ``bucket``, when the caller adds the same
        duration to many measures and computed it once)."""
        duration_us = max(duration_us, 0)
        self.count += 1
        self.sum_us += duration_us
        if duration_us > self.max_us:
            self.max_us = duration_us
        b = bucket(duration_us) if bucket_of is None else bucket_of
        self.hist[b] = self.hist.get(b, 0) + 1

    def merge(self, other: Measure) -> None:
        if not other.count:
            return
        self.count += other.count
        self.sum_us += other.sum_us
        self.max_us = max(self.max_us, other.max_us)
        for b, n in other.hist.items():
            self.hist[b] = self.hist.get(b, 0) + n

    def copy(self) -> Measure:
        return Measure(self.count, self.sum_us, self.max_us, dict(self.hist))

    def mean_s(self) -> float | None:
        return self.sum_us / self.count / US if self.count else None

    def max_s(self) -> float | None:
        return self.max_us / US if self.count else None

    def percentile_s(self, p: float) -> float | None:
        """The nearest-rank ``p``-th percentile (0 < p ≤ 100), within ``PERCENTILE_ERROR_S``."""
        if not self.count:
            return None
        rank = max(1, math.ceil(p / 100 * self.count))
        seen = 0
        for b in sorted(self.hist):
            seen += self.hist[b]
            if seen >= rank:
                if b >= OVERFLOW:
                    return self.max_s()
                return min((b + 0.5) * BUCKET_S, self.max_us / US)
        return self.max_s()  # only a histogram at odds with its count gets here

    def view(self) -> dict[str, Any]:
        """Seconds, as reports answer them (unrounded: the mean and maximum are exact)."""
        return {
            "count": self.count,
            "mean_s": self.mean_s(),
            "p50_s": self.percentile_s(50),
            "p90_s": self.percentile_s(90),
            "max_s": self.max_s(),
        }


def hist_json(hist: Mapping[int, int]) -> dict[str, int]:
    """The histogram as stored: sparse, bucket index (as text) to count."""
    return {str(b): n for b, n in sorted(hist.items()) if n}


def hist_read(value: Mapping[str, Any] | None) -> dict[int, int]:
    return {int(b): int(n) for b, n in (value or {}).items()}


def measure_of(durations_us: Iterable[int]) -> Measure:
    m = Measure()
    for d in durations_us:
        m.add(d)
    return m


__all__ = [
    "BUCKET_LIMIT_S",
    "BUCKET_S",
    "OVERFLOW",
    "PERCENTILE_ERROR_S",
    "US",
    "Measure",
    "bucket",
    "hist_json",
    "hist_read",
    "measure_of",
]
