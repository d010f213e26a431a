"""The overview counted over all time by sub-district and cell of the country map's grid
(`overview_cells`), filled from the overview: what the whole record's map and count read.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-11 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# As store/overview_cells.py counts it; spelt out here so this step stays what it was when
# the code moves on. Cells of 0.3 degrees from (-180, -90); coordinates summed in
# ten-millionths of a degree.
_COUNT = """
INSERT INTO overview_cells (agreement_id, adm1, adm2, adm3, cell_x, cell_y, status, parties,
    opened_at, answered, incidents, lon_e7, lat_e7)
SELECT agreement_id, coalesce(adm1, ''), coalesce(adm2, ''), coalesce(adm3, ''),
    coalesce({cell_x}, -1), coalesce({cell_y}, -1), status, parties,
    CASE WHEN status = 'pending' AND covered AND opened_at IS NOT NULL THEN opened_at
         ELSE {epoch} END,
    CASE WHEN status = 'pending' AND covered AND opened_at IS NOT NULL AND version > 0
         THEN {yes} ELSE {no} END,
    count(*), coalesce(sum(CAST(round(lon * 10000000) AS BIGINT)), 0),
    coalesce(sum(CAST(round(lat * 10000000) AS BIGINT)), 0)
FROM incident_overview GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
"""
_SPELLING = {
    "postgresql": {
        "cell_x": "CAST(floor((lon - CAST(-180.0 AS FLOAT8)) / CAST(0.3 AS FLOAT8)) AS INTEGER)",
        "cell_y": "CAST(floor((lat - CAST(-90.0 AS FLOAT8)) / CAST(0.3 AS FLOAT8)) AS INTEGER)",
        "epoch": "TIMESTAMPTZ '1970-01-01 00:00:00+00'", "yes": "true", "no": "false"},
    "sqlite": {"cell_x": "CAST((lon - -180.0) / 0.3 AS INTEGER)",
               "cell_y": "CAST((lat - -90.0) / 0.3 AS INTEGER)",
               "epoch": "'1970-01-01 00:00:00.000000'", "yes": "1", "no": "0"},
}


def upgrade() -> None:
    op.create_table(
        "overview_cells",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("adm1", sa.String(length=4), nullable=False),
        sa.Column("adm2", sa.String(length=6), nullable=False),
        sa.Column("adm3", sa.String(length=8), nullable=False),
        sa.Column("cell_x", sa.Integer(), nullable=False),
        sa.Column("cell_y", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parties", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("lon_e7", sa.BigInteger(), nullable=False),
        sa.Column("lat_e7", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "adm1", "adm2", "adm3", "cell_x", "cell_y",
                                "status", "parties", "opened_at", "answered",
                                name=op.f("pk_overview_cells")),
        sqlite_with_rowid=False,
    )
    op.execute(_COUNT.format(**_SPELLING[op.get_bind().dialect.name]))


def downgrade() -> None:
    op.drop_table("overview_cells")
