"""电子监察 over HTTP, on both backends: the audit log filtered by person, window, action,
outcome and time (the hall's local time without an offset), paged newest first, a bad filter a
400 naming it, and the CSV export of the same rows (UTF-8 with a BOM, read back with the csv
module), capped and saying so, and audited."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.api import audit
from queue_server.auth.service import AuthService
from tests.api.conftest import login
from tests.conftest import FakeClock


@pytest.fixture
def busy(client: TestClient, clock: FakeClock) -> dict[str, dict[str, str]]:
    """li opens window 1 and calls (09:00), zhao opens window 2 at 09:10 and tries window 1
    (denied), li closes window 1 with a ticket still called (rejected) at 09:20."""
    li, zhao, boss = login(client, "li"), login(client, "zhao"), login(client, "boss")
    client.post("/api/halls/t/tickets", json={"service": "A"})
    assert client.post("/api/halls/t/windows/1/open", headers=li).status_code == 200
    assert client.post("/api/halls/t/windows/1/call-next", headers=li).status_code == 200
    clock.advance(600)
    assert client.post("/api/halls/t/windows/2/open", headers=zhao).status_code == 200
    assert client.post("/api/halls/t/windows/1/pause", headers=zhao, json={"reason": "x"}).status_code == 403
    clock.advance(600)
    assert client.post("/api/halls/t/windows/1/close", headers=li).status_code == 409
    return {"li": li, "zhao": zhao, "boss": boss}


def records(client: TestClient, headers: dict[str, str], **params: Any) -> list[tuple[str, str, str, str]]:
    r = client.get("/api/halls/t/audit", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return [(x["actor"], x["action"], x["target"], x["outcome"]) for x in r.json()["records"]]


def test_the_log_is_filtered_by_person_window_action_outcome_and_time(
    client: TestClient, busy: dict[str, dict[str, str]]
) -> None:
    boss = busy["boss"]
    assert records(client, boss, actor="li", action="window.") == [
        ("li", "window.close", "window 1", "rejected"),
        ("li", "window.call-next", "window 1", "ok"),
        ("li", "window.open", "window 1", "ok"),
    ]
    assert records(client, boss, window="2") == [("zhao", "window.open", "window 2", "ok")]
    assert [a for _, a, _, _ in records(client, boss, window="1", actor="zhao")] == ["window.pause"]
    assert records(client, boss, outcome="denied", action="window.") == [("zhao", "window.pause", "window 1", "denied")]
    assert records(client, boss, outcome="rejected") == [("li", "window.close", "window 1", "rejected")]
    # 09:05 to 09:15 in the hall's time, with or without the offset
    middle = [("zhao", "window.pause", "window 1", "denied"), ("zhao", "window.open", "window 2", "ok")]
    assert records(client, boss, action="window.", since="2026-11-23T09:05", until="2026-11-23T09:15") == middle
    utc = "2026-11-23T01:05:00+00:00"
    assert records(client, boss, action="window.", since=utc, until="2026-11-23T09:15") == middle
    assert records(client, boss, action="window%") == []  # a prefix, not a pattern


def test_the_log_pages_back_newest_first(client: TestClient, busy: dict[str, dict[str, str]]) -> None:
    boss = busy["boss"]
    every = client.get("/api/halls/t/audit", headers=boss, params={"action": "window."}).json()
    assert every["more"] is False and len(every["records"]) == 5
    first = client.get("/api/halls/t/audit", headers=boss, params={"action": "window.", "limit": 2}).json()
    assert first["more"] is True and first["records"] == every["records"][:2]
    after = {"action": "window.", "limit": 3, "before_id": first["records"][-1]["id"]}
    rest = client.get("/api/halls/t/audit", headers=boss, params=after).json()
    assert rest["more"] is False and rest["records"] == every["records"][2:]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"outcome": "fine"}, "query.outcome"),
        ({"window": "one"}, "query.window"),
        ({"window": "0"}, "query.window"),
        ({"since": "yesterday"}, "query.since"),
        ({"since": "2026-11-23T10:00", "until": "2026-11-23T09:00"}, "query.until"),
        ({"actor": "x" * 81}, "query.actor"),
        ({"limit": "0"}, "query.limit"),
    ],
)
def test_a_bad_filter_names_its_parameter(client: TestClient, params: dict[str, str], name: str) -> None:
    boss = login(client, "boss")
    for path in ("/api/halls/t/audit", "/api/halls/t/audit/export"):
        if path.endswith("export") and name == "query.limit":
            continue
        r = client.get(path, headers=boss, params=params)
        assert r.status_code == 400 and name in r.json()["error"]["message"], (path, r.text)


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel opens it as UTF-8 then
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_is_the_filtered_log_as_csv(
    client: TestClient, auth: AuthService, busy: dict[str, dict[str, str]]
) -> None:
    boss = busy["boss"]
    shown = client.get("/api/halls/t/audit", headers=boss, params={"actor": "li", "action": "window."}).json()
    r = client.get("/api/halls/t/audit/export", headers=boss, params={"actor": "li", "action": "window."})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="audit-t-20261123.csv"' in r.headers["content-disposition"]
    assert r.headers["x-hallq-export-rows"] == "3" and "x-hallq-export-capped" not in r.headers
    header, *rows = read_csv(r.content)
    assert header == ["编号", "时间", "人员", "操作", "对象", "结果", "IP", "详情"]
    assert [row[0] for row in rows] == [str(x["id"]) for x in shown["records"]]
    assert [(row[1], row[2], row[3], row[4], row[5]) for row in rows] == [
        ("2026-11-23 09:20:00", "li", "window.close", "window 1", "rejected"),
        ("2026-11-23 09:00:00", "li", "window.call-next", "window 1", "ok"),
        ("2026-11-23 09:00:00", "li", "window.open", "window 1", "ok"),
    ]
    assert rows[0][7].startswith("error=") and rows[1][7] == ""  # a refusal keeps its error code
    english = client.get("/api/halls/t/audit/export", headers=boss, params={"window": "2", "lang": "en"})
    header, *rows = read_csv(english.content)
    assert header[:3] == ["id", "time", "actor"] and [row[3] for row in rows] == ["window.open"]
    # Who read the log out is in the log.
    exports = auth.accounts.audit_log("t", action="audit.export")
    assert [(e.actor, e.outcome, e.detail) for e in exports] == [
        ("boss", "ok", {"rows": 1, "capped": False}),
        ("boss", "ok", {"rows": 3, "capped": False}),
    ]


def test_the_export_is_capped_and_says_so(
    client: TestClient, busy: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "MAX_EXPORT", 2)
    r = client.get("/api/halls/t/audit/export", headers=busy["boss"], params={"action": "window."})
    assert r.headers["x-hallq-export-capped"] == "2" and r.headers["x-hallq-export-rows"] == "2"
    _, *rows = read_csv(r.content)
    assert [row[3] for row in rows] == ["window.close", "window.pause"]  # the newest two


def test_the_export_is_for_managers(client: TestClient) -> None:
    assert client.get("/api/halls/t/audit/export").status_code == 401
    assert client.get("/api/halls/t/audit/export", headers=login(client, "li")).status_code == 403
