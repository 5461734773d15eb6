"""The customer's SQL scripts (data extraction, portfolio mapping), run through SQLAlchemy URLs.

Scripts use the prior system's ``{{ NAME }}`` placeholders, replaced by plain values (checked to
be identifier-like: names, dates, numbers, quoted date-times), and may hold several statements;
the last result set is what the script returns. It is streamed to a file in chunks, so a large
extract never sits in memory.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path
from typing import Any

from irp_dagster.services.handlers import SubmitRejectedError

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
SAFE_VALUE = re.compile(r"^'?[\w .:/-]*'?$")
CHUNK_ROWS = 10_000


def cycle_folder(cycle_type: Any) -> str:
    """quarterly | annual | adhoc | test: a Cycle Type containing 'test' uses test/."""
    text = str(cycle_type or "quarterly").strip().lower()
    return "test" if "test" in text else text


def render(script: str, values: dict[str, Any]) -> str:
    """The script with every ``{{ NAME }}`` replaced; unknown names and unsafe values refused."""

    def value_of(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise SubmitRejectedError(f"The script uses {{{{ {name} }}}} but it has no value")
        value = str(values[name])
        if not SAFE_VALUE.match(value):
            raise SubmitRejectedError(f"Value {value!r} for {name} is not safe to put in SQL")
        return value

    return PLACEHOLDER.sub(value_of, script)


def read_script(path: Path) -> str:
    if not path.is_file():
        raise SubmitRejectedError(f"SQL script {path} does not exist")
    return path.read_text(encoding="utf-8-sig", errors="replace")


def _statements(script: str) -> list[str]:
    """SQLite runs one statement per call: split at complete statements."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer)
            buffer = ""
    if buffer.strip():
        statements.append(buffer)
    return statements


def _write(cursor, target: Path | None, delimiter: str) -> int:
    """Write the cursor's current result set to ``target`` (replacing it); row count."""
    columns = [c[0] for c in cursor.description]
    rows = 0
    if target is None:
        while batch := cursor.fetchmany(CHUNK_ROWS):
            rows += len(batch)
        return rows
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(columns)
        while batch := cursor.fetchmany(CHUNK_ROWS):
            writer.writerows(batch)
            rows += len(batch)
    return rows


def run_script(url: str, script: str, target: Path | None = None, delimiter: str = "\t") -> int:
    """Run the script in one transaction; its last result set goes to ``target`` (if given).

    Returns the number of rows of that result set (0 when the script returns none)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    rows = 0
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            parts = _statements(script) if engine.dialect.name == "sqlite" else [script]
            for part in parts:
                cursor.execute(part)
                while True:
                    if cursor.description:
                        rows = _write(cursor, target, delimiter)
                    try:
                        more = cursor.nextset()
                    except Exception:  # a driver without multiple result sets (psycopg2)
                        more = False
                    if not more:
                        break
            connection.commit()
        finally:
            connection.close()
    finally:
        engine.dispose()
    return rows
