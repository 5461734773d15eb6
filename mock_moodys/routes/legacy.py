"""Legacy MRI import (moodys-api.md §3 row 3L): storage bucket, file path with base64 S3
credentials, mapping file, then ``POST /riskmodeler/v1/imports`` -> v1 workflow MRI_IMPORT.

Files are uploaded to the S3 stand-in at ``{s3Path}/{fileId}-{fileName}`` (path style:
``PUT /_s3/{bucket}/{key}``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_moodys import resources, uploads
from mock_moodys.errors import ApiError, bad_request, require
from mock_moodys.routes.common import absolute, created, headers_of, json_body, state_of

V1 = "/riskmodeler/v1"
FILE_FIELDS = {"accountsFileId": "accountsFile", "locationsFileId": "locationsFile"}


def _bucket(state, request: Request) -> dict:
    record = state.store.get("buckets", request.path_params["bucket_id"])
    if record is None:
        raise ApiError(404, "STORAGE-404", f"Bucket {request.path_params['bucket_id']} not found")
    return record


async def create_bucket(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        record = state.store.add("buckets", "bucketId", {"files": {}})
    return created(request, f"{V1}/storage/{record['bucketId']}")


async def file_path(request: Request) -> Response:
    """``{fileName, fileType, fileSize}`` -> 201, file id in Location, body ``S3Bucket``."""
    state = state_of(request)
    body = await json_body(request)
    require(body, "fileName", "fileType")
    with state.lock:
        bucket = _bucket(state, request)
        file_id = state.store.ids.next()
        prefix = f"legacy/{bucket['bucketId']}"
        key = f"{uploads.UPLOAD_BUCKET}/{prefix}/{file_id}-{body['fileName']}"
        bucket["files"][file_id] = {"key": key, "fileType": body["fileType"]}
    creds = uploads.credentials(
        prefix, s3Path=f"{uploads.UPLOAD_BUCKET}/{prefix}", s3Region=uploads.REGION
    )
    creds.pop("path")
    location = absolute(request, f"{V1}/storage/{bucket['bucketId']}/path/{file_id}")
    return JSONResponse(creds, status_code=201, headers={"Location": location})


async def create_mapping(request: Request) -> Response:
    state = state_of(request)
    body = await json_body(request)
    require(body, "mapFileName")
    for field in ("accountItems", "locationItems"):
        if not isinstance(body.get(field), list):
            raise bad_request(f"{field} must be a list")
    with state.lock:
        bucket = _bucket(state, request)
        mapping_id = state.store.ids.next()
        bucket["files"][mapping_id] = {"key": None, "fileType": "mapping"}
    return JSONResponse(mapping_id, status_code=201)


async def legacy_import(request: Request) -> Response:
    """202 + Location of a v1 workflow MRI_IMPORT into ``dataSourceName`` (an EDM)."""
    state = state_of(request)
    body = await json_body(request)
    require(body, "bucketId", "dataSourceName", "delimiter")
    delimiter = resources.one_of(body, "delimiter", frozenset(uploads.DELIMITERS))
    with state.lock:
        bucket = state.store.get("buckets", body["bucketId"])
        if bucket is None:
            raise bad_request(f"Unknown bucketId {body['bucketId']!r}")
        name = str(body["dataSourceName"])
        exposure = state.store.find("exposures", exposureName=name) or state.store.find(
            "exposures", databaseName=name
        )
        if exposure is None:
            raise bad_request(f"Unknown dataSourceName {name!r}")
        files = {}
        for field, file_type in FILE_FIELDS.items():
            entry = bucket["files"].get(body.get(field))
            if entry is None or entry["key"] is None:
                raise bad_request(f"{field} does not name a file of bucket {body['bucketId']}")
            files[file_type] = entry["key"]
        portfolio = None
        if body.get("portfolioId") is not None:
            portfolio = resources.portfolio(
                state, exposure["exposureId"], body["portfolioId"], status=400
            )
        label = portfolio["portfolioName"] if portfolio else exposure["exposureName"]
        job = state.create_job(
            "workflow",
            "MRI_IMPORT",
            f"PORTFOLIO: {label}",
            headers=headers_of(request),
            route=request.url.path,
            params={
                "exposureId": exposure["exposureId"],
                "portfolioId": portfolio["portfolioId"] if portfolio else None,
                "files": files,
                "delimiter": delimiter,
            },
        )
    return created(request, f"{V1}/workflows/{job.id}", 202)


ROUTES = [
    Route(f"{V1}/storage", create_bucket, methods=["POST"]),
    Route(f"{V1}/storage/{{bucket_id}}/path", file_path, methods=["POST"]),
    Route(f"{V1}/imports/createmapping/{{bucket_id}}", create_mapping, methods=["POST"]),
    Route(f"{V1}/imports", legacy_import, methods=["POST"]),
]
