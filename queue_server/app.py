"""The Starlette application factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import __version__
from .api.context import ApiContext
from .api.guard import Guard, error_response, hallq_error_response
from .api.routes import api_routes
from .auth.service import AuthService
from .commands.gate import Gate, Unaudited
from .commands.roster_runner import RosterRunner
from .errors import HallQError
from .landing import Landing
from .leadership import leadership_for
from .plugins import Plugin
from .queries.hall import hall_view
from .scheduler import build_scheduler, lead, rollover_all
from .service import QueueService

FAVICON = (Path(__file__).resolve().parent / "templates" / "favicon.svg").read_bytes()


def create_app(
    service: QueueService,
    plugins: Sequence[Plugin] = (),
    *,
    auth: AuthService | None = None,
    api: ApiContext | None = None,
    scheduler: bool = True,
    cli: str = "hallq",
) -> Starlette:
    """The server: the landing page, the halls' status, the HTTP API and the rooms' plug-ins.

    The API is served when ``api`` is given (the context the plug-ins share, with its rate
    limits), or built from ``auth`` with the default limits. ``cli`` is how the landing page
    writes this deployment's command line (with its ``--config`` and ``--db``).
    """
    if api is None and auth is not None:
        api = ApiContext(service, auth)

    async def halls(request: Request) -> JSONResponse:
        halls = [await run_in_threadpool(hall_view, service, h.slug) for h in service.config.halls]
        return JSONResponse({"name": "HallQ", "version": __version__, "halls": halls})

    async def favicon(request: Request) -> Response:
        # Browsers ask for it on every page; one icon for every room's pages, never a 404.
        return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    # Which process runs the timed jobs (the rollover, the roster runner): the leader.
    leadership = leadership_for(service.store.url) if scheduler else None
    runner = RosterRunner(service, api.gate if api is not None else Gate(service, Unaudited()))

    async def health(request: Request) -> JSONResponse:
        if leadership is None:
            return JSONResponse({"ok": True})
        return JSONResponse({"ok": True, "is_leader": leadership.is_leader})

    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HallQError)
        return hallq_error_response(exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = f"{exc.detail} ({request.method} {request.url.path})"
        return error_response(exc.status_code, code, message, dict(exc.headers or {}))

    for plugin in plugins:
        service.listeners.extend(plugin.listeners)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as plugged:
            for plugin in plugins:
                if plugin.lifespan is not None:
                    await plugged.enter_async_context(plugin.lifespan())
            await run_in_threadpool(rollover_all, service)
            jobs = None
            if leadership is not None:
                # Take the lead (or not) and, leading, bring the halls to the roster before serving.
                await run_in_threadpool(lead, leadership, runner)
                jobs = build_scheduler(service, leadership=leadership, runner=runner)
                jobs.start()
            try:
                yield
            finally:
                if jobs is not None:
                    jobs.shutdown(wait=False)
                if leadership is not None:
                    await run_in_threadpool(leadership.release)

    landing = Landing(service.config.halls, [s for p in plugins for s in p.screens], cli)
    routes: list[BaseRoute] = [
        Route("/", landing.page, methods=["GET"]),
        Route("/api/halls", halls, methods=["GET"]),
        Route("/healthz", health),
        Route("/favicon.ico", favicon, methods=["GET"]),
    ]
    if api is not None:
        routes.extend(api_routes(api))
    for plugin in plugins:
        routes.extend(plugin.routes)
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        # Guard answers what no handler does (database failures 503, anything else a JSON 500)
        # and never re-raises, so the kept-alive connection survives a failed request.
        middleware=[Middleware(Guard)],
        exception_handlers={HallQError: on_error, HTTPException: on_http_error},
    )
