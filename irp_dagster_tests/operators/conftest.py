"""Fixtures of the operator tests: a recording HTTP server, a Moody's client pointed at it,
and fast empty databases."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.routing import Route

from irp_dagster.moodys.client import MoodysClient
from irp_dagster.persistence.db import cached_engine, upgrade
from irp_dagster.persistence.models import Base
from irp_dagster_tests.operators._support import Recorder

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@pytest.fixture(scope="session")
def _recorder_server() -> Iterator[Recorder]:
    recorder = Recorder()
    app = Starlette(routes=[Route("/{path:path}", recorder.endpoint, methods=METHODS)])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    recorder.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield recorder
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def recorder(_recorder_server: Recorder) -> Recorder:
    _recorder_server.calls.clear()
    _recorder_server.answers.clear()
    return _recorder_server


@pytest.fixture
def client(recorder: Recorder) -> Iterator[MoodysClient]:
    with MoodysClient(
        recorder.base_url, "test-key", "rg", max_retries=0, backoff_max_seconds=0.01
    ) as moodys:
        yield moodys


# -- fast databases: migrated once per session, emptied per test ------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "irp.sqlite"
    url = f"sqlite:///{path}"
    upgrade(url)
    cached_engine(url).dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_db(postgres_server: str) -> Iterator[str]:
    name = f"irp_ops_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    cached_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The domain database at head, empty, once on SQLite and once on PostgreSQL (overrides
    the project fixture: the schema is migrated once per session, not once per test)."""
    if request.param == "sqlite":
        path = tmp_path / "irp.sqlite"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_postgres_db")
    with cached_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    return url
