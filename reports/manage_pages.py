"""The manager's 设备, 账号 and 事项 pages (shells the browser fills from the JSON API), and the
pairing QR code of a device token just made.

Pairing: a screen needs its page's address on this server with its token in it, the address a
hall's devices open (``/display/{hall}?token=…``, ``/display/{hall}/windows/{n}?token=…``,
``/kiosk/{hall}?token=…``); a hardware agent needs the server's address and the token on its
command line (``python run.py agent --server URL --token T``). The server's address is the one
the manager's browser reached it by. The token was answered once, to the page, by ``POST
/api/halls/{hall}/tokens``; the page posts it back here to have the code drawn (SVG, by segno,
nothing from the internet), and nothing here keeps it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from queue_server import ApiContext, BadRequest, NotFound, QueueService, json_object, templates, window_at

from . import manage_i18n  # noqa: F401  (its words join the pages' table on import)
from .shell import page_endpoint

HERE = Path(__file__).resolve().parent
# Path under /dashboard/{hall}, template, nav title key.
PAGES = (
    ("devices-admin", "devices_admin.html", "nav_devices_admin"),
    ("accounts", "accounts.html", "nav_accounts"),
    ("services", "services.html", "nav_services"),
)
DEVICE_TOKEN = re.compile(r"hqd_[A-Za-z0-9_-]{16,120}")  # what auth.secrets.new_secret makes
KINDS = ("display", "kiosk", "agent")


def qr_svg(text: str) -> str:
    """``text`` as a QR code, an inline ``<svg>`` element (scaled by the page's CSS)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=False, svgns=True, nl=False,
        svgclass="qr",
    )  # fmt: skip
    return out.getvalue().decode()


def pairing_text(base: str, slug: str, kind: str, token: str, window: int | None) -> str:
    """What a device of ``kind`` needs to pair with this server (``base``: its address, no slash at the end)."""
    hall = quote(slug, safe="")
    if kind == "agent":
        return f"python run.py agent --server {base} --token {token}"
    if kind == "kiosk":
        return f"{base}/kiosk/{hall}?token={token}"
    screen = f"/display/{hall}/windows/{window}" if window is not None else f"/display/{hall}"
    return f"{base}{screen}?token={token}"


class ManagePages:
    def __init__(self, service: QueueService, ctx: ApiContext) -> None:
        self.service = service
        self.ctx = ctx
        self.templates = templates(HERE / "templates")

    async def pairing(self, request: Request) -> Response:
        """``POST /dashboard/{hall}/devices-admin/pairing`` ``{"kind", "token", "window"}`` (a
        manager of the hall): the pairing text of a token just made and its QR code."""
        slug: str = request.path_params["hall"]
        self.service.hall(slug)
        body = await json_object(request)
        kind = body.req_str("kind", max_len=16)
        token = body.req_str("token", max_len=200)
        window = body.int_("window", lo=1, hi=9999, required=False)
        body.done()
        if kind not in KINDS:
            raise BadRequest(f"设备类型无效 / body.kind must be one of {', '.join(KINDS)}")
        if not DEVICE_TOKEN.fullmatch(token):
            raise BadRequest("设备令牌格式无效 / body.token must be a device token (hqd_…) as it was answered")
        if window is not None and kind != "display":
            raise BadRequest("只有显示屏可以指定窗口 / body.window is for a display's window screen only")
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "token.pairing")
        if window is not None:
            try:
                await run_in_threadpool(window_at, self.service, slug, window)
            except NotFound:
                raise BadRequest(f"没有 {window} 号窗口 / body.window: no window {window} in {slug}") from None
        text = pairing_text(str(request.base_url).rstrip("/"), slug, kind, token, window)
        svg = await run_in_threadpool(qr_svg, text)
        return JSONResponse({"kind": kind, "pairing": text, "svg": svg}, headers={"Cache-Control": "no-store"})

    def routes(self) -> list[BaseRoute]:
        return [
            *(
                Route(
                    f"/dashboard/{{hall}}/{path}",
                    page_endpoint(self.service, self.ctx, self.templates, template, current),
                    methods=["GET"],
                )
                for path, template, current in PAGES
            ),
            Route("/dashboard/{hall}/devices-admin/pairing", self.pairing, methods=["POST"]),
        ]


__all__ = ["ManagePages", "pairing_text", "qr_svg"]
