"""Synchronous resources (exposure sets, EDMs, portfolios, ...): tables of JSON records.

Keys starting with ``_`` are internal (parent ids, flags) and never leave the mock.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mock_moodys.ids import Sequence


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


class Store:
    def __init__(self, ids: Sequence) -> None:
        self.ids = ids
        self.tables: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.id_fields: dict[str, str] = {}

    def add(self, kind: str, id_field: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert ``record`` under a fresh id stored in ``id_field`` (unless it has one)."""
        self.id_fields[kind] = id_field
        record_id = record.get(id_field)
        if record_id is None:
            record_id = self.ids.next()
            record = {id_field: record_id, **record}
        self.tables[kind][int(record_id)] = record
        return record

    def get(self, kind: str, record_id: Any) -> dict[str, Any] | None:
        try:
            return self.tables[kind].get(int(record_id))
        except (TypeError, ValueError):
            return None

    def rows(self, kind: str, **where: Any) -> list[dict[str, Any]]:
        return [
            r for r in self.tables[kind].values() if all(r.get(k) == v for k, v in where.items())
        ]

    def find(self, kind: str, **where: Any) -> dict[str, Any] | None:
        rows = self.rows(kind, **where)
        return rows[0] if rows else None

    def remove(self, kind: str, record_id: Any) -> None:
        self.tables[kind].pop(int(record_id), None)
