"""Source keys are unique per reporting party, no longer across the whole record: one
party's report claiming a key (another party's, or a dataset's) no longer blocks the
record the key belongs to. An index on the key alone finds the other parties' claims.

On SQLite the table is rebuilt (Database.upgrade turns foreign keys off for it, so the
rebuild deletes no actor link, incident link or apart-pair).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00.000000
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_reports_source_key"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_reports_party_id"),
                                          ["party_id", "source_key"])
        batch_op.create_index(batch_op.f("ix_reports_source_key"), ["source_key"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_source_key"))
        batch_op.drop_constraint(batch_op.f("uq_reports_party_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_reports_source_key"),
                                          ["source_key"])
