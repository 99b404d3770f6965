"""The follow-up case table (回访工单): one row per 差评, keyed by the rated ticket.

The case's notes, call-backs and history are short append-only lists kept as JSON on the row:
they are only ever read with their case, and the hall's lock serialises every write."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import utc


class FollowUpCaseRow(SQLModel, table=True):
    __tablename__ = "follow_up_case"
    __table_args__ = (
        sa.Index("ix_follow_up_case_hall_state_due", "hall", "state", "due"),
        sa.Index("ix_follow_up_case_hall_rated_at", "hall", "rated_at"),
    )

    ticket_id: int = Field(primary_key=True, sa_type=sa.BigInteger)
    hall: str = Field(max_length=63)
    number: str = Field(max_length=16)
    service: str = Field(max_length=1)
    window: int | None = None
    clerk: str | None = Field(default=None, max_length=64)
    score: int
    comment: str = Field(default="", max_length=500)
    rated_at: datetime = utc()
    due: date
    state: str = Field(max_length=16)
    owner: str | None = Field(default=None, max_length=64)
    opened_at: datetime = utc()
    updated_at: datetime = utc()
    notes: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    callbacks: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    history: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    resolution: str | None = Field(default=None, max_length=500)
    resolved_at: datetime | None = utc(default=None)
    satisfied: bool | None = None
    appeal_reason: str | None = Field(default=None, max_length=500)
    appealed_by: str | None = Field(default=None, max_length=64)
    appealed_at: datetime | None = utc(default=None)
    decision_note: str | None = Field(default=None, max_length=500)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = utc(default=None)


follow_up_case_t: sa.Table = FollowUpCaseRow.__table__  # type: ignore[attr-defined]
