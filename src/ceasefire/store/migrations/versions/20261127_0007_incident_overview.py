"""The pages' overview: one row per incident and agreement, and its counts by day,
filled from the record.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 13:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# As store/overview.py fills it; spelt out here so this step stays what it was when the
# code moves on. Party ids from 62 up are left out of the bits, as there.
_FILL = """
INSERT INTO incident_overview (agreement_id, earliest, uid, incident_id, latest, adm1, adm2,
    adm3, lon, lat, violation, report_count, assessment_id, covered, status, opened_at,
    version, parties)
SELECT a.agreement_id, i.earliest, i.uid, i.id, i.latest, i.adm1, i.adm2, i.adm3, i.lon,
    i.lat, i.violation, i.report_count, a.id, a.covered, a.status, a.opened_at, a.version,
    (SELECT coalesce(sum(DISTINCT {bit}), 0) FROM incident_reports ir
     JOIN reports r ON r.id = ir.report_id WHERE ir.incident_id = i.id AND r.party_id < 62)
FROM incidents i JOIN assessments a ON a.incident_uid = i.uid
"""
_COUNT = """
INSERT INTO overview_days (agreement_id, day, adm1, status, parties, opened_at, answered,
    incidents)
SELECT agreement_id, {day}, coalesce(adm1, ''), status, parties,
    CASE WHEN status = 'pending' AND covered AND opened_at IS NOT NULL THEN opened_at
         ELSE {epoch} END,
    CASE WHEN status = 'pending' AND covered AND opened_at IS NOT NULL AND version > 0
         THEN {yes} ELSE {no} END,
    count(*)
FROM incident_overview GROUP BY 1, 2, 3, 4, 5, 6, 7
"""
_SPELLING = {
    "postgresql": {"bit": "(CAST(1 AS BIGINT) << r.party_id)",
                   "day": "(earliest AT TIME ZONE 'UTC')::date",
                   "epoch": "TIMESTAMPTZ '1970-01-01 00:00:00+00'", "yes": "true", "no": "false"},
    "sqlite": {"bit": "(1 << r.party_id)", "day": "date(earliest)",
               "epoch": "'1970-01-01 00:00:00.000000'", "yes": "1", "no": "0"},
}


def upgrade() -> None:
    op.create_table(
        "incident_overview",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("earliest", UTCDateTime(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("latest", UTCDateTime(), nullable=False),
        sa.Column("adm1", sa.String(length=4), nullable=True),
        sa.Column("adm2", sa.String(length=6), nullable=True),
        sa.Column("adm3", sa.String(length=8), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("violation", sa.String(length=32), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("parties", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "earliest", "uid",
                                name=op.f("pk_incident_overview")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_incident_overview_uid"), "incident_overview", ["uid"],
                    unique=False)
    op.create_table(
        "overview_days",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("adm1", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parties", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "day", "adm1", "status", "parties",
                                "opened_at", "answered",
                                name=op.f("pk_overview_days")),
        sqlite_with_rowid=False,
    )
    spelling = _SPELLING[op.get_bind().dialect.name]
    op.execute(_FILL.format(**spelling))
    op.execute(_COUNT.format(**spelling))


def downgrade() -> None:
    op.drop_table("overview_days")
    op.drop_index(op.f("ix_incident_overview_uid"), table_name="incident_overview")
    op.drop_table("incident_overview")
