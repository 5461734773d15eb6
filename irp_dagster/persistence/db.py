"""Engines, sessions and Alembic for the domain database.

Alembic migrations are the only way the schema is created (``irp db upgrade``); tests and the
demo run them too. SQLite gets foreign keys, WAL and a busy timeout so that the sensor and run
processes can share the embedded database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine; for a SQLite file, create its folder and set the pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=8)
def cached_engine(url: str) -> Engine:
    """One engine per URL per process (sensor ticks and runs reuse their pool)."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with session_factory(engine).begin() as session:
        yield session


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


class SchemaNotReadyError(RuntimeError):
    """The domain database's schema is not at the code's head revision."""


@cache
def ready_engine(url: str, *, migrate: bool) -> Engine:
    """The engine of a database whose schema is at head, checked once per process.

    ``migrate`` upgrades it here (the embedded SQLite default, so a fresh ``dagster dev`` needs
    no setup); otherwise a schema behind the code is an error naming the fix (deployments
    migrate once at start, never from several processes at a time).
    """
    engine = cached_engine(url)
    if migrate:
        upgrade(url)
        return engine
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaNotReadyError(
            f"The domain database is at revision {current or '(empty)'} but the code needs "
            f"{head}: run `irp db upgrade` against it first"
        )
    return engine
