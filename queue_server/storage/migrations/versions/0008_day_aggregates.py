"""day aggregates: per-day report cells and the event seq folded into them

Revision ID: 0008_day_aggregates
Revises: 0007_follow_up_cases
Create Date: 2026-12-07

The cells start empty; the report job folds every hall's existing event log into them from
seq 0 on its first runs (in short transactions), so nothing needs copying here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_day_aggregates"
down_revision = "0007_follow_up_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_aggregate",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dim", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("no_show", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("not_served", sa.Integer(), nullable=False),
        sa.Column("transferred", sa.Integer(), nullable=False),
        sa.Column("called_within", sa.Integer(), nullable=False),
        sa.Column("noon_issued", sa.Integer(), nullable=False),
        sa.Column("noon_served", sa.Integer(), nullable=False),
        sa.Column("rated_1", sa.Integer(), nullable=False),
        sa.Column("rated_2", sa.Integer(), nullable=False),
        sa.Column("rated_3", sa.Integer(), nullable=False),
        sa.Column("rated_4", sa.Integer(), nullable=False),
        sa.Column("rated_5", sa.Integer(), nullable=False),
        sa.Column("appt_booked", sa.Integer(), nullable=False),
        sa.Column("appt_cancelled", sa.Integer(), nullable=False),
        sa.Column("appt_kept", sa.Integer(), nullable=False),
        sa.Column("appt_on_time", sa.Integer(), nullable=False),
        sa.Column("appt_late", sa.Integer(), nullable=False),
        sa.Column("appt_too_late", sa.Integer(), nullable=False),
        sa.Column("appt_offset_count", sa.Integer(), nullable=False),
        sa.Column("appt_offset_sum_us", sa.BigInteger(), nullable=False),
        sa.Column("wait_count", sa.Integer(), nullable=False),
        sa.Column("wait_sum_us", sa.BigInteger(), nullable=False),
        sa.Column("wait_max_us", sa.BigInteger(), nullable=False),
        sa.Column("wait_hist", sa.JSON(), nullable=False),
        sa.Column("service_time_count", sa.Integer(), nullable=False),
        sa.Column("service_time_sum_us", sa.BigInteger(), nullable=False),
        sa.Column("service_time_max_us", sa.BigInteger(), nullable=False),
        sa.Column("service_time_hist", sa.JSON(), nullable=False),
        sa.Column("noon_wait_count", sa.Integer(), nullable=False),
        sa.Column("noon_wait_sum_us", sa.BigInteger(), nullable=False),
        sa.Column("noon_wait_max_us", sa.BigInteger(), nullable=False),
        sa.Column("noon_wait_hist", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "day", "dim", "key"),
    )
    op.create_table(
        "report_mark",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("folded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("hall"),
    )


def downgrade() -> None:
    op.drop_table("report_mark")
    op.drop_table("day_aggregate")
