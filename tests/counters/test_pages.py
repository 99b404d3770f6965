"""The clerk console as plain HTTP: the page, its static files, and the desk read it adds."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from counters.i18n import STRINGS
from queue_server.service import QueueService
from tests.api.conftest import PASSWORD
from tests.conftest import FakeClock


def sign_in(client: TestClient, username: str) -> dict[str, str]:
    """Cookie session (kept by the client); returns the CSRF header for POSTs."""
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def test_console_renders_in_chinese_by_default(client: TestClient) -> None:
    r = client.get("/counter")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text
    assert "窗口人员工作台" in r.text and "叫下一位" in r.text and "English" in r.text


def test_english_is_one_parameter_away(client: TestClient) -> None:
    r = client.get("/counter?lang=en")
    assert '<html lang="en">' in r.text
    assert "Clerk console" in r.text and "Call next" in r.text and "中文" in r.text


def test_every_action_has_a_button_with_its_key(client: TestClient) -> None:
    html = client.get("/counter").text
    buttons = dict(re.findall(r'data-action="([\w-]+)"[^>]*><kbd>([^<]+)</kbd>', html))
    assert buttons == {
        "call-next": "F1/␣", "recall": "R", "start": "S", "finish": "F", "no-show": "N", "hold": "H",
        "transfer": "T", "call-ticket": "G", "pause": "P", "close": "C",
    }  # fmt: skip


def test_nothing_comes_from_another_site(client: TestClient) -> None:
    html = client.get("/counter").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


def test_static_files_and_the_shared_realtime_client(client: TestClient) -> None:
    js = client.get("/static/counters/counter.js")
    assert js.status_code == 200
    assert 'from "/static/displays/hallq-live.js"' in js.text  # reused, not copied
    assert client.get("/static/displays/hallq-live.js").status_code == 200
    assert client.get("/static/counters/counter.css").status_code == 200
    assert not re.search(r"https?://", js.text)


def test_both_dictionaries_have_the_same_words() -> None:
    assert STRINGS["zh-CN"].keys() == STRINGS["en"].keys()


def test_desk_needs_staff(client: TestClient) -> None:
    r = client.get("/counter/api/halls/t/windows/1/desk")
    assert r.status_code == 401
    assert "message" in r.json()["error"]


def test_desk_lists_waiting_and_held_tickets_of_the_window(client: TestClient, service: QueueService) -> None:
    a = service.issue("t", "A").ticket
    b = service.issue("t", "B").ticket
    c = service.issue("t", "C").ticket  # window 1 serves A and B only
    assert a and b and c
    csrf = sign_in(client, "li")
    desk = client.get("/counter/api/halls/t/windows/1/desk").json()
    assert [t["number"] for t in desk["waiting"]] == [a.number, b.number]
    assert desk["waiting_total"] == 2 and desk["held"] == []

    for action in ["open", "call-next", "hold"]:
        r = client.post(f"/api/halls/t/windows/1/{action}", headers=csrf)
        assert r.status_code == 200, r.text
    desk = client.get("/counter/api/halls/t/windows/1/desk").json()
    assert [t["number"] for t in desk["held"]] == [a.number]
    assert [t["number"] for t in desk["waiting"]] == [b.number]

    r = client.post(f"/api/halls/t/windows/1/call-back/{a.id}", headers=csrf)
    assert r.status_code == 200, r.text
    assert client.get("/counter/api/halls/t/windows/1/desk").json()["held"] == []


def test_desk_of_an_unknown_window_or_hall_is_404(client: TestClient) -> None:
    sign_in(client, "boss")
    assert client.get("/counter/api/halls/t/windows/99/desk").status_code == 404
    assert client.get("/counter/api/halls/nowhere/windows/1/desk").status_code == 404


def test_post_without_csrf_is_refused(client: TestClient) -> None:
    sign_in(client, "li")
    r = client.post("/api/halls/t/windows/1/open")
    assert r.status_code == 403
    assert r.json()["error"]["message"]


def test_desk_counts_what_ended_at_the_window_today(service: QueueService, clock: FakeClock) -> None:
    from counters.pages import desk

    service.open_window("t", 1, "clerk")
    for _ in range(3):
        service.issue("t", "A")
    service.call_next("t", 1)
    service.start("t", 1)
    service.finish("t", 1)
    service.call_next("t", 1)
    service.no_show("t", 1)
    assert desk(service, "t", 1)["today"] == {"served": 1, "no_show": 1}
    clock.advance(24 * 3600)
    assert desk(service, "t", 1)["today"] == {"served": 0, "no_show": 0}
