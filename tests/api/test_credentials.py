"""A request that presents a credential is served as its owner or refused (401, or 4401 on a
WebSocket), never as somebody else (an anonymous visitor included); and a manager clears an
account's sign-in throttle. On both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from queue_server.auth.service import COOKIE, AuthService
from queue_server.principal import DeviceKind, Role
from queue_server.realtime import Hub, LocalBus, realtime_plugin
from queue_server.service import QueueService
from tests.api.conftest import PASSWORD, login, room_client
from tests.conftest import FakeClock


def waiting(client: TestClient) -> int:
    return sum(s["waiting"] for s in client.get("/api/halls/t").json()["services"])


def refused_401(r: object) -> str:
    assert r.status_code == 401, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["error"]["code"] == "unauthorized"
    message: str = body["error"]["message"]
    return message


@pytest.fixture
def live(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    """A client of a server with the HTTP API and the realtime channels."""
    hub = Hub(service, LocalBus())
    with room_client(service, auth, lambda s, api: realtime_plugin(hub, api.authenticate)) as c:
        yield c


def close_code(client: TestClient, path: str, headers: dict[str, str] | None = None) -> int:
    """The code the server closes the channel at ``path`` with (0: it sent a snapshot instead)."""
    with client.websocket_connect(path, headers=headers or {}) as ws:
        try:
            first = ws.receive_json()
        except WebSocketDisconnect as closed:
            return closed.code
        assert first["type"] == "snapshot"
        return 0


def test_a_revoked_kiosk_token_issues_nothing(client: TestClient, auth: AuthService) -> None:
    token, secret = auth.create_device_token(DeviceKind.KIOSK, "t", "取号机")
    kiosk = {"Authorization": f"Bearer {secret}"}
    assert client.post("/api/halls/t/tickets", json={"service": "A"}, headers=kiosk).status_code == 201
    auth.revoke_device_token(token.id, "t")
    message = refused_401(client.post("/api/halls/t/tickets", json={"service": "A"}, headers=kiosk))
    assert "revoked" in message
    assert waiting(client) == 1  # not served as a phone either
    # The same for the other endpoints an anonymous visitor may also use.
    refused_401(client.post("/api/halls/t/appointments/check-in", json={"code": "X1"}, headers=kiosk))
    refused_401(client.post("/api/tickets/1/evaluation", json={"score": 5}, headers=kiosk))


@pytest.mark.parametrize(
    "authorization",
    ["Bearer hqd_not-a-token-we-made", "Bearer hqs_not-a-session", "Bearer something-else", "Basic bGk6cHc=", "Bearer"],
)
def test_unknown_or_malformed_bearers_are_refused(client: TestClient, authorization: str) -> None:
    refused_401(client.post("/api/halls/t/tickets", json={"service": "A"}, headers={"Authorization": authorization}))
    refused_401(client.get("/api/auth/me", headers={"Authorization": authorization}))
    assert waiting(client) == 0


def test_a_token_in_an_http_query_string_is_refused(client: TestClient, auth: AuthService) -> None:
    _, secret = auth.create_device_token(DeviceKind.KIOSK, "t")
    message = refused_401(client.post(f"/api/halls/t/tickets?access_token={secret}", json={"service": "A"}))
    assert "Authorization" in message
    assert waiting(client) == 0


def test_expired_and_forged_session_cookies_are_refused(client: TestClient, clock: FakeClock) -> None:
    signed_in = client.post("/api/auth/login", json={"username": "li", "password": PASSWORD})
    cookie = signed_in.cookies[COOKIE]
    csrf = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
    client.cookies.clear()
    forged = {"cookie": f"{COOKIE}={cookie[:-2]}xx"}
    refused_401(client.post("/api/halls/t/tickets", json={"service": "A"}, headers={**forged, **csrf}))
    refused_401(client.get("/api/auth/me", headers=forged))
    valid = {"cookie": f"{COOKIE}={cookie}"}
    assert client.get("/api/auth/me", headers=valid).json()["name"] == "li"
    clock.advance(13 * 3600)  # past the 12-hour session
    message = refused_401(client.post("/api/halls/t/tickets", json={"service": "A"}, headers={**valid, **csrf}))
    assert "expired" in message
    assert waiting(client) == 0
    # Signing out with a dead cookie still clears it.
    out = client.post("/api/auth/logout", headers=valid)
    assert out.status_code == 204 and f"{COOKIE}=" in out.headers["set-cookie"]


def test_a_revoked_or_unknown_token_is_refused_on_every_channel(live: TestClient, auth: AuthService) -> None:
    token, secret = auth.create_device_token(DeviceKind.DISPLAY, "t")
    for path in ("/ws/halls/t", "/ws/halls/t/windows/1"):
        assert close_code(live, f"{path}?access_token={secret}") == 0
    auth.revoke_device_token(token.id, "t")
    for path in ("/ws/halls/t", "/ws/halls/t/windows/1"):
        assert close_code(live, f"{path}?access_token={secret}") == 4401
        assert close_code(live, path, {"Authorization": f"Bearer {secret}"}) == 4401
        assert close_code(live, f"{path}?access_token=hqd_never-made") == 4401
        assert close_code(live, f"{path}?access_token=") == 4401
        assert close_code(live, path, {"Authorization": "Basic bGk6cHc="}) == 4401


def test_a_bad_credential_is_not_rescued_by_another(live: TestClient, auth: AuthService, clock: FakeClock) -> None:
    r = live.post("/api/auth/login", json={"username": "boss", "password": PASSWORD})
    live.cookies.clear()
    good_cookie = {"cookie": f"{COOKIE}={r.cookies[COOKIE]}"}
    assert close_code(live, "/ws/halls/t", good_cookie) == 0
    # A revoked token in the URL is refused even though the browser also sends a valid session.
    token, secret = auth.create_device_token(DeviceKind.DISPLAY, "t")
    auth.revoke_device_token(token.id, "t")
    assert close_code(live, f"/ws/halls/t?access_token={secret}", good_cookie) == 4401
    assert close_code(live, "/ws/halls/t?access_token=not-ours", good_cookie) == 4401
    assert close_code(live, "/ws/halls/t", {**good_cookie, "Authorization": "Basic bGk6cHc="}) == 4401
    refused_401(live.get("/api/auth/me", headers={**good_cookie, "Authorization": f"Bearer {secret}"}))
    # A forged or expired cookie closes the channel too.
    assert close_code(live, "/ws/halls/t", {"cookie": f"{COOKIE}=forged"}) == 4401
    clock.advance(13 * 3600)
    assert close_code(live, "/ws/halls/t", good_cookie) == 4401


def test_a_manager_unlocks_an_account_of_the_hall(client: TestClient, auth: AuthService, clock: FakeClock) -> None:
    for _ in range(6):
        client.post("/api/auth/login", json={"username": "li", "password": "a wrong guess"})
    assert client.post("/api/auth/login", json={"username": "li", "password": PASSWORD}).status_code == 429
    boss, zhao = login(client, "boss"), login(client, "zhao")
    auth.create_user("other", PASSWORD, Role.MANAGER, "u")
    other = login(client, "other")
    assert client.post("/api/halls/t/accounts/li/unlock", headers=zhao).status_code == 403  # a clerk may not
    assert client.post("/api/halls/t/accounts/li/unlock", headers=other).status_code == 403  # nor another hall
    assert client.post("/api/halls/t/accounts/li/unlock").status_code == 401
    assert client.post("/api/halls/t/accounts/nobody/unlock", headers=boss).status_code == 404
    assert client.post("/api/halls/t/accounts/root/unlock", headers=boss).status_code == 404  # not of the hall
    r = client.post("/api/halls/t/accounts/li/unlock", headers=boss)
    assert r.status_code == 200 and r.json() == {"username": "li", "addresses_cleared": 1}
    # 20 s on: li's own wait (60 s after the sixth failure) is not over, but it was cleared; the
    # address's limit across accounts (all these sign-ins came from one) has room for two.
    clock.advance(20)
    assert client.post("/api/auth/login", json={"username": "li", "password": PASSWORD}).status_code == 200
    records = auth.accounts.audit_log("t", action="account.unlock")
    assert [(r.actor, r.target, r.outcome) for r in records] == [
        ("boss", "li", "ok"),
        ("boss", "root", "rejected"),
        ("boss", "nobody", "rejected"),
        ("other", "", "denied"),
        ("zhao", "", "denied"),
    ]
    assert client.post("/api/halls/t/accounts/li/unlock", headers=login(client, "root")).status_code == 200
