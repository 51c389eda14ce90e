"""rules tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "config_rules",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("arn", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("next_periodic_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_manual_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_success_invocation_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_failed_invocation_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_success_evaluation_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_failed_evaluation_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_error_code", sa.String(length=256), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("first_evaluation_started", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "name", name=op.f("pk_config_rules")),
        sa.UniqueConstraint("rule_id", name=op.f("uq_config_rules_rule_id")),
    )
    with op.batch_alter_table("config_rules", schema=None) as batch_op:
        batch_op.create_index("ix_config_rules_next_periodic", ["next_periodic_ms"], unique=False)

    op.create_table(
        "evaluation_results",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("rule_name", sa.String(length=128), nullable=False),
        sa.Column("resource_type", sa.String(length=256), nullable=False),
        sa.Column("resource_id", sa.String(length=768), nullable=False),
        sa.Column("compliance", sa.String(length=32), nullable=False),
        sa.Column("annotation", sa.String(length=256), nullable=True),
        sa.Column("ordering_ms", sa.BigInteger(), nullable=False),
        sa.Column("recorded_ms", sa.BigInteger(), nullable=False),
        sa.Column("invoked_ms", sa.BigInteger(), nullable=False),
        sa.Column("result_token", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint(
            "account_id",
            "region",
            "rule_name",
            "resource_type",
            "resource_id",
            name=op.f("pk_evaluation_results"),
        ),
    )
    with op.batch_alter_table("evaluation_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evaluation_results_resource",
            ["account_id", "region", "resource_type", "resource_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluation_results", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_results_resource")
    op.drop_table("evaluation_results")
    with op.batch_alter_table("config_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_config_rules_next_periodic")
    op.drop_table("config_rules")
