"""Logging for the non-Dagster processes: the ``irp`` commands, the metrics exporter, doctor.

``IRP_LOG_FORMAT=json`` writes one JSON object per line (for a log shipper); ``text`` (the
default) keeps the usual one-line format. ``IRP_LOG_LEVEL`` sets the level (default WARNING).
Dagster's own processes have their own switch (``--log-format json`` on the webserver, the
daemon and the code server).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import IO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, message, ``extra`` fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def configure_logging(
    level: str | int | None = None, fmt: str | None = None, stream: IO[str] | None = None
) -> logging.Handler:
    """Replace the root handlers with one stream handler in the configured format.

    ``level`` and ``fmt`` default to ``IRP_LOG_LEVEL`` and ``IRP_LOG_FORMAT``; an unknown
    format raises ``ValueError`` (a typo should not silently change what a shipper receives).
    """
    fmt = (fmt or os.environ.get("IRP_LOG_FORMAT") or "text").strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"IRP_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if level is None:
        level = os.environ.get("IRP_LOG_LEVEL", "WARNING")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(
        level=level.upper() if isinstance(level, str) else level, handlers=[handler], force=True
    )
    return handler
