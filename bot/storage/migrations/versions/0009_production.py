"""Production: opt-outs and blocked chats, the flow a conversation is in, reminders,
withdrawn (deleted) leads, broadcasts, and the leases of background jobs

- ``users.opted_out_at``: the worker asked for no more announcements or reminders;
  ``users.blocked_at``: Telegram said the chat blocked the bot (403): skipped until they write.
- ``conversations.flow``: the flow in progress (None when none), kept with the state, and
  ``conversations.reminded_at``: when the one reminder for it went; indexed with
  ``updated_at`` so reminders and the retention purge find their rows without reading states.
- ``leads.deleted_at``: the worker used /delete; the lead stays as a tombstone, its personal
  fields erased (``birth_date`` may now be empty), left out of lists and exports.
- ``broadcasts``: an announcement in three languages to a segment, and its state.
- ``outbox.broadcast_id``, and ``outbox.state`` widened (``cancelled``).
- ``scheduled_jobs``: one row per periodic job, claimed for a lease by one instance at a time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("flow", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_conversations_flow_updated", ["flow", "updated_at"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("UPDATE conversations SET flow = state ->> 'flow'")
    else:
        op.execute("UPDATE conversations SET flow = json_extract(state, '$.flow')")
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("birth_date", existing_type=sa.Date(), nullable=True)
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("texts", JSON, nullable=False),
        sa.Column("segment", JSON, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_accounts.id"],
            ondelete="SET NULL",
            name="fk_broadcasts_created_by_id",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch_op.alter_column(
            "state", existing_type=sa.String(length=8), type_=sa.String(length=12)
        )
        batch_op.create_foreign_key(
            "fk_outbox_broadcast_id", "broadcasts", ["broadcast_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_outbox_broadcast_state", ["broadcast_id", "state"])
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_broadcast_state")
        batch_op.drop_constraint("fk_outbox_broadcast_id", type_="foreignkey")
        batch_op.alter_column(
            "state", existing_type=sa.String(length=12), type_=sa.String(length=8)
        )
        batch_op.drop_column("broadcast_id")
    op.drop_table("broadcasts")
    with op.batch_alter_table("leads") as batch_op:
        batch_op.alter_column("birth_date", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("deleted_at")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_flow_updated")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("flow")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("blocked_at")
        batch_op.drop_column("opted_out_at")
