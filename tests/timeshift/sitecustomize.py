"""Moves the wall clock of every Python process of a test run (the test runner and the servers
it starts, which inherit PYTHONPATH) by $HALLQ_CLOCK_SHIFT_DAYS days, ticking from there.

`make test-next-year` runs the suite with it, a year ahead: no test may depend on the date it
runs on. time-machine moves what Python reads as the time of day (datetime.now, date.today,
time.time…) and leaves the monotonic clock, sleeps and timed waits alone; an LD_PRELOAD clock
(libfaketime) breaks CPython's timed waits on Debian 12.
"""

from __future__ import annotations

import os

_days = os.environ.get("HALLQ_CLOCK_SHIFT_DAYS")
if _days:
    from datetime import UTC, datetime, timedelta

    import time_machine

    time_machine.travel(datetime.now(UTC) + timedelta(days=float(_days)), tick=True).start()
