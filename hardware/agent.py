"""The hardware agent: ``python run.py agent --server URL --token T``.

It runs on the hall PC that owns the serial ports. It follows the hall channel over a
WebSocket (the ``websockets`` library) with its agent token, drives the devices the
hall file declares from what it hears, and sends key presses, ratings, "not rated"
and device health back through the HTTP API, the same endpoints the clerk console
uses. A lost connection is retried with backoff; the first message after every
reconnect is a snapshot, so every screen and pad shows the current state again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import websockets

from queue_server import DeviceState

from .config import DeviceConfig
from .controller import ActionRefused
from .link import Backoff
from .mirror import JSON

log = logging.getLogger("hallq.hardware.agent")

HTTP_TIMEOUT_S = 10.0


class AgentClient:
    """``HallClient`` over the network, for one hall (the token's)."""

    def __init__(self, server: str, token: str, hall: str, *, backoff: Backoff | None = None) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.hall = hall
        self.backoff = backoff or Backoff(first=0.5, most=15.0)
        self._ws: websockets.ClientConnection | None = None

    # -- events --------------------------------------------------------------

    def ws_url(self) -> str:
        scheme, rest = self.server.split("://", 1)
        ws_scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
        query = urllib.parse.urlencode({"access_token": self.token})
        # The agent's own hall channel: when it closes, the server shows the hall's devices unknown.
        return f"{ws_scheme}://{rest}/ws/halls/{urllib.parse.quote(self.hall)}/agent?{query}"

    async def messages(self) -> AsyncIterator[JSON]:
        while True:
            try:
                async with websockets.connect(self.ws_url(), open_timeout=HTTP_TIMEOUT_S, max_size=2**22) as ws:
                    self._ws = ws
                    self.backoff.reset()
                    log.info("agent connected to %s", self.server)
                    async for raw in ws:
                        yield json.loads(raw)
            except websockets.InvalidStatus as exc:
                log.error("server refused the agent: HTTP %s", exc.response.status_code)
            except websockets.ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code in (4401, 4403, 4404):
                    log.error("server closed the agent's channel: %s %s", exc.rcvd.code, exc.rcvd.reason)
                else:
                    log.warning("connection to %s lost: %s", self.server, exc)
            except (OSError, TimeoutError) as exc:
                log.warning("cannot reach %s: %s", self.server, exc)
            finally:
                self._ws = None
            await asyncio.sleep(self.backoff.take())

    async def resync(self) -> None:
        if self._ws is not None:
            await self._ws.send(json.dumps({"type": "resync"}))

    # -- actions -------------------------------------------------------------

    async def window_action(self, window: int, action: str, body: dict[str, Any]) -> bool:
        answer = await self._call("POST", f"/api/halls/{self.hall}/windows/{window}/{action}", body)
        return bool(answer)  # call-next answers 204 (no body) when nobody waits

    async def rate(self, ticket_id: int, score: int) -> None:
        await self._call("POST", f"/api/tickets/{ticket_id}/evaluation", {"score": score})

    async def not_rated(self, ticket_id: int) -> None:
        await self._call("POST", f"/api/tickets/{ticket_id}/evaluation/not-rated", None)

    async def report(self, device: DeviceConfig, state: DeviceState, error: str) -> None:
        body: dict[str, Any] = {"kind": device.kind.value, "state": state.value, "error": error}
        if device.window is not None:
            body["window"] = device.window
        await self._call("PUT", f"/api/halls/{self.hall}/devices/{device.id}", body)

    async def slip(self, ticket_id: int) -> JSON:
        return await self._call("GET", f"/api/tickets/{ticket_id}/slip", None)

    async def _call(self, method: str, path: str, body: dict[str, Any] | None) -> JSON:
        return await asyncio.to_thread(http_json, self.server + path, self.token, method, body)


def http_json(url: str, token: str, method: str = "GET", body: dict[str, Any] | None = None) -> JSON:
    """One API call with the agent's bearer token: the JSON answer; ActionRefused for a 4xx
    (the server's message), ConnectionError when the server cannot be reached."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500:
            raise ActionRefused(_message(exc)) from exc
        raise ConnectionError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ConnectionError(f"{url}: {exc}") from exc
    if not raw:
        return {}
    answer: JSON = json.loads(raw)
    return answer


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read())["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {exc.code}"


def whoami(server: str, token: str) -> JSON:
    """The token's principal (an agent token names its hall)."""
    return http_json(server.rstrip("/") + "/api/auth/me", token)
