"""A token bucket per key, as a pure state machine with the clock passed in.

Used for ticket issuing (per kiosk token, per phone address) and login attempts
(per address). It lives in one process's memory: with several server processes
each keeps its own buckets, so the limit a caller sees is at most the
per-process limit times the number of processes — still bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limit:
    burst: int  # how many at once
    per_minute: float  # refill rate

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_minute <= 0:
            raise ValueError("a limit needs burst >= 1 and a positive rate")


@dataclass(slots=True)
class RateLimiter:
    limit: Limit
    max_keys: int = 100_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (tokens, at)

    def allow(self, key: str, now: float) -> tuple[bool, float]:
        """Take one token for ``key`` at monotonic time ``now`` (seconds).

        Returns (allowed, seconds until the next token when refused).
        """
        rate = self.limit.per_minute / 60.0
        tokens, at = self._buckets.get(key, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + max(0.0, now - at) * rate)
        if tokens >= 1.0:
            self._store(key, (tokens - 1.0, now))
            return True, 0.0
        self._store(key, (tokens, now))
        return False, (1.0 - tokens) / rate

    def _store(self, key: str, value: tuple[float, float]) -> None:
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            # Forget the oldest half rather than grow without bound under a flood of keys.
            for old in list(self._buckets)[: self.max_keys // 2]:
                del self._buckets[old]
        self._buckets[key] = value


@dataclass(frozen=True, slots=True)
class LoginBackoff:
    """How failed sign-ins to one account from one address slow that address down.

    Never a lock: the delay binds the (account, address) pair only, so a stranger failing from
    their own address cannot keep the clerk out at the clerk's. ``free`` failures cost nothing
    (typos); each one after waits ``first_s``, doubling up to ``max_s``. The count is forgotten
    when that address signs in to the account, a manager unlocks it, or ``forget_s`` pass
    without a failure.
    """

    free: int = 5
    first_s: float = 30.0
    max_s: float = 300.0
    forget_s: float = 24 * 3600.0

    def __post_init__(self) -> None:
        if self.free < 1 or self.first_s <= 0 or self.max_s < self.first_s or self.forget_s < self.max_s:
            raise ValueError("a login backoff needs free >= 1 and 0 < first_s <= max_s <= forget_s")

    def delay(self, failures: int) -> float:
        """Seconds the pair must wait after its ``failures``-th failure in a row."""
        if failures < self.free:
            return 0.0
        return min(self.first_s * 2.0 ** min(failures - self.free, 32), self.max_s)
