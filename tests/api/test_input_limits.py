"""Hostile input gets the API's JSON error with a 4xx naming the field, on SQLite and PostgreSQL
alike: unpaired surrogates, NUL and other control characters (in bodies, query strings, path
parameters and CSV cells), JSON nested deeper than the parser can recurse, dates and times at
the edge of what datetime holds, and bodies too large to read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

import reports
from queue_server.api.body import MAX_BODY, MAX_DEPTH, MAX_UPLOAD, too_deep
from queue_server.auth.service import AuthService
from queue_server.principal import DeviceKind
from queue_server.service import QueueService
from tests.api.conftest import login, room_client
from tests.conftest import FakeClock


def refused(r: Any, status: int, *names: str) -> str:
    """``r`` is the API's error shape with ``status``; its message names each of ``names``."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert isinstance(body["error"]["code"], str) and "Traceback" not in r.text
    message: str = body["error"]["message"]
    for name in names:
        assert name in message, (name, message)
    return message


def raw_json(body: object) -> bytes:
    """``body`` as JSON text with every non-ASCII character escaped, so a lone surrogate
    travels as ``\\ud800`` exactly as a hostile client would send it."""
    return json.dumps(body).encode("ascii")


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(service, auth, reports.plugin) as c:
        yield c


@pytest.fixture
def boss(client: TestClient) -> dict[str, str]:
    return login(client, "boss")


SLOT = {"code": "YY1", "service": "A", "slot_start": "2026-11-23T10:00:00", "slot_end": "2026-11-23T10:30:00"}

# (method, path, body, the field under test, signed in as the manager). The field holds "{X}".
TEXT_FIELDS: list[tuple[str, str, dict[str, Any], str, bool]] = [
    ("POST", "/api/auth/login", {"username": "{X}", "password": "p"}, "username", False),
    ("POST", "/api/auth/login", {"username": "boss", "password": "{X}"}, "password", False),
    ("POST", "/api/halls/t/tickets", {"service": "{X}"}, "service", False),
    ("POST", "/api/halls/t/tickets", {"service": "A", "print": "{X}"}, "print", True),
    ("POST", "/api/halls/t/tickets", {"service": "A", "priority": "{X}"}, "priority", False),
    ("POST", "/api/halls/t/appointments/check-in", {"code": "{X}"}, "code", False),
    ("POST", "/api/halls/t/notices", {"text_zh": "{X}"}, "text_zh", True),
    ("POST", "/api/halls/t/notices", {"text_zh": "通知", "text_en": "{X}"}, "text_en", True),
    ("POST", "/api/halls/t/notices", {"text_zh": "通知", "expires_at": "{X}"}, "expires_at", True),
    ("POST", "/api/halls/t/tokens", {"kind": "display", "label": "{X}"}, "label", True),
    ("POST", "/api/halls/t/appointments", {**SLOT, "code": "{X}"}, "code", True),
    ("POST", "/api/halls/t/appointments", {**SLOT, "name": "{X}"}, "name", True),
    ("POST", "/api/halls/t/appointments", {**SLOT, "slot_start": "{X}"}, "slot_start", True),
    ("POST", "/api/halls/t/windows/1/open", {"staff": "{X}"}, "staff", True),
    ("POST", "/api/halls/t/windows/1/pause", {"reason": "{X}"}, "reason", True),
    ("POST", "/api/halls/t/windows/1/hold", {"reason": "{X}"}, "reason", True),
    ("POST", "/api/halls/t/windows/1/transfer", {"service": "B", "reason": "{X}"}, "reason", True),
    ("POST", "/api/halls/t/windows/1/call/1", {"reason": "{X}"}, "reason", True),
    ("POST", "/api/halls/t/services/A/pause", {"reason": "{X}"}, "reason", True),
    ("POST", "/api/halls/t/evaluations/1/follow-up", {"note": "{X}"}, "note", True),
    ("POST", "/api/tickets/1/evaluation", {"score": 5, "comment": "{X}"}, "comment", False),
    ("POST", "/api/tickets/1/evaluation", {"score": 5, "token": "{X}"}, "token", False),
    ("PUT", "/api/halls/t/devices/led-1", {"kind": "window_led", "state": "online", "error": "{X}"}, "error", True),
    ("PUT", "/api/halls/t/windows/1/services", {"services": {"{X}": 1.0}}, "services", True),
]
# Fields that hold several lines: a notice body, a rating's comment, a follow-up note.
MULTILINE = {"text_zh", "text_en", "comment", "note"}

HOSTILE = {
    "surrogate": "\ud800",
    "surrogate-inside": "a\udfffb",
    "nul": "a\x00b",
    "escape": "\x1b[31m红",
    "del": "x\x7f",
    "c1": "x\x85y",
    "newline": "一\n二",
}


def _fill(value: Any, x: str) -> Any:
    if value == "{X}":
        return x
    if isinstance(value, dict):
        return {_fill(k, x): _fill(v, x) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "field", "manager"), TEXT_FIELDS)
def test_text_fields_refuse_surrogates_and_control_characters(
    client: TestClient,
    boss: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    manager: bool,
) -> None:
    headers = {"content-type": "application/json", **(boss if manager else {})}
    for hostile, value in HOSTILE.items():
        r = client.request(method, path, content=raw_json(_fill(body, value)), headers=headers)
        if hostile == "newline" and field in MULTILINE:
            assert r.status_code < 500 and "body." + field not in r.text, r.text  # a line break is allowed there
            continue
        message = refused(r, 400, f"body.{field}")
        assert "U+" in message, (hostile, message)  # says which character


def test_a_notice_keeps_its_line_breaks(client: TestClient, boss: dict[str, str]) -> None:
    r = client.post("/api/halls/t/notices", headers=boss, json={"text_zh": "今天\n中午不停歇", "text_en": "a\tb"})
    assert r.status_code == 201, r.text
    assert r.json()["text_zh"] == "今天\n中午不停歇"


def test_a_refusal_quoting_a_surrogate_is_still_json(client: TestClient) -> None:
    """An unknown key holding a lone surrogate is named in the message, written as an escape."""
    r = client.post("/api/halls/t/tickets", content=b'{"service": "A", "\\ud800x": 1}')
    message = refused(r, 400, "unknown field")
    assert "\\ud800x" in message


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/halls/t/audit?actor=a%00b", "query.actor"),
        ("/api/halls/t/audit?action=window.%01", "query.action"),
        ("/api/halls/t/audit?since=0001-01-01T00:00:00%2B14:00", "query.since"),
        ("/api/halls/t/audit?until=9999-12-31T23:59:59-14:00", "query.until"),
        ("/api/halls/t/audit?act%00or=x", "query.act"),
        ("/api/halls/t/evaluations?from=0001-01-01", "query.from"),
        ("/api/halls/t/evaluations?to=9999-12-31", "query.to"),
        ("/api/halls/t/evaluations?from=9999-12-31", "query.from"),
        ("/api/halls/t/reports/daily?date=9999-12-31", "query.date"),
        ("/api/halls/t/reports/daily?date=0001-01-01", "query.date"),
        ("/api/tickets/1?token=%00", "query.token"),
        ("/api/halls/t%00", "path.hall"),
    ],
)
def test_query_strings_refuse_control_characters_and_extreme_dates(
    client: TestClient, boss: dict[str, str], url: str, name: str
) -> None:
    refused(client.get(url, headers=boss), 400, name)


@pytest.mark.parametrize(
    ("method", "url", "name"),
    [
        ("DELETE", "/api/halls/t/appointments/a%00b", "path.code"),
        ("DELETE", "/api/halls/t/appointments/a%1Bb", "path.code"),
        ("PUT", "/api/halls/t/devices/led%00", "path.device"),
        ("POST", "/api/halls/t/services/A%00/pause", "path.service"),
    ],
)
def test_path_parameters_refuse_control_characters(
    client: TestClient, boss: dict[str, str], method: str, url: str, name: str
) -> None:
    body = {"kind": "window_led", "state": "online"} if method == "PUT" else {"reason": "x"}
    refused(client.request(method, url, headers=boss, json=body), 400, name)


@pytest.mark.parametrize(
    "url", ["/api/tickets/" + "9" * 5000, "/api/halls/t/windows/" + "9" * 5000 + "/open", "/api/halls/" + "t" * 3000]
)
def test_a_path_longer_than_any_served_is_refused(client: TestClient, boss: dict[str, str], url: str) -> None:
    method = "POST" if url.endswith("/open") else "GET"
    assert refused(client.request(method, url, headers=boss), 414)
    assert client.get("/api/tickets/" + "9" * 30).status_code == 404  # a long id that fits is simply not found


def test_a_path_parameter_longer_than_anything_stored_is_not_found(client: TestClient, boss: dict[str, str]) -> None:
    refused(client.delete("/api/halls/t/appointments/" + "y" * 500, headers=boss), 404)
    refused(
        client.put("/api/halls/t/devices/" + "d" * 500, headers=boss, json={"kind": "printer", "state": "online"}), 404
    )


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"text_zh": "通知", "expires_at": "9999-12-31T23:59:59-14:00"}, "body.expires_at"),
        ({"text_zh": "通知", "expires_at": "0001-01-01T00:00:00+14:00"}, "body.expires_at"),
        ({"text_zh": "通知", "expires_at": "9999-12-31T23:59:59"}, "body.expires_at"),
    ],
)
def test_notice_expiry_at_the_edge_of_time(
    client: TestClient, boss: dict[str, str], body: dict[str, Any], name: str
) -> None:
    refused(client.post("/api/halls/t/notices", headers=boss, json=body), 400, name)


@pytest.mark.parametrize(
    ("start", "end", "name"),
    [
        ("9999-12-31T09:00:00", "9999-12-31T10:00:00", "body.slot_start"),
        ("2026-11-23T09:00:00", "9999-12-31T23:59:59-14:00", "body.slot_end"),
        ("0001-01-01T00:00:00+14:00", "2026-11-23T10:00:00", "body.slot_start"),
    ],
)
def test_appointments_at_the_edge_of_time(
    client: TestClient, boss: dict[str, str], start: str, end: str, name: str
) -> None:
    body = {**SLOT, "slot_start": start, "slot_end": end}
    refused(client.post("/api/halls/t/appointments", headers=boss, json=body), 400, name)


HEADER = "code,service,slot_start,slot_end,name\n"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("YY9,A,{s},{e},张\x00三\n", "name"),
        ("YY9,A,{s},{e},张\x01三\n", "name"),
        ('YY9,A,{s},{e},"张\n三"\n', "name"),
        ("YY\ufffe\x00,A,{s},{e},张三\n", "code"),
        ("YY9,A,9999-12-31T23:59:59-14:00,{e},张三\n", "slot_start"),
        ("YY9,A,{s},0001-01-01T00:00:00+14:00,张三\n", "slot_end"),
    ],
)
def test_csv_cells_are_text_and_times_in_range(
    client: TestClient, boss: dict[str, str], clock: FakeClock, row: str, column: str
) -> None:
    s, e = (clock.now + timedelta(minutes=20)).isoformat(), (clock.now + timedelta(minutes=40)).isoformat()
    good = f"YY8,B,{s},{e},李四\n"
    csv_text = HEADER + good + row.format(s=s, e=e)
    r = client.post("/api/halls/t/appointments/import", headers=boss, content=csv_text.encode())
    refused(r, 400, "line 3", f"column {column}")
    # All rows or none: the good row was not stored either.
    assert client.post("/api/halls/t/appointments/check-in", json={"code": "YY8"}).status_code == 404


def test_a_clean_csv_still_imports(client: TestClient, boss: dict[str, str], clock: FakeClock) -> None:
    s, e = (clock.now + timedelta(minutes=20)).isoformat(), (clock.now + timedelta(minutes=40)).isoformat()
    r = client.post(
        "/api/halls/t/appointments/import", headers=boss, content=(HEADER + f"YY8,B,{s},{e},李 四\n").encode()
    )
    assert r.status_code == 201 and r.json() == {"imported": 1}, r.text


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/api/halls/t/tickets", '{"service": ' + nested(1000) + "}"),
        ("/api/auth/login", nested(1000)),
        ("/api/halls/t/appointments/check-in", '{"code": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"),
        ("/api/halls/t/tickets", "[" * 100_000),  # unterminated: refused before the parser recurses
    ],
)
def test_deep_json_is_refused_before_parsing(client: TestClient, path: str, text: str) -> None:
    refused(client.post(path, content=text.encode()), 400, f"deeper than {MAX_DEPTH}")


def test_nesting_up_to_the_limit_is_parsed(client: TestClient) -> None:
    message = refused(
        client.post("/api/halls/t/tickets", content=('{"service": ' + nested(MAX_DEPTH - 1) + "}").encode()), 400
    )
    assert "body.service must be a string" in message


def test_brackets_inside_strings_do_not_count() -> None:
    assert not too_deep(json.dumps({"text": "[" * 1000 + "{" * 1000}))
    assert not too_deep('{"a": "\\"[[[[' + "[" * 100 + '"}')  # an escaped quote does not end the string
    assert too_deep('["\\\\", ' + nested(40) + "]")  # an escaped backslash does end it
    assert not too_deep(nested(MAX_DEPTH)) and too_deep(nested(MAX_DEPTH + 1))


@pytest.mark.parametrize("weight", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_weights_must_be_finite_numbers(client: TestClient, boss: dict[str, str], weight: str) -> None:
    text = '{"services": {"A": ' + weight + "}}"
    refused(client.put("/api/halls/t/windows/1/services", headers=boss, content=text.encode()), 400, "body")


def test_a_body_that_is_not_utf8_is_refused(client: TestClient) -> None:
    refused(client.post("/api/halls/t/tickets", content=b'{"service": "\xed\xa0\x80"}'), 400, "UTF-8")


def test_bodies_larger_than_an_endpoint_reads_are_refused(client: TestClient, boss: dict[str, str]) -> None:
    big_json = raw_json({"service": "A", "print": "x" * (MAX_BODY + 10)})
    assert refused(client.post("/api/halls/t/tickets", content=big_json), 413)
    assert client.post("/api/halls/t/tickets", content=big_json).json()["error"]["code"] == "body_too_large"
    big_csv = (HEADER + "x" * (MAX_UPLOAD + 10)).encode()
    refused(client.post("/api/halls/t/appointments/import", headers=boss, content=big_csv), 413)
    # The next request on the same client is served as usual.
    assert client.post("/api/halls/t/tickets", json={"service": "A"}).status_code == 201


def test_a_device_report_error_with_a_newline_is_refused_but_a_served_rating_comment_keeps_it(
    client: TestClient, auth: AuthService, service: QueueService
) -> None:
    li = login(client, "li")
    ticket = client.post("/api/halls/t/tickets", json={"service": "A"}).json()
    for action in ("open", "call-next", "start", "finish"):
        assert client.post(f"/api/halls/t/windows/1/{action}", headers=li).status_code == 200
    r = client.post(
        f"/api/tickets/{ticket['id']}/evaluation",
        json={"score": 2, "token": ticket["token"], "comment": "等太久\n态度好"},
    )
    assert r.status_code == 201, r.text
    _, agent = auth.create_device_token(DeviceKind.AGENT, "t")
    bad = client.put(
        "/api/halls/t/devices/led-1",
        headers={"Authorization": f"Bearer {agent}"},
        json={"kind": "window_led", "state": "offline", "error": "timeout\nretrying"},
    )
    refused(bad, 400, "body.error")
