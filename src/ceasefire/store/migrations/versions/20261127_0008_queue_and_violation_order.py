"""Two indexes: the verdict queue's order (a batch run opens every incident at one
instant, and sorting hundreds of thousands of ties took seconds), and the overview by
violation type (a dashboard of one type read the whole period).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 13:55:00.000000
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_assessments_agreement_id"), "assessments",
                    ["agreement_id", "opened_at", "incident_uid"], unique=False)
    op.create_index(op.f("ix_incident_overview_violation"), "incident_overview",
                    ["agreement_id", "violation", "earliest"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_overview_violation"), table_name="incident_overview")
    op.drop_index(op.f("ix_assessments_agreement_id"), table_name="assessments")
