"""the advanced-query projection follows the outbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 15:40:00

Until now ``query_resources`` moved inside each append; from here it follows the outbox
as consumer ``query``. A store that is migrated is already current, so the consumer
starts after the newest event instead of replaying all of them.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO outbox_cursors (consumer, last_seq)"
        " SELECT 'query', COALESCE(MAX(seq), 0) FROM outbox"
    )


def downgrade() -> None:
    op.execute("DELETE FROM outbox_cursors WHERE consumer = 'query'")
