"""公告 scenarios, run on every backend: publish, expire, withdraw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from queue_server.domain import Notice
from queue_server.errors import BadRequest, Conflict, NotFound
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import TWO_HALLS, FakeClock, refused, with_config


def shown(service: QueueService) -> list[str]:
    return [n.text_zh for n in service.notices("t")]


def state(service: QueueService, notice_id: int = 1) -> tuple[int, list[Notice], Notice | None]:
    with service.store.reader("t") as r:
        return r.last_seq(), r.notices(service.clock()), r.notice(notice_id)


def test_publish_a_notice(service: QueueService, clock: FakeClock) -> None:
    out = service.publish_notice("t", "  今日中午不停歇  ", "Open over lunch today", staff="mgr")
    n = out.notice
    assert (n.text_zh, n.text_en, n.created_by, n.created_at, n.expires_at, n.active) == (
        "今日中午不停歇",
        "Open over lunch today",
        "mgr",
        clock.now,
        None,
        True,
    )
    [event] = out.events
    assert (event.kind, event.staff, event.at) == ("notice.publish", "mgr", clock.now)
    assert event.detail["notice"] == {
        "id": n.id,
        "text_zh": "今日中午不停歇",
        "text_en": "Open over lunch today",
        "created_at": clock.now.isoformat(),
        "expires_at": None,
        "created_by": "mgr",
        "active": True,
    }
    with service.store.reader("t") as r:
        assert r.notice(n.id) == n
        assert r.notices(clock.now) == [n]


def test_notices_are_newest_first_and_expire(service: QueueService, clock: FakeClock) -> None:
    # Naive expiry is hall time: 12:00 in Shanghai is 04:00 UTC.
    noon = service.publish_notice("t", "中午前有效", expires_at=datetime(2026, 11, 23, 12, 0)).notice
    assert noon.expires_at == datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    clock.advance(60)
    service.publish_notice("t", "长期有效")
    assert shown(service) == ["长期有效", "中午前有效"]
    clock.now = datetime(2026, 11, 23, 3, 59, 59, tzinfo=UTC)
    assert shown(service) == ["长期有效", "中午前有效"]
    clock.now = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    assert shown(service) == ["长期有效"]


def test_withdraw_a_notice(service: QueueService) -> None:
    first = service.publish_notice("t", "系统维护").notice
    service.publish_notice("t", "中午不停歇")
    out = service.withdraw_notice("t", first.id, staff="mgr")
    assert not out.notice.active
    [event] = out.events
    assert (event.kind, event.staff, event.detail["notice"]["active"]) == ("notice.withdraw", "mgr", False)
    assert event.detail["notice"]["id"] == first.id
    assert shown(service) == ["中午不停歇"]
    refused(lambda: state(service, first.id), Conflict, lambda: service.withdraw_notice("t", first.id))


def test_withdraw_unknown_notice(service: QueueService) -> None:
    refused(lambda: state(service, 999), NotFound, lambda: service.withdraw_notice("t", 999))


def test_long_texts_up_to_500_characters(service: QueueService) -> None:
    assert len(service.publish_notice("t", "告" * 500, "x" * 500).notice.text_zh) == 500


@pytest.mark.parametrize(
    "kw",
    [
        {"text_zh": ""},
        {"text_zh": "   "},
        {"text_zh": "告" * 501},
        {"text_zh": "公告", "text_en": "x" * 501},
        {"text_zh": "公告", "expires_at": datetime(2026, 11, 23, 9, 0)},  # now, in hall time
        {"text_zh": "公告", "expires_at": datetime(2026, 11, 22, 12, 0, tzinfo=UTC)},
    ],
)
def test_publish_refuses_bad_input(service: QueueService, kw: dict[str, Any]) -> None:
    service.publish_notice("t", "已有公告")
    refused(lambda: state(service), BadRequest, lambda: service.publish_notice("t", **kw))
    assert shown(service) == ["已有公告"]


def test_unknown_hall(service: QueueService) -> None:
    with pytest.raises(NotFound):
        service.publish_notice("nowhere", "公告")
    with pytest.raises(NotFound):
        service.notices("nowhere")


def test_notices_belong_to_their_hall(store: Store, clock: FakeClock) -> None:
    service = with_config(store, clock, halls=TWO_HALLS)
    n = service.publish_notice("t", "本厅公告").notice
    assert [x.id for x in service.notices("t")] == [n.id]
    assert service.notices("u") == []
    with pytest.raises(NotFound):
        service.withdraw_notice("u", n.id)
    assert [x.id for x in service.notices("t")] == [n.id]
