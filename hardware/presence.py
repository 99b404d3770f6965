"""What the server says of a hall's devices when no running line reports them.

A device's stored health is only true while something drives it: the server's own links
(mode "local") or the hall's agent (mode "agent"). So when the server starts, every hall's
device list becomes what its hall file declares, each device ``unknown`` until a link
reports it, and whatever an earlier run left (say, from ``--simulate-devices``) goes. The
agent follows the hall on its own channel, ``/ws/halls/{hall}/agent``: when the last
agent connection of a hall ends, the hall's devices become ``unknown`` again. An agent
that sees its devices said ``unknown`` while it drives them reports them again
(``HallDevices``), so a late close never hides an agent that is back.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from queue_server import (
    FORBIDDEN,
    SERVER_ERROR,
    UNAUTHENTICATED,
    Actor,
    ApiContext,
    DeclaredDevice,
    DeviceKind,
    Forbidden,
    Hub,
    Principal,
    serve,
)

from .config import HardwareConfig, Mode

log = logging.getLogger("hallq.hardware")

AGENT_PATH = "/ws/halls/{hall}/agent"
NO_AGENT = "硬件代理未连接 / the hardware agent is not connected"


def declared(config: HardwareConfig) -> list[DeclaredDevice]:
    return [DeclaredDevice(d.id, d.kind.value, d.window) for d in config.devices]


def why_unknown(config: HardwareConfig) -> str:
    """What the device list says of a device nothing has reported yet."""
    return NO_AGENT if config.mode is Mode.AGENT else ""  # local: the server's links report at once


async def declare_all(api: ApiContext, configs: Mapping[str, HardwareConfig]) -> None:
    """Every hall's devices as its hall file declares them, unknown until reported."""
    for config in configs.values():
        await run_in_threadpool(api.service.declare_devices, config.hall, declared(config), error=why_unknown(config))


def _is_agent_of(principal: Principal, hall: str) -> bool:
    return principal.device is DeviceKind.AGENT and principal.in_hall(hall)


def agent_route(api: ApiContext, hub: Hub, configs: Mapping[str, HardwareConfig]) -> WebSocketRoute:
    """The hall channel for the hall's agent: the same messages as ``/ws/halls/{hall}``; its
    end (the last one of the hall in this process) makes the hall's devices unknown."""
    connected: Counter[str] = Counter()

    async def agent_channel(websocket: WebSocket) -> None:
        hall = websocket.path_params["hall"]
        await websocket.accept()
        try:
            principal = await api.authenticate(websocket)
        except Exception:
            log.exception("authenticating an agent failed with an error")
            await websocket.close(*SERVER_ERROR)
            return
        if principal is None:
            await websocket.close(*UNAUTHENTICATED)
            return
        who = Actor(principal, websocket.client.host if websocket.client else "")
        try:
            await api.gate.authorise(
                who, hall, lambda p: p.device is DeviceKind.AGENT and p.in_hall(hall), "agent.connect"
            )
        except Forbidden:
            await websocket.close(*FORBIDDEN)
            return
        connected[hall] += 1
        try:
            await serve(websocket, hub, lambda: hub.subscribe_hall(hall))
        finally:
            connected[hall] -= 1
        # (Cancelled: the server is stopping, and its next start says unknown anyway.)
        config = configs.get(hall)
        if connected[hall] == 0 and config is not None and config.mode is Mode.AGENT:
            try:
                await api.gate.run(
                    who,
                    hall,
                    "device.unreported",
                    "agent",
                    functools.partial(api.service.devices_unreported, hall, error=NO_AGENT),
                )
            except Exception:
                log.exception("%s: the devices of the agent that left could not be marked unknown", hall)

    return WebSocketRoute(AGENT_PATH, agent_channel)
