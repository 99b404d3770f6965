"""A clerk account and a staff member are one thing: creating one creates or links the other.
Over HTTP a manager makes a clerk account (it joins the staff registry, or is linked to the
member there) or adds a staff member (a login without an account gets a clerk account whose
one-time password is answered once and signs in); both audited; conflicts a precise 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import Role
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.api.conftest import PASSWORD, login, make_auth, room_client
from tests.conftest import FakeClock
from tests.staffing_support import staffed

H = "/api/halls/t"


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    """Hall "t" with li (A, B), wang (anything) and zhang (C) on its staff."""
    return staffed(store, clock)


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    """Accounts: li (clerk, on the staff), zhao (clerk, not on it), boss (manager), root (admin)."""
    return make_auth(service, clock, "li", "zhao", "boss", "root")


@pytest.fixture
def client(service: QueueService, auth: AuthService) -> Iterator[TestClient]:
    with room_client(service, auth) as c:
        yield c


@pytest.fixture
def boss(client: TestClient) -> dict[str, str]:
    return login(client, "boss")


def staff(service: QueueService) -> dict[str, Any]:
    return {m.login: m for m in service.staff("t")}


def audited(auth: AuthService) -> list[tuple[str, str, str]]:
    rows = reversed(auth.accounts.audit_log("t"))
    return [(r.action, r.outcome, r.target) for r in rows if not r.action.startswith("auth.")]


def signs_in(client: TestClient, username: str, password: str) -> bool:
    r = client.post("/api/auth/login", json={"username": username, "password": password, "token": True})
    return r.status_code == 200


# -- an account makes a staff member --------------------------------------------------------


def test_a_clerk_account_joins_the_staff(
    client: TestClient, boss: dict[str, str], service: QueueService, auth: AuthService
) -> None:
    r = client.post(f"{H}/accounts", headers=boss, json={"username": "chen", "display_name": "陈静"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["role"] == "clerk" and made["hall"] == "t" and made["staff"] == "created"
    member = staff(service)["chen"]
    assert member.name == "陈静" and member.skills == () and member.active
    assert signs_in(client, "chen", made["password"])  # the one-time password, shown once
    assert [a[:2] for a in audited(auth)] == [("account.create", "ok"), ("staff.create", "ok")]
    # The new clerk may sit at a window straight away.
    service.open_window("t", 1, "chen")


def test_an_account_for_a_member_already_on_the_staff_links(
    client: TestClient, boss: dict[str, str], service: QueueService
) -> None:
    before = staff(service)
    r = client.post(f"{H}/accounts", headers=boss, json={"username": "wang", "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["staff"] == "linked" and "password" not in r.json()  # the caller chose it
    assert staff(service) == before
    assert signs_in(client, "wang", PASSWORD)


def test_only_administrators_make_managers(client: TestClient, boss: dict[str, str], service: QueueService) -> None:
    body = {"username": "chief", "role": "manager"}
    assert client.post(f"{H}/accounts", headers=boss, json=body).status_code == 403
    r = client.post(f"{H}/accounts", headers=login(client, "root"), json=body)
    assert r.status_code == 201, r.text
    assert r.json()["staff"] is None and "chief" not in staff(service)  # a manager needs no staff entry
    clerk = login(client, "li")
    assert client.post(f"{H}/accounts", headers=clerk, json={"username": "x1"}).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"username": "li"}, 409, "already exists"),
        ({"username": "chen", "password": "short"}, 400, "body.password"),
        ({"username": "chen", "role": "admin"}, 400, "body.role"),
        ({"username": "../x"}, 400, "username"),
        ({"username": "chen", "hall": "t"}, 400, "body.hall"),
    ],
)
def test_account_refusals_name_the_field(
    client: TestClient, boss: dict[str, str], service: QueueService, body: dict[str, Any], status: int, says: str
) -> None:
    before = staff(service)
    r = client.post(f"{H}/accounts", headers=boss, json=body)
    assert r.status_code == status, r.text
    assert says in r.json()["error"]["message"]
    assert staff(service) == before


def test_a_deactivated_member_gets_no_account(client: TestClient, boss: dict[str, str], service: QueueService) -> None:
    service.deactivate_staff("t", "zhang")
    r = client.post(f"{H}/accounts", headers=boss, json={"username": "zhang"})
    assert r.status_code == 409 and "deactivated" in r.json()["error"]["message"]
    assert not signs_in(client, "zhang", PASSWORD)


# -- a staff member makes an account --------------------------------------------------------


def test_a_new_staff_member_gets_a_clerk_account(
    client: TestClient, boss: dict[str, str], service: QueueService, auth: AuthService
) -> None:
    r = client.post(f"{H}/staff", headers=boss, json={"login": "chen", "name": "陈静", "skills": [{"service": "A"}]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["login"] == "chen" and body["account"] == {"username": "chen", "role": "clerk"}
    assert signs_in(client, "chen", body["password"])
    user = auth.accounts.user_by_name("chen")
    assert user is not None and user.role is Role.CLERK and user.hall == "t" and user.display_name == "陈静"
    assert [a[:2] for a in audited(auth)] == [("staff.create", "ok"), ("account.create", "ok")]


@pytest.mark.parametrize("login_", ["zhao", "boss", "root"])
def test_a_staff_member_with_an_account_is_linked(
    client: TestClient, boss: dict[str, str], service: QueueService, login_: str
) -> None:
    """A clerk of the hall, its manager (who also sits at a window) or an administrator."""
    r = client.post(f"{H}/staff", headers=boss, json={"login": login_, "name": "某人"})
    assert r.status_code == 201, r.text
    assert "password" not in r.json() and r.json()["account"]["username"] == login_
    assert login_ in staff(service)


def test_an_account_of_another_hall_is_a_conflict(
    client: TestClient, boss: dict[str, str], service: QueueService, auth: AuthService
) -> None:
    auth.create_user("far", PASSWORD, Role.CLERK, "elsewhere")
    r = client.post(f"{H}/staff", headers=boss, json={"login": "far", "name": "远"})
    assert r.status_code == 409, r.text
    assert "login: the account 'far' belongs to hall 'elsewhere'" in r.json()["error"]["message"]
    assert "far" not in staff(service)
    assert ("staff.create", "rejected", "staff far") in audited(auth)


def test_a_refused_member_makes_no_account(client: TestClient, boss: dict[str, str], auth: AuthService) -> None:
    r = client.post(f"{H}/staff", headers=boss, json={"login": "chen", "name": "陈", "skills": [{"service": "Z"}]})
    assert r.status_code == 400 and "skills" in r.json()["error"]["message"]
    assert auth.accounts.user_by_name("chen") is None
