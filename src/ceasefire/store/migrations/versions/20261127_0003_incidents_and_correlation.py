"""Incidents, the links and analysts' decisions behind them, and actors' sides.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 04:48:35.509409
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correlation_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("incidents", sa.JSON(), nullable=False),
        sa.Column("reports", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_correlation_decisions_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_correlation_decisions_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correlation_decisions")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("founder_id", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("earliest", UTCDateTime(), nullable=False),
        sa.Column("latest", UTCDateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("where_precision", sa.SmallInteger(), nullable=False),
        sa.Column("adm1", sa.String(length=4), nullable=True),
        sa.Column("adm2", sa.String(length=6), nullable=True),
        sa.Column("adm3", sa.String(length=8), nullable=True),
        sa.Column("violation", sa.String(length=32), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["founder_id"], ["reports.id"], name=op.f("fk_incidents_founder_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("founder_id", name=op.f("uq_incidents_founder_id")),
        sa.UniqueConstraint("uid", name=op.f("uq_incidents_uid")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_adm1"), ["adm1"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_earliest"), ["earliest"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_violation"), ["violation"], unique=False)

    op.create_table(
        "report_apart",
        sa.Column("report_a", sa.Integer(), nullable=False),
        sa.Column("report_b", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["correlation_decisions.id"],
            name=op.f("fk_report_apart_decision_id_correlation_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["report_a"],
            ["reports.id"],
            name=op.f("fk_report_apart_report_a_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_b"],
            ["reports.id"],
            name=op.f("fk_report_apart_report_b_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_a", "report_b", name=op.f("pk_report_apart")),
    )
    with op.batch_alter_table("report_apart", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_apart_report_b"), ["report_b"], unique=False)

    op.create_table(
        "report_links",
        sa.Column("report_a", sa.Integer(), nullable=False),
        sa.Column("report_b", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_a"],
            ["reports.id"],
            name=op.f("fk_report_links_report_a_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_b"],
            ["reports.id"],
            name=op.f("fk_report_links_report_b_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_a", "report_b", name=op.f("pk_report_links")),
    )
    with op.batch_alter_table("report_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_links_report_b"), ["report_b"], unique=False)

    op.create_table(
        "incident_reports",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reports_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_incident_reports_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_incident_reports")),
    )
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_reports_incident_id"), ["incident_id"], unique=False
        )

    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("side", sa.String(length=63), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_column("side")

    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_reports_incident_id"))

    op.drop_table("incident_reports")
    with op.batch_alter_table("report_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_links_report_b"))

    op.drop_table("report_links")
    with op.batch_alter_table("report_apart", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_apart_report_b"))

    op.drop_table("report_apart")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_violation"))
        batch_op.drop_index(batch_op.f("ix_incidents_earliest"))
        batch_op.drop_index(batch_op.f("ix_incidents_adm1"))

    op.drop_table("incidents")
    op.drop_table("correlation_decisions")
