"""leads: one per account and CNIC, possible duplicates flagged; funnel events get a value

A CNIC is no longer unique across leads: another account registering it gets a lead of its own,
marked as a possible duplicate (duplicate_of_id, duplicate_reason) for staff to resolve. CNIC
and mobile are indexed for that check; (user_id, cnic) is unique. Funnel events get a value
(the FAQ topic or sector a worker read). Existing rows are kept; none is a duplicate.

Downgrading brings back the unique CNIC and fails while two leads share a CNIC: resolve the
duplicates first.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's unique constraint on leads.cnic has no name: batch mode names it with this on
# reflection, so that it can be dropped (PostgreSQL named it leads_cnic_key).
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _cnic_unique_name() -> str:
    constraints = sa.inspect(op.get_bind()).get_unique_constraints("leads")
    name = next((c["name"] for c in constraints if c["column_names"] == ["cnic"]), None)
    return name or "uq_leads_cnic"


def upgrade() -> None:
    cnic_unique = _cnic_unique_name()
    with op.batch_alter_table("leads", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(cnic_unique, type_="unique")
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_reason", sa.String(length=8), nullable=True))
        batch_op.create_foreign_key(
            "fk_leads_duplicate_of_id", "leads", ["duplicate_of_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_unique_constraint("uq_leads_user_cnic", ["user_id", "cnic"])
        batch_op.create_index("ix_leads_cnic", ["cnic"], unique=False)
        batch_op.create_index("ix_leads_mobile", ["mobile"], unique=False)
        batch_op.create_index("ix_leads_duplicate_of_id", ["duplicate_of_id"], unique=False)
    with op.batch_alter_table("funnel_events") as batch_op:
        batch_op.add_column(sa.Column("value", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("funnel_events") as batch_op:
        batch_op.drop_column("value")
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_duplicate_of_id")
        batch_op.drop_index("ix_leads_mobile")
        batch_op.drop_index("ix_leads_cnic")
        batch_op.drop_constraint("uq_leads_user_cnic", type_="unique")
        batch_op.drop_constraint("fk_leads_duplicate_of_id", type_="foreignkey")
        batch_op.drop_column("duplicate_reason")
        batch_op.drop_column("duplicate_of_id")
        batch_op.create_unique_constraint("leads_cnic_key", ["cnic"])
