"""The request journal (what the client sent, what it got) and the per-route ledger."""

from __future__ import annotations

import fnmatch
import json
import time
from collections import Counter, deque
from typing import Any

SECRET_HEADERS = frozenset({"authorization", "x-amz-security-token"})


def decode_body(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class Journal:
    def __init__(self, limit: int = 100_000) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self.ledger: Counter[str] = Counter()

    def record(
        self,
        *,
        method: str,
        path: str,
        query: str,
        status: int | None,
        headers: dict[str, str],
        body: bytes,
        pattern: str,
        mock_time: float,
    ) -> None:
        self.ledger[f"{method} {pattern}"] += 1
        self.entries.append(
            {
                "method": method,
                "path": path,
                "query": query,
                "status": status,
                "headers": {
                    k: ("<redacted>" if k in SECRET_HEADERS else v) for k, v in headers.items()
                },
                "body": decode_body(body),
                "at": time.time(),
                "mock_time": mock_time,
                "route": pattern,
            }
        )

    def query(self, path: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        rows = list(self.entries)
        if method:
            rows = [r for r in rows if r["method"] == method.upper()]
        if path:
            rows = [r for r in rows if fnmatch.fnmatchcase(r["path"], path)]
        return rows
