"""What the staffing endpoints read beyond ``Fields``: lists of objects (each item's fields
named ``body.assignments[3].lunch_start``), times of day ``HH:MM``, numbers, dates in the path,
and the manager's gate every staffing endpoint shares."""

from __future__ import annotations

import math
import re
from datetime import date, time

from starlette.requests import Request

from ..errors import BadRequest
from ..fields import Fields
from ..principal import Principal
from .body import path_str
from .context import ApiContext

HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def items(body: Fields, name: str, *, max_items: int, required: bool = False) -> list[Fields] | None:
    """``body.<name>``: a list of JSON objects, each read as its own ``Fields`` whose errors name
    ``<where>.<name>[i].<field>``; None when absent (and not ``required``)."""
    body.read.add(name)
    value = body.data.get(name)
    where = f"{body.where}.{name}"
    if value is None:
        if required:
            raise BadRequest(f"缺少字段 {name} / {where} is required")
        return None
    if not isinstance(value, list):
        raise BadRequest(f"字段 {name} 无效 / {where} must be a list")
    if len(value) > max_items:
        raise BadRequest(f"字段 {name} 过长 / {where} may hold at most {max_items} items, got {len(value)}")
    out: list[Fields] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise BadRequest(f"字段 {name}[{i}] 无效 / {where}[{i}] must be an object")
        out.append(Fields(item, f"{where}[{i}]"))
    return out


def finish(f: Fields) -> None:
    """Like ``Fields.done`` for any object (a list item too): keys the endpoint does not read are refused."""
    extra = sorted(set(f.data) - f.read)
    if extra:
        raise BadRequest(f"未知字段 {extra[0]} / unknown field {f.where}.{extra[0]}")


def clock_time(f: Fields, name: str, *, required: bool = True) -> time | None:
    """A time of day ``HH:MM`` (00:00 to 23:59), the hall's wall clock."""
    value = f.str_(name, required=required, max_len=64)
    if value is None:
        return None
    found = HHMM.fullmatch(value)
    if found is None:
        raise BadRequest(f"字段 {name} 无效 / {f.where}.{name} must be a time of day HH:MM, e.g. 09:00, got {value!r}")
    return time(int(found.group(1)), int(found.group(2)))


def number(f: Fields, name: str, *, default: float) -> float:
    """A finite JSON number (absent or null: ``default``)."""
    f.read.add(name)
    value = f.data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequest(f"字段 {name} 无效 / {f.where}.{name} must be a number")
    return float(value)


def nullable_login(f: Fields, name: str) -> str | None:
    """A login or null (an empty string is null too)."""
    return f.str_(name, required=False, max_len=64) or None


def path_day(request: Request, name: str = "day") -> date:
    """A ``YYYY-MM-DD`` path parameter, or 400 naming ``path.<name>``."""
    day = Fields({name: path_str(request, name)}, "path").date_(name)
    assert day is not None
    return day


async def manager(ctx: ApiContext, request: Request, slug: str, action: str) -> Principal:
    """A manager of hall ``slug`` (or an administrator): 401 for nobody, 403 (audited) otherwise."""
    return await ctx.require(request, slug, lambda p: p.can_manage(slug), action)
