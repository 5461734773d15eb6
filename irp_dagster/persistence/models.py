"""SQLAlchemy 2.0 typed models of the domain tables (the audit trail of every cycle).

Statuses are stored as their string values with CHECK constraints; every status write goes
through :mod:`irp_dagster.domain.statuses` (see :mod:`irp_dagster.persistence.repository`).
Nothing is hard-deleted: cycles are archived, configurations superseded, jobs skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from irp_dagster.domain.batch_types import BatchType
from irp_dagster.domain.statuses import (
    BatchStatus,
    ConfigurationStatus,
    CycleStatus,
    JobStatus,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _status(enum: type, name: str) -> Enum:
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime written to a timestamp column; use UTC")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


class Cycle(Base):
    __tablename__ = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[CycleStatus] = mapped_column(
        _status(CycleStatus, "cycle_status"), default=CycleStatus.ACTIVE
    )
    workbook_path: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    configurations: Mapped[list[Configuration]] = relationship(back_populates="cycle")


class Configuration(Base):
    __tablename__ = "configuration"
    __table_args__ = (UniqueConstraint("cycle_id", "version", name="uq_configuration_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(2000))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[ConfigurationStatus] = mapped_column(
        _status(ConfigurationStatus, "configuration_status"), default=ConfigurationStatus.NEW
    )
    data: Mapped[dict[str, Any] | None]
    validation_report: Mapped[dict[str, Any] | None]
    errors: Mapped[list[Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cycle: Mapped[Cycle] = relationship(back_populates="configurations")
    batches: Mapped[list[Batch]] = relationship(back_populates="configuration")


_OPEN_BATCH = text("status IN ('INITIATED', 'ACTIVE', 'PAUSED')")


class Batch(Base):
    __tablename__ = "batch"
    __table_args__ = (
        # At most one open batch per (configuration, batch type).
        Index(
            "uq_batch_open_per_type",
            "configuration_id",
            "batch_type",
            unique=True,
            sqlite_where=_OPEN_BATCH,
            postgresql_where=_OPEN_BATCH,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    configuration_id: Mapped[int] = mapped_column(ForeignKey("configuration.id"), index=True)
    batch_type: Mapped[BatchType] = mapped_column(_status(BatchType, "batch_type"), index=True)
    status: Mapped[BatchStatus] = mapped_column(
        _status(BatchStatus, "batch_status"), default=BatchStatus.INITIATED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    last_recon_at: Mapped[datetime | None]

    configuration: Mapped[Configuration] = relationship(back_populates="batches")
    job_configurations: Mapped[list[JobConfiguration]] = relationship(back_populates="batch")
    jobs: Mapped[list[Job]] = relationship(back_populates="batch")


class JobConfiguration(Base):
    __tablename__ = "job_configuration"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]]
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    skipped_reason: Mapped[str | None] = mapped_column(String(1000))
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str | None] = mapped_column(String(1000))
    parent_job_configuration_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_configuration.id")
    )
    override_job_configuration_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_configuration.id")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="job_configurations")
    jobs: Mapped[list[Job]] = relationship(back_populates="job_configuration")


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        # The polling query: open jobs by status (and family).
        Index("ix_job_status_family", "status", "moodys_family"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    job_configuration_id: Mapped[int] = mapped_column(
        ForeignKey("job_configuration.id"), index=True
    )
    parent_job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[JobStatus] = mapped_column(
        _status(JobStatus, "job_status"), default=JobStatus.INITIATED
    )
    status_reason: Mapped[str | None] = mapped_column(String(1000))
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    skipped_reason: Mapped[str | None] = mapped_column(String(1000))
    moodys_family: Mapped[str | None] = mapped_column(String(20))
    moodys_job_id: Mapped[str | None] = mapped_column(String(50), index=True)
    moodys_url: Mapped[str | None] = mapped_column(String(2000))
    moodys_status: Mapped[str | None] = mapped_column(String(50))
    progress: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    submission_request: Mapped[dict[str, Any] | None]
    submission_response: Mapped[dict[str, Any] | None]
    result: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    last_polled_at: Mapped[datetime | None]

    batch: Mapped[Batch] = relationship(back_populates="jobs")
    job_configuration: Mapped[JobConfiguration] = relationship(back_populates="jobs")


class JobTrackingLog(Base):
    __tablename__ = "job_tracking_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    tracked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    moodys_job_id: Mapped[str] = mapped_column(String(50))
    status: Mapped[JobStatus] = mapped_column(_status(JobStatus, "tracking_job_status"))
    moodys_status: Mapped[str | None] = mapped_column(String(50))
    progress: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict[str, Any] | None]


class BatchReconLog(Base):
    __tablename__ = "batch_recon_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    recon_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    result: Mapped[BatchStatus] = mapped_column(_status(BatchStatus, "recon_batch_status"))
    summary: Mapped[dict[str, Any]]


class JobRetry(Base):
    """One retried HTTP attempt against Moody's (429, 5xx, connection error)."""

    __tablename__ = "job_retry"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(500))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    wait_seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OperatorAction(Base):
    __tablename__ = "operator_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(50))
    target_type: Mapped[str] = mapped_column(String(50))
    target_id: Mapped[int | None] = mapped_column(Integer)
    cycle_name: Mapped[str | None] = mapped_column(String(255), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
