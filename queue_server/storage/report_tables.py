"""The report tables: per-day aggregate cells and, per hall, the event seq folded into them.

A cell is one hall's business day in one dimension (``total``, ``service``, ``zone``,
``window``, ``clerk``, ``slot``) and key; its columns are the counts, and per measured
duration (wait, service time, noon wait) the count, exact sum and maximum in microseconds
and a sparse histogram of 30-second buckets as JSON (queue_server.rules.report_hist). The
mark row is written in the same transaction as the cells, so a restarted job resumes exactly
where the cells end and never counts an event twice."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import utc


class DayAggregateRow(SQLModel, table=True):
    __tablename__ = "day_aggregate"

    hall: str = Field(primary_key=True, max_length=63)
    day: date = Field(primary_key=True)
    dim: str = Field(primary_key=True, max_length=8)
    key: str = Field(primary_key=True, max_length=64)
    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    not_served: int = 0
    transferred: int = 0
    called_within: int = 0
    noon_issued: int = 0
    noon_served: int = 0
    rated_1: int = 0
    rated_2: int = 0
    rated_3: int = 0
    rated_4: int = 0
    rated_5: int = 0
    appt_booked: int = 0
    appt_cancelled: int = 0
    appt_kept: int = 0
    appt_on_time: int = 0
    appt_late: int = 0
    appt_too_late: int = 0
    appt_offset_count: int = 0
    appt_offset_sum_us: int = Field(default=0, sa_type=sa.BigInteger)
    wait_count: int = 0
    wait_sum_us: int = Field(default=0, sa_type=sa.BigInteger)
    wait_max_us: int = Field(default=0, sa_type=sa.BigInteger)
    wait_hist: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    service_time_count: int = 0
    service_time_sum_us: int = Field(default=0, sa_type=sa.BigInteger)
    service_time_max_us: int = Field(default=0, sa_type=sa.BigInteger)
    service_time_hist: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    noon_wait_count: int = 0
    noon_wait_sum_us: int = Field(default=0, sa_type=sa.BigInteger)
    noon_wait_max_us: int = Field(default=0, sa_type=sa.BigInteger)
    noon_wait_hist: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)


class ReportMarkRow(SQLModel, table=True):
    __tablename__ = "report_mark"

    hall: str = Field(primary_key=True, max_length=63)
    seq: int = Field(default=0, sa_type=sa.BigInteger)
    folded_at: datetime | None = utc(default=None)


day_aggregate_t: sa.Table = DayAggregateRow.__table__  # type: ignore[attr-defined]
report_mark_t: sa.Table = ReportMarkRow.__table__  # type: ignore[attr-defined]
