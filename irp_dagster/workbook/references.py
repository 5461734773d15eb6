"""Checks against Moody's, through a small protocol the caller implements.

Run last, and only when every other rule passed: profiles and event rate schemes the Analysis
Table names must exist (REF-008/009/010); the workbook's EDMs and its export RDM must not exist
yet (BUS-008/009), since the cycle creates them. Each distinct value is looked up once; a
look-up that raises is reported (REF-011), never propagated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from irp_dagster.workbook import spec as S
from irp_dagster.workbook.model import WorkbookError
from irp_dagster.workbook.tables import Table


@runtime_checkable
class ReferenceChecker(Protocol):
    """What validation asks Moody's. Each method answers for one exact name."""

    def model_profile_exists(self, name: str) -> bool:
        """A model (analysis) profile of this name exists."""
        ...

    def output_profile_exists(self, name: str) -> bool:
        """An output profile of this name exists."""
        ...

    def event_rate_scheme_exists(self, name: str) -> bool:
        """An event rate scheme of this name exists."""
        ...

    def edm_exists(self, name: str) -> bool:
        """An EDM (exposure database) of this name already exists."""
        ...

    def rdm_exists(self, name: str) -> bool:
        """An RDM (results database) of this name already exists."""
        ...


class _Cached:
    """Each (method, name) asked once; an exception is remembered as its message."""

    def __init__(self, checker: ReferenceChecker) -> None:
        self.checker = checker
        self.answers: dict[tuple[str, str], bool | str] = {}

    def ask(self, method: str, name: str) -> bool | str:
        key = (method, name)
        if key not in self.answers:
            try:
                self.answers[key] = bool(getattr(self.checker, method)(name))
            except Exception as exc:  # any client failure becomes a reported error
                self.answers[key] = f"{type(exc).__name__}: {exc}"
        return self.answers[key]


_MUST_EXIST: dict[str, tuple[str, str, str]] = {
    "Analysis Profile": ("model_profile_exists", "REF-008", "model profile"),
    "Output Profile": ("output_profile_exists", "REF-009", "output profile"),
    "Event Rate": ("event_rate_scheme_exists", "REF-010", "event rate scheme"),
}


def check_references(
    checker: ReferenceChecker, tables: dict[str, Table], metadata: dict[str, Any]
) -> list[WorkbookError]:
    cached = _Cached(checker)
    errors: list[WorkbookError] = []

    def unreachable(sheet: str, row: int | None, column: str, name: str, answer: str) -> None:
        errors.append(
            WorkbookError(
                "REF-011",
                sheet,
                row,
                column,
                name,
                f"Could not check {column} {name!r} at Moody's ({answer}); try again later",
            )
        )

    analyses = tables[S.ANALYSIS_TABLE.name].frame
    for row, values in zip(analyses.index, analyses.to_dict("records"), strict=True):
        for column, (method, code, what) in _MUST_EXIST.items():
            name = values.get(column)
            if name is None:
                continue
            answer = cached.ask(method, name)
            if isinstance(answer, str):
                unreachable(S.ANALYSIS_TABLE.name, int(row), column, name, answer)
            elif not answer:
                errors.append(
                    WorkbookError(
                        code,
                        S.ANALYSIS_TABLE.name,
                        int(row),
                        column,
                        name,
                        f"{column} {name!r}: no {what} of this name exists at Moody's",
                    )
                )
    databases = tables[S.DATABASES.name].frame
    for row, name in databases["Database"].items():
        _must_not_exist(
            cached,
            "edm_exists",
            S.DATABASES.name,
            int(row),
            "Database",
            name,
            "BUS-008",
            "EDM",
            errors,
            unreachable,
        )
    rdm = metadata.get("Export RDM Name")
    if rdm:
        _must_not_exist(
            cached,
            "rdm_exists",
            S.METADATA,
            None,
            "Export RDM Name",
            rdm,
            "BUS-009",
            "RDM",
            errors,
            unreachable,
        )
    return errors


def _must_not_exist(
    cached: _Cached,
    method: str,
    sheet: str,
    row: int | None,
    column: str,
    name: str,
    code: str,
    what: str,
    errors: list[WorkbookError],
    unreachable: Callable[..., None],
) -> None:
    answer = cached.ask(method, name)
    if isinstance(answer, str):
        unreachable(sheet, row, column, name, answer)
    elif answer:
        errors.append(
            WorkbookError(
                code,
                sheet,
                row,
                column,
                name,
                f"{what} {name!r} already exists at Moody's; this cycle would create it, so "
                "choose a new name or remove the old database",
            )
        )
