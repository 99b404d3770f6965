"""How the other rooms plug into the server without queue_server importing them.

``run.py`` builds one ``Plugin`` per room (displays, counters, hardware,
reports) and hands them to ``create_app``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from starlette.routing import BaseRoute

from .service import Listener


@dataclass(frozen=True, slots=True)
class Plugin:
    name: str
    routes: Sequence[BaseRoute] = field(default_factory=tuple)
    # Told about every committed batch of events, from the thread that committed it, right
    # after the commit: two batches may arrive in either order (use the events' seq).
    listeners: Sequence[Listener] = field(default_factory=tuple)
    # Entered when the server starts and exited when it stops (e.g. the realtime hub and its bus).
    lifespan: Callable[[], AbstractAsyncContextManager[None]] | None = None
