"""Cycles and configuration versions: register a workbook, load it, keep its lifecycle.

A configuration is loaded in one transaction: the previous version is SUPERSEDED and the new one
written as VALID or ERROR (with its errors). Loading is refused once the current version has
batches, naming them; loading the same file content again is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from irp_dagster.domain.statuses import ConfigurationStatus, CycleStatus
from irp_dagster.persistence.db import transaction
from irp_dagster.persistence.models import Batch, Configuration, Cycle
from irp_dagster.persistence.repository import (
    current_configuration,
    get_cycle,
    set_configuration_status,
)
from irp_dagster.workbook import ReferenceChecker, WorkbookValidation, validate_workbook


@dataclass(frozen=True)
class LoadedConfiguration:
    """The stored configuration version and the validation behind it (None when reused)."""

    configuration_id: int
    version: int
    status: ConfigurationStatus
    validation: WorkbookValidation | None


class ConfigurationLockedError(RuntimeError):
    """A new configuration version cannot replace one that already has batches."""


class CycleNotActiveError(RuntimeError):
    """Work was asked of an archived cycle."""


def ensure_cycle(session: Session, name: str) -> Cycle:
    cycle = session.scalar(select(Cycle).where(Cycle.name == name))
    if cycle is None:
        cycle = Cycle(name=name, status=CycleStatus.ACTIVE)
        session.add(cycle)
        session.flush()
    if cycle.status is not CycleStatus.ACTIVE:
        raise CycleNotActiveError(f"Cycle {name!r} is {cycle.status}; it takes no new work")
    return cycle


def register_workbook(engine: Engine, cycle_name: str, path: Path) -> Cycle:
    """Create the cycle if needed and record which workbook its configuration loads from."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"Workbook {path} does not exist")
    with transaction(engine) as session:
        cycle = ensure_cycle(session, cycle_name)
        cycle.workbook_path = str(path)
        return cycle


def load_configuration(
    engine: Engine,
    cycle_name: str,
    path: Path | None = None,
    *,
    reference_checker: ReferenceChecker | None = None,
) -> LoadedConfiguration:
    """Validate the cycle's workbook and store it as the cycle's current configuration."""
    with transaction(engine) as session:
        cycle = get_cycle(session, cycle_name)
        workbook = Path(path or cycle.workbook_path or "")
        if not cycle.workbook_path and path is None:
            raise FileNotFoundError(f"No workbook is registered for cycle {cycle_name!r}")
    validation = validate_workbook(workbook, reference_checker=reference_checker)

    with transaction(engine) as session:
        cycle = get_cycle(session, cycle_name)
        if cycle.status is not CycleStatus.ACTIVE:
            raise CycleNotActiveError(f"Cycle {cycle_name!r} is {cycle.status}")
        current = current_configuration(session, cycle.id)
        if (
            current is not None
            and current.content_hash == validation.content_hash
            and current.status is not ConfigurationStatus.ERROR
        ):
            return LoadedConfiguration(current.id, current.version, current.status, None)
        if current is not None:
            batches = list(
                session.scalars(select(Batch).where(Batch.configuration_id == current.id))
            )
            if batches:
                named = ", ".join(f"{b.batch_type} (batch {b.id}, {b.status})" for b in batches)
                raise ConfigurationLockedError(
                    f"Cycle {cycle_name!r} configuration v{current.version} already has batches: "
                    f"{named}; start a new cycle instead of replacing it"
                )
            set_configuration_status(current, ConfigurationStatus.SUPERSEDED)
        version = (
            session.scalar(
                select(func.max(Configuration.version)).where(Configuration.cycle_id == cycle.id)
            )
            or 0
        ) + 1
        configuration = Configuration(
            cycle_id=cycle.id,
            version=version,
            file_name=validation.file_name,
            content_hash=validation.content_hash,
            status=ConfigurationStatus.NEW,
            validation_report=validation.report,
        )
        session.add(configuration)
        session.flush()
        if validation.ok:
            configuration.data = validation.configuration
            set_configuration_status(configuration, ConfigurationStatus.VALID)
        else:
            configuration.errors = [error.to_dict() for error in validation.errors]
            set_configuration_status(configuration, ConfigurationStatus.ERROR)
        return LoadedConfiguration(
            configuration.id, configuration.version, configuration.status, validation
        )
