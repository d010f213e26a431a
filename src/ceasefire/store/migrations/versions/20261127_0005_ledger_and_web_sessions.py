"""The ledger (entries, the records each wrote, signing keys, checkpoints), web login
sessions and account passwords.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:58:00.804422
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("signer", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=True),
        sa.Column("account", sa.String(length=63), nullable=True),
        sa.Column("action", sa.String(length=63), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signer", sa.String(length=32), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entries")),
    )
    op.create_table(
        "ledger_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=True),
        sa.Column("public", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_ledger_keys")),
    )
    op.create_table(
        "ledger_writes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["seq"], ["ledger_entries.seq"], name=op.f("fk_ledger_writes_seq_ledger_entries")
        ),
        sa.PrimaryKeyConstraint("seq", "kind", "key", name=op.f("pk_ledger_writes")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_web_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_account_id"))

    op.drop_table("web_sessions")
    op.drop_table("ledger_writes")
    op.drop_table("ledger_keys")
    op.drop_table("ledger_entries")
    op.drop_table("ledger_checkpoints")
