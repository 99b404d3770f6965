"""Erlang B and C against published values, the closed form, monotonicity and the edges.

Reference values are the classic entries of the Erlang C and Erlang B traffic tables (as printed in
queueing textbooks such as Gross & Harris, *Fundamentals of Queueing Theory*, M/M/c, and in the
call-centre Erlang tables): A = 2, c = 3 → C = 4/9 ≈ 0.4444; A = 10, c = 12 → C ≈ 0.4494; A = 1,
c = 2 → C = 1/3; Erlang B A = 10, c = 10 → B ≈ 0.2146. Each is also recomputed from the factorial
closed form below, which is exact enough in floating point for small c.
"""

from __future__ import annotations

import itertools
import math

import pytest

from queue_server.rules.erlang import (
    erlang_b,
    erlang_c,
    mean_wait,
    servers_needed,
    wait_quantile,
    wait_within,
)


def closed_form_c(c: int, a: float) -> float:
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (head + tail)


def closed_form_b(c: int, a: float) -> float:
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [(3, 2.0, 4 / 9), (12, 10.0, 0.4494), (2, 1.0, 1 / 3), (1, 0.5, 0.5)],
)
def test_erlang_c_matches_published_tables(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, abs=1e-4)


def test_erlang_b_matches_published_table() -> None:
    assert erlang_b(10, 10.0) == pytest.approx(0.2146, abs=1e-4)
    assert erlang_b(1, 1.0) == pytest.approx(0.5)


@pytest.mark.parametrize(("servers", "load"), [(4, 3.1), (7, 5.5), (15, 12.0), (25, 20.0), (40, 37.5)])
def test_recursion_agrees_with_closed_form(servers: int, load: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(closed_form_c(servers, load), rel=1e-9)
    assert erlang_b(servers, load) == pytest.approx(closed_form_b(servers, load), rel=1e-9)


def test_stable_for_hundreds_of_servers() -> None:
    # The factorial form overflows long before this; the recursion stays within [0, 1].
    value = erlang_c(400, 390.0)
    assert 0.0 < value < 1.0 and math.isfinite(value)
    assert erlang_b(800, 700.0) < 1e-3


def test_monotone_in_servers_and_load() -> None:
    waits = [erlang_c(c, 8.0) for c in range(9, 30)]
    assert all(a > b for a, b in itertools.pairwise(waits))
    loads = [erlang_c(10, a / 10) for a in range(1, 100)]
    assert all(a < b for a, b in itertools.pairwise(loads))
    assert [mean_wait(c, 1.0, 0.125) for c in range(9, 15)] == sorted(
        (mean_wait(c, 1.0, 0.125) for c in range(9, 15)), reverse=True
    )


def test_waits_by_hand() -> None:
    # M/M/1, λ = 0.5, μ = 1: C = ρ = 0.5, Wq = ρ/(μ−λ) = 1, P(W<=t) = 1 − 0.5·e^{−0.5t}.
    assert mean_wait(1, 0.5, 1.0) == pytest.approx(1.0)
    assert wait_within(1, 0.5, 1.0, 2.0) == pytest.approx(1 - 0.5 * math.exp(-1.0))
    assert wait_quantile(1, 0.5, 1.0, 0.9) == pytest.approx(math.log(5) / 0.5)
    # A = 2, c = 3, μ = 1: Wq = C/(cμ−λ) = (4/9)/1.
    assert mean_wait(3, 2.0, 1.0) == pytest.approx(4 / 9)
    # Half never wait, so the median wait is 0.
    assert wait_quantile(1, 0.5, 1.0, 0.5) == 0.0
    t = wait_quantile(12, 10.0, 1.0, 0.8)
    assert wait_within(12, 10.0, 1.0, t) == pytest.approx(0.8)


def test_edges_never_nan_nor_divide_by_zero() -> None:
    assert erlang_c(3, 0.0) == 0.0 and erlang_b(3, 0.0) == 0.0
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(3, 5.0) == 1.0 and erlang_c(0, 1.0) == 1.0
    assert mean_wait(3, 0.0, 1.0) == 0.0
    assert mean_wait(3, 3.0, 1.0) == math.inf and mean_wait(0, 1.0, 1.0) == math.inf
    assert mean_wait(3, 1.0, 0.0) == math.inf
    assert wait_within(3, 0.0, 1.0, 5.0) == 1.0 and wait_within(2, 4.0, 1.0, 5.0) == 0.0
    assert wait_quantile(2, 4.0, 1.0, 0.9) == math.inf and wait_quantile(2, 0.0, 1.0, 0.9) == 0.0
    assert servers_needed(0.0, 1.0, within=10, share=0.8) == 0
    assert servers_needed(1.0, 0.0, within=10, share=0.8, max_servers=50) == 50
    assert servers_needed(1000.0, 0.01, within=10, share=0.8, max_servers=60) == 60
    with pytest.raises(ValueError):
        wait_quantile(2, 1.0, 1.0, 1.5)


def test_servers_needed_is_the_fewest_meeting_the_target() -> None:
    # One visitor a minute, eight-minute service (A = 8): answer 10 in ten minutes for 80 %.
    c = servers_needed(1.0, 1 / 8, within=10, share=0.8)
    assert wait_within(c, 1.0, 1 / 8, 10) >= 0.8 > wait_within(c - 1, 1.0, 1 / 8, 10)
    assert c > 8
    # A p90 bound can only ask for more.
    strict = servers_needed(1.0, 1 / 8, within=10, share=0.8, p90=1.0)
    assert strict >= c
    assert wait_quantile(strict, 1.0, 1 / 8, 0.9) <= 1.0
    # More arrivals never need fewer windows.
    counts = [servers_needed(lam / 10, 1 / 8, within=10, share=0.8) for lam in range(1, 40)]
    assert counts == sorted(counts)
