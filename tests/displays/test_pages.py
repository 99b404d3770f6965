"""The screens as plain HTTP: every page renders, in Chinese by default, and loads nothing from elsewhere."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from displays.i18n import STRINGS
from displays.qr import same_origin_path
from queue_server.service import QueueService
from queue_server.web import language

PAGES = ["/kiosk/t", "/display/t", "/display/t/windows/1", "/t/1?token=x"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_in_chinese_by_default(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text
    assert "English" in r.text  # the switch


@pytest.mark.parametrize("path", PAGES)
def test_english_is_one_parameter_away(client: TestClient, path: str) -> None:
    sep = "&" if "?" in path else "?"
    r = client.get(f"{path}{sep}lang=en")
    assert r.status_code == 200
    assert '<html lang="en">' in r.text
    assert "中文" in r.text


@pytest.mark.parametrize("path", PAGES)
def test_nothing_comes_from_another_site(client: TestClient, path: str) -> None:
    html = client.get(path).text
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/") and not url.startswith("//"), url
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


def test_kiosk_groups_services_by_zone_with_counts(client: TestClient, service: QueueService) -> None:
    service.issue("t", "A")
    service.issue("t", "A")
    html = client.get("/kiosk/t").text
    assert "综合" in html and "企业开办" in html
    assert re.search(r'data-waiting="A">2<', html)
    assert re.search(r'data-service="D"\s+disabled', html)  # no window serves D
    assert "预约签到" in html


def test_display_page_carries_the_repeat_setting(client: TestClient) -> None:
    assert '"repeat": 3' in client.get("/display/t?repeat=3").text
    assert '"repeat": 2' in client.get("/display/t").text
    assert '"repeat": 5' in client.get("/display/t?repeat=99").text
    assert '"repeat": 2' in client.get("/display/t?repeat=x").text


def test_unknown_hall_and_window_are_404(client: TestClient) -> None:
    assert client.get("/kiosk/nowhere").status_code == 404
    assert client.get("/display/nowhere").status_code == 404
    assert client.get("/display/t/windows/99").status_code == 404
    assert client.get("/t/" + "9" * 25, params={"token": "x"}).status_code == 404  # past any id SQLite holds


def test_qr_code_is_svg_of_a_same_origin_link(client: TestClient) -> None:
    r = client.get("/kiosk/t/qr", params={"path": "/t/5?token=abc"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.lstrip().startswith("<svg")
    for bad in ["http://evil.example/x", "//evil.example/x", "t/5", "/\\evil", ""]:
        assert client.get("/kiosk/t/qr", params={"path": bad}).status_code == 400, bad


def test_same_origin_path() -> None:
    assert same_origin_path("/t/1?token=a")
    assert not same_origin_path("https://x.example/")
    assert not same_origin_path("//x.example/")


def test_language_choice_and_both_dictionaries_have_the_same_words() -> None:
    assert language(None) == "zh-CN"
    assert language("en") == "en"
    assert language("fr") == "zh-CN"
    zh, en = STRINGS["zh-CN"], STRINGS["en"]
    assert zh.keys() == en.keys()
    assert zh["announce"].format(number="A017", window=3) == "请A017号到3号窗口办理"


def test_static_files_are_served(client: TestClient) -> None:
    for name in ["hallq-live.js", "voice.js", "kiosk.js", "ticket.js", "display.js", "window.js", "displays.css"]:
        r = client.get(f"/static/displays/{name}")
        assert r.status_code == 200, name


def test_kiosk_has_the_printer_notes_in_both_languages(client: TestClient) -> None:
    zh = client.get("/kiosk/t?printer=p1").text
    assert re.search(r'id="slip-take"[^>]*hidden>请取走小票<', zh)
    assert re.search(r'id="slip-no-printer"[^>]*hidden>打印机暂不可用，请扫码跟踪排队进度<', zh)
    en = client.get("/kiosk/t?printer=p1&lang=en").text
    assert "Please take your slip" in en
    assert "The printer is unavailable; scan the code to follow your ticket" in en
    assert "/kiosk/t?printer=p1&amp;lang=en" in zh  # the language switch keeps the printer


def test_the_language_switch_keeps_the_other_parameters_as_they_came(client: TestClient) -> None:
    zh = client.get("/kiosk/t?printer=p%261&token=a%2Bb%3D&note=%E4%B8%AD").text
    # Values stay URL-encoded ("&", "+", "=" and Chinese included); ?lang=en goes last.
    assert 'href="/kiosk/t?printer=p%261&amp;token=a%2Bb%3D&amp;note=%E4%B8%AD&amp;lang=en"' in zh
    en = client.get("/kiosk/t?lang=EN&printer=p%261").text
    assert '<html lang="en">' in en  # one rule for every room: any "en…" value, any case
    assert 'href="/kiosk/t?printer=p%261"' in en  # back to Chinese: lang dropped, the printer kept
    assert 'href="/display/t"' in client.get("/display/t?lang=en").text
    assert language("EN-gb") == "en" and language("") == "zh-CN"


@pytest.mark.parametrize(
    ("path", "open_at"),
    [("/display/t", "/display/t?token=…"), ("/display/t/windows/2", "/display/t/windows/2?token=…")],
)
def test_a_wall_screen_without_a_token_says_how_a_manager_makes_one(
    client: TestClient, path: str, open_at: str
) -> None:
    html = client.get(path).text
    assert re.search(r'<section id="need-token" class="need-token" role="alert">\s*<h2>此屏幕需要显示令牌</h2>', html)
    assert "<code>.venv/bin/hallq token add --kind display --hall t</code>" in html
    assert f"<code>{open_at}</code>" in html
    assert re.search(r'<main class="[^"]+" id="board" hidden>', html)  # no empty columns
    en = client.get(f"{path}?lang=en").text
    assert "This screen needs a display token" in en and "A hall manager creates a display token" in en
    # With a token the screen shows (the server may still refuse it: the page then says so).
    with_token = client.get(f"{path}?token=hqd_x").text
    assert re.search(r'<section id="need-token" class="need-token" hidden role="alert">', with_token)
    assert re.search(r'<main class="[^"]+" id="board">', with_token)


def test_the_kiosk_keypad_says_clear(client: TestClient) -> None:
    # ``t.clear`` would be the dictionary's method, not the word.
    assert '<button type="button" class="key" data-key="clear">清除</button>' in client.get("/kiosk/t").text
    assert 'data-key="clear">Clear</button>' in client.get("/kiosk/t?lang=en").text


def test_a_window_without_a_ticket_has_words_for_its_state() -> None:
    zh, en = STRINGS["zh-CN"], STRINGS["en"]
    assert [zh[f"win_{s}"] for s in ("idle", "paused", "closed")] == ["空闲", "暂停", "未开放"]
    assert [en[f"win_{s}"] for s in ("idle", "paused", "closed")] == ["Idle", "Paused", "Closed"]
