"""Checkpoints as C2SP signed notes, and the witnesses' cosignatures of them.

`ledger_checkpoints.note` holds the signed note of a checkpoint made from now on (its
`signature` is then the server's signature of the note's text); older checkpoints keep
their JSON form and verify as they were signed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "ledger_cosignatures",
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("vkey", sa.String(length=300), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("cosigned_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["size"], ["ledger_checkpoints.size"],
                                name=op.f("fk_ledger_cosignatures_size_ledger_checkpoints")),
        sa.PrimaryKeyConstraint("size", "witness", name=op.f("pk_ledger_cosignatures")),
    )


def downgrade() -> None:
    op.drop_table("ledger_cosignatures")
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.drop_column("note")
