"""Published bulletins, each as issued, with the checkpoint it rests on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("period_end", UTCDateTime(), nullable=False),
        sa.Column("checkpoint_size", sa.Integer(), nullable=False),
        sa.Column("checkpoint_root", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_signer", sa.String(length=32), nullable=False),
        sa.Column("checkpoint_signature", sa.String(length=128), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_bulletins_account_id_accounts")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name=op.f("fk_bulletins_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"],
                                name=op.f("fk_bulletins_party_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
    )
    with op.batch_alter_table("bulletins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bulletins_agreement_id"), ["agreement_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bulletins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulletins_agreement_id"))
    op.drop_table("bulletins")
