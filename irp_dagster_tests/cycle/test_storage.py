"""Import files go to the storage an import folder hands out, in one signed PUT."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from irp_dagster.services.handlers._storage import sigv4_headers, upload_file

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_signature_matches_the_aws_documented_example() -> None:
    """AWS S3 docs, "Example: GET Object" (Signature Version 4, header-based auth)."""
    headers = sigv4_headers(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {"Range": "bytes=0-9"},
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        when=datetime(2013, 5, 24, tzinfo=UTC),
        payload_hash=EMPTY_SHA256,
    )
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_upload_streams_the_file_signed_with_the_folder_credentials(
    mock_server, moodys_client, tmp_path
) -> None:
    folder = moodys_client.create_folder(
        {"folderType": "MRI", "properties": {"fileTypes": ["accountsFile", "locationsFile"]}},
        str(uuid.uuid4()),
    )
    details = folder["uploadDetails"]["accountsFile"]
    data = b"ACCNTNUM\tACCNTNAME\n" + b"".join(b"A%05d\tInsured\n" % i for i in range(5000))
    path = tmp_path / "accounts.csv"
    path.write_bytes(data)

    upload_file(details, path)

    assert httpx.get(details["uploadUrl"]).content == data
    (put,) = mock_server.state.journal("/_s3/*", "PUT")
    sent = put["headers"]
    assert sent["content-length"] == str(len(data))
    assert "transfer-encoding" not in sent  # S3 refuses chunked uploads
    assert sent["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    assert sent["x-amz-date"].endswith("Z")
    assert "x-amz-security-token" in sent  # the folder's session token (redacted in the journal)
    assert "authorization" in sent
