"""Routes declared once, as data: the router and the OpenAPI document both come from here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

Endpoint = Callable[[Request], Awaitable[Response]]
Schema = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    endpoint: Endpoint
    summary: str
    tag: str
    who: str  # who may call it, for the reader of the API document
    body: Schema | None = None
    body_type: str = "application/json"
    query: tuple[tuple[str, Schema, bool], ...] = ()  # (name, schema, required)
    responses: dict[int, tuple[str, Schema | None]] = field(default_factory=dict)


def obj(required: tuple[str, ...] = (), **props: Schema) -> Schema:
    schema: Schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def string(**kw: Any) -> Schema:
    return {"type": "string", **kw}


def integer(**kw: Any) -> Schema:
    return {"type": "integer", **kw}


def number(**kw: Any) -> Schema:
    return {"type": "number", **kw}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}
