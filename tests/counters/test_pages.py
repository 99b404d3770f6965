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


def test_the_language_switch_keeps_the_hall(client: TestClient) -> None:
    # A space may come as %20 or +: either way it stays encoded (urlencode writes +).
    assert 'href="/counter?hall=t+x&amp;lang=en"' in client.get("/counter?hall=t%20x").text
    en = client.get("/counter?lang=en-GB&hall=t%20x").text
    assert '<html lang="en">' in en and 'href="/counter?hall=t+x"' in en


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


def test_desk_follows_the_routing_rule_for_transferred_tickets(service: QueueService) -> None:
    """A ticket sent to a window is on that window's desk only, served there or not; a held
    ticket whose visitor is back is listed as held, not as waiting."""
    from counters.pages import desk

    a = service.issue("t", "A").ticket  # window 1 serves A
    c = service.issue("t", "C").ticket  # windows 2 and 3 serve C
    a2 = service.issue("t", "A").ticket
    assert a and c and a2
    service.open_window("t", 1, "clerk")
    service.open_window("t", 3, "clerk3")  # one window per clerk

    def called(window: int) -> int:
        ticket = service.call_next("t", window).ticket
        assert ticket is not None
        return ticket.id

    def numbers(window: int, part: str = "waiting") -> list[str]:
        return [t["number"] for t in desk(service, "t", window)[part]]

    assert called(1) == a.id
    service.transfer("t", 1, to_window=2)  # to window 2, which does not serve A
    assert called(3) == c.id
    service.transfer("t", 3, to_window=1)  # to window 1, which does not serve C

    assert numbers(1) == [c.number, a2.number]  # the transfer kept c's place
    assert numbers(2) == [a.number]
    assert numbers(3) == []
    assert desk(service, "t", 1)["waiting_total"] == 2

    assert called(1) == c.id
    service.hold("t", 1)
    service.mark_returned("t", c.id)
    assert numbers(1, "held") == [c.number]
    assert numbers(1) == [a2.number]
