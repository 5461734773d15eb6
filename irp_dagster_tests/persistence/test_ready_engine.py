"""The domain database behind the Dagster resource: migrated when embedded, checked otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from irp_dagster.defs.resources import DatabaseResource
from irp_dagster.persistence.db import SchemaNotReadyError, current_revision, head_revision


def test_the_embedded_default_is_migrated_on_first_use(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("IRP_DATABASE_URL", raising=False)
    monkeypatch.setenv("IRP_HOME", str(tmp_path / "fresh-home"))
    engine = DatabaseResource().engine()
    assert current_revision(engine) == head_revision()
    assert "job" in inspect(engine).get_table_names()


def test_a_configured_database_behind_the_code_names_the_fix(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'never-migrated.sqlite'}"
    with pytest.raises(SchemaNotReadyError, match="irp db upgrade"):
        DatabaseResource(url=url).engine()
