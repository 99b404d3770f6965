"""The in-process bus: one server process, any database.

Only this process's commands exist for it: ``QueueService`` listeners feed it
(``bus.listener``) or anyone calls ``notify``. It never loses a notice, so it
never asks for a resync.
"""

from __future__ import annotations

from .bus import EventBus


class LocalBus(EventBus):
    async def start(self) -> None:
        self._bind()

    async def stop(self) -> None:
        self._unbind()
