"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=True),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("staff", sa.String(length=64), nullable=True),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hall", "seq", name="uq_event_seq"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_hall_at", ["hall", "at"], unique=False)
        batch_op.create_index("ix_event_ticket", ["ticket_id"], unique=False)

    op.create_table(
        "hall",
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
    )
    op.create_table(
        "ticket_counter",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("service", sa.String(length=1), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "service", "business_day"),
    )
    op.create_table(
        "window_service",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=1), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "window", "service"),
    )
    op.create_table(
        "service",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("code", sa.String(length=1), nullable=False),
        sa.Column("name_zh", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("zone", sa.String(200), nullable=False),
        sa.Column("expected_minutes", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall"],
            ["hall.slug"],
        ),
        sa.PrimaryKeyConstraint("hall", "code"),
    )
    op.create_table(
        "ticket",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=1), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("order_key", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("target_window", sa.Integer(), nullable=False),
        sa.Column("recall_count", sa.Integer(), nullable=False),
        sa.Column("reactivations", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("service_seconds", sa.Float(), nullable=True),
        sa.Column("appointment", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall"],
            ["hall.slug"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hall", "business_day", "number", name="uq_ticket_number"),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_finished", ["hall", "service", "finished_at"], unique=False)
        batch_op.create_index(
            "ix_ticket_queue",
            [
                "hall",
                "business_day",
                "state",
                "target_window",
                "service",
                "tier",
                "order_key",
                "id",
            ],
            unique=False,
        )
        batch_op.create_index("ix_ticket_window", ["hall", "window", "state"], unique=False)

    op.create_table(
        "window",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("staff", sa.String(length=64), nullable=True),
        sa.Column("pause_reason", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall"],
            ["hall.slug"],
        ),
        sa.PrimaryKeyConstraint("hall", "number"),
    )


def downgrade() -> None:
    op.drop_table("window")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_window")
        batch_op.drop_index("ix_ticket_queue")
        batch_op.drop_index("ix_ticket_finished")

    op.drop_table("ticket")
    op.drop_table("service")
    op.drop_table("window_service")
    op.drop_table("ticket_counter")
    op.drop_table("hall")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_ticket")
        batch_op.drop_index("ix_event_hall_at")

    op.drop_table("event")
