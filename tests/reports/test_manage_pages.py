"""The 设备, 账号 and 事项 pages as plain HTTP: present in both languages and in every page's nav,
every word of theirs in both; the pairing QR code of a device token (an SVG of the address the
screen opens, with the token), for managers only, refusals naming the field."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.principal import DeviceKind
from reports.i18n import STRINGS
from reports.manage_i18n import MANAGE_STRINGS
from reports.manage_pages import pairing_text
from tests.api.conftest import login

PAGES = {
    "devices-admin": ("设备令牌", "Device tokens"),
    "accounts": ("新建账号", "New account"),
    "services": ("暂停取号", "Pause issuing"),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_in_both_languages(client: TestClient, path: str) -> None:
    zh_word, en_word = PAGES[path]
    zh = client.get(f"/dashboard/t/{path}")
    assert zh.status_code == 200 and zh_word in zh.text and 'id="board"' in zh.text
    assert f'href="/dashboard/t/{path}" aria-current="page"' in zh.text
    en = client.get(f"/dashboard/t/{path}?lang=en")
    assert en.status_code == 200 and en_word in en.text
    assert f'href="/dashboard/t/{path}?lang=en" aria-current="page"' in en.text
    assert client.get(f"/dashboard/nowhere/{path}").status_code == 404


def test_every_page_links_to_them(client: TestClient) -> None:
    for page in ("", "/staff", "/roster"):
        html = client.get(f"/dashboard/t{page}").text
        assert all(f'href="/dashboard/t/{p}"' in html for p in PAGES)
        assert ">设备<" in html and ">账号<" in html and ">事项<" in html


def test_every_word_in_both_languages() -> None:
    zh, en = MANAGE_STRINGS["zh-CN"], MANAGE_STRINGS["en"]
    assert zh.keys() == en.keys()
    assert all(k.startswith(("mg_", "nav_")) for k in zh)
    assert all(STRINGS["zh-CN"][k] == v for k, v in zh.items())


def test_the_pairing_text_of_each_kind() -> None:
    base, token = "http://10.0.0.5:8000", "hqd_" + "a" * 32
    assert pairing_text(base, "t", "display", token, None) == f"{base}/display/t?token={token}"
    assert pairing_text(base, "t", "display", token, 3) == f"{base}/display/t/windows/3?token={token}"
    assert pairing_text(base, "t", "kiosk", token, None) == f"{base}/kiosk/t?token={token}"
    assert pairing_text(base, "t", "agent", token, None) == f"python run.py agent --server {base} --token {token}"


def test_a_new_tokens_pairing_qr_code(client: TestClient, auth: AuthService) -> None:
    boss = login(client, "boss")
    made = client.post("/api/halls/t/tokens", headers=boss, json={"kind": "display", "label": "2号窗口屏"})
    token = made.json()["token"]
    r = client.post(
        "/dashboard/t/devices-admin/pairing", headers=boss, json={"kind": "display", "token": token, "window": 2}
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["pairing"] == f"http://hall.local/display/t/windows/2?token={token}"
    svg = r.json()["svg"]
    assert svg.startswith("<svg") and 'class="qr"' in svg and re.search(r"<path [^>]*d=", svg)
    assert token not in svg  # the code, not the text: nothing to read off the page's source
    # the token it carries is one the server takes from a screen of the hall
    assert client.get("/api/halls/t/snapshot", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert auth.accounts.device_tokens("t")[-1].kind is DeviceKind.DISPLAY


def test_pairing_refusals_name_the_field(client: TestClient) -> None:
    boss, li = login(client, "boss"), login(client, "li")
    url = "/dashboard/t/devices-admin/pairing"
    token = "hqd_" + "b" * 32
    cases = [
        ({"kind": "printer", "token": token}, "body.kind"),
        ({"kind": "display", "token": "not-a-token"}, "body.token"),
        ({"kind": "kiosk", "token": token, "window": 1}, "body.window"),
        ({"kind": "display", "token": token, "window": 99}, "body.window"),
        ({"kind": "display", "token": token, "window": 0}, "body.window"),
        ({"kind": "display", "token": token, "extra": 1}, "body.extra"),
        ({"token": token}, "body.kind"),
    ]
    for body, field in cases:
        r = client.post(url, headers=boss, json=body)
        assert r.status_code == 400 and field in r.json()["error"]["message"], (body, r.text)
    assert client.post(url, json={"kind": "display", "token": token}).status_code == 401
    assert client.post(url, headers=li, json={"kind": "display", "token": token}).status_code == 403
