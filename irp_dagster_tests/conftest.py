"""Shared fixtures: real databases (SQLite file, PostgreSQL), the mock Moody's over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from irp_dagster.persistence.db import make_engine, upgrade

POSTGRES_URL = os.environ.get(
    "IRP_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("IRP_REQUIRE_POSTGRES") == "1"
#: Copies of ../shared fixtures, so a clone (and CI) runs every test: the field's reference
#: workbook and the published contract of the legacy workflow routes.
FIXTURES = Path(__file__).parent / "fixtures"
REAL_WORKBOOK = FIXTURES / "valid_excel_configuration.xlsx"
LEGACY_OPENAPI = FIXTURES / "mock-surface-openapi.yml"


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(error).__name__}: {error}"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL required (IRP_REQUIRE_POSTGRES=1) but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped after the test."""
    name = f"irp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from irp_dagster.persistence.db import cached_engine, ready_engine

        ready_engine.cache_clear()
        cached_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'irp.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The domain database URL, once on SQLite and once on PostgreSQL; schema at head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'irp.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _mock_server():
    from mock_moodys.config import MockConfig
    from mock_moodys.server import MockServer

    with MockServer(MockConfig(manual_clock=True)) as server:
        yield server


@pytest.fixture
def mock_server(_mock_server):
    """The mock Moody's over real HTTP (uvicorn on an ephemeral port), reset for each test.

    Its clock is manual: ``mock_server.state.advance(seconds)`` moves jobs along.
    """
    _mock_server.state.reset()
    return _mock_server


@pytest.fixture
def moodys_client(mock_server):
    from irp_dagster.moodys.client import MoodysClient

    with MoodysClient(
        mock_server.base_url,
        "test-api-key",
        "00000000-0000-4000-8000-000000000001",
        timeout_seconds=5,
        max_retries=3,
        backoff_base_seconds=0.01,
        backoff_max_seconds=0.05,
    ) as client:
        yield client


def resources_against(database_url: str, base_url: str) -> dict:
    """The project's resources on a test database and a mock Moody's with quick retries."""
    from irp_dagster.defs.resources import DatabaseResource, MoodysResource

    return {
        "database": DatabaseResource(url=database_url),
        "moodys": MoodysResource(
            base_url=base_url,
            api_key="test-key",
            resource_group_id="00000000-0000-4000-8000-000000000001",
            max_retries=2,
            backoff_max_seconds=0.05,
        ),
    }
