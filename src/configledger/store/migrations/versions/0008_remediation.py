"""remediation tables

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _partition() -> list[sa.Column[str]]:
    return [
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "remediation_configurations",
        *_partition(),
        sa.Column("rule_name", sa.String(length=128), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id", "region", "rule_name", name=op.f("pk_remediation_configurations")
        ),
    )
    op.create_table(
        "remediation_exceptions",
        *_partition(),
        sa.Column("rule_name", sa.String(length=128), nullable=False),
        sa.Column("resource_type", sa.String(length=256), nullable=False),
        sa.Column("resource_id", sa.String(length=768), nullable=False),
        sa.Column("message", sa.String(length=1024), nullable=True),
        sa.Column("expiration_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "account_id",
            "region",
            "rule_name",
            "resource_type",
            "resource_id",
            name=op.f("pk_remediation_exceptions"),
        ),
    )
    op.create_table(
        "remediation_executions",
        *_partition(),
        sa.Column("rule_name", sa.String(length=128), nullable=False),
        sa.Column("resource_type", sa.String(length=256), nullable=False),
        sa.Column("resource_id", sa.String(length=768), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("due_ms", sa.BigInteger(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Text(), nullable=False),
        sa.Column("automation_id", sa.String(length=128), nullable=True),
        sa.Column("invocation_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id",
            "region",
            "rule_name",
            "resource_type",
            "resource_id",
            name=op.f("pk_remediation_executions"),
        ),
    )
    with op.batch_alter_table("remediation_executions", schema=None) as batch_op:
        batch_op.create_index("ix_remediation_executions_state", ["state", "due_ms"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("remediation_executions", schema=None) as batch_op:
        batch_op.drop_index("ix_remediation_executions_state")
    op.drop_table("remediation_executions")
    op.drop_table("remediation_exceptions")
    op.drop_table("remediation_configurations")
