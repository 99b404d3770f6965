"""公告: publishing and withdrawing notices, without storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.errors import BadRequest, Conflict
from queue_server.rules import notices as rules
from tests.rules.support import NOW, assert_bilingual

TZ = ZoneInfo("Asia/Shanghai")


def publish(text_zh: str = "今日中午不停歇", **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "hall": "t",
        "text_zh": text_zh,
        "text_en": "",
        "expires_at": None,
        "staff": None,
        "at": NOW,
        "tz": TZ,
    }
    args.update(kw)
    return rules.publish(**args)  # type: ignore[arg-type]


def test_publish() -> None:
    notice, event = publish("  今日中午不停歇  ", text_en=" Open over lunch ", staff="mgr")
    assert (notice.text_zh, notice.text_en, notice.created_by, notice.active) == (
        "今日中午不停歇",
        "Open over lunch",
        "mgr",
        True,
    )
    assert (event.kind, event.staff, event.at) == ("notice.publish", "mgr", NOW)
    assert notice.shown_at(NOW)


def test_naive_expiry_is_hall_time() -> None:
    notice, _ = publish(expires_at=datetime(2026, 11, 23, 12, 0))
    assert notice.expires_at == datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    assert notice.shown_at(notice.expires_at - timedelta(seconds=1))
    assert not notice.shown_at(notice.expires_at)


def test_text_bounds() -> None:
    assert publish("告" * 500)[0].text_zh == "告" * 500
    assert publish(text_en="x" * 500)[0].text_en == "x" * 500


@pytest.mark.parametrize(
    "kw",
    [
        {"text_zh": ""},
        {"text_zh": " \n "},
        {"text_zh": "告" * 501},
        {"text_en": "x" * 501},
        {"expires_at": NOW},
        {"expires_at": NOW - timedelta(minutes=1)},
        {"staff": "m" * 65},
    ],
)
def test_publish_refuses(kw: dict[str, object]) -> None:
    with pytest.raises(BadRequest) as info:
        publish(**kw)
    assert_bilingual(info.value.message)


def test_withdraw() -> None:
    notice, _ = publish()
    gone, event = rules.withdraw(notice, NOW, "mgr")
    assert not gone.active and notice.active and not gone.shown_at(NOW)
    assert (event.kind, event.staff) == ("notice.withdraw", "mgr")
    with pytest.raises(Conflict) as info:
        rules.withdraw(gone, NOW, "mgr")
    assert_bilingual(info.value.message)
