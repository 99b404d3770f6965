"""Against a real server process (``python run.py``): refused requests — hostile text, deep JSON,
bodies of 10 MB announced by Content-Length or streamed in chunks — are answered with the API's
JSON error, and the client's kept-alive connection serves its next request."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.server_support import serve

TEN_MB = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cwd = tmp_path_factory.mktemp("keepalive")
    with serve(f"sqlite:///{cwd / 'hallq.db'}", cwd) as url:
        yield url


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b" " * size


def _json(text: str) -> bytes:
    return text.encode()


JSON = {"content-type": "application/json"}
REFUSED: list[tuple[str, str, str, Any, dict[str, str], int]] = [
    ("deep JSON", "POST", "/api/halls/demo/tickets", _json('{"service": ' + "[" * 1000 + "]" * 1000 + "}"), JSON, 400),
    ("surrogate", "POST", "/api/auth/login", _json('{"username": "\\ud800", "password": "x"}'), JSON, 400),
    (
        "NUL in a check-in code",
        "POST",
        "/api/halls/demo/appointments/check-in",
        _json('{"code": "a\\u0000"}'),
        JSON,
        400,
    ),
    ("NUL in a query", "GET", "/api/tickets/1?token=%00", None, {}, 400),
    ("no sign-in", "GET", "/api/halls/demo/reports/daily?date=2026-11-23", None, {}, 401),
    ("10 MB announced", "POST", "/api/halls/demo/tickets", b" " * TEN_MB, JSON, 413),
    ("10 MB streamed", "POST", "/api/halls/demo/tickets", "stream", JSON, 413),
    ("unknown path", "GET", "/nope", None, {}, 404),
]


@pytest.mark.parametrize(("what", "method", "path", "body", "headers", "status"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_request_leaves_the_connection_usable(
    base: str, what: str, method: str, path: str, body: Any, headers: dict[str, str], status: int
) -> None:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.auto_open = 0  # a connection the server closed fails the next request instead of reopening
    conn.connect()
    local = conn.sock.getsockname()
    try:
        for _ in range(2):
            if body == "stream":
                conn.request(method, path, body=chunks(TEN_MB), headers=headers, encode_chunked=True)
            else:
                conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            answer = json.loads(r.read())
            assert r.status == status, (what, answer)
            assert set(answer) == {"error"} and set(answer["error"]) == {"code", "message"}, answer
            conn.request("GET", "/healthz")
            ok = conn.getresponse()
            health = json.loads(ok.read())
            assert ok.status == 200 and health["ok"] is True, what
        assert conn.sock.getsockname() == local
    finally:
        conn.close()


def test_the_server_never_read_the_announced_body(base: str) -> None:
    """With ``Expect: 100-continue`` a client waits for the server before sending its body: the
    413 comes back without the body ever being asked for."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/api/halls/demo/tickets")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(TEN_MB))
    conn.putheader("Expect", "100-continue")
    conn.endheaders()  # and no body
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["error"]["code"] == "body_too_large"
    conn.close()
