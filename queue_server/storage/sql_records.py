"""The hall's records beside the queue: ratings (好差评), appointments (预约), notices (公告)
and the devices' last reported health. None of it is on the hot path."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..domain import BAD_SCORE, Appointment, DeviceHealth, Evaluation, Notice
from .rows import APPOINTMENT, DEVICE_HEALTH, EVALUATION, NOTICE
from .sql_hall import HallConnection
from .tables import appointment_t, device_health_t, evaluation_t, notice_t, ticket_t

# IN lists are sent in chunks: SQLite builds before 3.32 allow only 999 parameters.
_IN_CHUNK = 500

# Ratings with their ticket's number.
_EVALUATIONS = sa.select(evaluation_t, ticket_t.c.number).select_from(
    evaluation_t.join(ticket_t, ticket_t.c.id == evaluation_t.c.ticket_id, isouter=True)
)


class SqlRecords(HallConnection):
    def _update_one(self, table: sa.Table, key: sa.ColumnElement[bool], values: dict[str, Any], what: str) -> None:
        """Update exactly one row of this hall, or fail loudly (the transaction then rolls back)."""
        result = self.conn.execute(sa.update(table).where(table.c.hall == self.hall, key).values(values))
        if result.rowcount != 1:
            raise LookupError(f"{what} vanished during the transaction")

    # -- ratings -------------------------------------------------------------

    def evaluation(self, ticket_id: int) -> Evaluation | None:
        c = evaluation_t.c
        row = self.conn.execute(_EVALUATIONS.where(c.hall == self.hall, c.ticket_id == ticket_id)).mappings().first()
        return EVALUATION.read(row) if row else None

    def evaluations(
        self, since: datetime, until: datetime, *, bad_only: bool = False, open_follow_up: bool = False
    ) -> list[Evaluation]:
        c = evaluation_t.c
        q = _EVALUATIONS.where(c.hall == self.hall, c.at >= since, c.at < until)
        if bad_only or open_follow_up:
            q = q.where(c.score <= BAD_SCORE)
        if open_follow_up:
            q = q.where(c.followed_up_at.is_(None))
        rows = self.conn.execute(q.order_by(c.at, c.ticket_id)).mappings()
        return [EVALUATION.read(r) for r in rows]

    def insert_evaluation(self, evaluation: Evaluation) -> None:
        self.conn.execute(sa.insert(evaluation_t).values(EVALUATION.values(evaluation)))

    def update_evaluation(self, evaluation: Evaluation) -> None:
        self._update_one(
            evaluation_t,
            evaluation_t.c.ticket_id == evaluation.ticket_id,
            EVALUATION.values(evaluation),
            f"evaluation of ticket {evaluation.ticket_id}",
        )

    # -- appointments --------------------------------------------------------

    def appointment(self, code: str) -> Appointment | None:
        c = appointment_t.c
        row = self.conn.execute(sa.select(appointment_t).where(c.hall == self.hall, c.code == code)).mappings().first()
        return APPOINTMENT.read(row) if row else None

    def appointments(self, since: datetime, until: datetime) -> list[Appointment]:
        c = appointment_t.c
        rows = self.conn.execute(
            sa.select(appointment_t)
            .where(c.hall == self.hall, c.slot_start >= since, c.slot_start < until)
            .order_by(c.slot_start, c.code)
        ).mappings()
        return [APPOINTMENT.read(r) for r in rows]

    def appointment_codes(self, codes: Collection[str]) -> set[str]:
        c = appointment_t.c
        wanted = sorted(set(codes))
        found: set[str] = set()
        for i in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[i : i + _IN_CHUNK]
            found.update(self.conn.execute(sa.select(c.code).where(c.hall == self.hall, c.code.in_(chunk))).scalars())
        return found

    def insert_appointment(self, appointment: Appointment) -> Appointment:
        new_id = self.conn.execute(
            sa.insert(appointment_t).values(APPOINTMENT.values(appointment)).returning(appointment_t.c.id)
        ).scalar_one()
        return replace(appointment, id=int(new_id))

    def update_appointment(self, appointment: Appointment) -> None:
        self._update_one(
            appointment_t,
            appointment_t.c.id == appointment.id,
            APPOINTMENT.values(appointment),
            f"appointment {appointment.code}",
        )

    # -- notices -------------------------------------------------------------

    def notice(self, notice_id: int) -> Notice | None:
        c = notice_t.c
        row = self.conn.execute(sa.select(notice_t).where(c.hall == self.hall, c.id == notice_id)).mappings().first()
        return NOTICE.read(row) if row else None

    def notices(self, now: datetime) -> list[Notice]:
        c = notice_t.c
        rows = self.conn.execute(
            sa.select(notice_t)
            .where(
                c.hall == self.hall,
                c.active.is_(True),
                sa.or_(c.expires_at.is_(None), c.expires_at > now),
            )
            .order_by(c.created_at.desc(), c.id.desc())
        ).mappings()
        return [NOTICE.read(r) for r in rows]

    def insert_notice(self, notice: Notice) -> Notice:
        new_id = self.conn.execute(
            sa.insert(notice_t).values(NOTICE.values(notice)).returning(notice_t.c.id)
        ).scalar_one()
        return replace(notice, id=int(new_id))

    def update_notice(self, notice: Notice) -> None:
        self._update_one(notice_t, notice_t.c.id == notice.id, NOTICE.values(notice), f"notice {notice.id}")

    # -- devices -------------------------------------------------------------

    def devices(self) -> list[DeviceHealth]:
        c = device_health_t.c
        rows = self.conn.execute(sa.select(device_health_t).where(c.hall == self.hall).order_by(c.device)).mappings()
        return [DEVICE_HEALTH.read(r) for r in rows]

    def device(self, device: str) -> DeviceHealth | None:
        c = device_health_t.c
        stmt = sa.select(device_health_t).where(c.hall == self.hall, c.device == device)
        row = self.conn.execute(stmt).mappings().first()
        return DEVICE_HEALTH.read(row) if row else None

    def delete_device(self, device: str) -> None:
        c = device_health_t.c
        self.conn.execute(sa.delete(device_health_t).where(c.hall == self.hall, c.device == device))

    def put_device(self, health: DeviceHealth) -> None:
        # Delete-then-insert under the hall lock: a portable upsert for both backends.
        self.delete_device(health.device)
        self.conn.execute(sa.insert(device_health_t).values({**DEVICE_HEALTH.values(health), "hall": self.hall}))
