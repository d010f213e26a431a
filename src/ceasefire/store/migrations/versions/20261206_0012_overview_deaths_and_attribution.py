"""The pages' overview holds each incident's deaths (the highest best estimate of its
reports) and the actor its guarantors' confirming verdicts name, filled from the record;
with indexes for the incident list by deaths and by deadline.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# As store/overview.py fills them; spelt out here so this step stays what it was when the
# code moves on. {what} is count(DISTINCT ...) or min(...) of the actors named.
_CONFIRMING = """(SELECT {what} FROM verdicts v
    JOIN agreement_guarantors g ON g.party_id = v.party_id
        AND g.agreement_id = incident_overview.agreement_id
    WHERE v.assessment_id = incident_overview.assessment_id AND v.position = 'confirm'
        AND v.attributed_to_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM verdicts l WHERE l.assessment_id = v.assessment_id
                        AND l.party_id = v.party_id AND l.version > v.version))"""
_FILL = f"""
UPDATE incident_overview SET
    killed = (SELECT coalesce(max(r.killed_best), 0) FROM incident_reports ir
              JOIN reports r ON r.id = ir.report_id
              WHERE ir.incident_id = incident_overview.incident_id),
    attributed_actors = {_CONFIRMING.format(what="count(DISTINCT v.attributed_to_id)")}
"""
_ONE = f"""
UPDATE incident_overview SET attributed_id = {_CONFIRMING.format(what="min(v.attributed_to_id)")}
WHERE attributed_actors = 1
"""


def upgrade() -> None:
    op.add_column("incident_overview", sa.Column("killed", sa.Integer(), nullable=False,
                                                 server_default="0"))
    op.add_column("incident_overview", sa.Column("attributed_id", sa.Integer(), nullable=True))
    op.add_column("incident_overview", sa.Column("attributed_actors", sa.Integer(),
                                                 nullable=False, server_default="0"))
    op.execute(_FILL)
    op.execute(_ONE)
    op.create_index(op.f("ix_incident_overview_killed"), "incident_overview",
                    ["agreement_id", "killed", "earliest", "uid"], unique=False)
    op.create_index(op.f("ix_incident_overview_deadline"), "incident_overview",
                    ["agreement_id", "status", "opened_at", "earliest", "uid"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_overview_deadline"), table_name="incident_overview")
    op.drop_index(op.f("ix_incident_overview_killed"), table_name="incident_overview")
    with op.batch_alter_table("incident_overview", schema=None) as batch_op:
        batch_op.drop_column("attributed_actors")
        batch_op.drop_column("attributed_id")
        batch_op.drop_column("killed")
