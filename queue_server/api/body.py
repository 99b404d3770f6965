"""Reading request bodies, query strings and path parameters with errors that name the field.

A body is refused by its size while it streams in (413), a JSON body by its nesting depth
before it is parsed (the parser recurses), and text fields by what ``text.py`` refuses."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from ..errors import BadRequest, HallQError, NotFound
from ..fields import Fields
from ..rules.appointments_csv import decode as decode_csv
from ..text import FIRST_DATE, LAST_DATE, csv_problem, text_problem

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
    """A CSV upload as text: UTF-8 (a BOM allowed) or GBK (Excel in China), every cell acceptable text."""
    text, _ = decode_csv(await read_body(request, limit))
    problem = csv_problem(text)
    if problem is not None:
        zh, en = problem
        raise BadRequest(f"CSV {zh} / CSV {en}")
    return text


def query(request: Request) -> Fields:
    return Fields(dict(request.query_params), "query")


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
