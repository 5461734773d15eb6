"""domain tables

Revision ID: 0001
Revises:
Create Date: 2026-11-24 11:45:36.714512
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

OPEN_BATCH = "status IN ('INITIATED', 'ACTIVE', 'PAUSED')"

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "ARCHIVED",
                name="cycle_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("workbook_path", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle")),
        sa.UniqueConstraint("name", name=op.f("uq_cycle_name")),
    )
    op.create_table(
        "operator_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("target_type", sa.String(length=50), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("cycle_name", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_action")),
    )
    with op.batch_alter_table("operator_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_action_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_operator_action_cycle_name"), ["cycle_name"], unique=False
        )

    op.create_table(
        "configuration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=2000), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "NEW",
                "VALID",
                "ERROR",
                "ACTIVE",
                "SUPERSEDED",
                name="configuration_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("validation_report", sa.JSON(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_configuration_cycle_id_cycle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_configuration")),
        sa.UniqueConstraint("cycle_id", "version", name="uq_configuration_version"),
    )
    with op.batch_alter_table("configuration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_configuration_cycle_id"), ["cycle_id"], unique=False)

    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("configuration_id", sa.Integer(), nullable=False),
        sa.Column(
            "batch_type",
            sa.Enum(
                "data_extraction",
                "edm_creation",
                "portfolio_creation",
                "mri_import",
                "treaty_creation",
                "edm_upgrade",
                "geohaz",
                "portfolio_mapping",
                "analysis",
                "grouping",
                "grouping_rollup",
                "rdm_export",
                name="batch_type",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "INITIATED",
                "ACTIVE",
                "PAUSED",
                "COMPLETED",
                "FAILED",
                "CANCELLED",
                "ERROR",
                name="batch_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_recon_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["configuration_id"],
            ["configuration.id"],
            name=op.f("fk_batch_configuration_id_configuration"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
    )
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_batch_type"), ["batch_type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_batch_configuration_id"), ["configuration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_batch_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_batch_open_per_type",
            ["configuration_id", "batch_type"],
            unique=True,
            sqlite_where=sa.text(OPEN_BATCH),
            postgresql_where=sa.text(OPEN_BATCH),
        )

    op.create_table(
        "batch_recon_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("recon_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "INITIATED",
                "ACTIVE",
                "PAUSED",
                "COMPLETED",
                "FAILED",
                "CANCELLED",
                "ERROR",
                name="recon_batch_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
            name=op.f("fk_batch_recon_log_batch_id_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_recon_log")),
    )
    with op.batch_alter_table("batch_recon_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_recon_log_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_recon_log_recon_at"), ["recon_at"], unique=False)

    op.create_table(
        "job_configuration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("skipped_reason", sa.String(length=1000), nullable=True),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.String(length=1000), nullable=True),
        sa.Column("parent_job_configuration_id", sa.Integer(), nullable=True),
        sa.Column("override_job_configuration_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
            name=op.f("fk_job_configuration_batch_id_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["override_job_configuration_id"],
            ["job_configuration.id"],
            name=op.f("fk_job_configuration_override_job_configuration_id_job_configuration"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_job_configuration_id"],
            ["job_configuration.id"],
            name=op.f("fk_job_configuration_parent_job_configuration_id_job_configuration"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_configuration")),
    )
    with op.batch_alter_table("job_configuration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_configuration_batch_id"), ["batch_id"], unique=False
        )

    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("job_configuration_id", sa.Integer(), nullable=False),
        sa.Column("parent_job_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "INITIATED",
                "SUBMITTING",
                "SUBMITTED",
                "QUEUED",
                "PENDING",
                "RUNNING",
                "CANCEL_REQUESTED",
                "CANCELLING",
                "FINISHED",
                "FAILED",
                "CANCELLED",
                "ERROR",
                "FORCED_OK",
                name="job_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.String(length=1000), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("skipped_reason", sa.String(length=1000), nullable=True),
        sa.Column("moodys_family", sa.String(length=20), nullable=True),
        sa.Column("moodys_job_id", sa.String(length=50), nullable=True),
        sa.Column("moodys_url", sa.String(length=2000), nullable=True),
        sa.Column("moodys_status", sa.String(length=50), nullable=True),
        sa.Column("progress", sa.Float(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("submission_request", sa.JSON(), nullable=True),
        sa.Column("submission_response", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_job_batch_id_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["job_configuration_id"],
            ["job_configuration.id"],
            name=op.f("fk_job_job_configuration_id_job_configuration"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_job_id"], ["job.id"], name=op.f("fk_job_parent_job_id_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("request_id", name=op.f("uq_job_request_id")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_job_configuration_id"), ["job_configuration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_job_moodys_job_id"), ["moodys_job_id"], unique=False)
        batch_op.create_index("ix_job_status_family", ["status", "moodys_family"], unique=False)

    op.create_table(
        "job_retry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("route", sa.String(length=500), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("wait_seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_job_retry_job_id_job"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_retry")),
    )
    with op.batch_alter_table("job_retry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_retry_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_retry_job_id"), ["job_id"], unique=False)

    op.create_table(
        "job_tracking_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("tracked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moodys_job_id", sa.String(length=50), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "INITIATED",
                "SUBMITTING",
                "SUBMITTED",
                "QUEUED",
                "PENDING",
                "RUNNING",
                "CANCEL_REQUESTED",
                "CANCELLING",
                "FINISHED",
                "FAILED",
                "CANCELLED",
                "ERROR",
                "FORCED_OK",
                name="tracking_job_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("moodys_status", sa.String(length=50), nullable=True),
        sa.Column("progress", sa.Float(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_job_tracking_log_job_id_job"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_tracking_log")),
    )
    with op.batch_alter_table("job_tracking_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_tracking_log_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_tracking_log_tracked_at"), ["tracked_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("job_tracking_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_tracking_log_tracked_at"))
        batch_op.drop_index(batch_op.f("ix_job_tracking_log_job_id"))

    op.drop_table("job_tracking_log")
    with op.batch_alter_table("job_retry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_retry_job_id"))
        batch_op.drop_index(batch_op.f("ix_job_retry_created_at"))

    op.drop_table("job_retry")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("ix_job_status_family")
        batch_op.drop_index(batch_op.f("ix_job_moodys_job_id"))
        batch_op.drop_index(batch_op.f("ix_job_job_configuration_id"))
        batch_op.drop_index(batch_op.f("ix_job_batch_id"))

    op.drop_table("job")
    with op.batch_alter_table("job_configuration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_configuration_batch_id"))

    op.drop_table("job_configuration")
    with op.batch_alter_table("batch_recon_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_recon_log_recon_at"))
        batch_op.drop_index(batch_op.f("ix_batch_recon_log_batch_id"))

    op.drop_table("batch_recon_log")
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_batch_open_per_type",
            sqlite_where=sa.text(OPEN_BATCH),
            postgresql_where=sa.text(OPEN_BATCH),
        )
        batch_op.drop_index(batch_op.f("ix_batch_status"))
        batch_op.drop_index(batch_op.f("ix_batch_configuration_id"))
        batch_op.drop_index(batch_op.f("ix_batch_batch_type"))

    op.drop_table("batch")
    with op.batch_alter_table("configuration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_configuration_cycle_id"))

    op.drop_table("configuration")
    with op.batch_alter_table("operator_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_action_cycle_name"))
        batch_op.drop_index(batch_op.f("ix_operator_action_created_at"))

    op.drop_table("operator_action")
    op.drop_table("cycle")
