"""The shape of the configuration workbook, declared once: sheets, columns, kinds and rules.

Ten sheets are required (prior-system.md §4); other sheets are ignored. ``Metadata`` is a
key/value sheet without a header; ``Groupings`` has ``Group_Name`` then any number of
``Item<n>`` columns; every other sheet is a table whose first non-empty row is the header.
Patterns are anchored at both ends (``re.fullmatch``), unlike the prior system's ``re.match``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a cell must hold; values are normalised to it before the rules run."""

    TEXT = "text"
    INT = "whole number"
    NUMBER = "number"
    DATE = "date"


@dataclass(frozen=True)
class Rule:
    """A check on one well-typed value; ``message`` is formatted with ``value`` and ``column``."""

    code: str
    test: Callable[[Any], bool]
    message: str


def pattern(code: str, regex: str, message: str) -> Rule:
    compiled = re.compile(regex)
    return Rule(code, lambda v: bool(compiled.fullmatch(str(v))), message)


def between(code: str, low: float, high: float | None, message: str) -> Rule:
    return Rule(code, lambda v: v >= low and (high is None or v <= high), message)


YES_NO = pattern("FMT-001", r"[YN]", "{column} must be Y or N, not {value!r}")
VERSION = pattern(
    "FMT-002", r"\d+(\.\d+){0,2}", "{column} {value!r} is not a version of the form X, X.Y or X.Y.Z"
)
PERCENT = between(
    "RANGE-002", 0, 100, "{column} is {value}; a percentage must be between 0 and 100"
)
AMOUNT = between("RANGE-003", 0, None, "{column} is {value}; an amount cannot be negative")
DATABASE_NAME = pattern(
    "FMT-004",
    r"(RM|RMS|TEST)_EDM_\d{6}_[A-Za-z0-9_\-]+",
    "Database name {value!r} must look like RM_EDM_YYYYMM_<name> (prefix RM, RMS or TEST; "
    "letters, digits, '_' or '-' after the date)",
)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = True
    unique: bool = False
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class SheetSpec:
    """A table sheet: its columns, the configuration key it loads into and its own rules."""

    name: str
    key: str
    columns: tuple[ColumnSpec, ...]
    #: column groups unique together among the rows that fill all of them
    unique_together: tuple[tuple[str, ...], ...] = ()
    #: Groupings: further columns named ``<prefix><n>`` are the row's items
    item_prefix: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _text(name: str, required: bool = True, unique: bool = False, *rules: Rule) -> ColumnSpec:
    return ColumnSpec(name, Kind.TEXT, required, unique, rules)


TREATY_TYPES = ("Working Excess", "Quota Share")
TREATY_COLUMNS = tuple(f"Reinsurance Treaty {i}" for i in range(1, 6))
TAG_COLUMNS = tuple(f"Tag {i}" for i in range(1, 6))

DATABASES = SheetSpec(
    "Databases",
    "databases",
    (
        _text("Database", True, True, DATABASE_NAME),
        _text("Store in Data Bridge?", True, False, YES_NO),
    ),
)
PORTFOLIOS = SheetSpec(
    "Portfolios",
    "portfolios",
    (
        _text("Portfolio", unique=True),
        _text("Database"),
        _text("Import File"),
        _text("Base Portfolio?", True, False, YES_NO),
    ),
)
REINSURANCE_TREATIES = SheetSpec(
    "Reinsurance Treaties",
    "reinsurance_treaties",
    (
        _text("Treaty Name", unique=True),
        _text("Treaty Number", unique=True),
        _text(
            "Type",
            True,
            False,
            pattern(
                "FMT-001",
                "|".join(TREATY_TYPES),
                "Type must be one of "
                + " or ".join(repr(t) for t in TREATY_TYPES)
                + ", not {value!r}",
            ),
        ),
        ColumnSpec("Per-Risk Limit", Kind.NUMBER, rules=(AMOUNT,)),
        ColumnSpec("Occurrence Limit", Kind.NUMBER, rules=(AMOUNT,)),
        ColumnSpec("Attachment Point", Kind.NUMBER, rules=(AMOUNT,)),
        ColumnSpec("Inception Date", Kind.DATE),
        ColumnSpec("Expiration Date", Kind.DATE),
        _text("Currency"),
        _text("Attachment Basis"),
        _text("Exposure Level"),
        ColumnSpec("% Covered", Kind.NUMBER, rules=(PERCENT,)),
        ColumnSpec("% Place", Kind.NUMBER, rules=(PERCENT,)),
        ColumnSpec("% Share", Kind.NUMBER, rules=(PERCENT,)),
        ColumnSpec("% Retention", Kind.NUMBER, rules=(PERCENT,)),
        ColumnSpec("Premium", Kind.NUMBER, rules=(AMOUNT,)),
        ColumnSpec(
            "Reinstatements",
            Kind.INT,
            rules=(between("RANGE-001", 0, None, "{column} is {value}; it cannot be negative"),),
        ),
        ColumnSpec("% Reinstatement Charge", Kind.NUMBER, rules=(PERCENT,)),
        ColumnSpec("Aggregate Limit", Kind.NUMBER, rules=(AMOUNT,)),
        ColumnSpec("Aggregate Deductible Amount", Kind.NUMBER, rules=(AMOUNT,)),
        ColumnSpec(
            "Inuring Priority",
            Kind.INT,
            rules=(between("RANGE-004", 1, None, "{column} is {value}; it must be 1 or more"),),
        ),
        _text("Producer", required=False),
        _text("Tags", required=False),
    ),
)
GEOHAZ_THRESHOLDS = SheetSpec(
    "GeoHaz Thresholds",
    "geohaz_thresholds",
    (
        _text("Geocode Level"),
        _text("Import File"),
        ColumnSpec("% of Grand Total", Kind.NUMBER, rules=(PERCENT,)),
        ColumnSpec("Threshold %", Kind.NUMBER, rules=(PERCENT,)),
    ),
    unique_together=(("Import File", "Geocode Level"),),
)
ANALYSIS_TABLE = SheetSpec(
    "Analysis Table",
    "analysis_table",
    (
        _text("Database"),
        _text("Portfolio"),
        _text("Analysis Name", unique=True),
        _text("Analysis Profile"),
        _text("Output Profile"),
        _text("Event Rate", required=False),
        *(_text(c, required=False) for c in TREATY_COLUMNS),
        _text("Tag 1"),
        *(_text(c, required=False) for c in TAG_COLUMNS[1:]),
    ),
)
GROUPINGS = SheetSpec(
    "Groupings", "groupings", (_text("Group_Name", unique=True),), item_prefix="Item"
)
PRODUCTS_AND_PERILS = SheetSpec(
    "Products and Perils",
    "products_and_perils",
    (
        _text("Analysis Name"),
        _text("Peril", required=False),
        _text("Product Group", required=False),
    ),
    unique_together=(("Peril", "Product Group"),),
)
MOODYS_REFERENCE_DATA = SheetSpec(
    "Moody's Reference Data",
    "moodys_reference_data",
    (
        _text("Model Profiles", False, True),
        _text("Output Profiles", False, True),
        _text("Event Rate Schemes", False, True),
    ),
)
EXPOSURE_GROUP_PORTNAME = SheetSpec(
    "ExposureGroup <-> Portname",
    "exposure_group_portname",
    (_text("ExposureGroup", unique=True), _text("Portname", unique=True)),
)

TABLES: tuple[SheetSpec, ...] = (
    DATABASES,
    PORTFOLIOS,
    REINSURANCE_TREATIES,
    GEOHAZ_THRESHOLDS,
    ANALYSIS_TABLE,
    GROUPINGS,
    PRODUCTS_AND_PERILS,
    MOODYS_REFERENCE_DATA,
    EXPOSURE_GROUP_PORTNAME,
)


@dataclass(frozen=True)
class MetadataKey:
    """A required Metadata key: the kind of its value, whether it may be empty, its rules."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = True
    rules: tuple[Rule, ...] = ()


METADATA = "Metadata"
METADATA_KEYS: tuple[MetadataKey, ...] = (
    MetadataKey(
        "Current Date Value",
        rules=(
            pattern(
                "FMT-001",
                r"\d{4}(0[1-9]|1[0-2])",
                "{column} must be a year and month written YYYYMM, not {value!r}",
            ),
        ),
    ),
    MetadataKey("EDM Data Version", rules=(VERSION,)),
    MetadataKey("Geocode Version", rules=(VERSION,)),
    MetadataKey("Hazard Version", rules=(VERSION,)),
    MetadataKey("DLM Model Version", Kind.INT),
    MetadataKey("Validate DLM Model Versions?", rules=(YES_NO,)),
    MetadataKey("Wildfire HD Model Version", Kind.INT),
    MetadataKey("SCS HD Model Version", Kind.INT),
    MetadataKey("Inland Flood HD Model Version", Kind.NUMBER),
    MetadataKey("Validate HD Model Versions?", rules=(YES_NO,)),
    MetadataKey(
        "Export RDM Name",
        required=False,
        rules=(
            pattern(
                "FMT-001",
                r"(RM|RMS|TEST)_RDM_[A-Za-z0-9_\-]+",
                "{column} {value!r} must look like RM_RDM_<name> (prefix RM, RMS or TEST)",
            ),
        ),
    ),
    MetadataKey("Cycle Type"),
)

REQUIRED_SHEETS: tuple[str, ...] = (METADATA, *(t.name for t in TABLES))
CONFIGURATION_KEYS: dict[str, str] = {METADATA: "metadata", **{t.name: t.key for t in TABLES}}
