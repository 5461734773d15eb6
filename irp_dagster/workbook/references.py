"""Checks against Moody's, through a small protocol the caller implements.

Run last, and only when every other rule passed: profiles and event rate schemes the Analysis
Table names must exist (REF-008/009/010); the workbook's EDMs and its export RDM must not exist
yet (BUS-008/009), since the cycle creates them. Each distinct value is looked up once; a
look-up that raises is reported (REF-011), never propagated.
"""

from __future__ import annotations

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


class _Checks:
    """Asks each (method, name) once and collects the errors; a failing look-up is REF-011."""

    def __init__(self, checker: ReferenceChecker) -> None:
        self.checker = checker
        self.answers: dict[tuple[str, str], bool | str] = {}
        self.errors: list[WorkbookError] = []

    def _ask(self, method: str, name: str) -> bool | str:
        key = (method, name)
        if key not in self.answers:
            try:
                self.answers[key] = bool(getattr(self.checker, method)(name))
            except Exception as exc:  # any client failure becomes a reported error
                self.answers[key] = f"{type(exc).__name__}: {exc}"
        return self.answers[key]

    def check(
        self,
        method: str,
        must_exist: bool,
        where: tuple[str, int | None, str],
        name: str,
        code: str,
        message: str,
    ) -> None:
        sheet, row, column = where
        answer = self._ask(method, name)
        if isinstance(answer, str):
            self.errors.append(
                WorkbookError(
                    "REF-011",
                    sheet,
                    row,
                    column,
                    name,
                    f"Could not check {column} {name!r} at Moody's ({answer}); try again later",
                )
            )
        elif answer != must_exist:
            self.errors.append(WorkbookError(code, sheet, row, column, name, message))


_MUST_EXIST: dict[str, tuple[str, str, str]] = {
    "Analysis Profile": ("model_profile_exists", "REF-008", "model profile"),
    "Output Profile": ("output_profile_exists", "REF-009", "output profile"),
    "Event Rate": ("event_rate_scheme_exists", "REF-010", "event rate scheme"),
}
_CREATED = (
    "already exists at Moody's; this cycle creates it, so choose a new name or retire the old one"
)


def check_references(
    checker: ReferenceChecker,
    tables: dict[str, Table],
    metadata: dict[str, Any],
    metadata_rows: dict[str, int],
) -> list[WorkbookError]:
    """The Moody's errors of a workbook whose sheets passed every other rule."""
    checks = _Checks(checker)
    sheet = S.ANALYSIS_TABLE.name
    analyses = tables[sheet].frame
    for row, values in zip(analyses.index, analyses.to_dict("records"), strict=True):
        for column, (method, code, what) in _MUST_EXIST.items():
            if (name := values.get(column)) is not None:
                checks.check(
                    method,
                    True,
                    (sheet, int(row), column),
                    name,
                    code,
                    f"{column} {name!r}: no {what} of this name exists at Moody's",
                )
    for row, name in tables[S.DATABASES.name].frame["Database"].items():
        checks.check(
            "edm_exists",
            False,
            (S.DATABASES.name, int(row), "Database"),
            name,
            "BUS-008",
            f"EDM {name!r} {_CREATED}",
        )
    if rdm := metadata.get("Export RDM Name"):
        where = (S.METADATA, metadata_rows.get("Export RDM Name"), "Export RDM Name")
        checks.check("rdm_exists", False, where, rdm, "BUS-009", f"RDM {rdm!r} {_CREATED}")
    return checks.errors
