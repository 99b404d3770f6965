"""The 回访 page (/dashboard/{hall}/follow-ups): the follow-up cases of 差评, a shell the
browser fills from the cases API."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from queue_server import ApiContext, QueueService, templates

from . import followup_i18n  # noqa: F401  (its words join the pages' table on import)
from .shell import manager_page

HERE = Path(__file__).resolve().parent


class FollowUpPages:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")

    async def page(self, request: Request) -> Response:
        return await manager_page(self.service, self.ctx, self.templates, request, "follow_ups.html", "nav_follow_ups")

    def routes(self) -> list[BaseRoute]:
        return [Route("/dashboard/{hall}/follow-ups", self.page, methods=["GET"])]


__all__ = ["FollowUpPages"]
