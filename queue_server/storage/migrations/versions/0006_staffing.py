"""staffing: the staff registry and skills, shift templates, posts, leave, calendar overrides, rosters

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "login"),
    )
    op.create_table(
        "staff_skill",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=1), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "login", "service"),
    )
    op.create_table(
        "shift_template",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("lunch_minutes", sa.Integer(), nullable=False),
        sa.Column("lunch_earliest", sa.Time(), nullable=True),
        sa.Column("lunch_latest", sa.Time(), nullable=True),
        sa.Column("noon_duty", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "code"),
    )
    op.create_table(
        "post",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("a", sa.String(length=64), nullable=True),
        sa.Column("b", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("hall", "code"),
    )
    op.create_table(
        "leave",
        sa.Column("id", _ID, nullable=False),
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("leave", schema=None) as batch_op:
        batch_op.create_index("ix_leave_hall_login_start", ["hall", "login", "start"], unique=False)
    op.create_table(
        "calendar_day",
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("hall", "day", "source"),
    )
    op.create_table(
        "roster",
        sa.Column("id", _ID, nullable=False),
        sa.Column("hall", sa.String(length=63), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("made_by", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roster", schema=None) as batch_op:
        batch_op.create_index("ix_roster_hall_first", ["hall", "first"], unique=False)
    op.create_table(
        "roster_assignment",
        sa.Column("roster", sa.BigInteger(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(length=32), nullable=False),
        sa.Column("post", sa.String(length=32), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lunch_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lunch_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("roster", "login", "start"),
    )
    with op.batch_alter_table("roster_assignment", schema=None) as batch_op:
        batch_op.create_index("ix_roster_assignment_login_day", ["login", "day"], unique=False)


def downgrade() -> None:
    for table, index in (
        ("roster_assignment", "ix_roster_assignment_login_day"),
        ("roster", "ix_roster_hall_first"),
        ("leave", "ix_leave_hall_login_start"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
    for table in (
        "roster_assignment",
        "roster",
        "calendar_day",
        "leave",
        "post",
        "shift_template",
        "staff_skill",
        "staff",
    ):
        op.drop_table(table)
