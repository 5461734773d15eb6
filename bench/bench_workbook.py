"""Benchmark: load and validate the real configuration workbook N times; print the median.

Goal: median under 2 s. Not a test (no timing assertions in tests).

    uv run python bench/bench_workbook.py [--runs 10] [--workbook PATH]

The workbook defaults to ``$IRP_SHARED_DIR/fixtures/valid_excel_configuration.xlsx`` (the
shared real workbook); without it the project's sample workbook is generated and used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from irp_dagster.workbook import validate_workbook, write_sample_workbook

GOAL_SECONDS = 2.0
SHARED = Path(os.environ.get("IRP_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--workbook", type=Path, default=SHARED / "fixtures/valid_excel_configuration.xlsx"
    )
    args = parser.parse_args()
    workbook = args.workbook
    if not workbook.is_file():
        workbook = write_sample_workbook(Path(tempfile.mkdtemp()) / "sample.xlsx")
    started = time.perf_counter()
    first = validate_workbook(workbook)  # includes one-off costs (schema build)
    cold = time.perf_counter() - started
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = validate_workbook(workbook)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    rows = sum(result.counts.values())
    print(f"workbook: {workbook} ({'VALID' if first.ok else 'ERROR'}, {rows} rows)")
    print(
        f"first run: {cold:.3f} s; median of {args.runs}: {median:.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}); goal < {GOAL_SECONDS:.1f} s: "
        f"{'met' if median < GOAL_SECONDS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
