"""Managers keep the hall's staffing: the staff registry (skills, A/B partners), who holds each
post (AB岗) and the shift templates (班次). Every change goes through the gate (audited);
every read through the queries."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..commands.staff_accounts import StaffAccounts
from ..commands.staffing import KEEP, Keep
from ..errors import BadRequest
from ..fields import Fields
from ..queries.staffing import posts, shift_templates, staff_list
from ..queries.staffing_views import plain
from ..staffing import ShiftTemplate, Skill, StaffMember
from .body import json_object, path_str, query
from .context import ApiContext
from .staffing_input import clock_time, finish, items, manager, nullable_login, number

MAX_SKILLS = 100


def staff_view(m: StaffMember) -> dict[str, Any]:
    view: dict[str, Any] = plain(m)
    return view


def shift_view(t: ShiftTemplate) -> dict[str, Any]:
    """A template with its times as ``HH:MM``, as they are written."""

    def hhmm(value: Any) -> str | None:
        return f"{value:%H:%M}" if value is not None else None

    return {
        "code": t.code,
        "name_zh": t.name_zh,
        "name_en": t.name_en,
        "start": hhmm(t.start),
        "end": hhmm(t.end),
        "lunch_minutes": t.lunch_minutes,
        "lunch_earliest": hhmm(t.lunch_earliest),
        "lunch_latest": hhmm(t.lunch_latest),
        "noon_duty": t.noon_duty,
        "minutes": t.minutes,
    }


def skills_of(body: Fields) -> tuple[Skill, ...] | None:
    """``body.skills``: ``[{"service": "A", "weight": 1.0}, …]`` (weight defaults to 1)."""
    found = items(body, "skills", max_items=MAX_SKILLS)
    if found is None:
        return None
    out = []
    for f in found:
        out.append(Skill(f.req_str("service", max_len=8), number(f, "weight", default=1.0)))
        finish(f)
    return tuple(out)


def template_of(body: Fields, slug: str, code: str) -> ShiftTemplate:
    start, end = clock_time(body, "start"), clock_time(body, "end")
    assert start is not None and end is not None
    return ShiftTemplate(
        hall=slug,
        code=code,
        name_zh=body.req_str("name_zh", max_len=100),
        name_en=body.str_("name_en", required=False, max_len=100, default="") or "",
        start=start,
        end=end,
        lunch_minutes=body.int_("lunch_minutes", lo=0, hi=24 * 60, required=False) or 0,
        lunch_earliest=clock_time(body, "lunch_earliest", required=False),
        lunch_latest=clock_time(body, "lunch_latest", required=False),
        noon_duty=body.bool_("noon_duty"),
    )


class StaffingRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    # -- the staff registry --------------------------------------------------

    async def staff(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "staff.list")
        active_only = query(request).flag("active_only")
        found = await run_in_threadpool(lambda: staff_list(self.ctx.service, slug, active_only=active_only))
        return JSONResponse({"staff": [staff_view(m) for m in found]})

    async def add_staff(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        login = body.req_str("login", max_len=64)
        name = body.req_str("name", max_len=100)
        department = body.str_("department", required=False, max_len=100, default="") or ""
        skills = skills_of(body) or ()
        partner = nullable_login(body, "partner")
        body.done()
        principal = await manager(self.ctx, request, slug, "staff.create")
        link = StaffAccounts(self.ctx.service, self.ctx.auth)
        done = await self.ctx.act(
            request, principal, slug, "staff.create", f"staff {login}",
            lambda: link.add_staff(
                slug, login, name, department=department, skills=skills, partner=partner, by=principal.name
            ),
        )  # fmt: skip
        view = staff_view(done.member)
        view["account"] = {"username": done.account.username, "role": done.account.role.value}
        if done.password is not None:
            # A clerk account made for the new member: its one-time password is shown here only.
            await self.ctx.audit(request, principal, "account.create", "ok", slug, login, {"with": "staff.create"})
            view["password"] = done.password
        return JSONResponse(view, status_code=201)

    async def update_staff(self, request: Request) -> Response:
        """Change what the body gives; ``"partner": null`` clears the A/B partner (on both sides)."""
        slug: str = request.path_params["hall"]
        login = path_str(request, "login")
        self.ctx.service.hall(slug)
        body = await json_object(request)
        name = body.str_("name", required=False, max_len=100)
        if name is not None and not name:
            raise BadRequest("字段 name 不能为空 / body.name must not be empty")
        department = body.str_("department", required=False, max_len=100)
        skills = skills_of(body)
        partner: str | Keep | None = nullable_login(body, "partner") if "partner" in body.data else KEEP
        body.done()
        principal = await manager(self.ctx, request, slug, "staff.update")
        done = await self.ctx.act(
            request, principal, slug, "staff.update", f"staff {login}",
            lambda: self.ctx.service.update_staff(
                slug, login, name=name, department=department, skills=skills, partner=partner, by=principal.name
            ),
        )  # fmt: skip
        return JSONResponse(staff_view(done.value))

    async def deactivate_staff(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        login = path_str(request, "login")
        self.ctx.service.hall(slug)
        principal = await manager(self.ctx, request, slug, "staff.deactivate")
        done = await self.ctx.act(
            request, principal, slug, "staff.deactivate", f"staff {login}",
            self.ctx.service.deactivate_staff, slug, login, principal.name,
        )  # fmt: skip
        return JSONResponse(staff_view(done.value))

    # -- posts (AB岗) ---------------------------------------------------------

    async def posts(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "post.list")
        found = await run_in_threadpool(posts, self.ctx.service, slug)
        return JSONResponse({"posts": [plain(p) for p in found]})

    async def set_post(self, request: Request) -> Response:
        """Who holds the post (``a``) and stands in (``b``); null or absent: nobody."""
        slug: str = request.path_params["hall"]
        code = path_str(request, "code", 32)
        self.ctx.service.hall(slug)
        body = await json_object(request)
        a, b = nullable_login(body, "a"), nullable_login(body, "b")
        body.done()
        principal = await manager(self.ctx, request, slug, "post.set")
        done = await self.ctx.act(
            request, principal, slug, "post.set", f"post {code}",
            self.ctx.service.set_post_holders, slug, code, a, b, principal.name,
        )  # fmt: skip
        return JSONResponse(plain(done.value))

    # -- shift templates (班次) ------------------------------------------------

    async def shifts(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await manager(self.ctx, request, slug, "shift.list")
        found = await run_in_threadpool(shift_templates, self.ctx.service, slug)
        return JSONResponse({"shifts": [shift_view(t) for t in found]})

    async def add_shift(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        template = template_of(body, slug, body.req_str("code", max_len=64))
        body.done()
        principal = await manager(self.ctx, request, slug, "shift.create")
        done = await self.ctx.act(
            request, principal, slug, "shift.create", f"shift {template.code}",
            self.ctx.service.add_shift_template, slug, template, principal.name,
        )  # fmt: skip
        return JSONResponse(shift_view(done.value), status_code=201)

    async def change_shift(self, request: Request) -> Response:
        """Replace the template (rosters already made keep their times)."""
        slug: str = request.path_params["hall"]
        code = path_str(request, "code", 32)
        self.ctx.service.hall(slug)
        body = await json_object(request)
        template = template_of(body, slug, code)
        body.done()
        principal = await manager(self.ctx, request, slug, "shift.update")
        done = await self.ctx.act(
            request, principal, slug, "shift.update", f"shift {code}",
            self.ctx.service.change_shift_template, slug, template, principal.name,
        )  # fmt: skip
        return JSONResponse(shift_view(done.value))

    async def delete_shift(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        code = path_str(request, "code", 32)
        self.ctx.service.hall(slug)
        principal = await manager(self.ctx, request, slug, "shift.delete")
        done = await self.ctx.act(
            request, principal, slug, "shift.delete", f"shift {code}",
            self.ctx.service.delete_shift_template, slug, code, principal.name,
        )  # fmt: skip
        return JSONResponse(shift_view(done.value))
