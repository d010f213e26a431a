"""Assessments of incidents under agreements, guarantors' verdicts, zones' own terms and
what silence counts as after the response deadline.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 08:35:57.589436
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_uid", sa.String(length=36), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.String(length=63), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"], name=op.f("fk_assessments_agreement_id_agreements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "incident_uid", "agreement_id", name=op.f("uq_assessments_incident_uid")
        ),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_status"), ["status"], unique=False)

    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.String(length=8), nullable=False),
        sa.Column("attributed_to_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("cast_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_verdicts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_verdicts_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["attributed_to_id"], ["actors.id"], name=op.f("fk_verdicts_attributed_to_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_verdicts_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdicts")),
        sa.UniqueConstraint("assessment_id", "version", name=op.f("uq_verdicts_assessment_id")),
    )
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verdicts_assessment_id"), ["assessment_id"], unique=False
        )

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        # Agreements stored before this revision keep the default: silence abstains.
        batch_op.add_column(
            sa.Column("silence", sa.String(length=8), nullable=False, server_default="abstain")
        )

    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prohibited", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_column("prohibited")

    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_column("silence")

    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verdicts_assessment_id"))

    op.drop_table("verdicts")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_status"))
        batch_op.drop_index(batch_op.f("ix_assessments_opened_at"))

    op.drop_table("assessments")
