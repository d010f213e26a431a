"""A report's injured, best estimate: NULL where the source gives no figure, as every
report stored before holds.

The column is declared added to the report's digest (store/records.py), so a report that
leaves it NULL digests as it was signed and `ledger verify` passes on a record made before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("injured", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("injured")
