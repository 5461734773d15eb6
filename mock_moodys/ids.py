"""Id sequences: one global numeric sequence for jobs and workflows, one for resources."""

from __future__ import annotations

import itertools
import threading


class Sequence:
    def __init__(self, start: int) -> None:
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._counter)

    def skip_to(self, value: int) -> None:
        """Continue after ``value`` (used when state is restored from a file)."""
        with self._lock:
            self._counter = itertools.count(value + 1)
