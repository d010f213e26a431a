"""Amendments by agreement of the guarantors: who amends an agreement, and the proposals
waiting for the guarantors' consent.

`agreements.amended_by` is declared added to the agreement's digest (store/records.py):
rows written before hold "secretariat" and digest as they were signed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("amended_by", sa.String(length=12), nullable=False,
                                      server_default="secretariat"))
    op.create_table(
        "amendment_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("effective", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.String(length=63), nullable=False),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("objection", sa.JSON(), nullable=True),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_amendment_proposals_agreement_id_agreements"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["amendment_id"], ["amendments.id"],
                                name=op.f("fk_amendment_proposals_amendment_id_amendments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendment_proposals")),
    )


def downgrade() -> None:
    op.drop_table("amendment_proposals")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("amended_by")
