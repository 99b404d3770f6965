"""HallQ: the queue core — domain, rules, storage, commands, queries and the server.

This module is the core's public face: the rooms (``displays``, ``counters``,
``hardware``, ``reports``) import only what ``__all__`` names, and import-linter
holds them to it (``make lint``). Inside, the layers run one way (README, "Architecture"):
api and realtime over commands and queries, over rules and storage, over the domain.
"""

__version__ = "0.1.0"

# The version is set before the imports: modules imported below read it from this package.
from .api.audit import MAX_EXPORT as AUDIT_EXPORT_MAX
from .api.body import json_object, path_int, path_str, query
from .api.context import ApiContext
from .clock import Clock, SystemClock
from .commands.gate import Actor, Gate, Unaudited
from .commands.roster_jobs import solve_and_save
from .commands.window_commands import WindowCommand, window_command
from .config import Config, ConfigError, HallConfig, TomlReader
from .domain import (
    BAD_SCORE,
    DeviceHealth,
    DeviceState,
    Event,
    Ticket,
    TicketState,
    Window,
    WindowState,
)
from .errors import BadRequest, Forbidden, HallQError, NotFound
from .fields import Fields
from .plugins import Access, Plugin, Screen
from .principal import DeviceKind, Principal, Role
from .queries.desk import window_desk
from .queries.duty_places import DutyPlaces, duty_places
from .queries.hall import hall_view, window_at, windows_at
from .queries.log import EventLog, event_log
from .queries.report_rankings import rankings as report_rankings
from .queries.report_supervision import supervision as report_supervision
from .queries.report_tickets import MAX_EXPORT_DAYS as TICKET_EXPORT_DAYS
from .queries.report_tickets import TicketRow, ticket_rows
from .queries.reports import summary as report_summary
from .queries.roster_input import roster_problem
from .queries.roster_now import RosterNow, attendance_of, roster_now
from .queries.rosters import roster_range
from .queries.staffing import leave_between, staff_list
from .queries.tickets import hall_of_ticket, known_ticket, slip, status_view
from .realtime import Hub
from .realtime.hub import Subscription
from .realtime.messages import (
    CallEntry,
    DeviceView,
    EventKind,
    EventView,
    HallEvent,
    HallMessage,
    HallSnapshot,
    Message,
    Resumed,
    TicketView,
    WindowView,
)
from .realtime.outbox import Closed
from .realtime.ws import FORBIDDEN, SERVER_ERROR, UNAUTHENTICATED, serve
from .rules.devices import DeclaredDevice
from .rules.report_rankings import MEASURES as RANKING_MEASURES
from .rules.roster_presence import Attendance
from .service import QueueService
from .staffing import Assignment, Leave, LeaveKind, StaffMember
from .text import check_period
from .web import EN, ZH, language, strings, switch_url, templates

__all__ = [
    "AUDIT_EXPORT_MAX",
    "BAD_SCORE",
    "EN",
    "FORBIDDEN",
    "RANKING_MEASURES",
    "SERVER_ERROR",
    "TICKET_EXPORT_DAYS",
    "UNAUTHENTICATED",
    "ZH",
    "Access",
    "Actor",
    "ApiContext",
    "Assignment",
    "Attendance",
    "BadRequest",
    "CallEntry",
    "Clock",
    "Closed",
    "Config",
    "ConfigError",
    "DeclaredDevice",
    "DeviceHealth",
    "DeviceKind",
    "DeviceState",
    "DeviceView",
    "DutyPlaces",
    "Event",
    "EventKind",
    "EventLog",
    "EventView",
    "Fields",
    "Forbidden",
    "Gate",
    "HallConfig",
    "HallEvent",
    "HallMessage",
    "HallQError",
    "HallSnapshot",
    "Hub",
    "Leave",
    "LeaveKind",
    "Message",
    "NotFound",
    "Plugin",
    "Principal",
    "QueueService",
    "Resumed",
    "Role",
    "RosterNow",
    "Screen",
    "StaffMember",
    "Subscription",
    "SystemClock",
    "Ticket",
    "TicketRow",
    "TicketState",
    "TicketView",
    "TomlReader",
    "Unaudited",
    "Window",
    "WindowCommand",
    "WindowState",
    "WindowView",
    "__version__",
    "attendance_of",
    "check_period",
    "duty_places",
    "event_log",
    "hall_of_ticket",
    "hall_view",
    "json_object",
    "known_ticket",
    "language",
    "leave_between",
    "path_int",
    "path_str",
    "query",
    "report_rankings",
    "report_summary",
    "report_supervision",
    "roster_now",
    "roster_problem",
    "roster_range",
    "serve",
    "slip",
    "solve_and_save",
    "staff_list",
    "status_view",
    "strings",
    "switch_url",
    "templates",
    "ticket_rows",
    "window_at",
    "window_command",
    "window_desk",
    "windows_at",
]
