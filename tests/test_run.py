"""`python run.py` really serves the demo hall over HTTP (what `make run` does)."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx

from tests.server_support import serve


def test_run_serves_the_demo_hall(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serve(f"sqlite:///{tmp_path}/demo.db", tmp_path, log=log) as base:
        body = httpx.get(f"{base}/api/halls", timeout=2).json()
        landing = httpx.get(f"{base}/", timeout=2).text
        for screen in ("/kiosk/demo", "/display/demo", "/display/demo/windows/20", "/counter", "/dashboard/demo"):
            assert f'href="{screen}"' in landing
        (hall,) = body["halls"]
        assert hall["slug"] == "demo"
        assert len(hall["windows"]) == 20
        assert {s["code"] for s in hall["services"]} >= {"A", "G"}
        assert (tmp_path / "demo.db").exists()
    out = log.read_text(encoding="utf-8")
    # A fresh database: the server says how to make the first account, and no password.
    assert "user add admin --role admin" in out and "password" in out
