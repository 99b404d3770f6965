"""Reading request bodies, query strings and path parameters with errors that name the field.

A body is refused by its size while it streams in (413), a JSON body by its nesting depth
before it is parsed (the parser recurses), and text fields by what ``text.py`` refuses."""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from typing import Any

from starlette.requests import Request

from ..errors import BadRequest, HallQError, NotFound
from .text import FIRST_DATE, LAST_DATE, csv_problem, date_problem, text_problem

MAX_BODY = 256 * 1024  # a JSON body
MAX_UPLOAD = 2 * 1024 * 1024  # the largest body any endpoint reads (a CSV import)
MAX_DEPTH = 32  # JSON nesting; the API's own bodies nest two levels at most

__all__ = ["FIRST_DATE", "LAST_DATE", "MAX_BODY", "MAX_DEPTH", "MAX_UPLOAD", "Fields", "TooLarge"]


class TooLarge(HallQError):
    code = "body_too_large"
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"请求体过大，上限 {limit} 字节 / the body is larger than {limit} bytes")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as its declared length or the bytes received pass ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    request._body = raw  # later readers of request.body() see the same bytes
    return raw


# A JSON string (escapes and all, possibly unterminated) or one bracket outside strings.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[][{}]', re.DOTALL)


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``text`` nests arrays and objects deeper than ``limit`` (brackets inside
    strings do not count). Cheap when there are few brackets at all."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group()[0]
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def json_object(request: Request, *, optional: bool = False) -> Fields:
    raw = await read_body(request, MAX_BODY)
    if not raw.strip():
        if optional:
            return Fields({}, "body")
        raise BadRequest("缺少请求体 / a JSON object body is required")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"{exc.reason} at byte {exc.start}"
        raise BadRequest(f"请求体须为 UTF-8 编码 / the body must be UTF-8 text ({where})") from None
    if too_deep(text):
        raise BadRequest(f"请求体嵌套过深 / the body nests arrays and objects deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise BadRequest(f"请求体不是有效的 JSON / body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象 / the body must be a JSON object")
    return Fields(data, "body")


async def csv_body(request: Request, limit: int) -> str:
    """A CSV upload as text: UTF-8 (a BOM allowed), every cell acceptable text."""
    raw = await read_body(request, limit)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("CSV 须为 UTF-8 编码 / the CSV must be UTF-8 text") from None
    problem = csv_problem(text)
    if problem is not None:
        zh, en = problem
        raise BadRequest(f"CSV {zh} / CSV {en}")
    return text


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

    def str_(
        self,
        name: str,
        *,
        required: bool = True,
        max_len: int = 200,
        default: str | None = None,
        lines: bool = False,
    ) -> str | None:
        """A text field; ``lines`` lets it hold line breaks and tabs (a notice body, a comment)."""
        value = self._get(name, required and default is None)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._bad(name, "must be a string")
        problem = text_problem(value, lines=lines)
        if problem is not None:
            raise BadRequest(f"字段 {name} {problem[0]} / {self.where}.{name} {problem[1]}")
        value = value.strip()
        if required and not value:
            raise self._bad(name, "must not be empty")
        if len(value) > max_len:
            raise self._bad(name, f"must be at most {max_len} characters")
        return value

    def req_str(self, name: str, max_len: int = 200, *, lines: bool = False) -> str:
        value = self.str_(name, max_len=max_len, lines=lines)
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
            problem = text_problem(code)
            if problem is not None or len(code) > 8:
                raise self._bad(name, f"has a key that is no service code: {problem[1] if problem else 'too long'}")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
                raise self._bad(f"{name}.{code}", "must be a number")
            out[code] = float(weight)
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
        # Converted to UTC and to the hall's zone later: keep to years datetime holds either way.
        if date_problem(parsed.date()) is not None:
            raise self._bad(name, f"must be from {FIRST_DATE} to {LAST_DATE}")
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
        if date_problem(day) is not None:
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


def path_str(request: Request, name: str, max_len: int = 64) -> str:
    """A text path parameter (an appointment code, a device id): acceptable text, or 400 naming it;
    one longer than any stored is simply not found."""
    value: str = request.path_params[name]
    problem = text_problem(value)
    if problem is not None:
        raise BadRequest(f"路径参数 {name} {problem[0]} / path.{name} {problem[1]}")
    if len(value) > max_len:
        raise NotFound(f"没有这个{name} / no such {name} (longer than {max_len} characters)")
    return value
