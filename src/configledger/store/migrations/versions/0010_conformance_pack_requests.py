"""conformance pack requests carried out in the background

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conformance_packs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending", sa.Text(), nullable=True))
        batch_op.create_index("ix_conformance_packs_state", ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conformance_packs", schema=None) as batch_op:
        batch_op.drop_index("ix_conformance_packs_state")
        batch_op.drop_column("pending")
