"""A real server process (``run.py``) whose hall is wired to simulated devices on real ptys
owned by the test, so a test presses keys and reads screens while the server drives them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from hardware.sim.demo import SimulatedHall, hardware_toml, simulate
from queue_server.auth.service import AuthService
from queue_server.config import parse_config
from queue_server.principal import DeviceKind, Role
from queue_server.storage import open_store
from tests.conftest import SMALL_HALL
from tests.server_support import ROOT, bearer, serve, stop

PASSWORD = "serial line secret"


def hall_toml(hardware: dict[str, Any]) -> str:
    """The small test hall wired by ``hardware`` (a ``[hall.hardware]`` table as ``simulate`` builds it)."""
    return SMALL_HALL + hardware_toml(hardware)


@dataclass
class Hall:
    base: str
    sims: SimulatedHall
    agent_token: str
    directory: Path

    def login(self, user: str) -> dict[str, str]:
        return bearer(self.base, user, PASSWORD)

    def post(self, path: str, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        return httpx.post(f"{self.base}{path}", json=body or None, headers=headers or {})

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", headers=headers or {})


def prepared(
    tmp: Path, mode: str, rating_timeout_s: int = 30, scores: dict[int, list[int]] | None = None
) -> tuple[str, Path, SimulatedHall, str]:
    """The hall file, database and simulators (started) for a server about to be launched;
    ``scores`` gives the evaluation pads of some windows their ``scores``."""
    base_config = parse_config(SMALL_HALL, "tests")
    sims = simulate(base_config.halls[0], tmp / "tty", windows=2)
    sims.hardware["mode"] = mode
    sims.hardware["rating_timeout_s"] = rating_timeout_s
    for device in sims.hardware["devices"]:
        if device["kind"] == "evaluation_pad" and device["window"] in (scores or {}):
            device["scores"] = (scores or {})[device["window"]]
    config_path = tmp / "hall.toml"
    config_path.write_text(hall_toml(sims.hardware), encoding="utf-8")
    db = f"sqlite:///{tmp}/hallq.db"
    store = open_store(db)
    try:
        store.sync_halls(parse_config(config_path.read_text("utf-8"), str(config_path)))
        auth = AuthService(store.accounts)
        auth.create_user("li", PASSWORD, Role.CLERK, "t")
        auth.create_user("boss", PASSWORD, Role.MANAGER, "t")
        _, agent = auth.create_device_token(DeviceKind.AGENT, "t", "大厅电脑")
    finally:
        store.close()
    sims.start()
    return db, config_path, sims, agent


@pytest.fixture
def local_hall(tmp_path: Path) -> Iterator[Hall]:
    """The server drives the ptys itself (mode "local")."""
    db, config_path, sims, agent = prepared(tmp_path, "local", rating_timeout_s=5)
    try:
        with serve(db, tmp_path, "--config", str(config_path), "--log-level", "info") as base:
            yield Hall(base, sims, agent, tmp_path)
    finally:
        sims.close()


@contextmanager
def agent_process(base: str, token: str, config: Path, cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """``python run.py agent`` next to the ptys, talking to the server at ``base``."""
    cmd = [sys.executable, str(ROOT / "run.py"), "agent", "--server", base, "--token", token, "--config", str(config)]
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield proc
    finally:
        stop(proc)


@dataclass
class AgentHall(Hall):
    config: Path  # the hall file, for ``agent_process``


@pytest.fixture
def agent_hall(tmp_path: Path) -> Iterator[AgentHall]:
    """The server leaves the ports alone (mode "agent"); the agent is started by the test."""
    db, config_path, sims, agent = prepared(tmp_path, "agent", rating_timeout_s=5)
    try:
        with serve(db, tmp_path, "--config", str(config_path)) as base:
            yield AgentHall(base, sims, agent, tmp_path, config_path)
    finally:
        sims.close()
