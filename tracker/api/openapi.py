"""The OpenAPI 3.1 document at /api/v1/openapi.json, made from the registered operations
(tracker/api/lists.py `OPERATIONS`) and the pydantic models that build every answer (tracker/api/schemas.py).

OpenAPI 3.1 takes JSON Schema 2020-12 as it is, which is what pydantic writes, so the schemas here are the
models' own: a field added to a model is in the document, and validated in the answer, at once. Why pydantic
and this short file rather than a framework: docs/api.md, "How the OpenAPI document is made".
"""

import json
from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from tracker.api import schemas
from tracker.api.lists import OPERATIONS, Operation

REF = "#/components/schemas/{model}"
PROBLEM = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
ERRORS = {
    "400": "A parameter is not one the API takes: `errors` names it.",
    "401": "No token, or one that is unknown, expired, revoked, or whose maker was deactivated.",
    "403": "The token's maker may not read this.",
    "404": "Nothing at this address.",
    "429": "Too many requests with this token: wait for Retry-After seconds.",
    "500": "A fault in the service.",
}


def _path(flask_path: str) -> str:
    return "/api/v1" + flask_path.replace("<int:", "{").replace("<", "{").replace(">", "}")


def _operation(op: Operation) -> dict[str, Any]:
    ok: dict[str, Any] = {
        "description": "The page asked for." if op.is_list else "The document.",
        "headers": {
            "ETag": {
                "description": "Send it back as If-None-Match: 304 when nothing changed.",
                "schema": {"type": "string"},
            }
        },
        "content": {
            op.media_type: {
                "schema": {"$ref": REF.format(model=op.response.__name__)}
                if op.response
                else {"type": "object" if op.media_type == "application/json" else "string"}
            }
        },
    }
    responses: dict[str, Any] = {"200": ok, "304": {"description": "Not modified since the ETag sent."}}
    for status, description in ERRORS.items():
        if status in ("401", "403") and not op.is_list:
            continue
        if status == "400" and not op.parameters:
            continue
        responses[status] = {"description": description, "content": PROBLEM}
    found: dict[str, Any] = {
        "operationId": op.endpoint.split(".", 1)[1],
        "summary": op.summary,
        "description": op.description,
        "parameters": [
            {
                "name": param.name,
                "in": "query",
                "required": False,
                "description": param.description,
                "schema": param.schema,
                **({"style": "form", "explode": True} if param.schema.get("type") == "array" else {}),
            }
            for param in op.parameters
        ],
        "responses": responses,
    }
    if not op.is_list:
        found["security"] = []  # the document itself is public: it describes, and holds no data
    return found


@cache
def document() -> str:
    models = [schemas.Problem] + [op.response for op in OPERATIONS if op.response]
    _, definitions = models_json_schema(
        [(model, "serialization") for model in dict.fromkeys(models)], ref_template=REF
    )
    spec = {
        "openapi": "3.1.0",
        "info": {
            "title": "Inspection Readiness Tracker API",
            "version": "1",
            "description": (
                "Read-only: the plan as at any day, for Power BI and other reports. Authenticate with a "
                "personal API token (Authorization: Bearer), or ?key= for Power BI's scheduled refresh."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {_path(op.path): {"get": _operation(op)} for op in OPERATIONS},
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token."},
                "key": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "key",
                    "description": "The same token, for Power BI.",
                },
            },
        },
        "security": [{"bearer": []}, {"key": []}],
    }
    return json.dumps(spec, indent=1)
