"""What visitors see and hear: the kiosk, the phone ticket page, the hall and window displays.

    /kiosk/{hall}[?token=hqd_…]           取号机; a kiosk device token unlocks priority classes
    /kiosk/{hall}/qr?path=/t/…            the QR code (SVG) of a same-origin path
    /t/{ticket_id}?token=…                a visitor's phone page
    /display/{hall}?token=hqd_…&repeat=N  综合屏 with voice (display token, N announcements per call)
    /display/{hall}/windows/{n}?token=…   the screen above window n

Every page takes ``?lang=en``. Static files live under /static/displays; nothing loads
from the internet.
"""

from __future__ import annotations

from queue_server import Access, ApiContext, Plugin, QueueService, Screen

from .pages import Pages


def plugin(service: QueueService, api_context: ApiContext) -> Plugin:
    """The displays room's routes. Every room's plug-in takes the service and the API context;
    these pages need only the service (they call the public HTTP and WebSocket API)."""
    return Plugin(name="displays", routes=Pages(service).routes(), screens=SCREENS)


SCREENS = (
    Screen("/kiosk/{hall}", "取号机", "Ticket kiosk", Access.KIOSK),
    Screen("/display/{hall}", "大厅综合屏（语音叫号）", "Hall display (with voice)", Access.DISPLAY),
    Screen("/display/{hall}/windows/{window}", "窗口屏", "Window displays", Access.DISPLAY),
)


__all__ = ["plugin"]
