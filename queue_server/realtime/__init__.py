"""Realtime: the hall's events, live, over WebSockets (DESIGN.md, Realtime).

    view.py      the pure model of a hall's live state, advanced event by event
    lines.py     who waits in which line of that model, and how many are ahead
    messages.py  the channels' messages as types, and the shaping of their parts
    jsdoc.py     those types as the JSDoc block at the top of hallq-live.js
    channels.py  what the hall, window and ticket channels send, from that model
    outbox.py    a client's bounded queue
    halls.py     one watched hall: its view, what is pending, its clients per channel
    hub.py       views per hall, catch-up and resync
    bus.py       how a process hears of commits: local.py (one process), postgres.py (LISTEN/NOTIFY)
    ws.py        the Starlette WebSocket endpoints and their protocol
    protocol.py  uvicorn's WebSocket protocol with bounded closes (``UVICORN_WS``: uvicorn's options)

The blocking store reads the hub runs in threads are ``queue_server.queries.snapshot``'s.

``realtime_plugin`` wires them into ``create_app``::

    hub = Hub(service, bus_for(service.store.url))
    app = create_app(service, [realtime_plugin(hub, authenticate), ...])
"""

from __future__ import annotations

from ..plugins import Plugin
from ..principal import Authenticator
from .bus import EventBus
from .hub import Hub
from .local import LocalBus
from .protocol import UVICORN_WS
from .ws import realtime_routes


def bus_for(url: str) -> EventBus:
    """The bus a store at ``url`` needs: LISTEN/NOTIFY on PostgreSQL, in-process otherwise."""
    if url.startswith(("postgresql", "postgres")):
        from .postgres import PostgresBus

        return PostgresBus(url)
    return LocalBus()


def realtime_plugin(hub: Hub, authenticate: Authenticator) -> Plugin:
    """The WebSocket routes, the hub's listener, and the hub (and bus) running with the app."""
    return Plugin(
        name="realtime",
        routes=realtime_routes(hub, authenticate),
        listeners=[hub.listener],
        lifespan=hub.running,
    )


__all__ = ["UVICORN_WS", "EventBus", "Hub", "LocalBus", "bus_for", "realtime_plugin", "realtime_routes"]
