"""Configuration of the mock Moody's service."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MockConfig:
    """How the mock behaves.

    ``clock_factor`` is mock seconds per real second (ignored when ``manual_clock``: then only
    :meth:`MockState.advance` moves time). ``api_key`` set means ``Authorization`` must equal it;
    ``None`` accepts any non-empty value. ``durations`` overrides ``(queue, run)`` mock seconds
    per job type.
    """

    clock_factor: float = 60.0
    manual_clock: bool = False
    api_key: str | None = None
    state_file: str | None = None
    seed: int = 0
    base_id: int = 23_000_000
    user_name: str = "mock.user@example.com"
    tenant_name: str = "mock-tenant"
    durations: dict[str, tuple[float, float]] = field(default_factory=dict)
