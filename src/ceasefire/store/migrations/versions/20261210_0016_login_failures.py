"""Failed web logins, in the database so that every server process counts them.

The login rate limit kept its counts in the server process's memory; with several
processes (`ceasefire serve --workers N`) each would count alone. Access, not a record:
writing it needs no ledger entry.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_username_hash", ["username_hash", "failed_at"],
                              unique=False)
        batch_op.create_index("ix_login_failures_address", ["address", "failed_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_login_failures_failed_at"), ["failed_at"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("login_failures")
