"""HallQ: the queue core — domain, rules, storage, commands, queries and the server.

This module is the core's public face: the rooms (``displays``, ``counters``,
``hardware``, ``reports``) import only what ``__all__`` names, and import-linter
holds them to it (``make lint``). Inside, the layers run one way (README, "Architecture"):
api and realtime over commands and queries, over rules and storage, over the domain.
"""

__version__ = "0.1.0"

# The version is set first: modules imported below read it from this package.
from .api.body import json_object, path_int, path_str, query  # noqa: E402
from .api.context import ApiContext  # noqa: E402
from .clock import Clock, SystemClock  # noqa: E402
from .commands.gate import Actor, Gate, Unaudited  # noqa: E402
from .commands.window_commands import WindowCommand, window_command  # noqa: E402
from .config import Config, ConfigError, HallConfig, TomlReader  # noqa: E402
from .domain import (  # noqa: E402
    BAD_SCORE,
    DeviceHealth,
    DeviceState,
    Event,
    Ticket,
    TicketState,
    Window,
    WindowState,
)
from .errors import BadRequest, Forbidden, HallQError, NotFound  # noqa: E402
from .fields import Fields  # noqa: E402
from .plugins import Access, Plugin, Screen  # noqa: E402
from .principal import DeviceKind, Principal, Role  # noqa: E402
from .queries.desk import window_desk  # noqa: E402
from .queries.hall import hall_view, window_at, windows_at  # noqa: E402
from .queries.log import EventLog, event_log  # noqa: E402
from .queries.tickets import hall_of_ticket, known_ticket, slip, status_view  # noqa: E402
from .realtime import Hub  # noqa: E402
from .realtime.hub import Subscription  # noqa: E402
from .realtime.outbox import Closed  # noqa: E402
from .realtime.ws import FORBIDDEN, SERVER_ERROR, UNAUTHENTICATED, serve  # noqa: E402
from .rules.devices import DeclaredDevice  # noqa: E402
from .service import QueueService  # noqa: E402
from .web import EN, ZH, language, strings, switch_url, templates  # noqa: E402

__all__ = [
    "BAD_SCORE",
    "EN",
    "FORBIDDEN",
    "SERVER_ERROR",
    "UNAUTHENTICATED",
    "ZH",
    "Access",
    "Actor",
    "ApiContext",
    "BadRequest",
    "Clock",
    "Closed",
    "Config",
    "ConfigError",
    "DeclaredDevice",
    "DeviceHealth",
    "DeviceKind",
    "DeviceState",
    "Event",
    "EventLog",
    "Fields",
    "Forbidden",
    "Gate",
    "HallConfig",
    "HallQError",
    "Hub",
    "NotFound",
    "Plugin",
    "Principal",
    "QueueService",
    "Role",
    "Screen",
    "Subscription",
    "SystemClock",
    "Ticket",
    "TicketState",
    "TomlReader",
    "Unaudited",
    "Window",
    "WindowCommand",
    "WindowState",
    "__version__",
    "event_log",
    "hall_of_ticket",
    "hall_view",
    "json_object",
    "known_ticket",
    "language",
    "path_int",
    "path_str",
    "query",
    "serve",
    "slip",
    "status_view",
    "strings",
    "switch_url",
    "templates",
    "window_at",
    "window_command",
    "window_desk",
    "windows_at",
]
