"""IRP_LOG_FORMAT=json gives one parseable JSON object per record; text stays the default."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from irp_dagster.ops.logging import configure_logging


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logger")
def test_json_format_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRP_LOG_FORMAT", "json")
    monkeypatch.setenv("IRP_LOG_LEVEL", "info")
    stream = io.StringIO()
    configure_logging(stream=stream)
    log = logging.getLogger("irp_dagster.test")
    log.debug("not at INFO")
    log.info("polled %d jobs", 3, extra={"batch_id": 7})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("tick failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "polled 3 jobs"
    assert (first["level"], first["logger"], first["batch_id"]) == ("INFO", "irp_dagster.test", 7)
    assert first["ts"].endswith("+00:00")
    assert second["level"] == "ERROR"
    assert "RuntimeError: boom" in second["exc_info"]


@pytest.mark.usefixtures("restore_root_logger")
def test_text_is_the_default_and_reconfiguring_replaces_the_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IRP_LOG_FORMAT", raising=False)
    old, new = io.StringIO(), io.StringIO()
    configure_logging(level="WARNING", stream=old)
    configure_logging(level="WARNING", stream=new)
    logging.getLogger("irp_dagster.test").warning("once")
    assert old.getvalue() == ""
    line = new.getvalue().strip()
    assert line.endswith("WARNING irp_dagster.test: once")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="IRP_LOG_FORMAT"):
        configure_logging(fmt="xml")
