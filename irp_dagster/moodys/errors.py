"""Errors raised by the Moody's client. Messages name the call, never the credentials."""

from __future__ import annotations


class MoodysError(Exception):
    """Base class of every Moody's client error."""


class MoodysApiError(MoodysError):
    """Moody's answered with a final error (a 4xx, or a 5xx/429 after the last retry)."""

    def __init__(
        self,
        method: str,
        path: str,
        status_code: int,
        code: str | None = None,
        message: str | None = None,
        log_id: str | None = None,
    ) -> None:
        self.method, self.path, self.status_code = method, path, status_code
        self.code, self.message, self.log_id = code, message, log_id
        detail = " ".join(p for p in (code, message) if p) or "no error body"
        super().__init__(f"Moody's {method} {path} -> HTTP {status_code}: {detail}")

    @property
    def is_definitive(self) -> bool:
        """Moody's surely rejected the request (a 4xx other than 409/429).

        After a 5xx, 429 or 409 the request may still have been accepted, so a job-creating
        call must be re-sent with the same idempotency key rather than given up.
        """
        return 400 <= self.status_code < 500 and self.status_code not in (409, 429)


class MoodysUnreachableError(MoodysError):
    """No HTTP answer at all (connection refused, timeouts) after the last retry."""

    def __init__(self, method: str, url: str, cause: Exception) -> None:
        self.method, self.url = method, url
        super().__init__(f"Moody's is unreachable at {url} ({method}): {type(cause).__name__}")


class JobLostError(MoodysError):
    """Moody's no longer knows a job it accepted (404/410 on its GET)."""

    def __init__(self, job_id: str, status_code: int) -> None:
        self.job_id, self.status_code = job_id, status_code
        super().__init__(f"Moody's job {job_id} is lost (HTTP {status_code} on GET)")
