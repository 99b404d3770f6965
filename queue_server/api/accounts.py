"""Signing in and out; device tokens; the audit log (电子监察)."""

from __future__ import annotations

import secrets as pysecrets
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..accounts import AuditRecord, DeviceToken
from ..auth.secrets import MIN_PASSWORD_LENGTH
from ..auth.service import COOKIE, ONE_TIME_PASSWORD_BYTES, client_ip
from ..commands.staff_accounts import StaffAccounts
from ..errors import BadRequest, Unauthorized
from ..principal import DeviceKind, Principal, Role
from .audit import audit_filter, read_log
from .body import json_object, path_int, query
from .context import ApiContext


def principal_view(p: Principal) -> dict[str, Any]:
    return {
        "name": p.name,
        "role": p.role.value if p.role else None,
        "device": p.device.value if p.device else None,
        "hall": p.hall,
    }


def token_view(t: DeviceToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "kind": t.kind.value,
        "hall": t.hall,
        "label": t.label,
        "created_at": t.created_at.isoformat(),
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
    }


def audit_view(r: AuditRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "at": r.at.isoformat(),
        "hall": r.hall,
        "actor": r.actor,
        "action": r.action,
        "target": r.target,
        "outcome": r.outcome,
        "ip": r.ip,
        "detail": r.detail,
    }


class AccountRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def login(self, request: Request) -> Response:
        body = await json_object(request)
        username = body.req_str("username", max_len=64)
        password = body.req_str("password", max_len=1024)
        bearer = body.bool_("token")
        body.done()
        login = await run_in_threadpool(self.ctx.auth.login, username, password, client_ip(request), bearer=bearer)
        payload: dict[str, Any] = {
            "user": principal_view(login.principal),
            "expires_at": login.expires_at.isoformat(),
            "csrf_token": login.csrf,
        }
        if bearer:
            payload["token"] = login.secret
        response = JSONResponse(payload)
        if login.cookie_value is not None:
            response.set_cookie(
                COOKIE,
                login.cookie_value,
                max_age=int((login.expires_at - self.ctx.auth.clock()).total_seconds()),
                httponly=True,
                samesite="strict",
                secure=self.ctx.auth.settings.secure_cookies,
                path="/",
            )
        return response

    async def logout(self, request: Request) -> Response:
        try:
            caller = await self.ctx.caller(request)
        except Unauthorized:
            caller = None  # an expired or forged session: there is nothing to end but the cookie
        if caller is not None:
            self.ctx.auth.check_csrf(request, caller)
            await run_in_threadpool(self.ctx.auth.logout, request)
            await self.ctx.audit(request, caller.principal, "auth.logout", "ok", caller.principal.hall)
        response = Response(status_code=204)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def me(self, request: Request) -> Response:
        principal = await self.ctx.require(request, None, lambda p: True, "auth.me")
        caller = await self.ctx.caller(request)
        return JSONResponse({**principal_view(principal), "csrf_token": caller.csrf if caller else None})

    async def tokens(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "token.list")
        tokens = await run_in_threadpool(self.ctx.auth.accounts.device_tokens, slug)
        return JSONResponse({"tokens": [token_view(t) for t in tokens]})

    async def create_token(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        kind_raw = body.req_str("kind", max_len=16)
        label = body.str_("label", required=False, default="") or ""
        body.done()
        try:
            kind = DeviceKind(kind_raw)
        except ValueError:
            raise BadRequest(
                f"设备类型无效 / body.kind must be one of {', '.join(k.value for k in DeviceKind)}"
            ) from None
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "token.create")
        token, secret = await self.ctx.act(
            request, principal, slug, "token.create", kind.value, self.ctx.auth.create_device_token, kind, slug, label
        )
        return JSONResponse({**token_view(token), "token": secret}, status_code=201)

    async def revoke_token(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        token_id = path_int(request, "token_id")
        self.ctx.service.hall(slug)
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "token.revoke")
        token = await self.ctx.act(
            request,
            principal,
            slug,
            "token.revoke",
            f"token {token_id}",
            self.ctx.auth.revoke_device_token,
            token_id,
            slug,
        )
        return JSONResponse(token_view(token))

    async def create_account(self, request: Request) -> Response:
        """A staff account of the hall: managers make clerks, administrators managers too. A
        clerk's account joins the hall's staff registry (or is linked to the member there).
        Without ``password`` a one-time one is made and shown in this answer only."""
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        body = await json_object(request)
        username = body.req_str("username", max_len=64)
        role_raw = body.str_("role", required=False, max_len=16, default=Role.CLERK.value) or Role.CLERK.value
        display_name = body.str_("display_name", required=False, max_len=100, default="") or ""
        password = body.str_("password", required=False, max_len=256)
        body.done()
        if role_raw not in (Role.CLERK.value, Role.MANAGER.value, Role.CITY.value):
            raise BadRequest(f"角色无效 / body.role must be clerk, manager or city, got {role_raw!r}")
        role = Role(role_raw)
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            need = MIN_PASSWORD_LENGTH
            raise BadRequest(f"密码至少 {need} 位 / body.password needs at least {need} characters")
        allowed = (lambda p: p.can_manage(slug)) if role is Role.CLERK else (lambda p: p.role is Role.ADMIN)
        principal = await self.ctx.require(request, slug, allowed, "account.create")
        secret = password or pysecrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
        link = StaffAccounts(self.ctx.service, self.ctx.auth)
        made = await self.ctx.act(
            request, principal, slug, "account.create", username,
            link.create_account, username, secret, role, slug, display_name, principal.name,
        )  # fmt: skip
        if made.staff is not None:
            detail = {"with": "account.create"}
            await self.ctx.audit(request, principal, "staff.create", "ok", slug, f"staff {username}", detail)
        user = made.user
        view: dict[str, Any] = {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role.value,
            "hall": user.hall,
            "staff": "created" if made.staff is not None else "linked" if made.linked else None,
        }
        if password is None:
            view["password"] = secret  # shown once: only its hash is stored
        return JSONResponse(view, status_code=201)

    async def unlock(self, request: Request) -> Response:
        """Clear the sign-in throttle of an account of the hall (a clerk slowed down by mistyping,
        or by someone else's guesses from the clerk's own address)."""
        slug: str = request.path_params["hall"]
        username: str = request.path_params["username"]
        self.ctx.service.hall(slug)
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "account.unlock")
        cleared = await self.ctx.act(
            request, principal, slug, "account.unlock", username[:80], self.ctx.auth.unlock, username, slug
        )
        return JSONResponse({"username": username, "addresses_cleared": cleared})

    async def reset_password(self, request: Request) -> Response:
        """A new password for an account of the hall (a clerk who forgot theirs): a one-time one
        answered once unless the body gives one; their sessions end, their throttle clears."""
        slug: str = request.path_params["hall"]
        username: str = request.path_params["username"]
        self.ctx.service.hall(slug)
        body = await json_object(request, optional=True)
        password = body.str_("password", required=False, max_len=256)
        body.done()
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "account.password")
        secret = await self.ctx.act(
            request, principal, slug, "account.password", username[:80],
            self.ctx.auth.reset_password, username, slug, principal, password,
        )  # fmt: skip
        view: dict[str, Any] = {"username": username}
        if password is None:
            view["password"] = secret  # shown once: only its hash is stored
        return JSONResponse(view)

    async def audit_log(self, request: Request) -> Response:
        """A page of the log, newest first; ``more`` says whether older rows match too
        (ask again with ``before_id`` the last row's id)."""
        slug: str = request.path_params["hall"]
        hall = self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "audit.read")
        q = query(request)
        limit = q.int_("limit", lo=1, hi=1000, required=False) or 200
        before = q.int_("before_id", lo=1, hi=2**62, required=False)
        f = audit_filter(request, hall.tz)
        records = await run_in_threadpool(read_log, self.ctx, slug, f, limit + 1, before)
        return JSONResponse({"records": [audit_view(r) for r in records[:limit]], "more": len(records) > limit})
