"""Reports, the imports log, Idempotency-Keys and place names learnt from imports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 02:23:38.149973
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "place_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("precision", sa.SmallInteger(), nullable=False),
        sa.Column("adm1", sa.String(length=4), nullable=True),
        sa.Column("adm2", sa.String(length=6), nullable=True),
        sa.Column("adm3", sa.String(length=8), nullable=True),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_names")),
        sa.UniqueConstraint("key", "name", name=op.f("uq_place_names_key")),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_added", sa.Integer(), nullable=False),
        sa.Column("rows_present", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_imports_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("earliest", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_precision", sa.String(length=10), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("where_precision", sa.SmallInteger(), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=True),
        sa.Column("adm1", sa.String(length=4), nullable=True),
        sa.Column("adm2", sa.String(length=6), nullable=True),
        sa.Column("adm3", sa.String(length=8), nullable=True),
        sa.Column("violation", sa.String(length=32), nullable=False),
        sa.Column("perpetrator_text", sa.String(length=500), nullable=True),
        sa.Column("target_text", sa.String(length=500), nullable=True),
        sa.Column("civilians_targeted", sa.Boolean(), nullable=False),
        sa.Column("killed_low", sa.Integer(), nullable=False),
        sa.Column("killed_best", sa.Integer(), nullable=False),
        sa.Column("killed_high", sa.Integer(), nullable=False),
        sa.Column("killed_civilian", sa.Integer(), nullable=True),
        sa.Column("killed_combatant", sa.Integer(), nullable=True),
        sa.Column("killed_unknown", sa.Integer(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("source_reference", sa.Text(), nullable=True),
        sa.Column("source_published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_reports_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_reports_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_reports_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("source_key", name=op.f("uq_reports_source_key")),
        sa.UniqueConstraint("uid", name=op.f("uq_reports_uid")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_adm1"), ["adm1"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_earliest"), ["earliest"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_party_id"), ["party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_violation"), ["violation"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_idempotency_keys_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_idempotency_keys_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("account_id", "key", name=op.f("uq_idempotency_keys_account_id")),
    )
    op.create_table(
        "report_actors",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_report_actors_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_actors_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "role", "position", name=op.f("pk_report_actors")),
    )
    with op.batch_alter_table("report_actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_actors_actor_id"), ["actor_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("report_actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_actors_actor_id"))

    op.drop_table("report_actors")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_violation"))
        batch_op.drop_index(batch_op.f("ix_reports_party_id"))
        batch_op.drop_index(batch_op.f("ix_reports_earliest"))
        batch_op.drop_index(batch_op.f("ix_reports_adm1"))

    op.drop_table("reports")
    op.drop_table("imports")
    op.drop_table("place_names")
