"""What managers read: the live dashboard and the day's KPIs.

    /dashboard/{hall}[?lang=en]                    大厅管理 dashboard (sign in as the hall's manager)
    /dashboard/{hall}/roster                       排班: week grid, noon coverage, leave, AB岗, 自动排班, print
    /dashboard/{hall}/staff                        工作人员: the staff registry
    /dashboard/{hall}/shifts                       班次: the shift templates
    /dashboard/{hall}/calendar                     日历: the hall's calendar, a month at a time
    /dashboard/{hall}/attendance                   考勤 of a range, and who is where now
    /dashboard/{hall}/planning                     规划: forecast, windows needed, simulation, what-ifs
    /dashboard/{hall}/appointments                 预约: the day's appointments; book, cancel, import CSV (previewed)
    /dashboard/{hall}/audit                        电子监察: the audit log filtered, paged, exported as CSV
    /dashboard/{hall}/devices-admin                设备: device tokens (pairing QR shown once), devices' health history
    /dashboard/{hall}/accounts                     账号: the hall's accounts (create, reset, disable/enable, unlock)
    /dashboard/{hall}/services                     事项: pause/resume issuing per service; notices (公告)
    /dashboard/{hall}/follow-ups                   回访: the follow-up cases of 差评 (open, due soon, overdue, all)
    /dashboard/{hall}/reports                      报表: figures, charts, rankings; XLSX, CSV, the printed 月度通报
    /city/{hall}                                   城市: this hall and those below it, live and ranked
    GET /dashboard/{hall}/roster.xlsx?from=&to=    the roster as an XLSX sheet (manager)
    GET /api/halls/{hall}/reports/daily?date=…     the day's KPIs (manager)
    GET /api/halls/{hall}/reports/live             the waiting tickets behind the longest waits (manager)

``plugin(..., demo_speed=S)`` also runs simulated demo traffic (``python run.py --demo-traffic``),
and ``demo_roster=True`` publishes each hall's month roster at start when it has none
(``python run.py --demo-roster``, as ``make run`` does).
"""

from __future__ import annotations

from queue_server import Access, ApiContext, Plugin, QueueService, Screen

from .appointment_pages import AppointmentAuditPages
from .city_pages import CITY_SCREEN, CityPages
from .demo import demo_lifespan
from .demo_roster import demo_roster_lifespan, together
from .followup_pages import FollowUpPages
from .manage_pages import ManagePages
from .pages import Reports
from .report_pages import ReportPages
from .roster_pages import RosterPages


def plugin(
    service: QueueService, api_context: ApiContext, demo_speed: float | None = None, demo_roster: bool = False
) -> Plugin:
    """The reports room's routes, and demo traffic while the server runs when ``demo_speed`` is set;
    ``demo_roster``: each hall's month gets a published roster at start, when it has none."""
    traffic = demo_lifespan(service, demo_speed, api_context.gate) if demo_speed else None
    roster = demo_roster_lifespan(service, api_context.gate) if demo_roster else None
    lifespan = together(traffic, roster)
    dashboard = Screen("/dashboard/{hall}", "大厅管理（实时看板）", "Manager dashboard", Access.MANAGER)
    # The staffing and planning pages are reached from the dashboard's header, not listed as screens.
    routes = [
        *Reports(service, api_context).routes(),
        *RosterPages(service, api_context).routes(),
        *ManagePages(service, api_context).routes(),
        *AppointmentAuditPages(service, api_context).routes(),
        *FollowUpPages(service, api_context).routes(),
        *CityPages(service, api_context).routes(),
        *ReportPages(service, api_context).routes(),
    ]
    return Plugin(name="reports", routes=routes, lifespan=lifespan, screens=(dashboard, CITY_SCREEN))


__all__ = ["plugin"]
