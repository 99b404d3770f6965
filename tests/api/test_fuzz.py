"""No request makes the server fail, on SQLite and on PostgreSQL: schemathesis generates requests
from /openapi.json (valid and invalid ones), and a sweep over the same document puts each hostile
input class — unpaired surrogates, NUL and other control characters, JSON nested 1,000 deep,
non-finite and huge numbers, dates and times at the edge of what datetime holds, bodies too
large to read (announced by Content-Length and streamed) — into every body field, query
parameter and path parameter of every operation. Every answer is below 500, and every refusal
is the API's JSON error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from starlette.applications import Starlette
from starlette.testclient import TestClient

from queue_server.api.body import MAX_BODY, MAX_UPLOAD
from queue_server.app import create_app
from queue_server.auth.service import AuthService
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import open_store
from tests.api.conftest import FAST, PASSWORD
from tests.conftest import FakeClock, small_config


@dataclass
class Served:
    app: Starlette
    manager: dict[str, str]


@pytest.fixture
def served(db_url: str) -> Iterator[Served]:
    """The API on a fresh database of either backend: a manager, an open window, a waiting ticket."""
    store = open_store(db_url)
    config = small_config()
    store.sync_halls(config)
    clock = FakeClock()
    service = QueueService(store, config, clock=clock)
    auth = AuthService(store.accounts, FAST, clock=clock)
    auth.create_user("boss", PASSWORD, Role.MANAGER, "t")
    login = auth.login("boss", PASSWORD, "127.0.0.1", bearer=True)
    service.open_window("t", 1, "boss")
    service.issue("t", "A")
    try:
        yield Served(create_app(service, auth=auth, scheduler=False), {"Authorization": f"Bearer {login.secret}"})
    finally:
        store.close()


def error_shaped(status: int, text: str, what: str) -> None:
    """A refusal is the API's JSON error, without a traceback; nothing is a 5xx but a 503."""
    assert status < 500, f"{what}: {status} {text[:300]}"
    if status >= 400:
        body = json.loads(text)
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, f"{what}: {text[:300]}"
        assert "Traceback" not in text, what


def test_no_generated_request_makes_the_server_fail(served: Served) -> None:
    """Every operation, with generated parameters and bodies (valid and invalid), anonymous and
    as a manager. (schemathesis's own pytest plugin does not load under pytest 9 yet, so the
    operations' Hypothesis strategies are driven directly.)"""
    schema = schemathesis.openapi.from_asgi("/openapi.json", served.app)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 25
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    seen: set[int] = set()
    # Examples grow with the operations, so each keeps its share of the run as the API grows.
    examples = max(400, 8 * len(operations))

    @given(case=st.one_of(*(op.as_strategy(generation_mode=mode) for op in operations for mode in modes)))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def call(case: Any) -> None:
        for headers in ({}, served.manager):
            response = case.call(headers=headers)
            error_shaped(response.status_code, response.text, f"{case.method} {case.formatted_path}")
            seen.add(response.status_code)

    call()
    # The run reached both the handlers' success paths and their refusals.
    assert any(200 <= s < 300 for s in seen) and any(400 <= s < 500 for s in seen), seen


# -- the hostile input classes, swept over the document ----------------------------------------

TEXT = {
    "surrogate": "\ud800",
    "surrogate pair half": "A\udfff",
    "NUL": "a\x00b",
    "escape": "\x1b[2J",
    "C1": "\x85",
    "newline": "a\nb",
    "too long": "x" * (MAX_BODY + 1),
}
TIMES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31", "0001-01-01", "9999-12-31T23:59:59"]
# JSON text put in place of a value, whatever the field's type.
RAW = {
    "nested 1,000 deep": "[" * 1000 + "]" * 1000,
    "objects 1,000 deep": '{"a": ' * 1000 + "1" + "}" * 1000,
    "NaN": "NaN",
    "Infinity": "-Infinity",
    "1e999": "1e999",
    "5,000 digits": "9" * 5000,
    "2**70": str(2**70),
}
JSON = {"content-type": "application/json"}
PATH_DEFAULTS = {
    "hall": "t",
    "window": "1",
    "ticket_id": "1",
    "action": "pause",
    "service": "A",
    "code": "YY1",
    "device": "led-1",
    "notice_id": "1",
    "token_id": "1",
    "username": "boss",
    "login": "li",
    "leave_id": "1",
    "roster_id": "1",
    "day": "2026-11-23",
    "job": "0123abcd",
}
SAMPLE_STRINGS = {"service": "A", "username": "boss", "password": PASSWORD, "kind": "display", "state": "online"}


def sample(name: str, schema: dict[str, Any]) -> Any:
    """A plausible value for a field: what the sweep leaves valid around the hostile one."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "object":
        return {"A": 1.0} if "additionalProperties" in schema else {}
    if schema.get("format") == "date-time":
        return "2026-11-23T10:00:00+08:00"
    if schema.get("format") == "date":
        return "2026-11-23"
    return SAMPLE_STRINGS.get(name, "x")


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    params: list[dict[str, Any]]
    body: dict[str, Any] | None
    body_type: str | None

    def url(self, path_params: dict[str, str] | None = None, query: str = "") -> str:
        values = {**PATH_DEFAULTS, **(path_params or {})}
        path = self.path
        for p in self.params:
            if p["in"] == "path":
                path = path.replace("{" + p["name"] + "}", values[p["name"]])
        return path + (f"?{query}" if query else "")

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        props: dict[str, dict[str, Any]] = (self.body or {}).get("properties", {})
        return props

    def base_body(self) -> dict[str, Any]:
        required = (self.body or {}).get("required", ())
        return {name: sample(name, schema) for name, schema in self.fields.items() if name in required}


def operations(app: Starlette) -> list[Op]:
    with TestClient(app) as client:
        doc = client.get("/openapi.json").json()
    ops = []
    for path, items in doc["paths"].items():
        for method, item in items.items():
            content = item.get("requestBody", {}).get("content", {})
            body_type, body = next(iter(content.items()), (None, {"schema": None}))
            ops.append(Op(method.upper(), path, item.get("parameters", []), body["schema"], body_type))
    return ops


def body_text(body: dict[str, Any], field: str, raw: str) -> bytes:
    """``body`` as JSON (every non-ASCII character escaped, as a hostile client would send a lone
    surrogate) with ``field`` holding the JSON text ``raw``."""
    marker = "\x00HOLE\x00"
    return json.dumps({**body, field: marker}).replace(json.dumps(marker), raw).encode("ascii")


def test_hostile_inputs_in_every_field_of_every_operation(served: Served) -> None:
    ops = operations(served.app)
    sent = 0
    with TestClient(served.app) as client:

        def send(
            op: Op, what: str, url: str, content: Any = None, headers: dict[str, str] | None = None, expect: int = 0
        ) -> None:
            nonlocal sent
            for who in ({}, served.manager):
                r = client.request(op.method, url, content=content, headers={**(headers or {}), **who})
                error_shaped(r.status_code, r.text, f"{op.method} {op.path} {what}")
                assert expect in (0, r.status_code), f"{op.method} {op.path} {what}: {r.status_code} {r.text[:200]}"
                sent += 1

        for op in ops:
            json_body = op.body_type == "application/json"
            if json_body:
                base = op.base_body()
                for field, schema in op.fields.items():
                    values = {**RAW, **{k: json.dumps(v) for k, v in TEXT.items()}}
                    if schema.get("type") == "string":
                        values.update({t: json.dumps(t) for t in TIMES})
                    for what, raw in values.items():
                        send(op, f"body.{field} = {what}", op.url(), body_text(base, field, raw), JSON)
                for what, raw in RAW.items():
                    send(op, f"the whole body = {what}", op.url(), raw.encode(), JSON)
            for param in op.params:
                hostile = [v for v in TEXT.values() if len(v) < 100] + ["x" * 5000, *TIMES]
                for value in hostile:
                    encoded = quote(value, safe="", errors="surrogatepass")
                    if param["in"] == "query":
                        send(op, f"query.{param['name']}", op.url(query=f"{param['name']}={encoded}"))
                    elif param["schema"].get("type") == "string":
                        send(op, f"path.{param['name']}", op.url({param["name"]: encoded}))
                if param["in"] == "path" and param["schema"].get("type") == "integer":
                    for digits in (19, 30, 5000):  # past int64, and past what int() parses at all
                        send(op, f"path.{param['name']} of {digits} digits", op.url({param["name"]: "9" * digits}))
            if op.body is not None:
                too_big = MAX_UPLOAD + 1
                send(op, "a body announced too large", op.url(), b" " * too_big, JSON, expect=413)
                send(op, "a body streamed too large", op.url(), iter([b" " * 65536] * (too_big // 65536 + 1)), JSON)
    assert sent > 1000
