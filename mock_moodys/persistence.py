"""Optional persistence of the mock tenant in a SQLite file (``MockConfig.state_file``).

The whole state (clock, sequences, jobs, resources, idempotency replays, outcome rules, RNG)
is one JSON document, rewritten after each mutating request; uploaded objects live in their
own table. Faults and the journal are test aids and are not persisted.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
from dataclasses import asdict, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mock_moodys.jobs import Job, Snapshot

if TYPE_CHECKING:
    from mock_moodys.state import MockState

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS mock_state (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT)",
    "CREATE TABLE IF NOT EXISTS mock_uploads (key TEXT PRIMARY KEY, data BLOB NOT NULL)",
)
_TUPLES = ("stick", "forced")
_SNAPSHOTS = ("frozen", "final")


def _job_to_dict(job: Job) -> dict[str, Any]:
    return asdict(job)


def _job_from_dict(data: dict[str, Any]) -> Job:
    known = {f.name for f in fields(Job)}
    data = {k: v for k, v in data.items() if k in known}
    for name in _TUPLES:
        if data.get(name) is not None:
            data[name] = tuple(data[name])
    for name in _SNAPSHOTS:
        if data.get(name) is not None:
            data[name] = Snapshot(**data[name])
    return Job(**data)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


def dump(state: MockState) -> dict[str, Any]:
    replays = {
        key: {
            "fingerprint": r.fingerprint,
            "status": r.response[0],
            "headers": [[_b64(k), _b64(v)] for k, v in r.response[1]],
            "body": _b64(r.response[2]),
        }
        for key, r in state.replays.items()
        if r.response is not None
    }
    rng_state = state.rng.getstate()
    return {
        "clock": {"origin": state.clock.origin.isoformat(), "now": state.clock.now()},
        "jobIds": state.job_ids.value,
        "resourceIds": state.store.ids.value,
        "jobs": [_job_to_dict(j) for j in state.jobs.values()],
        "tables": {k: list(v.values()) for k, v in state.store.tables.items()},
        "idFields": state.store.id_fields,
        "replays": replays,
        "rules": [asdict(r) for r in state.rules],
        "rng": [rng_state[0], list(rng_state[1]), rng_state[2]],
    }


def restore(state: MockState, data: dict[str, Any]) -> None:
    from mock_moodys.state import OutcomeRule, Replay

    clock = state.clock
    clock.origin = datetime.fromisoformat(data["clock"]["origin"])
    clock._offset, clock._mono = float(data["clock"]["now"]), time.monotonic()
    state.job_ids.value = int(data["jobIds"])
    state.store.ids.value = int(data["resourceIds"])
    state.jobs = {job.id: job for job in (_job_from_dict(j) for j in data["jobs"])}
    state.touch()
    state.store.id_fields = dict(data["idFields"])
    state.store.tables.clear()
    for kind, rows in data["tables"].items():
        id_field = state.store.id_fields[kind]
        state.store.tables[kind] = {int(row[id_field]): row for row in rows}
    state.replays = {
        key: Replay(
            r["fingerprint"],
            (r["status"], [(_unb64(k), _unb64(v)) for k, v in r["headers"]], _unb64(r["body"])),
        )
        for key, r in data["replays"].items()
    }
    state.rules = [OutcomeRule(**r) for r in data["rules"]]
    version, internal, gauss = data["rng"]
    state.rng.setstate((version, tuple(internal), gauss))


class StateFile:
    """A SQLite file holding one state document plus uploaded objects."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False)
        with self._conn:
            for statement in SCHEMA:
                self._conn.execute(statement)

    def save(self, state: MockState) -> None:
        document = json.dumps(dump(state))
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO mock_state (id, data) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                (document,),
            )
            self._conn.execute("DELETE FROM mock_uploads")
            self._conn.executemany(
                "INSERT INTO mock_uploads (key, data) VALUES (?, ?)", state.uploads.items()
            )

    def load(self, state: MockState) -> bool:
        """Restore ``state``; ``False`` when the file holds nothing yet."""
        with self._lock:
            row = self._conn.execute("SELECT data FROM mock_state WHERE id = 1").fetchone()
            if row is None:
                return False
            restore(state, json.loads(row[0]))
            state.uploads = dict(self._conn.execute("SELECT key, data FROM mock_uploads"))
        return True

    def close(self) -> None:
        self._conn.close()
