"""Notice commands (公告): publish a notice on the hall's screens, withdraw it, and the notices
shown now. The notice rules are ``rules.notices``'s."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..domain import Notice
from ..errors import NotFound
from ..rules import notices as notice_rules
from ..views import notice_view
from .outcomes import NoticeOutcome
from .unit import Commands, Unit


def _notice(u: Unit, notice_id: int) -> Notice:
    notice = u.tx.notice(notice_id)
    if notice is None:
        raise NotFound(f"没有公告 {notice_id} / notice {notice_id} does not exist in {u.hall.slug}")
    return notice


class NoticeCommands(Commands):
    def publish_notice(
        self,
        slug: str,
        text_zh: str,
        text_en: str = "",
        expires_at: datetime | None = None,
        staff: str | None = None,
    ) -> NoticeOutcome:
        """Show a notice on the hall's screens until it is withdrawn or ``expires_at`` (naive: local time)."""
        with self._unit(slug) as u:
            notice, event = notice_rules.publish(
                hall=slug, text_zh=text_zh, text_en=text_en, expires_at=expires_at, staff=staff, at=u.now, tz=u.hall.tz
            )
            notice = u.tx.insert_notice(notice)
            u.record(replace(event, detail={"notice": notice_view(notice)}))
        return NoticeOutcome(notice, u.events)

    def withdraw_notice(self, slug: str, notice_id: int, staff: str | None = None) -> NoticeOutcome:
        with self._unit(slug) as u:
            notice, event = notice_rules.withdraw(_notice(u, notice_id), u.now, staff)
            u.tx.update_notice(notice)
            u.record(replace(event, detail={"notice": notice_view(notice)}))
        return NoticeOutcome(notice, u.events)

    def notices(self, slug: str) -> list[Notice]:
        """The notices the hall's screens show now, newest first."""
        self.hall(slug)
        with self.store.reader(slug) as r:
            return r.notices(self.clock())
