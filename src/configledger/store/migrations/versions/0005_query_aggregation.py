"""query aggregation tables

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "query_resources",
        sa.Column("account_id", _key(), nullable=False),
        sa.Column("region", _key(), nullable=False),
        sa.Column("resource_type", _key(), nullable=False),
        sa.Column("resource_id", _key(), nullable=False),
        sa.Column("item_seq", sa.BigInteger(), nullable=False),
        sa.Column("resource_name", sa.String(1024)),
        sa.Column("aws_region", sa.String(32), nullable=False),
        sa.Column("arn", sa.Text()),
        sa.Column("availability_zone", sa.String(256)),
        sa.Column("capture_ms", sa.BigInteger(), nullable=False),
        sa.Column("creation_ms", sa.BigInteger()),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("state_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column(
            "properties",
            sa.Text().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "region", "resource_type", "resource_id", name="pk_query_resources"
        ),
        sqlite_with_rowid=False,
    )
    # Resources recorded before this table existed get their rows from their newest item.
    _backfill()
    op.create_table(
        "stored_queries",
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("query_id", sa.String(36), nullable=False),
        sa.Column("arn", sa.String(512), nullable=False),
        sa.Column("description", sa.String(256)),
        sa.Column("expression", sa.Text()),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "region", "name", name="pk_stored_queries"),
        sa.UniqueConstraint("arn", name="uq_stored_queries_arn"),
    )


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _backfill() -> None:
    from configledger.store.queries import rebuild_query_rows

    rebuild_query_rows(op.get_bind())


def downgrade() -> None:
    op.drop_table("stored_queries")
    op.drop_table("query_resources")
