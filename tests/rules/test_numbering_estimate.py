"""Ticket numbers, a late visitor's new place in line, and the estimated wait."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.rules.estimate import MIN_SAMPLES, estimated_wait_seconds, mean_service_seconds
from queue_server.rules.numbering import format_number, requeue_key

NOW_US = 1_795_395_600_000_000

# -- format_number -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "n", "number"),
    [("A", 1, "A001"), ("A", 17, "A017"), ("B", 100, "B100"), ("A", 999, "A999"), ("A", 1000, "A1000"),
     ("Z", 12345, "Z12345")],
)  # fmt: skip
def test_format_number(prefix: str, n: int, number: str) -> None:
    assert format_number(prefix, n) == number


@pytest.mark.parametrize("n", [0, -1, -1000])
def test_format_number_starts_at_one(n: int) -> None:
    with pytest.raises(ValueError, match=str(n)):
        format_number("A", n)


@given(st.integers(1, 10**7))
def test_format_number_sorts_like_the_running_number_within_three_digits(n: int) -> None:
    number = format_number("C", n)
    assert number[0] == "C" and int(number[1:]) == n
    assert len(number) == 1 + max(3, len(str(n)))


# -- requeue_key --------------------------------------------------------------------


def test_requeue_into_an_empty_line_is_now() -> None:
    assert requeue_key([], 2, NOW_US) == NOW_US
    assert requeue_key([], 0, NOW_US) == NOW_US


def test_requeue_behind_n_people() -> None:
    keys = [100, 200, 300, 400]
    assert requeue_key(keys, 1, NOW_US) == 101
    assert requeue_key(keys, 2, NOW_US) == 201
    assert requeue_key(keys, 3, NOW_US) == 301


def test_requeue_with_fewer_people_than_n_goes_to_the_end() -> None:
    assert requeue_key([100], 2, NOW_US) == NOW_US
    assert requeue_key([100, 200], 2, NOW_US) == NOW_US  # exactly n people: behind all of them


def test_requeue_at_the_end_stays_behind_keys_later_than_now() -> None:
    # A line may hold keys after "now" (an earlier reactivation placed at now, clocks equal).
    assert requeue_key([NOW_US - 5, NOW_US], 3, NOW_US) == NOW_US + 1
    assert requeue_key([NOW_US + 50], 2, NOW_US) == NOW_US + 51


def test_requeue_behind_nobody_goes_to_the_front() -> None:
    assert requeue_key([100, 200], 0, NOW_US) == 99
    assert requeue_key([100, 200], -3, NOW_US) == 99
    assert requeue_key([NOW_US + 10], 0, NOW_US) == NOW_US  # the front, but never in the future


def test_requeue_between_adjacent_keys() -> None:
    # No room between 200 and 201: the ticket ties with the next person, who keeps their place
    # only if the tie-break (the ticket id) is in their favour. It never gets ahead of the 2nd.
    assert requeue_key([100, 200, 201], 2, NOW_US) == 201


@given(
    keys=st.lists(st.integers(0, 10**9), max_size=8).map(sorted),
    after=st.integers(0, 6),
    now=st.integers(0, 2 * 10**9),
)
def test_requeue_never_jumps_the_people_it_must_stay_behind(keys: list[int], after: int, now: int) -> None:
    """Given the first ``after + 1`` keys of a line, the new key is strictly behind the
    first ``after`` people, and not behind the person after them unless ties leave no room."""
    line = keys[: after + 1]
    key = requeue_key(line, after, now)
    ahead = line[:after]
    assert all(k < key for k in ahead)
    if len(line) > after and line[after] > (line[after - 1] if after else -1) + 1:
        assert key <= line[after]
    if len(line) <= after and after > 0:
        assert key >= now  # the end of the line is no earlier than now


# -- estimate -----------------------------------------------------------------------


def test_mean_service_without_history_is_the_configured_expectation() -> None:
    assert mean_service_seconds([], 10) == 600.0
    assert mean_service_seconds((), 0.5) == 30.0


def test_mean_service_blends_towards_observed_times() -> None:
    assert mean_service_seconds([300.0], 10) == pytest.approx(0.2 * 300 + 0.8 * 600)
    assert mean_service_seconds([300.0, 100.0], 10) == pytest.approx(0.4 * 200 + 0.6 * 600)
    four = [120.0] * (MIN_SAMPLES - 1)
    assert mean_service_seconds(four, 10) == pytest.approx(0.8 * 120 + 0.2 * 600)


def test_mean_service_with_enough_samples_is_the_observed_mean() -> None:
    assert MIN_SAMPLES == 5
    assert mean_service_seconds([100.0, 200.0, 300.0, 400.0, 500.0], 10) == 300.0
    assert mean_service_seconds([60.0] * 20, 99) == 60.0


@given(
    recent=st.lists(st.floats(0, 10_000, allow_nan=False), max_size=30),
    expected=st.floats(0, 240, allow_nan=False),
)
def test_mean_service_lies_between_expectation_and_observation(recent: list[float], expected: float) -> None:
    mean = mean_service_seconds(recent, expected)
    if not recent:
        assert mean == expected * 60
        return
    observed = sum(recent) / len(recent)
    lo, hi = sorted((observed, expected * 60))
    assert lo - 1e-6 <= mean <= hi + 1e-6


def test_estimated_wait() -> None:
    assert estimated_wait_seconds(0, 600, 2) == 0
    assert estimated_wait_seconds(-1, 600, 2) == 0
    assert estimated_wait_seconds(3, 100, 2) == 150
    assert estimated_wait_seconds(1, 100, 3) == 34  # rounded up: never promise too short a wait
    assert estimated_wait_seconds(4, 300, 1) == 1200


def test_no_estimate_when_no_open_window_serves_the_line() -> None:
    # Nobody can say when a closed line moves: no number rather than a made-up one.
    assert estimated_wait_seconds(2, 300, 0) is None
    assert estimated_wait_seconds(0, 300, 0) is None
    assert estimated_wait_seconds(2, 300, 0.5) == 1200  # a weighted share of a window still serves


@given(ahead=st.integers(0, 500), mean=st.floats(0, 3600, allow_nan=False), windows=st.integers(0, 20))
def test_estimated_wait_grows_with_people_and_shrinks_with_windows(ahead: int, mean: float, windows: int) -> None:
    wait = estimated_wait_seconds(ahead, mean, windows)
    if windows == 0:
        assert wait is None
        return
    assert wait is not None and wait >= 0 and isinstance(wait, int)
    assert wait == math.ceil(ahead * mean / windows)
    assert (estimated_wait_seconds(ahead + 1, mean, windows) or 0) >= wait
    assert (estimated_wait_seconds(ahead, mean, windows + 1) or 0) <= wait
