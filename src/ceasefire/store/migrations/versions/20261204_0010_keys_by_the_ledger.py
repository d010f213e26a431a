"""Keys are trusted through the ledger: each key row has a status (current, rotated,
revoked) that the entry registering, replacing or revoking it writes; checkpoints pin the
ledger's trust root (the key entry 1 registered).

A ledger begun before this revision does not open with the registration of its root key,
so `ledger verify` refuses it: start a new record (docs/ledger.md).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=8), nullable=False,
                                      server_default="current"))
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trust", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.drop_column("trust")
    with op.batch_alter_table("ledger_keys", schema=None) as batch_op:
        batch_op.drop_column("status")
