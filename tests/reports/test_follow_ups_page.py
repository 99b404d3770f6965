"""The 回访 page as plain HTTP: in both languages, linked from every manager page's nav, its words
in both languages under their own prefix."""

from __future__ import annotations

from starlette.testclient import TestClient

from reports.followup_i18n import FOLLOW_UP_STRINGS
from reports.i18n import STRINGS


def test_the_page_in_both_languages(client: TestClient) -> None:
    zh = client.get("/dashboard/t/follow-ups")
    assert zh.status_code == 200 and "差评回访工单" in zh.text and 'id="board"' in zh.text
    assert 'href="/dashboard/t/follow-ups" aria-current="page"' in zh.text
    en = client.get("/dashboard/t/follow-ups?lang=en")
    assert en.status_code == 200 and "Follow-up cases of bad ratings" in en.text
    assert 'href="/dashboard/t/follow-ups?lang=en" aria-current="page"' in en.text
    assert client.get("/dashboard/nowhere/follow-ups").status_code == 404


def test_every_page_links_to_it(client: TestClient) -> None:
    for page in ("", "/staff", "/roster"):
        html = client.get(f"/dashboard/t{page}").text
        assert 'href="/dashboard/t/follow-ups"' in html and ">回访<" in html


def test_every_word_in_both_languages() -> None:
    zh, en = FOLLOW_UP_STRINGS["zh-CN"], FOLLOW_UP_STRINGS["en"]
    assert zh.keys() == en.keys()
    assert all(k.startswith(("fu_", "nav_")) for k in zh)
    assert all(STRINGS["zh-CN"][k] == v for k, v in zh.items())
