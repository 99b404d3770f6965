"""The manager's 账号 and 设备 pages over HTTP: the hall's accounts (list, disable, enable) and
its devices' health history. Creating accounts, passwords, unlocking and device tokens are
``accounts.py``'s; these are the operations those pages needed beside them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..commands.account_state import AccountSwitched, set_account_disabled
from ..queries.accounts import HallAccount, hall_accounts
from ..queries.device_history import HealthChange, device_history
from ..text import check_period
from .body import path_str, query
from .context import ApiContext
from .spec import Operation, Schema, integer, obj, string

HISTORY_DAYS = 7  # the history shown by default: the week up to today
MAX_HISTORY_DAYS = 31


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def account_view(a: HallAccount) -> dict[str, Any]:
    return {
        "username": a.username,
        "role": a.role.value,
        "display_name": a.display_name,
        "disabled": a.disabled,
        "staff": a.staff,
        "staff_active": a.staff_active,
        "locked": a.locked_until is not None,
        "locked_until": _iso(a.locked_until),
        "failures": a.failures,
        "last_sign_in": _iso(a.last_sign_in),
    }


def change_view(c: HealthChange) -> dict[str, Any]:
    return {
        "seq": c.seq,
        "at": c.at.isoformat(),
        "device": c.device,
        "kind": c.kind,
        "window": c.window,
        "from": c.from_state,
        "to": c.to_state,
        "error": c.error,
    }


class ManageRoutes:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    async def accounts(self, request: Request) -> Response:
        slug: str = request.path_params["hall"]
        self.ctx.service.hall(slug)
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "account.list")
        found = await run_in_threadpool(hall_accounts, self.ctx.service, self.ctx.auth, slug)
        return JSONResponse({"accounts": [account_view(a) for a in found]})

    async def _switch(self, request: Request, disabled: bool) -> Response:
        slug: str = request.path_params["hall"]
        username = path_str(request, "username", 64)
        self.ctx.service.hall(slug)
        action = "account.disable" if disabled else "account.enable"
        principal = await self.ctx.require(request, slug, lambda p: p.can_manage(slug), action)
        done: AccountSwitched = await self.ctx.act(
            request, principal, slug, action, username, set_account_disabled,
            self.ctx.auth, username, slug, principal, disabled,
        )  # fmt: skip
        user = done.user
        return JSONResponse(
            {
                "username": user.username,
                "role": user.role.value,
                "disabled": user.disabled,
                "sessions_ended": done.sessions_ended,
            }
        )

    async def disable(self, request: Request) -> Response:
        """停用: the account cannot sign in, and its sessions end now."""
        return await self._switch(request, True)

    async def enable(self, request: Request) -> Response:
        return await self._switch(request, False)

    async def device_history(self, request: Request) -> Response:
        """Health changes of the hall's devices over days ``from``..``to`` of the hall (the week up
        to today by default), newest first."""
        slug: str = request.path_params["hall"]
        hall = self.ctx.service.hall(slug)
        q = query(request)
        today = self.ctx.service.business_day(slug)
        last = q.date_("to", required=False) or today
        first = q.date_("from", required=False) or last - timedelta(days=HISTORY_DAYS - 1)
        check_period(
            first, last, MAX_HISTORY_DAYS, ("一次最多查询", "a history covers at most"), start="from", end="to"
        )
        device = q.str_("device", required=False, max_len=63)
        limit = q.int_("limit", lo=1, hi=1000, required=False) or 200
        await self.ctx.require(request, slug, lambda p: p.can_manage(slug), "device.history")
        since = datetime.combine(first, time(0), tzinfo=hall.tz)
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=hall.tz)
        found = await run_in_threadpool(device_history, self.ctx.service, slug, since, until, device, limit)
        return JSONResponse(
            {"from": first.isoformat(), "to": last.isoformat(), "changes": [change_view(c) for c in found]}
        )


ACCOUNT = obj(
    username=string(), role=string(enum=["manager", "clerk"]), display_name=string(), disabled={"type": "boolean"},
    staff={"type": ["string", "null"], "description": "the staff registry's login linked to the account"},
    staff_active={"type": ["boolean", "null"]}, locked={"type": "boolean"},
    locked_until={"type": ["string", "null"], "format": "date-time"}, failures=integer(),
    last_sign_in={"type": ["string", "null"], "format": "date-time"},
)  # fmt: skip
NULLABLE: Schema = {"type": ["string", "null"]}
SWITCHED = obj(username=string(), role=string(), disabled={"type": "boolean"}, sessions_ended=integer())
CHANGE = obj(
    (), seq=integer(), at=string(format="date-time"), device=string(), kind=string(),
    window={"type": ["integer", "null"]}, error=string(), to=string(enum=["online", "retrying", "offline", "unknown"]),
    **{"from": NULLABLE},
)  # fmt: skip


def manage_operations(ctx: ApiContext) -> list[Operation]:
    m = ManageRoutes(ctx)
    manager = "a manager of the hall or an administrator"
    switch = "a manager of the hall (clerks) or an administrator (managers too); nobody their own account"
    return [
        Operation("GET", "/api/halls/{hall}/accounts", m.accounts,
                  "The hall's manager and clerk accounts: role, linked staff login, disabled, held back by failed "
                  "sign-ins, last sign-in", "manage", manager,
                  responses={200: ("Accounts", obj(accounts={"type": "array", "items": ACCOUNT}))}),
        Operation("POST", "/api/halls/{hall}/accounts/{username}/disable", m.disable,
                  "停用 an account: it cannot sign in and its sessions end (audited; 409 for one's own)", "manage",
                  switch, responses={200: ("Disabled", SWITCHED)}),
        Operation("POST", "/api/halls/{hall}/accounts/{username}/enable", m.enable,
                  "启用 a disabled account again (audited)", "manage", switch,
                  responses={200: ("Enabled", SWITCHED)}),
        Operation("GET", "/api/halls/{hall}/devices/history", m.device_history,
                  "Serial devices' health changes over days of the hall (the week up to today by default, at most "
                  f"{MAX_HISTORY_DAYS} days), newest first", "devices", manager,
                  query=(("from", string(format="date"), False), ("to", string(format="date"), False),
                         ("device", string(maxLength=63), False), ("limit", integer(minimum=1, maximum=1000), False)),
                  responses={200: ("Health changes", obj(changes={"type": "array", "items": CHANGE}))}),
    ]  # fmt: skip
