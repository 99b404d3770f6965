"""Serial hardware (issue 5): LED screens, caller pads, evaluation pads, ticket printers.

    onbon.py, padbus.py, printer.py   pure codecs (bytes in, frames out) per protocol
    led_frames.py                     LED text lines -> Onbon frames (layout: displays.led)
    config.py                         the [hall.hardware] table: lines and devices
    link.py                           one serial line kept open (pyserial + asyncio)
    drivers.py                        per-line drivers: screens, pads, printers
    mirror.py, rating.py              pure: the hall as devices see it; rating questions
    controller.py                     one hall's devices driven from its live events
    local.py, agent.py                the two ways to reach the server: in-process, or the agent
    sim/                              virtual devices on ptys

``plugin`` runs the halls whose hardware mode is "local" inside the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping

from queue_server.api.context import ApiContext
from queue_server.plugins import Plugin
from queue_server.realtime import Hub

from .config import HardwareConfig, Mode
from .controller import HallDevices
from .local import LocalClient

log = logging.getLogger("hallq.hardware")


def plugin(
    api: ApiContext,
    hub: Hub,
    configs: Mapping[str, HardwareConfig],
    base_url: str,
    *,
    extra: Callable[[], contextlib.AbstractAsyncContextManager[None]] | None = None,
) -> Plugin:
    """Drive every hall whose devices the server owns (mode "local") while the app runs."""
    local = [c for c in configs.values() if c.mode is Mode.LOCAL and c.devices]

    @contextlib.asynccontextmanager
    async def running() -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if extra is not None:
                await stack.enter_async_context(extra())
            tasks = [
                asyncio.create_task(HallDevices(c, LocalClient(c.hall, api, hub, base_url)).run(), name=f"hw-{c.hall}")
                for c in local
            ]
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

    return Plugin(name="hardware", lifespan=running if local or extra else None)
