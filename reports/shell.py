"""The shell every manager's page shares: the hall (a 404 page for an unknown one), the
language, whether a session is there (asking /api/auth/me without one would be a 401 in the
browser's console), and the template's context for the header, the nav and the sign-in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from queue_server import ApiContext, NotFound, QueueService, hall_view, language, strings, switch_url

from .i18n import STRINGS

STATIC_URL = "/static/reports"


async def manager_page(
    service: QueueService,
    ctx: ApiContext,
    templates: Jinja2Templates,
    request: Request,
    template: str,
    current: str,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """``template`` for the hall of the path, ``current`` the nav's title key of the page;
    ``extra`` adds to what the page's script reads (``hallq-page``)."""
    lang = language(request.query_params.get("lang"))
    slug: str = request.path_params["hall"]
    t = strings(STRINGS, lang)
    try:
        hall = await run_in_threadpool(hall_view, service, slug)
    except NotFound:
        return HTMLResponse(f"<h1>没有这个大厅 / no hall {slug}</h1>", status_code=404)
    config = service.hall(slug)
    page = {
        "hall": hall,
        "lang": lang,
        "timezone": config.timezone,
        "business_day": service.business_day(slug).isoformat(),
        "signed_in": await ctx.caller(request) is not None,
        **(extra or {}),
    }
    context = {
        "t": t,
        "lang": lang,
        "switch_url": switch_url(request, lang),
        "static": STATIC_URL,
        "page": page,
        "title": t[current],
        "current": current,
    }
    return templates.TemplateResponse(request, template, context)


def page_endpoint(
    service: QueueService,
    ctx: ApiContext,
    templates: Jinja2Templates,
    template: str,
    current: str,
    extra: Mapping[str, Any] | None = None,
) -> Callable[[Request], Awaitable[Response]]:
    """A route's endpoint serving ``manager_page`` of ``template`` (the same ``extra`` every time)."""

    async def page(request: Request) -> Response:
        return await manager_page(service, ctx, templates, request, template, current, extra)

    return page


__all__ = ["STATIC_URL", "manager_page", "page_endpoint"]
