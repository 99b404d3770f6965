"""How the other rooms plug into the server without queue_server importing them.

``run.py`` builds one ``Plugin`` per room (displays, counters, hardware,
reports) and hands them to ``create_app``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from starlette.routing import BaseRoute

from .service import Listener


class Access(enum.StrEnum):
    """What opening a screen takes; the landing page says how to get it."""

    ANYONE = "anyone"
    KIOSK = "kiosk"  # opens for anyone; a kiosk device token unlocks priority classes
    DISPLAY = "display"  # a display device token in ``?token=``
    CLERK = "clerk"  # a staff sign-in on the page
    MANAGER = "manager"  # a manager's sign-in on the page


@dataclass(frozen=True, slots=True)
class Screen:
    """A page a room serves for each hall, as the landing page lists it.

    ``path`` may hold ``{hall}`` and, for a screen per window, ``{window}``."""

    path: str
    name_zh: str
    name_en: str
    access: Access

    @property
    def per_window(self) -> bool:
        return "{window}" in self.path


@dataclass(frozen=True, slots=True)
class Plugin:
    name: str
    routes: Sequence[BaseRoute] = field(default_factory=tuple)
    # Told about every committed batch of events, from the thread that committed it, right
    # after the commit: two batches may arrive in either order (use the events' seq).
    listeners: Sequence[Listener] = field(default_factory=tuple)
    # Entered when the server starts and exited when it stops (e.g. the realtime hub and its bus).
    lifespan: Callable[[], AbstractAsyncContextManager[None]] | None = None
    # The screens it serves, for the landing page at "/".
    screens: Sequence[Screen] = field(default_factory=tuple)
