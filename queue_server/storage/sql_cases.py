"""Follow-up cases (回访工单) in the store: one row per 差评, its notes, call-backs and history
kept as JSON lists on the row (times as ISO text in UTC)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from ..domain import CallBack, CaseChange, CaseNote, CaseState, FollowUpCase
from .case_tables import follow_up_case_t
from .sql_hall import HallConnection

_SCALARS = (
    "ticket_id", "hall", "number", "service", "window", "clerk", "score", "comment", "rated_at", "due", "owner",
    "opened_at", "updated_at", "resolution", "resolved_at", "satisfied", "appeal_reason", "appealed_by",
    "appealed_at", "decision_note", "decided_by", "decided_at",
)  # fmt: skip


def _at(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def case_values(case: FollowUpCase) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(case, name) for name in _SCALARS}
    values["state"] = case.state.value
    values["notes"] = [{"at": _iso(n.at), "by": n.by, "text": n.text} for n in case.notes]
    values["callbacks"] = [
        {"at": _iso(c.at), "by": c.by, "method": c.method, "reached": c.reached, "response": c.response}
        for c in case.callbacks
    ]
    values["history"] = [
        {"at": _iso(h.at), "by": h.by, "action": h.action, "state": h.state.value, "text": h.text} for h in case.history
    ]
    return values


def case_from_row(row: RowMapping) -> FollowUpCase:
    return FollowUpCase(
        **{name: row[name] for name in _SCALARS},
        state=CaseState(row["state"]),
        notes=tuple(CaseNote(at=_at(n["at"]), by=n["by"], text=n["text"]) for n in row["notes"] or ()),
        callbacks=tuple(
            CallBack(at=_at(c["at"]), by=c["by"], method=c["method"], reached=c["reached"], response=c["response"])
            for c in row["callbacks"] or ()
        ),
        history=tuple(
            CaseChange(at=_at(h["at"]), by=h["by"], action=h["action"], state=CaseState(h["state"]), text=h["text"])
            for h in row["history"] or ()
        ),
    )


class SqlCases(HallConnection):
    def case(self, ticket_id: int) -> FollowUpCase | None:
        c = follow_up_case_t.c
        stmt = sa.select(follow_up_case_t).where(c.hall == self.hall, c.ticket_id == ticket_id)
        row = self.conn.execute(stmt).mappings().first()
        return case_from_row(row) if row else None

    def cases(
        self,
        *,
        states: Collection[CaseState] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        clerk: str | None = None,
        service: str | None = None,
    ) -> list[FollowUpCase]:
        c = follow_up_case_t.c
        stmt = sa.select(follow_up_case_t).where(c.hall == self.hall)
        if states is not None:
            stmt = stmt.where(c.state.in_([s.value for s in states]))
        if since is not None:
            stmt = stmt.where(c.rated_at >= since)
        if until is not None:
            stmt = stmt.where(c.rated_at < until)
        if clerk is not None:
            stmt = stmt.where(c.clerk == clerk)
        if service is not None:
            stmt = stmt.where(c.service == service)
        rows = self.conn.execute(stmt.order_by(c.due, c.rated_at, c.ticket_id)).mappings()
        return [case_from_row(r) for r in rows]

    def insert_case(self, case: FollowUpCase) -> None:
        self.conn.execute(sa.insert(follow_up_case_t).values(case_values(case)))

    def update_case(self, case: FollowUpCase) -> None:
        c = follow_up_case_t.c
        stmt = sa.update(follow_up_case_t).where(c.hall == self.hall, c.ticket_id == case.ticket_id)
        if self.conn.execute(stmt.values(case_values(case))).rowcount != 1:
            raise LookupError(f"follow-up case of ticket {case.ticket_id} vanished during the transaction")
