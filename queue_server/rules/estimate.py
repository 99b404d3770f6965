"""Estimated wait from recent service times and the windows serving a service."""

from __future__ import annotations

import math
from collections.abc import Sequence

# How many recent services must be seen before they outweigh the configured estimate.
MIN_SAMPLES = 5


def mean_service_seconds(recent: Sequence[float], expected_minutes: float) -> float:
    """Blend the configured expectation with what the last services really took."""
    observed = sum(recent) / len(recent) if recent else None
    return blended_service_seconds(observed, len(recent), expected_minutes)


def blended_service_seconds(observed_mean: float | None, samples: int, expected_minutes: float) -> float:
    """The same blend, from a mean and a count computed elsewhere (in SQL)."""
    expected = expected_minutes * 60.0
    if observed_mean is None or samples <= 0:
        return expected
    if samples >= MIN_SAMPLES:
        return observed_mean
    w = samples / MIN_SAMPLES
    return w * observed_mean + (1 - w) * expected


def estimated_wait_seconds(ahead: int, mean_seconds: float, open_windows: float) -> int | None:
    """People ahead, served in parallel by the open windows; None when no open window serves
    the line, because then nobody can say when it moves (a window may open in a minute or not
    today). The estimate comes back as soon as one opens."""
    if open_windows <= 0:
        return None
    if ahead <= 0:
        return 0
    return math.ceil(ahead * mean_seconds / open_windows)


def line_wait(
    ahead: int, observed_mean: float | None, samples: int, expected_minutes: float, open_windows: float
) -> tuple[int | None, float]:
    """The estimated wait of someone with ``ahead`` people before them (None: no open window serves
    the line), and the seconds each of those people adds (a phone page scales the estimate by it
    as the line moves; counted as if one window served it when none is open)."""
    mean = blended_service_seconds(observed_mean, samples, expected_minutes)
    return estimated_wait_seconds(ahead, mean, open_windows), mean / max(open_windows, 1.0)
