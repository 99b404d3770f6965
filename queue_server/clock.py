"""The one clock a server is built with.

Everything that needs the time asks it: commands and business days, sessions and
cookies, rate limits, the device-token cache, scheduled jobs, estimates. A clock is
a callable answering the current instant (timezone-aware, UTC); one that also has
``monotonic()`` says how elapsed seconds are measured, otherwise they follow its
instants. Tests build the server with a clock they move by hand, so nothing they
check depends on the day they run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


class SystemClock:
    """The machine's clock: wall time for instants, the monotonic timer for elapsed seconds
    (so a clock step by NTP neither refills nor drains a rate limit)."""

    def __call__(self) -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()


SYSTEM_CLOCK = SystemClock()


def monotonic_of(clock: Clock) -> Callable[[], float]:
    """Elapsed seconds by ``clock``: its own ``monotonic()``, or the POSIX time of its instants."""
    own = getattr(clock, "monotonic", None)
    if callable(own):
        return own  # type: ignore[no-any-return]
    return lambda: clock().timestamp()


__all__ = ["SYSTEM_CLOCK", "Clock", "SystemClock", "monotonic_of"]
