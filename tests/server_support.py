"""A real server process (``python run.py``) on 127.0.0.1 and the API calls the tests that drive
one share. Nothing here needs Playwright: tests/browser_support.py adds the browser on top.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
CLERK_PASSWORD = "counter one secret"
MANAGER_PASSWORD = "manager secret one"
START_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(
    db: str,
    cwd: Path,
    *extra: str,
    port: int | None = None,
    log: Path | None = None,
    wrap: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """``python run.py`` on ``db``, 127.0.0.1 and ``port`` (default: a free one), run from ``cwd``;
    yields the base URL once /healthz answers, and stops the process when the block ends.

    The process's stdout and stderr go to ``log`` (default: an anonymous temporary file, never a
    pipe nobody reads), whose text the failure shows if the server does not start; a test that
    reads what the server printed passes its own ``log``. ``wrap`` runs it under another command
    (e.g. ``faketime``), with ``env`` added to the environment.
    """
    port = port or free_port()
    cmd = [
        *wrap,
        sys.executable,
        str(ROOT / "run.py"),
        "--port",
        str(port),
        "--db",
        db,
        "--log-level",
        "warning",
        *extra,
    ]
    with log.open("w+", encoding="utf-8") if log else tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        environ = {**os.environ, **env} if env is not None else None
        # A session of its own, so stopping it also stops what ``wrap`` started (faketime forks
        # the server as its child and would leave it running).
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True, env=environ, start_new_session=bool(wrap)
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    status = "exited" if proc.poll() is not None else f"did not start within {START_TIMEOUT_S} s"
                    raise AssertionError(f"the server {status}:\n{out.read()}")
                time.sleep(0.1)
            yield base
        finally:
            if wrap:
                stop_group(proc)
            else:
                stop(proc)


def bearer(base: str, user: str, password: str) -> dict[str, str]:
    """Bearer headers for ``user``, signed in through POST /api/auth/login of the server at ``base``."""
    r = httpx.post(f"{base}/api/auth/login", json={"username": user, "password": password, "token": True})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@dataclass
class Server:
    """A served demo hall (tests/browser_support.py's ``server`` fixture): its base URL, a display
    and a kiosk token, and the hosts its pages requested."""

    base: str
    display_token: str
    kiosk_token: str
    hosts: list[str] = field(default_factory=list)

    def clerk_headers(self) -> dict[str, str]:
        return bearer(self.base, "zhangwei", CLERK_PASSWORD)


def agent_headers(server: Server) -> dict[str, str]:
    """A hardware agent token for the demo hall, made by the manager through the API."""
    manager = bearer(server.base, "wangju", MANAGER_PASSWORD)
    r = httpx.post(f"{server.base}/api/halls/demo/tokens", headers=manager, json={"kind": "agent", "label": "agent"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def report_device(server: Server, agent: dict[str, str], device: str, **body: Any) -> None:
    """What the agent says of ``device``'s health (PUT /api/halls/demo/devices/{device})."""
    r = httpx.put(f"{server.base}/api/halls/demo/devices/{device}", headers=agent, json=body)
    assert r.status_code == 200, r.text


def stop_group(proc: subprocess.Popen[Any]) -> None:
    """``stop`` for a process started in its own session, and everything it started."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # a child that outlived its parent's TERM


def stop(proc: subprocess.Popen[Any]) -> None:
    """Ask a process started by a test to end (SIGTERM); kill it if it takes more than 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
