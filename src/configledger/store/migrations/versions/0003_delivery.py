"""delivery tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "delivery_queue",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("subject_seq", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_delivery_queue")),
    )
    with op.batch_alter_table("delivery_queue", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delivery_queue_partition", ["account_id", "region", "kind", "seq"], unique=False
        )
    op.create_table(
        "delivery_status",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("last_error_code", sa.String(length=256), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("last_attempt_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_success_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_status_change_ms", sa.BigInteger(), nullable=True),
        sa.Column("next_delivery_ms", sa.BigInteger(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "region", "kind", name=op.f("pk_delivery_status")),
    )
    op.create_table(
        "delivery_snapshots",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("snapshot_id", sa.String(length=64), nullable=False),
        sa.Column("requested_ms", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("s3_key", sa.String(length=2048), nullable=True),
        sa.Column("total_items", sa.BigInteger(), nullable=True),
        sa.Column("written_items", sa.BigInteger(), nullable=True),
        sa.Column("error_code", sa.String(length=256), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("finished_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "account_id", "region", "snapshot_id", name=op.f("pk_delivery_snapshots")
        ),
    )
    with op.batch_alter_table("delivery_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_snapshots_state", ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_snapshots_state")
    op.drop_table("delivery_snapshots")
    op.drop_table("delivery_status")
    with op.batch_alter_table("delivery_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_queue_partition")
    op.drop_table("delivery_queue")
