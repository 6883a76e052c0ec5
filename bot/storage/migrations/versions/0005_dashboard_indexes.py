"""leads.sectors and covering indexes for the staff list and the dashboard

- ``leads.sectors``: the chosen sectors as ``,construction,agriculture,`` (filled from the
  answers here, then kept in step by the model), so the sector filter and the dashboard's
  sector counts read a short column instead of each lead's JSON.
- ``ix_leads_list``: (created_at, id, province, language, status, source, sectors, officer,
  name, reference, CNIC, mobile). The leads list's search and filters and the dashboard's
  counts are answered from it; on SQLite a lead's row (answers, eligibility) spans several
  pages, so reading rows made a search of 100,000 leads take half a second.
- ``funnel_events``: (flow, kind, at, user_id) replaces (flow, kind, at), and (kind, at,
  flow, user_id) is new: the people at each stage of a period are counted from the index
  alone; (user_id, flow, kind, id), for each person's latest step, replaces the index on
  user_id alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIST_COLUMNS = [
    "created_at",
    "id",
    "province",
    "language",
    "status",
    "source",
    "sectors",
    "assigned_officer_id",
    "full_name",
    "reference",
    "cnic",
    "mobile",
]


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sectors", sa.String(length=400), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE leads SET sectors = ',' || (SELECT string_agg(value, ',') FROM "
            "jsonb_array_elements_text(answers -> 'sectors')) || ',' "
            "WHERE jsonb_typeof(answers -> 'sectors') = 'array' "
            "AND jsonb_array_length(answers -> 'sectors') > 0"
        )
    else:
        op.execute(
            "UPDATE leads SET sectors = ',' || (SELECT group_concat(value, ',') FROM "
            "json_each(leads.answers, '$.sectors')) || ',' "
            "WHERE json_type(answers, '$.sectors') = 'array' "
            "AND json_array_length(answers, '$.sectors') > 0"
        )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_list", LIST_COLUMNS, unique=False)
    with op.batch_alter_table("funnel_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_funnel_flow_kind_at_user", ["flow", "kind", "at", "user_id"], unique=False
        )
        batch_op.drop_index("ix_funnel_flow_kind_at")
        batch_op.create_index(
            "ix_funnel_kind_at_flow_user", ["kind", "at", "flow", "user_id"], unique=False
        )
        batch_op.create_index(
            "ix_funnel_user_flow_kind", ["user_id", "flow", "kind", "id"], unique=False
        )
        batch_op.drop_index("ix_funnel_events_user_id")


def downgrade() -> None:
    with op.batch_alter_table("funnel_events", schema=None) as batch_op:
        batch_op.create_index("ix_funnel_events_user_id", ["user_id"], unique=False)
        batch_op.drop_index("ix_funnel_user_flow_kind")
        batch_op.drop_index("ix_funnel_kind_at_flow_user")
        batch_op.create_index("ix_funnel_flow_kind_at", ["flow", "kind", "at"], unique=False)
        batch_op.drop_index("ix_funnel_flow_kind_at_user")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_list")
        batch_op.drop_column("sectors")
