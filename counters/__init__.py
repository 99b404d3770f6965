"""What clerks use: the clerk console (窗口人员工作台).

    /counter[?lang=en]                                  sign in, pick a window, work it
    /counter/api/halls/{hall}/windows/{n}/desk          held and waiting tickets of that window (staff)

The page calls the public HTTP API (cookie session + X-CSRF-Token) and follows the
window's realtime channel through /static/displays/hallq-live.js.
"""

from __future__ import annotations

from queue_server import Access, ApiContext, Plugin, QueueService, Screen

from .pages import Console


def plugin(service: QueueService, api_context: ApiContext) -> Plugin:
    """The counters room's routes."""
    console = Screen("/counter", "窗口人员工作台", "Clerk console", Access.CLERK)
    return Plugin(name="counters", routes=Console(service, api_context).routes(), screens=(console,))


__all__ = ["plugin"]
