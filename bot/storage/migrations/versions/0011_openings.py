"""Job openings and the workers matched to them

- ``openings``: an employer's demand (field, job type, route, prefecture, places, requirements
  as columns, pay as given, deadline, descriptions in en/ur/ja) and its state (draft, open,
  closed, filled), with the counts of the last matching.
- ``opening_candidates``: per opening and lead, the match (meets, nearly, no) with the missing
  criteria, the invitation, the worker's answer, the shortlist; unique per opening and lead.
- ``users.jobs_opted_out_at``: the worker tapped "Stop job messages".

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "openings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("sector", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("route", sa.String(8), nullable=False),
        sa.Column("employer", sa.String(120), nullable=False),
        sa.Column("prefecture", sa.String(16), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("japanese", sa.String(16), nullable=True),
        sa.Column("skills_test", sa.String(12), nullable=False),
        sa.Column("min_experience_years", sa.Integer(), nullable=True),
        sa.Column("education", sa.String(16), nullable=True),
        sa.Column("pay_yen", sa.Integer(), nullable=True),
        sa.Column("pay_includes", sa.String(200), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=True),
        sa.Column("descriptions", JSON, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey(
                "staff_accounts.id", ondelete="SET NULL", name="fk_openings_created_by_id"
            ),
            nullable=True,
        ),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("published_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("matched_at", WHEN, nullable=True),
        sa.Column("match_counts", JSON, nullable=True),
    )
    op.create_index("ix_openings_state_deadline", "openings", ["state", "deadline"])
    op.create_table(
        "opening_candidates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "opening_id",
            sa.Integer(),
            sa.ForeignKey("openings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "lead_id", sa.Integer(), sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("match", sa.String(8), nullable=False),
        sa.Column("missing", JSON, nullable=False),
        sa.Column("matched_at", WHEN, nullable=False),
        sa.Column("invited_at", WHEN, nullable=True),
        sa.Column("answer", sa.String(12), nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("shortlisted_at", WHEN, nullable=True),
        sa.Column("closed_notice_at", WHEN, nullable=True),
        sa.UniqueConstraint("opening_id", "lead_id", name="uq_opening_candidates_opening_lead"),
    )
    op.create_index(
        "ix_opening_candidates_opening_match", "opening_candidates", ["opening_id", "match"]
    )
    op.create_index(
        "ix_opening_candidates_opening_answer", "opening_candidates", ["opening_id", "answer"]
    )
    op.create_index("ix_opening_candidates_lead_id", "opening_candidates", ["lead_id"])
    op.create_index("ix_opening_candidates_user_id", "opening_candidates", ["user_id"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("jobs_opted_out_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("jobs_opted_out_at")
    op.drop_table("opening_candidates")
    op.drop_table("openings")
