"""The code location: every definition under :mod:`irp_dagster.defs`, plus the project-wide
resources and the in-process executor (these runs are I/O-bound; see dagster-notes §9)."""

import dagster as dg

import irp_dagster.defs
from irp_dagster.defs.resources import default_resources


def build_definitions(
    resources: dict[str, dg.ConfigurableResource] | None = None,
) -> dg.Definitions:
    """The code location's definitions with ``resources`` (default: bound to the environment)."""
    return dg.Definitions.merge(
        dg.load_definitions_from_package_module(irp_dagster.defs),
        dg.Definitions(resources=resources or default_resources(), executor=dg.in_process_executor),
    )


defs = build_definitions()
