"""Reading request bodies and query strings with errors that name the field."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from starlette.requests import Request

from ..errors import BadRequest, NotFound

MAX_BODY = 256 * 1024


async def json_object(request: Request, *, optional: bool = False) -> Fields:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise BadRequest(f"请求体过大 / body larger than {MAX_BODY} bytes")
    if not raw.strip():
        if optional:
            return Fields({}, "body")
        raise BadRequest("缺少请求体 / a JSON object body is required")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"请求体不是有效的 JSON / body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象 / the body must be a JSON object")
    return Fields(data, "body")


FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2999, 12, 31)


def query(request: Request) -> Fields:
    return Fields(dict(request.query_params), "query")


class Fields:
    """Typed access to a JSON object or a query string; unknown keys are refused."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where
        self.read: set[str] = set()

    def _get(self, name: str, required: bool) -> Any:
        self.read.add(name)
        value = self.data.get(name)
        if value is None and required:
            raise BadRequest(f"缺少字段 {name} / {self.where}.{name} is required")
        return value

    def _bad(self, name: str, what: str) -> BadRequest:
        return BadRequest(f"字段 {name} 无效 / {self.where}.{name} {what}")

    def str_(self, name: str, *, required: bool = True, max_len: int = 200, default: str | None = None) -> str | None:
        value = self._get(name, required and default is None)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._bad(name, "must be a string")
        value = value.strip()
        if required and not value:
            raise self._bad(name, "must not be empty")
        if len(value) > max_len:
            raise self._bad(name, f"must be at most {max_len} characters")
        return value

    def req_str(self, name: str, max_len: int = 200) -> str:
        value = self.str_(name, max_len=max_len)
        assert value is not None
        return value

    def int_(self, name: str, *, lo: int, hi: int, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if self.where == "query" and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                raise self._bad(name, "must be a whole number") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(name, "must be a whole number")
        if not lo <= value <= hi:
            raise self._bad(name, f"must be between {lo} and {hi}")
        return value

    def req_int(self, name: str, *, lo: int, hi: int) -> int:
        value = self.int_(name, lo=lo, hi=hi)
        assert value is not None
        return value

    def bool_(self, name: str, default: bool = False) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._bad(name, "must be true or false")
        return value

    def weights(self, name: str) -> dict[str, float]:
        value = self._get(name, True)
        if not isinstance(value, dict) or not value:
            raise self._bad(name, 'must be an object of service code to weight, e.g. {"A": 1.0}')
        out: dict[str, float] = {}
        for code, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise self._bad(f"{name}.{code}", "must be a number")
            out[str(code)] = float(weight)
        return out

    def time(self, name: str, *, required: bool = True, local_ok: bool = False) -> datetime | None:
        """An ISO 8601 time; without a UTC offset only where ``local_ok`` (the hall's local time)."""
        value = self.str_(name, required=required, max_len=64)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(name, "must be an ISO 8601 time, e.g. 2026-11-23T09:30:00+08:00") from None
        if parsed.tzinfo is None and not local_ok:
            raise self._bad(name, "needs a UTC offset, e.g. +08:00")
        return parsed

    def date_(self, name: str, *, required: bool = True) -> date | None:
        value = self.str_(name, required=required, max_len=10)
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise self._bad(name, "must be a date, e.g. 2026-11-23") from None
        # A day's bounds in a hall's time zone must stay within what datetime holds.
        if not FIRST_DATE <= day <= LAST_DATE:
            raise self._bad(name, f"must be from {FIRST_DATE} to {LAST_DATE}")
        return day

    def flag(self, name: str) -> bool:
        """A query-string switch: 1/true/yes."""
        value = self._get(name, False)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "yes"):
            return True
        if str(value).lower() in ("0", "false", "no", ""):
            return False
        raise self._bad(name, "must be true or false")

    def done(self) -> None:
        """Refuse keys the endpoint does not know: a typo should not pass silently."""
        extra = set(self.data) - self.read
        if extra and self.where == "body":
            name = sorted(extra)[0]
            raise BadRequest(f"未知字段 {name} / unknown field {self.where}.{name}")


def path_int(request: Request, name: str, hi: int = 2**62) -> int:
    """An ``{name:int}`` path parameter; one too large to exist is simply not found."""
    value: int = request.path_params[name]
    if value > hi:
        raise NotFound(f"没有这个{name} / no such {name} {value}")
    return value
