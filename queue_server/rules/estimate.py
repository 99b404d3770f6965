"""Estimated wait from recent service times and the windows serving a service."""

from __future__ import annotations

import math
from collections.abc import Sequence

# How many recent services must be seen before they outweigh the configured estimate.
MIN_SAMPLES = 5


def mean_service_seconds(recent: Sequence[float], expected_minutes: float) -> float:
    """Blend the configured expectation with what the last services really took."""
    expected = expected_minutes * 60.0
    if not recent:
        return expected
    observed = sum(recent) / len(recent)
    if len(recent) >= MIN_SAMPLES:
        return observed
    w = len(recent) / MIN_SAMPLES
    return w * observed + (1 - w) * expected


def estimated_wait_seconds(ahead: int, mean_seconds: float, open_windows: float) -> int:
    """People ahead, served in parallel by the open windows (at least one is assumed:
    a queue whose windows are all closed still opens later that day)."""
    if ahead <= 0:
        return 0
    servers = max(open_windows, 1.0)
    return math.ceil(ahead * mean_seconds / servers)
