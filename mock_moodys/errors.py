"""The Moody's error envelope ``{code, message, logId}`` and the exception handlers raise."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse

DEFAULT_CODES = {
    400: "INT-400",
    403: "AUTH-403",
    404: "INT-404",
    405: "INT-405",
    409: "INT-409",
    410: "JOB-410",
    429: "INT-429",
    500: "INT-500",
    502: "INT-502",
    503: "INT-503",
    504: "INT-504",
}
DEFAULT_MESSAGES = {
    400: "Bad Request: please check that you provided all required values.",
    403: "Forbidden: access to this resource has been denied.",
    404: "Resource not found.",
    405: "Method not allowed.",
    409: "Conflict.",
    410: "Gone.",
    429: "Too many requests, retry later.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service unavailable.",
    504: "Gateway timeout.",
}


def envelope(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message, "logId": uuid.uuid4().hex}


class ApiError(Exception):
    """Raised by handlers; rendered as the envelope with ``status``."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code or DEFAULT_CODES.get(status, f"INT-{status}")
        self.message = message or DEFAULT_MESSAGES.get(status, "Error.")
        self.headers = headers or {}
        super().__init__(f"{status} {self.code}: {self.message}")


def error_response(
    status: int,
    code: str | None = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    err = ApiError(status, code, message, headers)
    return JSONResponse(envelope(err.code, err.message), status_code=status, headers=err.headers)


def bad_request(message: str, code: str = "INT-400") -> ApiError:
    return ApiError(400, code, message)


def not_found(message: str, code: str = "INT-404") -> ApiError:
    return ApiError(404, code, message)


def require(body: dict[str, Any], *fields: str) -> None:
    """400 unless every field is present and not empty."""
    missing = [f for f in fields if body.get(f) in (None, "", [])]
    if missing:
        raise bad_request(f"Missing required field(s): {', '.join(missing)}")
