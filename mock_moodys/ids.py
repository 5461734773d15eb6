"""Id sequences: one global numeric sequence for jobs and workflows, one for resources."""

from __future__ import annotations

import threading


class Sequence:
    def __init__(self, start: int) -> None:
        self.value = start
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            current = self.value
            self.value += 1
            return current
