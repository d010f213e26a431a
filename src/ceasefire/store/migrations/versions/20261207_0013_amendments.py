"""Amendments to an agreement's terms, the version of the terms that judged each
assessment, and actors merged into another.

`assessments.terms_version` and `actors.merged_into` are declared added to their
records' digests (store/records.py): rows written before hold 0 and NULL, and digest as
they were signed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("effective", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("made_by", sa.String(length=63), nullable=False),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_amendments_agreement_id_agreements"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
        sa.UniqueConstraint("agreement_id", "version",
                            name=op.f("uq_amendments_agreement_id")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms_version", sa.Integer(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.String(length=63), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_column("merged_into")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("terms_version")
    op.drop_table("amendments")
