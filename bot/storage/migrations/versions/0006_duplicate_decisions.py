"""possible duplicates resolved by staff: leads.merged_into_id and duplicate_decisions

An officer decides on a pair of possible duplicates (keep both, merge, mark one invalid); each
decision is a ``duplicate_decisions`` row, undone by setting ``undone_at``. A merged lead keeps
its row, notes and timeline, pointing at the lead it was merged into (``merged_into_id``).
A partial index holds the marked leads alone (``ix_leads_marked``), for the staff's page.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_leads_merged_into_id", "leads", ["merged_into_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_leads_merged_into_id", ["merged_into_id"], unique=False)
        batch_op.create_index(
            "ix_leads_marked",
            ["id", "duplicate_reason"],
            unique=False,
            sqlite_where=sa.text("duplicate_of_id IS NOT NULL"),
            postgresql_where=sa.text("duplicate_of_id IS NOT NULL"),
        )
    op.create_table(
        "duplicate_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=True),
        sa.Column("kept_id", sa.Integer(), nullable=True),
        sa.Column("changed_id", sa.Integer(), nullable=True),
        sa.Column("previous_status", sa.String(length=16), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("undone_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["staff_accounts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["undone_by_id"], ["staff_accounts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["leads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["kept_id"], ["leads.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["changed_id"], ["leads.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("duplicate_decisions") as batch_op:
        batch_op.create_index("ix_duplicate_decisions_lead_id", ["lead_id"], unique=False)
        batch_op.create_index("ix_duplicate_decisions_other_id", ["other_id"], unique=False)
        batch_op.create_index("ix_duplicate_decisions_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("duplicate_decisions") as batch_op:
        batch_op.drop_index("ix_duplicate_decisions_at")
        batch_op.drop_index("ix_duplicate_decisions_other_id")
        batch_op.drop_index("ix_duplicate_decisions_lead_id")
    op.drop_table("duplicate_decisions")
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_marked")
        batch_op.drop_index("ix_leads_merged_into_id")
        batch_op.drop_constraint("fk_leads_merged_into_id", type_="foreignkey")
        batch_op.drop_column("merged_into_id")
