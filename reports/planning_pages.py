"""The dashboard's 规划 page: the forecast of a day against past days' arrivals, the windows each
quarter hour needs against those rostered, the twin's simulation of a roster and what-ifs beside
it. A shell the browser fills from the planning API, with the staffing pages' header."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .roster_pages import RosterPages


class PlanningPages(RosterPages):
    async def planning(self, request: Request) -> Response:
        return await self._page(request, "planning.html", "nav_planning")

    def routes(self) -> list[BaseRoute]:
        return [Route("/dashboard/{hall}/planning", self.planning, methods=["GET"])]


__all__ = ["PlanningPages"]
