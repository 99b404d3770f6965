"""The outermost HTTP layer: whatever a request holds, and whatever fails under it, the answer
is the API's JSON error, and the connection stays usable for the client's next request.

- A body larger than any endpoint reads is refused (413) by its Content-Length up front, or
  while it streams in, before it is buffered.
- A path or query string holding control characters is refused (400) before any endpoint
  sees it (they would reach the audit log and the database), and so is a path longer than
  any the server serves (414).
- The database failing under a command is a 503 with Retry-After: the command is one
  transaction, so it was not done, and the client may simply retry. SQLAlchemy has already
  invalidated a dropped connection, and the pool pings before reuse, so the server recovers
  by itself.
- Anything else unexpected is logged with its traceback and answered as a bare 500 JSON
  error. It is not re-raised: the server would then close the kept-alive connection.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from sqlalchemy import exc as sa_exc
from starlette.responses import JSONResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import BadRequest, HallQError
from ..storage.errors import RETRY_AFTER_S, DbFailure, classify
from ..text import printable, text_problem
from .body import MAX_UPLOAD, TooLarge

log = logging.getLogger("hallq.http")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The API's error shape; a message quoting the request's own text is made encodable."""
    return JSONResponse({"error": {"code": code, "message": printable(message)}}, status_code=status, headers=headers)


def hallq_error_response(exc: HallQError) -> JSONResponse:
    retry = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(int(retry) + 1)} if isinstance(retry, int | float) else None
    return error_response(exc.status, exc.code, exc.message, headers)


def failure_response(exc: Exception, scope: Scope) -> JSONResponse:
    """The answer to an exception no endpoint handled."""
    if isinstance(exc, HallQError):
        return hallq_error_response(exc)
    where = f"{scope.get('method')} {scope.get('path')}"
    kind = classify(exc)
    if kind is DbFailure.UNAVAILABLE:
        log.warning("database unavailable in %s: %s", where, _first_line(exc))
        return error_response(
            503,
            "database_unavailable",
            f"数据库暂时不可用，请 {RETRY_AFTER_S} 秒后重试 / the database is unavailable; "
            f"nothing was changed, try again in {RETRY_AFTER_S} s",
            {"Retry-After": str(RETRY_AFTER_S)},
        )
    if kind is DbFailure.CONFLICT:
        log.warning("constraint conflict in %s: %s", where, _first_line(exc))
        return error_response(
            409, "conflict", "与已有数据冲突，未作任何更改 / this conflicts with stored data; nothing was changed"
        )
    if kind is DbFailure.BAD_VALUE:
        log.warning("value refused by the database in %s: %s", where, _first_line(exc))
        return error_response(
            400, "bad_request", "请求含有无法存储的值 / the request holds a value the database cannot store"
        )
    log.error("unhandled error in %s", where, exc_info=exc)
    return error_response(500, "internal", "服务器内部错误，已记录 / internal server error (logged)")


def _first_line(exc: BaseException) -> str:
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


# Longer than any path the server serves; routing would parse a path's 5,000-digit "id" as an
# int, which Python refuses (ValueError) before any handler could answer.
MAX_PATH = 2048


class PathTooLong(HallQError):
    code = "uri_too_long"
    status = 414


def url_refusal(scope: Scope) -> HallQError | None:
    """A 400 naming the path parameter or query parameter that holds a control character; a 414
    for a path longer than any the server serves."""
    path: str = scope.get("path", "")
    if len(path) > MAX_PATH:
        return PathTooLong(f"路径过长 / the URL path is longer than {MAX_PATH} characters")
    problem = text_problem(path)
    if problem is not None:
        name = _path_param(scope)
        return BadRequest(f"{name} {problem[0]} / {name} {problem[1]}")
    raw = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(raw, keep_blank_values=True):
        problem = text_problem(key) or text_problem(value)
        if problem is not None:
            name = f"query.{printable(key)}"
            return BadRequest(f"参数 {name} {problem[0]} / {name} {problem[1]}")
    return None


def _path_param(scope: Scope) -> str:
    """``path.<name>`` of the route parameter holding the bad text, or ``path`` when no route names it."""
    router = getattr(scope.get("app"), "router", None)
    for route in getattr(router, "routes", ()):
        match, child = route.matches(scope)
        if match is Match.FULL:
            for name, value in child.get("path_params", {}).items():
                if isinstance(value, str) and text_problem(value) is not None:
                    return f"path.{name}"
    return "path"


class Guard:
    """ASGI middleware around the whole app (HTTP only; WebSockets pass through)."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_UPLOAD) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        refusal: HallQError | None = TooLarge(self.max_body) if declared and declared > self.max_body else None
        refusal = refusal or url_refusal(scope)
        if refusal is not None:
            await hallq_error_response(refusal)(scope, receive, send)
            return

        started = False
        received = 0

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def receiving() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge(self.max_body)
            return message

        try:
            await self.app(scope, receiving, sending)
        except Exception as exc:
            if started:  # too late for another answer; the server ends this response
                where = f"{scope.get('method')} {scope.get('path')}"
                log.error("error after the answer started in %s", where, exc_info=exc)
                return
            await failure_response(exc, scope)(scope, receive, send)
