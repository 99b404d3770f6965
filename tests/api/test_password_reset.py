"""A manager gives a clerk who forgot their password a new one: answered once, the old one and
the clerk's sessions end, audited; managers' passwords are an administrator's to reset."""

from __future__ import annotations

from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import Role
from tests.api.conftest import PASSWORD, login


def signs_in(client: TestClient, username: str, password: str) -> bool:
    return client.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200


def test_a_manager_resets_a_clerks_password(client: TestClient, auth: AuthService) -> None:
    li = login(client, "li")
    assert client.get("/api/auth/me", headers=li).status_code == 200
    boss = login(client, "boss")
    r = client.post("/api/halls/t/accounts/li/password", headers=boss)
    assert r.status_code == 200
    fresh = r.json()["password"]
    assert r.json()["username"] == "li" and len(fresh) >= 16
    assert client.get("/api/auth/me", headers=li).status_code == 401  # signed in with the old one: out
    assert not signs_in(client, "li", PASSWORD) and signs_in(client, "li", fresh)
    chosen = client.post("/api/halls/t/accounts/li/password", headers=boss, json={"password": "a new good one"})
    assert chosen.status_code == 200 and chosen.json() == {"username": "li"}  # given, so not echoed
    assert signs_in(client, "li", "a new good one")
    records = auth.accounts.audit_log("t", action="account.password")
    assert [(r.actor, r.target, r.outcome) for r in records] == [("boss", "li", "ok"), ("boss", "li", "ok")]


def test_refusals_name_what_is_wrong_and_change_nothing(client: TestClient, auth: AuthService) -> None:
    auth.create_user("other", PASSWORD, Role.MANAGER, "u")
    auth.create_user("deputy", PASSWORD, Role.MANAGER, "t")
    boss, zhao, other = login(client, "boss"), login(client, "zhao"), login(client, "other")
    url = "/api/halls/t/accounts/li/password"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=zhao).status_code == 403  # a clerk may not
    assert client.post(url, headers=other).status_code == 403  # nor another hall's manager
    short = client.post(url, headers=boss, json={"password": "short"})
    assert short.status_code == 400 and "body.password" in short.json()["error"]["message"]
    extra = client.post(url, headers=boss, json={"password": "a new good one", "role": "admin"})
    assert extra.status_code == 400 and "role" in extra.json()["error"]["message"]
    assert client.post("/api/halls/t/accounts/nobody/password", headers=boss).status_code == 404
    assert client.post("/api/halls/t/accounts/root/password", headers=boss).status_code == 404  # not of the hall
    deputy = client.post("/api/halls/t/accounts/deputy/password", headers=boss)
    assert deputy.status_code == 403 and "clerks" in deputy.json()["error"]["message"]
    assert signs_in(client, "li", PASSWORD) and signs_in(client, "deputy", PASSWORD)  # nothing changed
    root = login(client, "root")
    assert client.post("/api/halls/t/accounts/deputy/password", headers=root).status_code == 200
