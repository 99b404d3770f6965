"""The OpenAPI 3.1 document, generated from the declared operations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .spec import Operation, Schema, integer, obj, string

ERROR = obj(
    ("error",),
    error=obj(("code", "message"), code=string(), message=string(description="中文 / English")),
)

STANDARD_ERRORS: dict[int, str] = {
    400: "Malformed request: the message names the field",
    401: "Not signed in",
    403: "Not allowed (the attempt is audited), or a missing CSRF token",
    404: "Unknown hall, window, service or ticket",
    409: "Not possible in the current state (the message says why)",
    413: "Request body too large (refused while it streams in)",
    414: "Request path too long",
    429: "Too many requests",
    503: "The database is unavailable: nothing was done; retry after Retry-After seconds",
}

_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _path_and_params(path: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for name, conv in _PARAM.findall(path):
        params.append(
            {"name": name, "in": "path", "required": True, "schema": integer() if conv == "int" else string()}
        )
    return _PARAM.sub(r"{\1}", path), params


def document(operations: Sequence[Operation], components: dict[str, Schema], version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        path, params = _path_and_params(op.path)
        params += [{"name": n, "in": "query", "required": req, "schema": s} for n, s, req in op.query]
        responses: dict[str, Any] = {}
        for status, (description, schema) in sorted(op.responses.items()):
            entry: dict[str, Any] = {"description": description}
            if schema is not None:
                entry["content"] = {"application/json": {"schema": schema}}
            responses[str(status)] = entry
        for status, description in STANDARD_ERRORS.items():
            responses.setdefault(
                str(status),
                {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            )
        item: dict[str, Any] = {
            "summary": op.summary,
            "description": f"Who: {op.who}",
            "tags": [op.tag],
            "operationId": f"{op.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
            "parameters": params,
            "responses": responses,
        }
        if op.body is not None:
            item["requestBody"] = {"required": True, "content": {op.body_type: {"schema": op.body}}}
        paths.setdefault(path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HallQ API",
            "version": version,
            "description": "政务服务大厅排队叫号系统 — queueing and window management for government service halls.",
        },
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR, **components},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "staff (hqs_…) or device (hqd_…) token"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "hallq_session"},
            },
        },
    }
