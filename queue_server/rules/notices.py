"""公告: notices a manager publishes to the hall's screens, until withdrawn or expired."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ..domain import Event, Notice
from ..errors import BadRequest, Conflict
from .appointments import in_utc

MAX_TEXT = 500
MAX_STAFF = 64


def _text(value: str, field: str, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise BadRequest(f"公告内容不能为空 / {field} must not be empty")
    if len(text) > MAX_TEXT:
        raise BadRequest(
            f"公告内容最多 {MAX_TEXT} 字，当前 {len(text)} 字 / "
            f"{field} has at most {MAX_TEXT} characters, got {len(text)}"
        )
    return text


def publish(
    *,
    hall: str,
    text_zh: str,
    text_en: str,
    expires_at: datetime | None,
    staff: str | None,
    at: datetime,
    tz: ZoneInfo,
) -> tuple[Notice, Event]:
    """A new active notice (id 0 until stored). A naive ``expires_at`` is the hall's local time."""
    zh = _text(text_zh, "text_zh", required=True)
    en = _text(text_en, "text_en", required=False)
    expires = None
    if expires_at is not None:
        expires = in_utc(expires_at, tz)
        if expires <= at:
            raise BadRequest(
                f"公告的失效时间须晚于现在 / expires_at must be in the future, got {expires:%Y-%m-%d %H:%M} UTC"
            )
    by = (staff or "").strip()
    if len(by) > MAX_STAFF:
        raise BadRequest(f"工作人员账号过长 / staff login has at most {MAX_STAFF} characters")
    notice = Notice(id=0, hall=hall, text_zh=zh, text_en=en, created_at=at, expires_at=expires, created_by=by)
    return notice, Event(hall=hall, kind="notice.publish", at=at, staff=by or None)


def withdraw(notice: Notice, at: datetime, staff: str | None) -> tuple[Notice, Event]:
    if not notice.active:
        raise Conflict(f"公告 {notice.id} 已撤下 / notice {notice.id} was already withdrawn")
    new = replace(notice, active=False)
    return new, Event(hall=notice.hall, kind="notice.withdraw", at=at, staff=staff)
