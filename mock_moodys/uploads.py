"""The S3 stand-in: presign parameters, object keys, and reading uploaded MRI CSVs."""

from __future__ import annotations

import base64
import csv
import io
from collections import Counter
from typing import Any

UPLOAD_BUCKET = "mock-irp-uploads"
EXPORT_BUCKET = "mock-irp-exports"
REGION = "eu-west-1"
DELIMITERS = {"TAB": "\t", "COMMA": ",", "SEMICOLON": ";"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def s3_url(base_url: str, bucket: str, key: str) -> str:
    """Path-style URL served by the mock (``PUT``/``GET /_s3/{bucket}/{key}``)."""
    return f"{base_url}/_s3/{bucket}/{key}"


def credentials(prefix: str, **path_field: str) -> dict[str, str]:
    """Temporary credentials, every value base64 as the real service sends them."""
    values = {
        "accessKeyId": "ASIAMOCKMOODYS000001",
        "secretAccessKey": "mock-secret-access-key",
        "sessionToken": "mock-session-token",
        **path_field,
    }
    values.setdefault("path", f"{UPLOAD_BUCKET}/{prefix}")
    return {k: b64(v) for k, v in values.items()}


def _rows(data: bytes, delimiter: str) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text), delimiter=DELIMITERS.get(delimiter, ","))
    return [{(k or "").strip().upper(): (v or "").strip() for k, v in r.items()} for r in reader]


def parse_mri(accounts: bytes, locations: bytes, delimiter: str) -> dict[str, Any]:
    """Accounts (``ACCNTNUM``, ``ACCNTNAME``) with their location counts (by ``ACCNTNUM``)."""
    account_rows = _rows(accounts, delimiter)
    location_rows = _rows(locations, delimiter)
    if not account_rows:
        raise ValueError("the accounts file has no rows")
    counts = Counter(r.get("ACCNTNUM", "") for r in location_rows)
    accounts_out = []
    for index, row in enumerate(account_rows, start=1):
        number = row.get("ACCNTNUM") or str(index)
        accounts_out.append(
            {
                "accountNumber": number,
                "accountName": row.get("ACCNTNAME") or number,
                "locationsCount": counts.get(number, 0),
            }
        )
    lobs = sorted({r["LOBNAME"] for r in account_rows if r.get("LOBNAME")})
    cedants = sorted({r["CEDANTNAME"] for r in account_rows if r.get("CEDANTNAME")})
    return {
        "accounts": accounts_out,
        "locations": len(location_rows),
        "lobs": lobs,
        "cedants": cedants,
    }
