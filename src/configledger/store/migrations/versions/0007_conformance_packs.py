"""conformance packs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conformance_packs",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("pack_id", sa.String(length=64), nullable=False),
        sa.Column("arn", sa.String(length=512), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("template_s3_uri", sa.String(length=1024), nullable=True),
        sa.Column("template_ssm_document", sa.Text(), nullable=True),
        sa.Column("delivery_s3_bucket", sa.String(length=63), nullable=True),
        sa.Column("delivery_s3_key_prefix", sa.String(length=1024), nullable=True),
        sa.Column("input_parameters", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("requested_ms", sa.BigInteger(), nullable=False),
        sa.Column("completed_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "region", "name", name=op.f("pk_conformance_packs")),
        sa.UniqueConstraint("pack_id", name=op.f("uq_conformance_packs_pack_id")),
    )
    op.create_table(
        "conformance_pack_resources",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("pack_name", sa.String(length=256), nullable=False),
        sa.Column("logical_id", sa.String(length=256), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("rule_name", sa.String(length=128), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint(
            "account_id",
            "region",
            "pack_name",
            "logical_id",
            name=op.f("pk_conformance_pack_resources"),
        ),
    )
    with op.batch_alter_table("conformance_pack_resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conformance_pack_resources_rule",
            ["account_id", "region", "rule_name"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("conformance_pack_resources", schema=None) as batch_op:
        batch_op.drop_index("ix_conformance_pack_resources_rule")
    op.drop_table("conformance_pack_resources")
    op.drop_table("conformance_packs")
