"""Import API: folders with S3-style upload details, the S3 stand-in, and import jobs."""

from __future__ import annotations

import hashlib
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_moodys import resources, uploads
from mock_moodys.errors import ApiError, bad_request, require
from mock_moodys.routes.common import (
    absolute,
    created,
    headers_of,
    json_body,
    require_resource_group,
    state_of,
)
from mock_moodys.store import public

IMPORT = "/platform/import/v1"
FOLDER_TYPES = {
    "MRI": ("accountsFile", "locationsFile"),
    "EDM": ("exposureFile",),
    "RDM": ("exposureFile",),
}
OPTIONAL_FILES = {"mappingFile", "reinsuranceFile"}


async def create_folder(request: Request) -> Response:
    """201 + Location + JSON ``{folderId, folderType, uploadDetails{<fileType>: {fileUri,
    uploadUrl, presignParams}}}`` (presignParams values base64)."""
    state = state_of(request)
    body = await json_body(request)
    folder_type = resources.one_of(body, "folderType", frozenset(FOLDER_TYPES))
    properties = body.get("properties") or {}
    if not isinstance(properties, dict):
        raise bad_request("properties must be an object")
    file_types = properties.get("fileTypes") or list(FOLDER_TYPES[folder_type])
    if not isinstance(file_types, list) or not all(isinstance(f, str) for f in file_types):
        raise bad_request("properties.fileTypes must be a list of strings")
    missing = set(FOLDER_TYPES[folder_type]) - set(file_types)
    if missing:
        raise bad_request(f"{folder_type} folders need file types {sorted(missing)}")
    extension = str(properties.get("fileExtension") or ("csv" if folder_type == "MRI" else "bak"))
    base = str(request.base_url).rstrip("/")
    with state.lock:
        record = state.store.add("folders", "folderId", {"folderType": folder_type})
        folder_id = record["folderId"]
        prefix = f"tenant/import/folders/{folder_id}"
        details = {}
        files = {}
        for file_type in file_types:
            key = f"{prefix}/{file_type}.{extension}"
            files[file_type] = f"{uploads.UPLOAD_BUCKET}/{key}"
            details[file_type] = {
                "fileUri": f"{IMPORT}/folders/{folder_id}/files/{file_type}",
                "uploadUrl": uploads.s3_url(base, uploads.UPLOAD_BUCKET, key),
                "presignParams": uploads.credentials(prefix, region=uploads.REGION),
            }
        record.update(_files=files, folderId=str(folder_id))
        payload = {"folderId": str(folder_id), "folderType": folder_type, "uploadDetails": details}
    return JSONResponse(
        payload,
        status_code=201,
        headers={"Location": absolute(request, f"{IMPORT}/folders/{folder_id}")},
    )


async def get_folder(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        record = state.store.get("folders", request.path_params["folder_id"])
        if record is None:
            raise ApiError(
                404, "IMPORT-404", f"Folder {request.path_params['folder_id']} not found"
            )
        files = {k: {"uploaded": v in state.uploads} for k, v in record["_files"].items()}
        return JSONResponse({**public(record), "files": files})


async def create_import_job(request: Request) -> Response:
    """MRI import into a portfolio: ``{importType, resourceUri, settings{folderId, delimiter}}``."""
    state = state_of(request)
    body = await json_body(request)
    require_resource_group(request)
    require(body, "importType", "resourceUri", "settings")
    import_type = resources.one_of(body, "importType", frozenset({"MRI"}))
    settings = body["settings"] if isinstance(body["settings"], dict) else {}
    require(settings, "folderId")
    delimiter = resources.one_of(settings, "delimiter", frozenset(uploads.DELIMITERS))
    with state.lock:
        portfolio = resources.portfolio_by_uri(state, body["resourceUri"])
        folder = state.store.get("folders", settings["folderId"])
        if folder is None or folder["folderType"] != import_type:
            raise bad_request(f"Unknown {import_type} folder {settings['folderId']!r}")
        files = {k: v for k, v in folder["_files"].items() if k not in OPTIONAL_FILES}
        job = state.create_job(
            "import",
            "MRI_IMPORT",
            f"PORTFOLIO: {portfolio['portfolioName']}",
            headers=headers_of(request),
            route=request.url.path,
            resources=[portfolio["uri"]],
            params={
                "exposureId": portfolio["_exposureId"],
                "portfolioId": portfolio["portfolioId"],
                "files": files,
                "delimiter": delimiter,
            },
        )
    return created(request, f"{IMPORT}/jobs/{job.id}")


# -- S3 stand-in (path style, no API key: the presigned credentials are not checked) --------


def _object_key(request: Request) -> str:
    return f"{request.path_params['bucket']}/{request.path_params['key']}"


def _xml(body: str, status: int = 200) -> Response:
    return Response(
        f'<?xml version="1.0" encoding="UTF-8"?>{body}', status, media_type="application/xml"
    )


async def s3_put(request: Request) -> Response:
    """PutObject, or UploadPart when ``partNumber`` and ``uploadId`` are given."""
    state = state_of(request)
    data = await request.body()
    params = request.query_params
    etag = f'"{hashlib.md5(data).hexdigest()}"'  # noqa: S324 - an S3 ETag, not security
    with state.lock:
        if "uploadId" in params:
            parts = state.multipart.get(params["uploadId"])
            if parts is None:
                return _xml("<Error><Code>NoSuchUpload</Code></Error>", 404)
            parts[int(params.get("partNumber", 1))] = data
        else:
            state.uploads[_object_key(request)] = data
    return Response(status_code=200, headers={"ETag": etag})


async def s3_post(request: Request) -> Response:
    """CreateMultipartUpload (``?uploads``) and CompleteMultipartUpload (``?uploadId=``)."""
    state = state_of(request)
    params = request.query_params
    bucket, key = request.path_params["bucket"], request.path_params["key"]
    with state.lock:
        if "uploads" in params:
            upload_id = uuid.uuid4().hex
            state.multipart[upload_id] = {}
            return _xml(
                "<InitiateMultipartUploadResult>"
                f"<Bucket>{bucket}</Bucket><Key>{key}</Key><UploadId>{upload_id}</UploadId>"
                "</InitiateMultipartUploadResult>"
            )
        parts = state.multipart.pop(params.get("uploadId", ""), None)
        if parts is None:
            return _xml("<Error><Code>NoSuchUpload</Code></Error>", 404)
        state.uploads[_object_key(request)] = b"".join(parts[n] for n in sorted(parts))
    return _xml(
        "<CompleteMultipartUploadResult>"
        f'<Bucket>{bucket}</Bucket><Key>{key}</Key><ETag>"mock"</ETag>'
        "</CompleteMultipartUploadResult>"
    )


async def s3_get(request: Request) -> Response:
    state = state_of(request)
    with state.lock:
        data = state.uploads.get(_object_key(request))
    if data is None:
        return _xml("<Error><Code>NoSuchKey</Code></Error>", 404)
    return Response(data, media_type="application/octet-stream")


ROUTES = [
    Route(f"{IMPORT}/folders", create_folder, methods=["POST"]),
    Route(f"{IMPORT}/folders/{{folder_id}}", get_folder, methods=["GET"]),
    Route(f"{IMPORT}/jobs", create_import_job, methods=["POST"]),
    Route("/_s3/{bucket}/{key:path}", s3_put, methods=["PUT"]),
    Route("/_s3/{bucket}/{key:path}", s3_post, methods=["POST"]),
    Route("/_s3/{bucket}/{key:path}", s3_get, methods=["GET", "HEAD"]),
]
