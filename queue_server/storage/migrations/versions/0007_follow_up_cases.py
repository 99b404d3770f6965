"""follow-up cases (回访工单): one case per 差评, with existing 差评 given theirs here

Revision ID: 0007_follow_up_cases
Revises: 0006
Create Date: 2026-12-07

A rating stored before this revision keeps the due date it was given (15 Monday-Friday days);
its case opens as ``open``, or ``resolved`` when it was already followed up, so the history of
old ratings reads the same as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_follow_up_cases"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up_case",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=1), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("clerk", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("callbacks", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("resolution", sa.String(length=500), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("appeal_reason", sa.String(length=500), nullable=True),
        sa.Column("appealed_by", sa.String(length=64), nullable=True),
        sa.Column("appealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("follow_up_case", schema=None) as batch_op:
        batch_op.create_index("ix_follow_up_case_hall_state_due", ["hall", "state", "due"], unique=False)
        batch_op.create_index("ix_follow_up_case_hall_rated_at", ["hall", "rated_at"], unique=False)
    # Every 差评 already stored gets its case; the ticket's number comes from the ticket row.
    op.execute(
        sa.text(
            'INSERT INTO follow_up_case (ticket_id, hall, number, service, "window", clerk, score, comment, '
            "rated_at, due, state, owner, opened_at, updated_at, notes, callbacks, history, resolved_at) "
            "SELECT e.ticket_id, e.hall, COALESCE(t.number, ''), e.service, e.\"window\", e.staff, e.score, "
            "e.comment, e.at, e.follow_up_due, "
            "CASE WHEN e.followed_up_at IS NULL THEN 'open' ELSE 'resolved' END, NULL, e.at, "
            "COALESCE(e.followed_up_at, e.at), '[]', '[]', '[]', e.followed_up_at "
            "FROM evaluation e LEFT JOIN ticket t ON t.id = e.ticket_id "
            "WHERE e.follow_up_due IS NOT NULL"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("follow_up_case", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_case_hall_rated_at")
        batch_op.drop_index("ix_follow_up_case_hall_state_due")
    op.drop_table("follow_up_case")
