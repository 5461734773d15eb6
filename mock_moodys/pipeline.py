"""The request pipeline around every public route: journal, auth, faults, idempotency.

Order: 401 unless authorized -> faults (latency, reset, status, 204, lost...) -> idempotency
on ``x-rms-requestid`` (replay, 409 INT-409 in flight, 400 on a different body) -> handler ->
post-faults (accepted_then_error, unknown_status, missing_progress). Any unexpected exception
becomes a 500 envelope, never a stack trace.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any

from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_moodys.errors import envelope
from mock_moodys.faults import Fault
from mock_moodys.state import MockState, Replay

log = logging.getLogger(__name__)

Raw = tuple[int, list[tuple[bytes, bytes]], bytes]
RESET: Raw = (0, [], b"")
UNGUARDED_PREFIXES = ("/_s3/",)
IDEMPOTENT_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def json_raw(status: int, body: Any, headers: dict[str, str] | None = None) -> Raw:
    data = json.dumps(body).encode()
    pairs = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    pairs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return status, pairs, data


def error_raw(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Raw:
    return json_raw(status, envelope(code, message), headers)


def _fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True).encode() if body else b""
    except ValueError:
        canonical = body
    parts = [method.encode(), path.encode(), query.encode(), canonical]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


class Pipeline:
    def __init__(self, app: ASGIApp, state: MockState, routes: list) -> None:
        self.app, self.state, self.routes = app, state, routes

    def pattern(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return getattr(route, "path", scope["path"])
        return scope["path"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path, method = scope["path"], scope["method"]
        if path.startswith("/_mock"):
            raw = await self._call(scope, body)
            if method != "GET":
                self.state.save()
            await _send(send, raw)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            raw = await self._process(scope, body, headers)
        except Exception:  # noqa: BLE001 - the mock never leaks a stack trace
            log.exception("mock handler failed on %s %s", method, path)
            raw = error_raw(500, "INT-500", "Internal server error.")
        with self.state.lock:
            self.state.journal_log.record(
                method=method,
                path=path,
                query=scope.get("query_string", b"").decode("latin-1"),
                status=raw[0] or None,
                headers=headers,
                body=body,
                pattern=self.pattern(scope),
                mock_time=self.state.now(),
            )
        if method not in ("GET", "HEAD"):
            self.state.save()
        if raw is RESET:
            start = {"type": "http.response.start", "status": 200}
            await send({**start, "headers": [(b"content-length", b"100")]})
            return  # the server closes the connection mid-response
        await _send(send, raw)

    def _authorized(self, scope: Scope, headers: dict[str, str]) -> bool:
        if scope["path"].startswith(UNGUARDED_PREFIXES):
            return True
        given = headers.get("authorization", "").strip()
        expected = self.state.config.api_key
        return bool(given) and (expected is None or given == expected)

    async def _process(self, scope: Scope, body: bytes, headers: dict[str, str]) -> Raw:
        if not self._authorized(scope, headers):
            return json_raw(401, {"message": "Unauthorized"})
        post: list[Fault] = []
        delay = 0.0
        for fault in self.state.fire_faults(scope["method"], scope["path"]):
            if fault.kind == "latency":
                delay += float(fault.seconds or 0)
                continue
            early = await self._pre_fault(fault, scope)
            if early is not None:
                return early
            post.append(fault)
        raw = await self._idempotent(scope, body, headers, delay)
        for fault in post:
            raw = _post_fault(fault, raw)
        return raw

    async def _pre_fault(self, fault: Fault, scope: Scope) -> Raw | None:
        kind = fault.kind
        if kind == "reset":
            return RESET
        elif kind == "status":
            extra = {"Retry-After": fault.retry_after} if fault.retry_after else None
            status = int(fault.status or 503)
            if status == 401:
                return json_raw(401, {"message": fault.message or "Unauthorized"})
            code = fault.code or ("WORKFLOW-400" if status == 400 else f"INT-{status}")
            return error_raw(status, code, fault.message or f"Injected {status}", extra)
        elif kind == "not_ready":
            return 204, [(b"content-length", b"0")], b""
        elif kind == "lost":
            target = fault.job_id or next(
                (p for p in reversed(scope["path"].split("/")) if p.isdigit()), None
            )
            job = self.state.find_job(target) if target else None
            if job is not None:
                with self.state.lock:
                    job.lost = True
        elif kind == "short_page":
            scope.setdefault("state", {})["page_cap"] = int(fault.page_size or 10)
        return None

    async def _idempotent(
        self, scope: Scope, body: bytes, headers: dict[str, str], delay: float
    ) -> Raw:
        """Latency counts as processing time: the key is in flight while we wait."""
        key = headers.get("x-rms-requestid")
        if not key or scope["method"] not in IDEMPOTENT_METHODS:
            await asyncio.sleep(delay)
            return await self._call(scope, body)
        query = scope.get("query_string", b"").decode("latin-1")
        fingerprint = _fingerprint(scope["method"], scope["path"], query, body)
        with self.state.lock:
            seen = self.state.replays.get(key)
            if seen is not None:
                if seen.fingerprint != fingerprint:
                    return error_raw(
                        400,
                        "INT-400",
                        "x-rms-requestid was already used for a different request; use a new key.",
                    )
                if seen.response is None:
                    return error_raw(
                        409,
                        "INT-409",
                        "The x-rms-requestid is currently being used in another request. "
                        "Please retry after 10 seconds.",
                    )
                return seen.response
            self.state.replays[key] = Replay(fingerprint)
        raw: Raw | None = None
        try:
            await asyncio.sleep(delay)
            raw = await self._call(scope, body)
            return raw
        finally:
            with self.state.lock:
                if raw is not None and raw[0] < 500:
                    self.state.replays[key].response = raw
                else:
                    self.state.replays.pop(key, None)

    async def _call(self, scope: Scope, body: bytes) -> Raw:
        """Run the downstream app and capture its whole response."""
        sent = False
        status, headers, chunks = 500, [], []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: dict[str, Any]) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        self.state.sync()
        await self.app(scope, receive, capture)
        return status, headers, b"".join(chunks)


def _post_fault(fault: Fault, raw: Raw) -> Raw:
    status, headers, body = raw
    if fault.kind == "accepted_then_error":
        if 200 <= status < 300:
            code = int(fault.status or 502)
            return error_raw(code, fault.code or f"INT-{code}", fault.message or f"Injected {code}")
        return raw
    if fault.kind not in ("unknown_status", "missing_progress") or not body:
        return raw
    try:
        data = json.loads(body)
    except ValueError:
        return raw
    rows = data if isinstance(data, list) else data.get("workflows", [data])
    for row in rows:
        if not isinstance(row, dict) or "status" not in row:
            continue
        if fault.kind == "unknown_status":
            row["status"] = fault.value or "UNKNOWN_STATUS"
        else:
            row.pop("progress", None)
    kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
    _, fresh, payload = json_raw(status, data)
    return status, kept + fresh, payload


async def _send(send: Send, raw: Raw) -> None:
    status, headers, body = raw
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
