"""Uploading import files to the storage an import folder hands out (moodys-api.md §3 row 3).

A folder's ``uploadDetails.<fileType>`` gives an S3 ``uploadUrl`` plus temporary credentials
(``presignParams``, every value base64). The file is streamed in one ``PUT`` signed with AWS
Signature V4 (``UNSIGNED-PAYLOAD``, session token); an already presigned URL is used as is.
The local mock serves a path-style S3 stand-in and ignores the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx

from irp_dagster.moodys.client import tls_context
from irp_dagster.moodys.errors import MoodysApiError

ATTEMPTS = 3


def _decoded(params: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for key, value in params.items():
        try:
            out[key] = base64.b64decode(value, validate=True).decode()
        except ValueError:
            out[key] = value  # already plain text
    return out


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    *,
    access_key: str,
    secret_key: str,
    region: str,
    when: datetime,
    payload_hash: str = "UNSIGNED-PAYLOAD",
    service: str = "s3",
) -> dict[str, str]:
    """``headers`` plus ``host``, ``x-amz-date``, ``x-amz-content-sha256`` and the
    AWS Signature V4 ``Authorization`` over all of them."""
    parts = urlsplit(url)
    amz_date, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
    signed = {k.lower(): str(v).strip() for k, v in headers.items()}
    signed |= {"host": parts.netloc, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    names = sorted(signed)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    canonical = "\n".join(
        [
            method,
            quote(unquote(parts.path or "/"), safe="/~"),
            "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in query),
            "".join(f"{n}:{signed[n]}\n" for n in names),
            ";".join(names),
            payload_hash,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret_key}".encode()
    for part in (day, region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    signed["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return signed


def upload_file(details: Mapping, path: Path, *, content_type: str = "text/csv") -> None:
    """Stream ``path`` to the folder file described by ``details`` (``uploadUrl``,
    ``presignParams``); transient failures are retried a few times."""
    url = str(details["uploadUrl"])
    creds = _decoded(details.get("presignParams") or {})
    headers = {"content-type": content_type}
    if creds.get("sessionToken"):
        headers["x-amz-security-token"] = creds["sessionToken"]
    sign = "X-Amz-Signature" not in url and bool(creds.get("accessKeyId"))
    for attempt in range(1, ATTEMPTS + 1):
        sent = dict(headers)
        if sign:
            sent = sigv4_headers(
                "PUT",
                url,
                headers,
                access_key=creds["accessKeyId"],
                secret_key=creds.get("secretAccessKey", ""),
                region=creds.get("region") or "us-east-1",
                when=datetime.now(UTC),
            )
            sent.pop("host")
        sent["content-length"] = str(path.stat().st_size)  # S3 refuses chunked uploads
        try:
            with (
                path.open("rb") as handle,
                httpx.Client(verify=tls_context(), timeout=300) as storage,
            ):
                response = storage.put(url, content=handle, headers=sent)
        except httpx.TransportError:
            if attempt == ATTEMPTS:
                raise
            time.sleep(attempt)
            continue
        if response.is_success:
            return
        if response.status_code < 500 or attempt == ATTEMPTS:
            raise MoodysApiError(
                "PUT", urlsplit(url).path, response.status_code, None, "file upload refused"
            )
        time.sleep(attempt)
