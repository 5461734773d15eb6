"""Rows tests build directly with the ORM (for states no workbook run reaches cheaply)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from irp_dagster.domain.statuses import ConfigurationStatus
from irp_dagster.persistence.models import Configuration, Cycle


def active_configuration(session: Session, cycle_name: str) -> Configuration:
    """The cycle's configuration, creating the cycle and an ACTIVE configuration if missing."""
    cycle = session.scalar(select(Cycle).where(Cycle.name == cycle_name))
    if cycle is None:
        cycle = Cycle(name=cycle_name)
        session.add(cycle)
        session.flush()
    configuration = session.scalar(select(Configuration).where(Configuration.cycle_id == cycle.id))
    if configuration is None:
        configuration = Configuration(
            cycle_id=cycle.id,
            version=1,
            file_name="w.xlsx",
            content_hash="h",
            data={},
            status=ConfigurationStatus.ACTIVE,
        )
        session.add(configuration)
        session.flush()
    return configuration
