"""Fixtures for the deployment and operations tests: a stand-in Moody's over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from irp_dagster.ops.doctor import MOODYS_PROBE_ROUTE

API_KEY = "doctor-test-key"


class _DataServers(BaseHTTPRequestHandler):
    """Answers the doctor's probe: 200 with the right key, 401 without it, 404 elsewhere."""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path.split("?")[0] != MOODYS_PROBE_ROUTE:
            code, body = 404, b'{"code": "NOT-FOUND"}'
        elif self.headers.get("Authorization") != API_KEY:
            code, body = 401, b'{"message": "Unauthorized"}'
        else:
            code, body = 200, b'[{"serverId": 1, "serverName": "databridge-1"}]'
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def moodys_stub() -> Iterator[str]:
    """Base URL of a tiny HTTP server on an ephemeral port that knows one route and one key."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DataServers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
