"""The in-process ``HallClient``: the server drives the hall's ports itself (no agent).

Events come from the realtime hub's hall channel (the very messages an agent gets over
its WebSocket); actions go through the same code as the HTTP API, with a device
principal, so the rules and the audit trail are the clerk console's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from queue_server.api.context import ApiContext
from queue_server.api.devices import DeviceRoutes, slip
from queue_server.api.tickets import known_ticket
from queue_server.api.windows import WindowRoutes
from queue_server.domain import DeviceState
from queue_server.errors import HallQError
from queue_server.principal import DeviceKind, Principal
from queue_server.realtime import Hub
from queue_server.realtime.hub import Subscription
from queue_server.realtime.outbox import Closed

from .config import DeviceConfig
from .controller import ActionRefused
from .mirror import JSON

log = logging.getLogger("hallq.hardware.local")


class LocalClient:
    def __init__(self, hall: str, api: ApiContext, hub: Hub, base_url: str) -> None:
        self.hall = hall
        self.api = api
        self.hub = hub
        self.base_url = base_url
        self.principal = Principal(name=f"device:{hall}-serial", device=DeviceKind.AGENT, hall=hall)
        self.windows = WindowRoutes(api)
        self.devices = DeviceRoutes(api)
        self._sub: Subscription | None = None

    async def messages(self) -> AsyncIterator[JSON]:
        while True:
            self._sub = await self.hub.subscribe_hall(self.hall)
            try:
                while True:
                    yield json.loads(await self._sub.outbox.get())
            except Closed as closed:  # fell behind: start again from a snapshot
                log.warning("hall channel closed for the serial devices (%s); resubscribing", closed.reason)
            finally:
                self.hub.unsubscribe(self._sub)

    async def resync(self) -> None:
        if self._sub is not None:
            self.hub.resync(self._sub)

    async def window_action(self, window: int, action: str, body: dict[str, Any]) -> bool:
        try:
            outcome = await self.windows.device_action(self.principal, self.hall, window, action, body)
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc
        return not (action == "call-next" and outcome.ticket is None)

    async def rate(self, ticket_id: int, score: int) -> None:
        # As POST /api/tickets/{id}/evaluation from the agent: the same command, action name and audit.
        try:
            await self.api.act(
                None, self.principal, self.hall, "evaluation.submit", f"ticket {ticket_id}",
                self.api.service.evaluate, self.hall, ticket_id, score, "pad",
            )  # fmt: skip
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc

    async def not_rated(self, ticket_id: int) -> None:
        try:
            await self.devices.not_rated_as(None, self.principal, self.hall, ticket_id)
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc

    async def report(self, device: DeviceConfig, state: DeviceState, error: str) -> None:
        await self.devices.report_as(
            None, self.principal, self.hall, device.id, device.kind.value, state.value, error, device.window
        )

    async def slip(self, ticket_id: int) -> JSON:
        try:
            ticket = await run_in_threadpool(known_ticket, self.api.service, ticket_id)
            return await run_in_threadpool(slip, self.api.service, ticket, self.base_url)
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc
