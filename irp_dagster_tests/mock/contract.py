"""Validate real mock responses against the trimmed legacy OpenAPI (openapi-core) and the
Platform payloads against our JSON Schemas (schemas/*.json, derived from moodys-api.md)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import jsonschema
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from irp_dagster_tests.conftest import LEGACY_OPENAPI

SCHEMAS = Path(__file__).parent / "schemas"
REAL_HOST = "https://api-euw1.rms.com"


@cache
def legacy_spec() -> OpenAPI:
    """The trimmed spec with one documented correction (moodys-api.md §6 point 3): live
    ``Job.input``/``Job.output`` values are strings, not objects."""
    spec = yaml.safe_load(LEGACY_OPENAPI.read_text())
    job = spec["components"]["schemas"]["Job"]["properties"]
    for field in ("input", "output"):
        job[field]["additionalProperties"] = {}
    return OpenAPI.from_dict(spec)


class _Request:
    """An httpx request seen as if sent to the real host (the spec's server)."""

    def __init__(self, request: httpx.Request) -> None:
        self.host_url = REAL_HOST
        self.path = request.url.path
        self.method = request.method.lower()
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "application/json")
        query = parse_qsl(request.url.query.decode(), keep_blank_values=True)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query), header=Headers(dict(request.headers))
        )


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.data = response.content
        self.content_type = response.headers.get("content-type", "application/json")
        self.headers = Headers(dict(response.headers))


def assert_legacy_contract(response: httpx.Response, *, check_request: bool = True) -> None:
    """The response (and the request, unless it is deliberately invalid) match the legacy
    OpenAPI operation."""
    spec = legacy_spec()
    if check_request:
        spec.validate_request(_Request(response.request))
    spec.validate_response(_Request(response.request), _Response(response))


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (f"{p.stem}.json", Resource.from_contents(json.loads(p.read_text())))
        for p in SCHEMAS.glob("*.json")
    )
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def assert_schema(payload: object, name: str) -> None:
    """``payload`` matches schemas/<name>.json (with $refs resolved inside that folder)."""
    _validator(name).validate(payload)
