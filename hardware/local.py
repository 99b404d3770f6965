"""The in-process ``HallClient``: the server drives the hall's ports itself (no agent).

Events come from the realtime hub's hall channel (the very messages an agent gets over
its WebSocket); actions go to the core's command gate as the agent's HTTP calls do, with
a device principal, so the rules and the audit trail are the clerk console's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from queue_server import (
    Actor,
    ApiContext,
    Closed,
    DeviceKind,
    DeviceState,
    Fields,
    HallQError,
    Hub,
    Principal,
    Subscription,
    known_ticket,
    slip,
    window_command,
)

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
        self.actor = Actor(self.principal)
        self.gate = api.gate
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
        # As POST /api/halls/{hall}/windows/{n}/{action} (or call-back/{id}) from the agent.
        try:
            self.api.service.hall(self.hall)
            name, _, ticket = action.partition("/")
            staff = await self.gate.window_staff(self.actor, self.hall, window, name)
            fields = Fields(dict(body), "body")
            command = window_command(name, window, fields, int(ticket) if ticket else None)
            fields.done()
            outcome = await self.gate.window(self.actor, self.hall, command, staff)
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc
        return not (action == "call-next" and outcome.ticket is None)

    async def rate(self, ticket_id: int, score: int) -> None:
        # As POST /api/tickets/{id}/evaluation from the agent: the same command, action name and audit.
        try:
            await self.gate.run(
                self.actor, self.hall, "evaluation.submit", f"ticket {ticket_id}",
                self.api.service.evaluate, self.hall, ticket_id, score, "pad",
            )  # fmt: skip
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc

    async def not_rated(self, ticket_id: int) -> None:
        try:
            await self.gate.run(
                self.actor, self.hall, "evaluation.not_rated", f"ticket {ticket_id}",
                self.api.service.mark_not_rated, self.hall, ticket_id, "pad",
            )  # fmt: skip
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc

    async def report(self, device: DeviceConfig, state: DeviceState, error: str) -> None:
        await self.gate.report_device(
            self.actor, self.hall, device.id, device.kind.value, state.value, error, device.window
        )

    async def slip(self, ticket_id: int) -> JSON:
        try:
            ticket = await run_in_threadpool(known_ticket, self.api.service, ticket_id)
            return await run_in_threadpool(slip, self.api.service, ticket, self.base_url)
        except HallQError as exc:
            raise ActionRefused(exc.message) from exc
