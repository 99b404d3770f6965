"""The mergeable duration histograms: exact counts, sums and maxima; percentiles within the
documented bound of the exact nearest-rank percentile, however the durations are split."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from queue_server.rules.report_hist import (
    BUCKET_LIMIT_S,
    OVERFLOW,
    PERCENTILE_ERROR_S,
    US,
    Measure,
    bucket,
    hist_json,
    hist_read,
    measure_of,
)


def nearest_rank(values: list[int], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] / US


def test_buckets_are_30_seconds_up_to_two_hours() -> None:
    assert bucket(0) == 0 and bucket(29_999_999) == 0 and bucket(30 * US) == 1
    assert bucket(-5 * US) == 0  # clock skew between processes: counted as no wait
    assert bucket(BUCKET_LIMIT_S * US - 1) == OVERFLOW - 1
    assert bucket(BUCKET_LIMIT_S * US) == bucket(10 * BUCKET_LIMIT_S * US) == OVERFLOW


def test_an_empty_measure_answers_nothing() -> None:
    assert Measure().view() == {"count": 0, "mean_s": None, "p50_s": None, "p90_s": None, "max_s": None}


def test_a_small_measure() -> None:
    m = measure_of([10 * US, 100 * US, 40 * US])
    assert m.view() == {"count": 3, "mean_s": 50.0, "p50_s": 45.0, "p90_s": 100.0, "max_s": 100.0}
    assert hist_read(hist_json(m.hist)) == m.hist == {0: 1, 1: 1, 3: 1}


def test_over_two_hours_the_maximum_is_answered() -> None:
    m = measure_of([3 * 3600 * US] * 9 + [60 * US])
    assert m.percentile_s(50) == m.percentile_s(90) == 3 * 3600
    assert m.percentile_s(10) == 75.0


durations = st.lists(st.integers(min_value=0, max_value=(BUCKET_LIMIT_S - 1) * US), min_size=1, max_size=200)


@given(durations, st.integers(min_value=1, max_value=6), st.sampled_from([50, 90, 95, 100, 1]))
def test_merged_parts_answer_like_the_whole_within_the_bound(values: list[int], parts: int, p: int) -> None:
    merged = Measure()
    for i in range(parts):
        merged.merge(measure_of(values[i::parts]))
    assert merged.count == len(values)
    assert merged.sum_us == sum(values) and merged.max_us == max(values)
    assert merged.hist == measure_of(values).hist
    got = merged.percentile_s(p)
    assert got is not None and abs(got - nearest_rank(values, p)) <= PERCENTILE_ERROR_S
    assert got <= max(values) / US
