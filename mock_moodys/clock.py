"""Mock time: real time scaled by a factor, or a manual clock moved only by ``advance``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Mock seconds since ``origin`` (a real UTC datetime taken at start or reset)."""

    def __init__(self, factor: float = 60.0, manual: bool = False) -> None:
        self.factor = float(factor)
        self.manual = manual
        self.reset()

    def reset(self) -> None:
        now = datetime.now(UTC)
        self.origin = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self._offset = 0.0
        self._mono = time.monotonic()

    def now(self) -> float:
        if self.manual:
            return self._offset
        return self._offset + (time.monotonic() - self._mono) * self.factor

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("cannot move the clock backwards")
        self._offset += seconds
        return self.now()

    def configure(self, factor: float | None = None, manual: bool | None = None) -> None:
        """Change speed or mode without jumping: mock time stays continuous."""
        current = self.now()
        if factor is not None:
            if factor < 0:
                raise ValueError("clock factor must be >= 0")
            self.factor = float(factor)
        if manual is not None:
            self.manual = manual
        self._offset, self._mono = current, time.monotonic()

    def at(self, seconds: float) -> datetime:
        return self.origin + timedelta(seconds=seconds)


def iso_ms(moment: datetime) -> str:
    """``2025-11-11T20:00:50.772Z`` (Platform timestamps, workflow submit time)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_s(moment: datetime) -> str:
    """``2025-11-11T20:00:51Z`` (workflow start and end times)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
