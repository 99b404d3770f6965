"""`python run.py` really serves the demo hall over HTTP (what `make run` does)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_serves_the_demo_hall(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--port", str(port), "--db", f"sqlite:///{tmp_path}/demo.db"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/", timeout=2).json()
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.2)
        assert body is not None, "the server did not answer within 30 s"
        (hall,) = body["halls"]
        assert hall["slug"] == "demo"
        assert len(hall["windows"]) == 20
        assert {s["code"] for s in hall["services"]} >= {"A", "G"}
        assert (tmp_path / "demo.db").exists()
        proc.terminate()
        out = proc.communicate(timeout=10)[0]
        # A fresh database: the server says how to make the first account, and no password.
        assert "python run.py user add admin --role admin" in out
    finally:
        proc.terminate()
        proc.wait(timeout=10)
