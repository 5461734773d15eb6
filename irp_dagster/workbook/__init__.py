"""The configuration workbook: load the ten-sheet Excel file with complete, coded validation.

``validate_workbook(path, reference_checker=None)`` returns a :class:`WorkbookValidation` with
the configuration dict the transformers consume, every error (code, sheet, Excel row, column,
value, sentence) and a per-sheet report. ``write_sample_workbook(path)`` writes the project's
own sample workbook. Pure: no database, no HTTP (Moody's checks go through the
:class:`ReferenceChecker` protocol the caller implements).
"""

from irp_dagster.workbook.model import ERROR_CODES, WorkbookError, WorkbookValidation
from irp_dagster.workbook.references import ReferenceChecker
from irp_dagster.workbook.sample import write_sample_workbook
from irp_dagster.workbook.validate import validate_workbook

__all__ = [
    "ERROR_CODES",
    "ReferenceChecker",
    "WorkbookError",
    "WorkbookValidation",
    "validate_workbook",
    "write_sample_workbook",
]
