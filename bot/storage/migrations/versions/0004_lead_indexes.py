"""leads: an index on (created_at, id), the order of the staff list and of exports

Without it every export (and every page of the staff list) sorts the whole leads table: on
100,000 SQLite leads that sort alone took longer than the rest of a CSV export. Date filters
(--since/--until) use it too.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_created_at_id", ["created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_created_at_id")
