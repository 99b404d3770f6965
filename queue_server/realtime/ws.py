"""The WebSocket endpoints.

    /ws/halls/{hall}                  hall display, dashboard    (a principal that can_read the hall)
    /ws/halls/{hall}/windows/{n}      the screen above window n  (same)
    /ws/tickets/{ticket_id}?token=…   a visitor's phone          (the ticket's own token)

Protocol: JSON text frames. The server first sends
``{"type": "snapshot", "channel": …, "hall": …, "business_day": …, "seq": N, …state…}``,
then ``{"type": "event", "seq": M, "prev": P, "event": {kind, at, ticket_id, window,
staff, from_state, to_state, detail}, …the state it changed…}`` (see channels.py for
what each channel sends, and how ``prev`` shows a gap; messages.py declares the shapes). A client may send
``{"type": "resync"}`` at any time and gets a new snapshot; anything it already
holds is replaced by it. A snapshot may also come unasked (the server reloaded,
or the business day turned): clients always treat a snapshot as a fresh start.

Resuming (the hall channel): a client that reconnects adds ``?since=SEQ``, the
last seq it applied, to the URL. Instead of a snapshot it then gets
``{"type": "resumed", "channel": "hall", "hall": …, "business_day": …,
"seq": SEQ, "until": U, "now": …}`` (``now``: the server's clock), then every
event from SEQ + 1 to U, read from the stored event log, in order, as ordinary
event messages (``seq``, ``prev`` = ``seq`` - 1, ``event``, ``call`` for a call),
the last of them also carrying every window and waiting count as they are now;
live events follow from U + 1, with no gap and nothing twice. The client keeps
its state and applies them. It gets a plain snapshot instead when SEQ is more
than 1,000 events back, of another business day, newer than the server's
state, or not a whole number; the window and ticket channels always answer
with a snapshot.

Clients send only small control messages: one larger than 4 KiB is refused,
the connection closed with 1009.

Close codes: 4401 no credentials, 4403 not allowed (or wrong ticket token), 4404
no such hall or window, 4008 the client fell too far behind (reconnect), 1001
the server is shutting down, 1009 a message too large, 1011 a server error. A
client being closed (4008) that does not read its close frame within a few
seconds is disconnected without it (protocol.py: the connection is reset).

Dead connections: the server pings (uvicorn's ``ws_ping_interval`` /
``ws_ping_timeout``, 20 s each by default); a client that does not answer is
disconnected, and its subscription goes with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from ..auth.secrets import same_secret
from ..errors import NotFound
from ..principal import Authenticator
from .hub import Hub, Subscription
from .outbox import Closed

log = logging.getLogger("hallq.realtime.ws")

UNAUTHENTICATED = (4401, "请先登录 / authentication required")
FORBIDDEN = (4403, "无权访问 / not allowed")
NOT_FOUND = 4404
SERVER_ERROR = (1011, "服务器错误 / server error")
TOO_BIG = (1009, "消息过大 / message too big")
# Bytes one client message may have: clients send only small control messages (a resync is ~20).
MAX_MESSAGE = 4096
# How long a client being closed for falling behind may take to read what is
# already on its way before the server gives up on it (and the connection is reset).
CLOSE_TIMEOUT = 2.0
_MAX_REASON = 123  # bytes: a close frame's reason (RFC 6455 §5.5)


def close_reason(text: str) -> str:
    """``text`` cut (on a character boundary) to what a close frame can carry."""
    return text.encode()[:_MAX_REASON].decode(errors="ignore")


def since_param(value: str | None) -> int | None:
    """``?since=SEQ``: the last seq a resuming client applied; None when absent or not a seq
    (the client then gets a snapshot, which is always a correct start)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def realtime_routes(hub: Hub, authenticate: Authenticator, *, close_timeout: float = CLOSE_TIMEOUT) -> list[BaseRoute]:
    async def allowed(websocket: WebSocket, hall: str) -> bool:
        try:
            principal = await authenticate(websocket)
        except Exception:
            log.exception("authentication failed with an error")
            await websocket.close(*SERVER_ERROR)
            return False
        if principal is None:
            await websocket.close(*UNAUTHENTICATED)
            return False
        if not principal.can_read(hall):
            await websocket.close(*FORBIDDEN)
            return False
        return True

    async def hall_channel(websocket: WebSocket) -> None:
        hall = websocket.path_params["hall"]
        await websocket.accept()
        if await allowed(websocket, hall):
            since = since_param(websocket.query_params.get("since"))
            await serve(websocket, hub, lambda: hub.subscribe_hall(hall, since), close_timeout)

    async def window_channel(websocket: WebSocket) -> None:
        hall, number = websocket.path_params["hall"], websocket.path_params["n"]
        await websocket.accept()
        if await allowed(websocket, hall):
            await serve(websocket, hub, lambda: hub.subscribe_window(hall, number), close_timeout)

    async def ticket_channel(websocket: WebSocket) -> None:
        token = websocket.query_params.get("token", "")
        await websocket.accept()
        ticket = await hub.find_ticket(websocket.path_params["ticket_id"])
        # An unknown ticket and a wrong token look the same: ids are guessable, tokens are not.
        if ticket is None or not same_secret(ticket.token, token):
            await websocket.close(*FORBIDDEN)
            return
        await serve(websocket, hub, lambda: hub.subscribe_ticket(ticket), close_timeout)

    return [
        WebSocketRoute("/ws/halls/{hall}", hall_channel),
        WebSocketRoute("/ws/halls/{hall}/windows/{n:int}", window_channel),
        WebSocketRoute("/ws/tickets/{ticket_id:int}", ticket_channel),
    ]


async def serve(
    websocket: WebSocket,
    hub: Hub,
    subscribe: Callable[[], Awaitable[Subscription]],
    close_timeout: float = CLOSE_TIMEOUT,
) -> None:
    """Run one accepted client: its outbox out, its requests in, until either side ends."""
    try:
        sub = await subscribe()
    except NotFound as exc:
        await websocket.close(NOT_FOUND, close_reason(exc.message))
        return
    except Exception:
        log.exception("subscribing a client failed")
        await websocket.close(*SERVER_ERROR)
        return
    # One extra task per client (the sender); requests are read in this one. A client the
    # hub drops gets its close frame from the sender; one that never reads again is given
    # up on after close_timeout (the timer exists only once the client is being dropped).
    this = asyncio.current_task()
    assert this is not None
    given_up = False

    def give_up() -> None:
        nonlocal given_up
        given_up = True
        this.cancel()

    def dropped() -> None:
        asyncio.get_running_loop().call_later(close_timeout, give_up)

    sub.outbox.on_close = dropped
    sender = asyncio.create_task(_send(websocket, sub))
    try:
        await _receive(websocket, hub, sub, sender)
    except asyncio.CancelledError:
        if not given_up:
            raise
        this.uncancel()
    finally:
        hub.unsubscribe(sub)
        sender.cancel()
        with contextlib.suppress(BaseException):
            await sender


async def _send(websocket: WebSocket, sub: Subscription) -> None:
    while True:
        try:
            # Not held in a local between messages: an idle client keeps no copy of the last one.
            await websocket.send_text(await sub.outbox.get())
        except Closed as closed:
            await websocket.close(closed.code, close_reason(closed.reason))
            return


async def _receive(websocket: WebSocket, hub: Hub, sub: Subscription, sender: asyncio.Task[None]) -> None:
    while not sender.done():
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text, data = message.get("text"), message.get("bytes")
        if len(text.encode() if text else data or b"") > MAX_MESSAGE:
            # Nothing a client has to say is this long (the server refuses it earlier when it can).
            await websocket.close(*TOO_BIG)
            return
        raw = text or (data or b"").decode(errors="replace")
        try:
            request = json.loads(raw)
        except ValueError:
            continue  # not ours to judge: a confused client gets nothing, not a closed socket
        if isinstance(request, dict) and request.get("type") == "resync":
            hub.resync(sub)
