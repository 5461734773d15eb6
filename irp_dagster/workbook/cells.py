"""Cell values: normalise what openpyxl reads to the kind a column declares.

A value that cannot be normalised is returned unchanged, and the schema's type check reports
it (TYPE-001, or FMT-003 for a date written as text). Whitespace-only text counts as empty.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from irp_dagster.workbook.spec import Kind

_INT_TEXT = re.compile(r"\s*[+-]?\d+\s*")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})\s*")


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def normalise(kind: Kind, value: Any) -> Any:
    """The value as ``kind`` (str, int, int|float, date/datetime), or unchanged if impossible."""
    if is_blank(value):
        return None
    if kind is Kind.TEXT:
        return _text(value)
    if kind is Kind.INT:
        return _int(value)
    if kind is Kind.NUMBER:
        return _number(value)
    return _date(value)


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if _is_number(value):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def _int(value: Any) -> Any:
    if _is_number(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    return value


def _number(value: Any) -> Any:
    if _is_number(value):
        return int(value) if isinstance(value, int) else value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        if math.isfinite(number):
            return int(number) if _INT_TEXT.fullmatch(value) else number
    return value


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and (m := _ISO_DATE.fullmatch(value)):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return value
    return value


def has_kind(kind: Kind, value: Any) -> bool:
    """Whether a normalised value is of ``kind`` (None counts: emptiness is checked apart)."""
    if value is None:
        return True
    if kind is Kind.TEXT:
        return isinstance(value, str)
    if kind is Kind.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is Kind.NUMBER:
        return _is_number(value)
    return isinstance(value, dt.date)


def to_json(value: Any) -> Any:
    """A value as a JSON scalar: dates as ISO strings, NaN as None, anything else exotic (a
    duration, an error cell) as its text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)
