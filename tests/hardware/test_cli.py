"""The command line around the hardware: what ``run.py`` refuses, and why, before opening a port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hardware.sim.demo import simulate
from queue_server.config import parse_config
from tests.conftest import SMALL_HALL
from tests.hardware.conftest import hall_toml, prepared
from tests.server_support import ROOT, serve


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_a_bad_device_table_is_refused_with_the_file_and_key(tmp_path: Path) -> None:
    hardware = simulate(parse_config(SMALL_HALL).halls[0], tmp_path / "tty", windows=1).hardware
    hardware["devices"][3]["line"] = "led"  # the caller pad (pad-1) on the LED bus
    config = tmp_path / "hall.toml"
    config.write_text(hall_toml(hardware), encoding="utf-8")
    done = run("--config", str(config), "--db", f"sqlite:///{tmp_path}/h.db", cwd=tmp_path)
    assert done.returncode == 2
    assert f"{config}: hall[t].hardware.devices[3].kind: a caller_pad speaks padbus" in done.stderr


def test_local_ports_cannot_be_driven_by_several_processes(tmp_path: Path) -> None:
    config = tmp_path / "hall.toml"
    config.write_text(hall_toml(simulate(parse_config(SMALL_HALL).halls[0], tmp_path / "tty").hardware), "utf-8")
    done = run("--config", str(config), "--workers", "2", "--db", f"sqlite:///{tmp_path}/h.db", cwd=tmp_path)
    assert done.returncode == 2 and 'mode = "agent"' in done.stderr


def test_the_agent_refuses_a_wrong_token_and_a_hall_left_to_the_server(tmp_path: Path) -> None:
    db, config, sims, token = prepared(tmp_path, "local")
    try:
        assert "--token" in run("agent", "--server", "http://127.0.0.1:9", cwd=tmp_path).stderr
        with serve(db, tmp_path, "--config", str(config)) as base:
            wrong = run("agent", "--server", base, "--token", "hqd_not-a-token", "--config", str(config), cwd=tmp_path)
            assert wrong.returncode == 2 and "token" in wrong.stderr
            local = run("agent", "--server", base, "--token", token, "--config", str(config), cwd=tmp_path)
            assert local.returncode == 2 and 'mode = "agent"' in local.stderr
    finally:
        sims.close()
