"""No secret reaches a log line: a real server (run.py, access log on) is asked for pages, API
calls and WebSocket channels with tokens in their query strings, and its log keeps the paths
but none of the tokens. Also the filter itself, on our own loggers."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx2 as httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from queue_server.auth.redact import RedactSecrets, redact
from queue_server.auth.service import AuthService
from queue_server.config import demo_config
from queue_server.principal import DeviceKind, Role
from queue_server.storage import open_store
from tests.server_support import CLERK_PASSWORD, serve


def test_redact_masks_query_secrets_and_hallq_secrets_only() -> None:
    line = '127.0.0.1:5 - "GET /ws/halls/demo?lang=en&access_token=hqd_AbC-9_x HTTP/1.1" 101'
    assert redact(line) == '127.0.0.1:5 - "GET /ws/halls/demo?lang=en&access_token=*** HTTP/1.1" 101'
    assert redact("/t/17?token=Zm9vYmFy&x=1") == "/t/17?token=***&x=1"
    assert redact("Authorization: Bearer hqs_Q1w2E3-r4_T5") == "Authorization: Bearer hqs_***"
    assert redact("/api/halls/demo/windows/3/open?lang=en") == "/api/halls/demo/windows/3/open?lang=en"


def test_the_filter_masks_messages_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("hallq.test.redact")
    handler = caplog.handler
    handler.addFilter(RedactSecrets())
    try:
        log.warning("client %s asked %s (%d times)", "10.0.0.5", "/display/demo?token=hqd_secret1", 3)
        try:
            raise ValueError("bad token hqd_secret2")
        except ValueError:
            log.exception("failed for /ws/halls/demo?access_token=hqd_secret3")
    finally:
        handler.removeFilter(handler.filters[-1])
    text = caplog.text
    assert "secret" not in text
    assert "/display/demo?token=***" in text and "(3 times)" in text and "ValueError: bad token hqd_***" in text


def test_a_real_servers_log_keeps_paths_but_no_token(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/hallq.db"
    store = open_store(db)
    try:
        store.sync_halls(demo_config())
        auth = AuthService(store.accounts)
        auth.create_user("zhangwei", CLERK_PASSWORD, Role.CLERK, "demo", "张伟")
        _, display = auth.create_device_token(DeviceKind.DISPLAY, "demo", "综合屏")
        _, kiosk = auth.create_device_token(DeviceKind.KIOSK, "demo", "取号机")
        revoked_token, revoked = auth.create_device_token(DeviceKind.DISPLAY, "demo", "旧屏")
        auth.revoke_device_token(revoked_token.id, "demo")
    finally:
        store.close()
    log = tmp_path / "server.log"
    with serve(db, tmp_path, "--log-level", "info", log=log) as base:
        ws_base = base.replace("http://", "ws://")
        login = httpx.post(
            f"{base}/api/auth/login", json={"username": "zhangwei", "password": CLERK_PASSWORD, "token": True}
        )
        staff = login.json()["token"]
        ticket = httpx.post(f"{base}/api/halls/demo/tickets", json={"service": "A"}).json()
        paths = [
            f"/display/demo?token={display}",
            f"/kiosk/demo?token={kiosk}&lang=en",
            f"/api/tickets/{ticket['id']}?token={ticket['token']}",
            f"/api/halls/demo?access_token={staff}",
            f"/nothing/here/{staff}",
        ]
        for path in paths:
            assert httpx.get(f"{base}{path}").status_code < 500
        with connect(f"{ws_base}/ws/halls/demo?access_token={display}") as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
        with connect(f"{ws_base}/ws/tickets/{ticket['id']}?token={ticket['token']}") as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
        # A revoked token on the hall channel is refused (4401), also through the real server.
        with (
            connect(f"{ws_base}/ws/halls/demo/windows/1?access_token={revoked}") as ws,
            pytest.raises(ConnectionClosed) as closed,
        ):
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    text = log.read_text(encoding="utf-8")
    for secret in (display, kiosk, revoked, staff, ticket["token"]):
        assert secret not in text
    assert "hqd_" not in text.replace("hqd_***", "") and "hqs_" not in text.replace("hqs_***", "")
    # The paths are still there, with the secrets masked.
    for logged in (
        "GET /display/demo?token=***",
        "GET /kiosk/demo?token=***&lang=en",
        f"GET /api/tickets/{ticket['id']}?token=***",
        "GET /api/halls/demo?access_token=***",
        "/nothing/here/hqs_***",
        '"WebSocket /ws/halls/demo?access_token=***"',
        f'"WebSocket /ws/tickets/{ticket["id"]}?token=***"',
        '"WebSocket /ws/halls/demo/windows/1?access_token=***"',
    ):
        assert logged in text, f"{logged!r} not in the log:\n{text}"
