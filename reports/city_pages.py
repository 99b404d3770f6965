"""The city page (/city/{hall}): the hall and every hall below it side by side, live and
ranked over a period, each hall's name a link into its dashboard. A shell the browser fills
from the city API (/api/cities/{hall}/live and /reports), which decides who may read it."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from queue_server import Access, ApiContext, QueueService, Screen, templates

from . import city_i18n  # noqa: F401  (its words join the pages' table on import)
from .shell import manager_page

HERE = Path(__file__).resolve().parent
# How often the live table is read again, in seconds.
POLL_S = 5
CITY_SCREEN = Screen(
    "/city/{hall}", "城市看板（本级及下级大厅）", "City overview (this hall and those below)", Access.MANAGER
)


class CityPages:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")

    async def page(self, request: Request) -> Response:
        extra = {"poll_s": POLL_S, "city": request.path_params["hall"]}
        return await manager_page(self.service, self.ctx, self.templates, request, "city.html", "nav_city", extra)

    def routes(self) -> list[BaseRoute]:
        return [Route("/city/{hall}", self.page, methods=["GET"])]


__all__ = ["CITY_SCREEN", "CityPages"]
