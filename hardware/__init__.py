"""Serial hardware: LED screens, caller pads, evaluation pads, ticket printers.

    onbon.py, padbus.py, printer.py   pure codecs (bytes in, frames out) per protocol
    led_frames.py                     LED text lines -> Onbon frames (layout: displays.led)
    config.py                         the [hall.hardware] table: lines and devices
    link.py                           one serial line kept open (pyserial + asyncio)
    drivers.py                        per-line drivers: screens, pads, printers
    mirror.py, rating.py              pure: the hall as devices see it; rating questions
    controller.py                     one hall's devices driven from its live events
    local.py, agent.py                the two ways to reach the server: in-process, or the agent
    presence.py                       devices nothing reports are unknown: at start, when the agent leaves
    sim/                              virtual devices on ptys

``plugin`` runs the halls whose hardware mode is "local" inside the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from queue_server import Access, ApiContext, Hub, Plugin, Screen

from .config import HardwareConfig, Mode
from .controller import HallDevices
from .link import Backoff
from .local import LocalClient
from .presence import agent_route, declare_all

if TYPE_CHECKING:
    from .sim.demo import SimulatedHall

log = logging.getLogger("hallq.hardware")
STABLE_S = 60.0


async def supervise(config: HardwareConfig, api: ApiContext, hub: Hub, base_url: str) -> None:
    """Run a hall's devices for as long as the server runs: a crash (a bug, not a device
    fault: those are handled and reported) is logged and the devices start again."""
    backoff = Backoff(first=1.0, most=30.0)
    while True:
        started = time.monotonic()
        try:
            await HallDevices(config, LocalClient(config.hall, api, hub, base_url)).run()
        except Exception:
            log.exception("the serial devices of %s stopped with an error; restarting them", config.hall)
        if time.monotonic() - started > STABLE_S:
            backoff.reset()  # a crash after a long good run is not part of a crash loop
        await asyncio.sleep(backoff.take())


def plugin(
    api: ApiContext,
    hub: Hub,
    configs: Mapping[str, HardwareConfig],
    base_url: str,
    *,
    simulated: Mapping[str, SimulatedHall] | None = None,
) -> Plugin:
    """Drive every hall whose devices the server owns (mode "local") while the app runs;
    ``simulated`` halls get their virtual devices started first and the simulator page.
    At start every hall lists the devices its file declares, unknown until reported; the
    agent's channel makes them unknown again when the agent leaves (``presence``)."""
    local = [c for c in configs.values() if c.mode is Mode.LOCAL and c.devices]
    sims = dict(simulated or {})

    @contextlib.asynccontextmanager
    async def running() -> AsyncIterator[None]:
        await declare_all(api, configs)
        async with contextlib.AsyncExitStack() as stack:
            for sim in sims.values():
                sim.start()
                stack.callback(sim.close)
            tasks = [asyncio.create_task(supervise(c, api, hub, base_url), name=f"hw-{c.hall}") for c in local]
            for c in local:
                log.info("driving %d serial devices of %s from this server", len(c.devices), c.hall)
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    routes: list[BaseRoute] = [agent_route(api, hub, configs)]
    if sims:
        from .sim.page import routes as simulator_routes

        static = Path(__file__).resolve().parent / "static"
        routes += [*simulator_routes(sims), Mount("/static/hardware", StaticFiles(directory=static))]
    simulator = Screen("/simulator/{hall}", "虚拟串口设备", "Simulated serial devices", Access.ANYONE)
    screens = (simulator,) if sims else ()
    return Plugin(name="hardware", routes=routes, lifespan=running, screens=screens)
