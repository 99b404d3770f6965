"""Erlang B and C for a pool of identical windows (M/M/c), pure and stdlib only.

Erlang C is computed from Erlang B's recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)): every step
stays in [0, 1], so it neither overflows nor loses precision for a few hundred servers, where the
textbook factorial sums do both. Rates share one time unit (per minute, say); waits come out in it.
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_b",
    "erlang_c",
    "mean_wait",
    "servers_needed",
    "wait_quantile",
    "wait_within",
]

# A hall never opens this many windows; the search stops here rather than looping forever.
DEFAULT_MAX_SERVERS = 500


def erlang_b(servers: int, load: float) -> float:
    """The blocking probability of an M/M/c/c system with `load` = λ/μ Erlangs offered."""
    if servers < 0:
        raise ValueError("servers must be >= 0")
    if load <= 0 or not math.isfinite(load):
        return 0.0 if load <= 0 else 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """The probability an arrival waits, M/M/c; 1.0 once the load reaches the servers (no steady state)."""
    if load <= 0:
        return 0.0
    if servers <= 0 or load >= servers:
        return 1.0
    b = erlang_b(servers, load)
    c = servers * b / (servers - load * (1.0 - b))
    return min(1.0, max(0.0, c))


def _load(arrival_rate: float, service_rate: float) -> float:
    if arrival_rate <= 0:
        return 0.0
    if service_rate <= 0:
        return math.inf
    return arrival_rate / service_rate


def mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Wq, the mean wait in the queue; inf when the pool cannot keep up."""
    load = _load(arrival_rate, service_rate)
    if load == 0:
        return 0.0
    if servers <= 0 or load >= servers:
        return math.inf
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def wait_within(servers: int, arrival_rate: float, service_rate: float, t: float) -> float:
    """P(W <= t) = 1 − C·e^{−(cμ−λ)t}; 0 when unstable (the queue grows without bound)."""
    load = _load(arrival_rate, service_rate)
    if load == 0:
        return 1.0
    if servers <= 0 or load >= servers:
        return 0.0
    if t < 0:
        return 0.0
    c = erlang_c(servers, load)
    return 1.0 - c * math.exp(-(servers * service_rate - arrival_rate) * t)


def wait_quantile(servers: int, arrival_rate: float, service_rate: float, q: float) -> float:
    """The wait that a share `q` of arrivals do not exceed; 0 when at least q never wait, inf when unstable."""
    if not 0.0 <= q < 1.0:
        if q == 1.0:
            return math.inf if _load(arrival_rate, service_rate) > 0 else 0.0
        raise ValueError("q must be within [0, 1]")
    load = _load(arrival_rate, service_rate)
    if load == 0:
        return 0.0
    if servers <= 0 or load >= servers:
        return math.inf
    c = erlang_c(servers, load)
    if c <= 1.0 - q:
        return 0.0
    # 1 − C·e^{−rt} = q  ⇔  t = ln(C / (1 − q)) / r
    return math.log(c / (1.0 - q)) / (servers * service_rate - arrival_rate)


def servers_needed(
    arrival_rate: float,
    service_rate: float,
    *,
    within: float,
    share: float,
    p90: float | None = None,
    max_servers: int = DEFAULT_MAX_SERVERS,
) -> int:
    """The fewest servers for which P(W <= within) >= share and, if given, the 90th-percentile wait <= p90.

    0 when nobody arrives; `max_servers` when even that many would not meet the target.
    """
    load = _load(arrival_rate, service_rate)
    if load == 0:
        return 0
    if not math.isfinite(load):
        return max_servers
    # Below the load the queue is unstable; start at the first stable count.
    c = max(1, math.floor(load) + 1)
    while c < max_servers:
        ok = wait_within(c, arrival_rate, service_rate, within) >= share
        if ok and p90 is not None:
            ok = wait_quantile(c, arrival_rate, service_rate, 0.9) <= p90
        if ok:
            return c
        c += 1
    return max_servers
