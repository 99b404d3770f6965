"""The HTTP API against a real store on both backends."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import DeviceKind
from tests.api.conftest import PASSWORD, login


def error(r: object) -> str:
    code: str = r.json()["error"]["code"]  # type: ignore[attr-defined]
    return code


def test_public_hall_view(client: TestClient) -> None:
    r = client.get("/api/halls/t")
    assert r.status_code == 200
    body = r.json()
    assert body["slug"] == "t" and body["name_zh"] == "测试大厅"
    services = {s["code"]: s for s in body["services"]}
    assert services["A"]["available"] and not services["D"]["available"]
    assert [w["number"] for w in body["windows"]] == [1, 2, 3]
    assert client.get("/api/halls/nope").status_code == 404
    assert error(client.get("/api/halls/nope")) == "not_found"


def test_phone_takes_a_number_and_follows_it(client: TestClient) -> None:
    r = client.post("/api/halls/t/tickets", json={"service": "A"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["number"], t["ahead"], t["priority"]) == ("A001", 0, "normal")
    assert t["track_url"] == f"/t/{t['id']}?token={t['token']}"
    status = client.get(f"/api/tickets/{t['id']}", params={"token": t["token"]})
    assert status.status_code == 200 and status.json()["state"] == "waiting"
    assert client.get(f"/api/tickets/{t['id']}", params={"token": "guess"}).status_code == 404
    assert client.get(f"/api/tickets/{10**30}", params={"token": "x"}).status_code == 404
    cancelled = client.post(f"/api/tickets/{t['id']}/cancel", params={"token": t["token"]})
    assert cancelled.json()["state"] == "cancelled"
    again = client.post(f"/api/tickets/{t['id']}/cancel", params={"token": t["token"]})
    assert again.status_code == 409 and error(again) == "invalid_transition"


def test_the_status_says_what_each_person_ahead_adds_to_the_wait(client: TestClient) -> None:
    tickets = [client.post("/api/halls/t/tickets", json={"service": "A"}).json() for _ in range(3)]
    last = tickets[-1]
    status = client.get(f"/api/tickets/{last['id']}", params={"token": last["token"]}).json()
    assert status["ahead"] == 2
    # No window open: no estimate, and the page is told why; each person counts the configured
    # 10 minutes (as if one window served them) for when one opens.
    assert status["seconds_per_person"] == 600.0
    assert (status["estimated_wait_s"], status["no_open_window"]) == (None, True)


def test_phone_cannot_claim_priority_and_is_rate_limited(client: TestClient) -> None:
    r = client.post("/api/halls/t/tickets", json={"service": "A", "priority": "elderly"})
    assert r.status_code == 403
    codes = [client.post("/api/halls/t/tickets", json={"service": "A"}).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    limited = client.post("/api/halls/t/tickets", json={"service": "A"})
    assert int(limited.headers["retry-after"]) >= 1


def test_kiosk_token_issues_priority_tickets(client: TestClient, auth: AuthService) -> None:
    _, secret = auth.create_device_token(DeviceKind.KIOSK, "t", "一楼取号机")
    r = client.post(
        "/api/halls/t/tickets",
        json={"service": "A", "priority": "elderly"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert r.status_code == 201 and r.json()["priority"] == "elderly"
    _, display = auth.create_device_token(DeviceKind.DISPLAY, "t")
    r = client.post("/api/halls/t/tickets", json={"service": "A"}, headers={"Authorization": f"Bearer {display}"})
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"{}", "body.service is required"),
        (b'{"service": 7}', "body.service must be a string"),
        (b'{"service": "A", "colour": "red"}', "unknown field body.colour"),
        (b'{"service": "Z"}', "unknown service 'Z'"),
        (b'{"service": "D"}', "no window serves service D"),
    ],
)
def test_bad_issue_requests_say_what_is_wrong(client: TestClient, body: bytes, fragment: str) -> None:
    r = client.post("/api/halls/t/tickets", content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    assert fragment in r.json()["error"]["message"]
    assert client.get("/api/halls/t").json()["services"][0]["waiting"] == 0


def test_clerk_works_a_window_and_cannot_touch_another(client: TestClient, auth: AuthService) -> None:
    li = login(client, "li")
    zhao = login(client, "zhao")
    client.post("/api/halls/t/tickets", json={"service": "A"})
    assert client.post("/api/halls/t/windows/1/open", headers=li).json()["window"]["staff"] == "li"
    called = client.post("/api/halls/t/windows/1/call-next", headers=li)
    assert called.status_code == 200 and called.json()["ticket"]["number"] == "A001"
    denied = client.post("/api/halls/t/windows/1/finish", headers=zhao)
    assert denied.status_code == 403 and "belongs to li" in denied.json()["error"]["message"]
    assert client.post("/api/halls/t/windows/1/start", headers=li).status_code == 200
    assert client.post("/api/halls/t/windows/1/finish", headers=li).json()["ticket"]["state"] == "done"
    assert client.post("/api/halls/t/windows/1/call-next", headers=li).status_code == 204
    elsewhere = client.post("/api/halls/t/windows/2/open", headers=li)  # a clerk holds one window
    assert elsewhere.status_code == 409 and error(elsewhere) == "staff_at_window"
    assert "already holds window 1" in elsewhere.json()["error"]["message"]
    denials = auth.accounts.audit_log("t", outcome="denied")
    assert [(r.actor, r.action) for r in denials] == [("zhao", "window.finish")]
    assert [(r.actor, r.action) for r in auth.accounts.audit_log("t", outcome="rejected")] == [("li", "window.open")]
    assert client.post("/api/halls/t/windows/1/finish").status_code == 401


def test_window_action_errors(client: TestClient) -> None:
    li = login(client, "li")
    assert client.post("/api/halls/t/windows/9/open", headers=li).status_code == 404
    assert client.post("/api/halls/t/windows/1/dance", headers=li).status_code == 404
    assert client.post("/api/halls/t/windows/99999/open", headers=li).status_code == 404
    client.post("/api/halls/t/windows/1/open", headers=li)
    r = client.post("/api/halls/t/windows/1/pause", headers=li, json={})
    assert r.status_code == 400 and "body.reason is required" in r.json()["error"]["message"]
    r = client.post("/api/halls/t/windows/1/finish", headers=li)
    assert r.status_code == 409 and error(r) == "invalid_transition"
    r = client.post("/api/halls/t/windows/1/transfer", headers=li, json={"reason": "x"})
    assert r.status_code == 400


def test_cookie_sessions_need_the_csrf_token(client: TestClient) -> None:
    r = client.post("/api/auth/login", json={"username": "li", "password": PASSWORD})
    assert r.status_code == 200 and "token" not in r.json()
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("samesite", "SameSite")
    csrf = r.json()["csrf_token"]
    assert client.post("/api/halls/t/windows/1/open").status_code == 403  # cookie, no CSRF token
    ok = client.post("/api/halls/t/windows/1/open", headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    cross = client.post(
        "/api/halls/t/windows/1/pause",
        json={"reason": "午休"},
        headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
    )
    assert cross.status_code == 403
    assert client.get("/api/auth/me").json()["name"] == "li"
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_brute_force_login_is_stopped(client: TestClient) -> None:
    codes = [
        client.post("/api/auth/login", json={"username": "li", "password": "wrong guess"}).status_code for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    assert client.post("/api/auth/login", json={"username": "li", "password": PASSWORD}).status_code == 429


def test_manager_changes_services_and_manages_tokens(client: TestClient) -> None:
    boss = login(client, "boss")
    li = login(client, "li")
    r = client.put("/api/halls/t/windows/3/services", headers=boss, json={"services": {"C": 1, "D": 2}})
    assert r.status_code == 200 and r.json()["window"]["services"] == {"C": 1.0, "D": 2.0}
    assert client.put("/api/halls/t/windows/3/services", headers=li, json={"services": {"C": 1}}).status_code == 403
    bad = client.put("/api/halls/t/windows/3/services", headers=boss, json={"services": {"C": "lots"}})
    assert bad.status_code == 400 and "body.services.C" in bad.json()["error"]["message"]
    made = client.post("/api/halls/t/tokens", headers=boss, json={"kind": "display", "label": "综合屏"})
    assert made.status_code == 201
    secret = made.json()["token"]
    display = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/auth/me", headers=display).json()["device"] == "display"
    listed = client.get("/api/halls/t/tokens", headers=boss).json()["tokens"]
    assert [t["label"] for t in listed] == ["综合屏"] and "token" not in listed[0]
    assert client.delete(f"/api/halls/t/tokens/{made.json()['id']}", headers=boss).json()["revoked_at"]
    assert client.get("/api/auth/me", headers=display).status_code == 401
    assert client.post("/api/halls/t/tokens", headers=boss, json={"kind": "robot"}).status_code == 400


def test_audit_log_is_filterable_and_for_managers(client: TestClient) -> None:
    boss = login(client, "boss")
    li = login(client, "li")
    client.post("/api/halls/t/windows/1/open", headers=li)
    client.post("/api/halls/t/windows/1/call-next", headers=li)
    assert client.get("/api/halls/t/audit", headers=li).status_code == 403
    records = client.get("/api/halls/t/audit", headers=boss, params={"actor": "li", "action": "window."}).json()
    assert [r["action"] for r in records["records"]] == ["window.call-next", "window.open"]
    r = client.get("/api/halls/t/audit", headers=boss, params={"limit": "many"})
    assert r.status_code == 400 and "query.limit" in r.json()["error"]["message"]


def test_administrator_reaches_every_hall_and_unknown_routes_are_json(client: TestClient) -> None:
    root = login(client, "root")
    assert client.post("/api/halls/t/windows/2/open", headers=root).status_code == 200
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and error(r) == "not_found"
    assert client.delete("/api/halls/t").status_code == 405


def test_openapi_document_lists_every_route(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/halls/{hall}/tickets" in doc["paths"]
    assert "post" in doc["paths"]["/api/halls/{hall}/windows/{window}/{action}"]
    issue = doc["paths"]["/api/halls/{hall}/tickets"]["post"]
    assert issue["requestBody"]["content"]["application/json"]["schema"]["required"] == ["service"]
    assert "429" in issue["responses"]


def test_manager_pauses_and_resumes_issuing_for_a_service(client: TestClient) -> None:
    boss = login(client, "boss")
    li = login(client, "li")
    assert client.post("/api/halls/t/services/A/pause", headers=boss, json={}).status_code == 400
    assert client.post("/api/halls/t/services/A/pause", headers=li, json={"reason": "x"}).status_code == 403
    r = client.post("/api/halls/t/services/A/pause", headers=boss, json={"reason": "今日号源已满"})
    assert r.status_code == 200
    assert client.post("/api/halls/t/services/A/pause", headers=boss, json={"reason": "again"}).status_code == 409
    refused = client.post("/api/halls/t/tickets", json={"service": "A"})
    assert refused.status_code == 409 and "今日号源已满" in refused.json()["error"]["message"]
    public = {s["code"]: s for s in client.get("/api/halls/t").json()["services"]}
    assert public["A"]["paused_reason"] == "今日号源已满" and not public["A"]["available"]
    assert client.post("/api/halls/t/services/Z/pause", headers=boss, json={"reason": "x"}).status_code == 404
    assert client.post("/api/halls/t/services/A/resume", headers=boss).status_code == 200
    issued = client.post("/api/halls/t/tickets", json={"service": "A"})
    assert issued.status_code == 201 and issued.json()["number"] == "A001"  # the refused one spent no number


def test_a_manager_opens_a_window_for_a_clerk(client: TestClient) -> None:
    boss = login(client, "boss")
    li = login(client, "li")
    r = client.post("/api/halls/t/windows/2/open", headers=boss, json={"staff": "zhao"})
    assert r.status_code == 200 and r.json()["window"]["staff"] == "zhao"
    assert client.post("/api/halls/t/windows/3/open", headers=li, json={"staff": "zhao"}).status_code == 403


def test_tokens_with_any_characters_are_just_wrong(client: TestClient) -> None:
    t = client.post("/api/halls/t/tickets", json={"service": "A"}).json()
    assert client.get(f"/api/tickets/{t['id']}", params={"token": "票号"}).status_code == 404
    r = client.post(f"/api/tickets/{t['id']}/evaluation", json={"score": 5, "token": "ǅ"})
    assert r.status_code == 404
