"""Exact de-duplication of updates: the ids of the last updates handled per conversation

- ``conversations.recent_event_ids``: the channel's ids (Telegram update_id) of the most
  recent events handled for this user, newest last, at most ``RECENT_EVENTS`` of them. An
  update is a duplicate only when its id is among them: with webhook delivery over several
  connections and instances an older update may arrive after a newer one, and is applied.
  ``last_event_id`` stays the highest id handled.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("recent_event_ids", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_column("recent_event_ids")
