"""The scheduled jobs as the scheduler runs them: a real server process whose system clock
(Debian's faketime) crosses the hall's midnight closes the day's queue by itself."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.server_support import serve

FAKETIME = shutil.which("faketime")


@pytest.mark.slow
@pytest.mark.skipif(FAKETIME is None, reason="needs Debian's faketime (apt-get install faketime)")
def test_the_midnight_rollover_runs_on_its_own_at_the_halls_midnight(tmp_path: Path) -> None:
    # 23:59:48 in Shanghai (the demo hall's zone), with the clock running from there.
    start = "@2026-11-23 15:59:48"
    wrap = [str(FAKETIME), "-f", start]
    # The faked clock is the whole point here: no further shift (make test-next-year sets one).
    env = {"TZ": "UTC", "HALLQ_CLOCK_SHIFT_DAYS": ""}
    with serve(f"sqlite:///{tmp_path}/h.db", tmp_path, wrap=wrap, env=env) as base:
        issued = httpx.post(f"{base}/api/halls/demo/tickets", json={"service": "A"}, timeout=5)
        assert issued.status_code == 201, issued.text
        ticket = issued.json()
        assert ticket["number"] == "A001"
        status = f"{base}/api/tickets/{ticket['id']}"
        day = httpx.get(status, params={"token": ticket["token"]}, timeout=5).json()["business_day"]
        assert day == "2026-11-23"
        # The job is set for 00:00:05 local time; give it until 00:00:40.
        deadline = time.monotonic() + 45
        state = "waiting"
        while state == "waiting" and time.monotonic() < deadline:
            time.sleep(0.5)
            state = httpx.get(status, params={"token": ticket["token"]}, timeout=5).json()["state"]
        assert state == "not_served"
        # The new day numbers from 001 again.
        again = httpx.post(f"{base}/api/halls/demo/tickets", json={"service": "A"}, timeout=5).json()
        assert again["number"] == "A001" and again["id"] != ticket["id"]
