"""The 账号 and 设备 pages' operations, on both backends: a hall's accounts listed (linked staff,
disabled, held back, last sign-in), an account disabled (no sign-in, its sessions end) and
enabled again, audited; the devices' health history over days of the hall. Refusals name what
is wrong and change nothing."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import Role
from queue_server.service import QueueService
from tests.api.conftest import PASSWORD, login
from tests.conftest import FakeClock


def signs_in(client: TestClient, username: str) -> bool:
    return client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).status_code == 200


def accounts(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, object]]:
    r = client.get("/api/halls/t/accounts", headers=headers)
    assert r.status_code == 200, r.text
    return {a["username"]: a for a in r.json()["accounts"]}


def test_the_halls_accounts_are_listed(client: TestClient, auth: AuthService) -> None:
    boss = login(client, "boss")
    made = client.post("/api/halls/t/accounts", headers=boss, json={"username": "wu", "display_name": "吴敏"})
    assert made.status_code == 201 and made.json()["staff"] == "created"
    for _ in range(5):  # the fifth failure in a row from one address holds that address back
        assert client.post("/api/auth/login", json={"username": "zhao", "password": "wrong one!"}).status_code == 401
    r = client.get("/api/halls/t/accounts", headers=boss)
    assert [a["username"] for a in r.json()["accounts"]] == ["boss", "li", "wu", "zhao"]  # managers first; no admin
    found = accounts(client, boss)
    assert found["wu"] == {
        "username": "wu", "role": "clerk", "display_name": "吴敏", "disabled": False, "staff": "wu",
        "staff_active": True, "locked": False, "locked_until": None, "failures": 0, "last_sign_in": None,
    }  # fmt: skip
    assert found["boss"]["role"] == "manager" and found["boss"]["last_sign_in"] is not None
    assert found["li"]["staff"] is None  # made without the registry (a bare account)
    assert found["zhao"]["locked"] is True and found["zhao"]["failures"] == 5 and found["zhao"]["locked_until"]
    assert client.post("/api/halls/t/accounts/zhao/unlock", headers=boss).status_code == 200
    assert accounts(client, boss)["zhao"]["locked"] is False and accounts(client, boss)["zhao"]["failures"] == 0


def test_only_the_halls_managers_list_its_accounts(client: TestClient, auth: AuthService) -> None:
    auth.create_user("other", PASSWORD, Role.MANAGER, "u")
    assert client.get("/api/halls/t/accounts").status_code == 401
    assert client.get("/api/halls/t/accounts", headers=login(client, "li")).status_code == 403
    assert client.get("/api/halls/t/accounts", headers=login(client, "other")).status_code == 403
    assert client.get("/api/halls/nowhere/accounts", headers=login(client, "boss")).status_code == 404
    assert client.get("/api/halls/t/accounts", headers=login(client, "root")).status_code == 200


def test_a_disabled_clerk_cannot_sign_in_and_is_signed_out(client: TestClient, auth: AuthService) -> None:
    li = login(client, "li")
    boss = login(client, "boss")
    r = client.post("/api/halls/t/accounts/li/disable", headers=boss)
    assert r.status_code == 200
    assert r.json() == {"username": "li", "role": "clerk", "disabled": True, "sessions_ended": 1}
    assert client.get("/api/auth/me", headers=li).status_code == 401
    assert not signs_in(client, "li")
    assert accounts(client, boss)["li"]["disabled"] is True
    again = client.post("/api/halls/t/accounts/li/enable", headers=boss)
    assert again.status_code == 200 and again.json()["disabled"] is False and again.json()["sessions_ended"] == 0
    auth.unlock("li", "t")  # the refused sign-in above held li's address back a moment
    assert signs_in(client, "li")
    records = auth.accounts.audit_log("t", action="account.")
    assert [(r.actor, r.action, r.target, r.outcome) for r in reversed(records)] == [
        ("boss", "account.disable", "li", "ok"),
        ("boss", "account.enable", "li", "ok"),
    ]


def test_refusals_name_what_is_wrong_and_change_nothing(client: TestClient, auth: AuthService) -> None:
    auth.create_user("deputy", PASSWORD, Role.MANAGER, "t")
    auth.create_user("far", PASSWORD, Role.CLERK, "u")
    boss, zhao = login(client, "boss"), login(client, "zhao")
    own = client.post("/api/halls/t/accounts/boss/disable", headers=boss)
    assert own.status_code == 409 and "your own account" in own.json()["error"]["message"]
    assert "自己的账号" in own.json()["error"]["message"]
    deputy = client.post("/api/halls/t/accounts/deputy/disable", headers=boss)
    assert deputy.status_code == 403 and "clerks" in deputy.json()["error"]["message"]
    for name in ("nobody", "root", "far"):  # no such account, an administrator, another hall's
        assert client.post(f"/api/halls/t/accounts/{name}/disable", headers=boss).status_code == 404
    assert client.post("/api/halls/t/accounts/li/disable", headers=zhao).status_code == 403
    assert client.post("/api/halls/t/accounts/li/disable").status_code == 401
    bad = client.post("/api/halls/t/accounts/l%07i/disable", headers=boss)
    assert bad.status_code == 400 and "path.username" in bad.json()["error"]["message"]
    assert all(not a["disabled"] for a in accounts(client, boss).values())
    assert signs_in(client, "boss") and signs_in(client, "deputy") and signs_in(client, "li")
    outcomes = [(r.target, r.outcome) for r in auth.accounts.audit_log("t", action="account.disable")]
    assert ("boss", "rejected") in outcomes and ("deputy", "rejected") in outcomes
    root = login(client, "root")
    assert client.post("/api/halls/t/accounts/deputy/disable", headers=root).json()["disabled"] is True
    assert not signs_in(client, "deputy")


def test_the_devices_health_history(client: TestClient, service: QueueService, clock: FakeClock) -> None:
    service.report_device("t", "p1", kind="printer", state="online")
    clock.advance(3600)
    service.report_device("t", "led3", kind="window_led", state="online", window=3)
    clock.advance(60)
    service.report_device("t", "p1", kind="printer", state="offline", error="纸尽 / paper out")
    clock.advance(86400)
    service.report_device("t", "p1", kind="printer", state="online")
    boss = login(client, "boss")
    r = client.get("/api/halls/t/devices/history", headers=boss)
    assert r.status_code == 200
    changes = r.json()["changes"]
    assert [(c["device"], c["from"], c["to"]) for c in changes] == [
        ("p1", "offline", "online"), ("p1", "online", "offline"), ("led3", None, "online"), ("p1", None, "online"),
    ]  # fmt: skip
    assert (
        changes[1]["error"] == "纸尽 / paper out" and changes[2]["window"] == 3 and changes[2]["kind"] == "window_led"
    )
    today = service.business_day("t")
    assert r.json()["to"] == today.isoformat() and r.json()["from"] == (today - timedelta(days=6)).isoformat()
    yesterday = (today - timedelta(days=1)).isoformat()
    one_day = client.get(f"/api/halls/t/devices/history?from={yesterday}&to={yesterday}", headers=boss).json()
    assert [c["to"] for c in one_day["changes"]] == ["offline", "online", "online"]
    p1 = client.get("/api/halls/t/devices/history?device=p1&limit=2", headers=boss).json()["changes"]
    assert [c["to"] for c in p1] == ["online", "offline"]


def test_the_history_refuses_bad_ranges_by_name(client: TestClient, service: QueueService) -> None:
    boss = login(client, "boss")
    url = "/api/halls/t/devices/history"
    today = service.business_day("t")
    cases = {
        f"?from={today}&to={today - timedelta(days=1)}": "to",
        f"?from={today - timedelta(days=40)}&to={today}": "to",
        "?from=2026-13-01": "query.from",
        "?limit=0": "query.limit",
        "?device=p%001": "query.device",
    }
    for q, field in cases.items():
        r = client.get(url + q, headers=boss)
        assert r.status_code == 400 and field in r.json()["error"]["message"], (q, r.text)
    assert client.get(url, headers=login(client, "li")).status_code == 403


def test_pausing_a_service_needs_a_reason_and_the_kiosk_hears_it(client: TestClient, service: QueueService) -> None:
    """What the 事项 page sends: a pause without a reason is refused naming it, and changes nothing."""
    boss = login(client, "boss")
    for body in ({}, {"reason": "  "}, {"reason": 3}):
        r = client.post("/api/halls/t/services/A/pause", headers=boss, json=body)
        assert r.status_code == 400 and "body.reason" in r.json()["error"]["message"], body
    assert client.post("/api/halls/t/services/Z/pause", headers=boss, json={"reason": "维护"}).status_code == 404
    assert client.post("/api/halls/t/tickets", json={"service": "A"}).status_code == 201  # still issuing
    paused = client.post("/api/halls/t/services/A/pause", headers=boss, json={"reason": "系统维护"})
    assert paused.status_code == 200
    hall = client.get("/api/halls/t").json()
    assert next(s for s in hall["services"] if s["code"] == "A")["paused_reason"] == "系统维护"
    refused = client.post("/api/halls/t/tickets", json={"service": "A"})
    assert refused.status_code == 409 and "系统维护" in refused.json()["error"]["message"]
    assert client.post("/api/halls/t/services/A/resume", headers=boss).status_code == 200
    assert client.post("/api/halls/t/tickets", json={"service": "A"}).status_code == 201
