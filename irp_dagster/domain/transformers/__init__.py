"""Transformers: a validated configuration -> the job configurations of one batch type.

Pure functions over the configuration dict produced by the workbook loader (prior-system.md §3).
Each returns a list of :class:`JobSpec`; an empty list is a valid (empty) batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from irp_dagster.domain.batch_types import BatchType


@dataclass(frozen=True)
class JobSpec:
    """One job configuration: a unique key within the batch and the data the handler needs."""

    key: str
    data: dict[str, Any]


Transformer = Callable[[dict[str, Any]], list[JobSpec]]
TRANSFORMERS: dict[BatchType, Transformer] = {}


def source_row(row: dict[str, Any]) -> dict[str, Any]:
    """A workbook row without the loader's bookkeeping (``_row``: its Excel row number)."""
    return {k: v for k, v in row.items() if k != "_row"}


def transformer(batch_type: BatchType) -> Callable[[Transformer], Transformer]:
    def register(fn: Transformer) -> Transformer:
        TRANSFORMERS[batch_type] = fn
        return fn

    return register


def transform(batch_type: BatchType, configuration: dict[str, Any]) -> list[JobSpec]:
    load_all()
    try:
        fn = TRANSFORMERS[batch_type]
    except KeyError:
        raise ValueError(f"No transformer is registered for batch type {batch_type}") from None
    specs = fn(configuration)
    keys = [spec.key for spec in specs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"Transformer for {batch_type} produced duplicate job keys")
    return specs


def load_all() -> None:
    """Import every transformer module of this package (each registers itself)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
