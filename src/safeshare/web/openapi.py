"""The published API contract: an OpenAPI document of the `/api/` routes only.

HTML pages are not part of the contract, so the document is built from the API routes
rather than from the whole app. Every operation lists the RFC 9457 problems it can answer
with: the cross-cutting ones (sign-in, role, validation, body size, unknown id) follow from
the route's shape; domain outcomes (409, 410, 429) are declared on the route with `problems`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from safeshare.auth.roles import ALL_ROLES
from safeshare.web.access import API_PREFIX, Access

# The contract's own version: bump the minor for additions, the major for breaking changes.
API_VERSION = "1.1.0"
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

DESCRIPTIONS = {
    400: "The request could not be understood.",
    401: "No valid bearer token was sent.",
    403: "The token's role may not use this operation, or not on this record.",
    404: "Nothing with that id exists, or it is not visible to this role.",
    409: "The request conflicts with the record's current state.",
    410: "The record has been erased.",
    413: "The body is larger than the service accepts.",
    422: "The request was well formed but a value is invalid.",
    429: "Too many requests of this kind: try again later.",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem detail. It never echoes sealed data.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def problem_response(status: int) -> dict[str, Any]:
    """One documented problem response."""
    return {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Domain problems a route can answer with, for its `responses=` declaration."""
    return {status: problem_response(status) for status in statuses}


# Models named by `request_body_one_of`, added to the document's components.
_BODY_MODELS: dict[str, type[BaseModel]] = {}


def request_body_one_of(*models: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself (the model depends on
    the caller): the body is one of `models`."""
    for model in models:
        _BODY_MODELS[model.__name__] = model
    refs = [{"$ref": f"#/components/schemas/{model.__name__}"} for model in models]
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"oneOf": refs}}},
        }
    }


def _body_model_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name, model in _BODY_MODELS.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    return schemas


def _access(route: APIRoute) -> Access | None:
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Access):
            return dependency.call
    return None


def shape_statuses(route: APIRoute) -> set[int]:
    """The problems any route of this shape can answer with, whatever its handler does."""
    statuses: set[int] = set()
    access = _access(route)
    if access is not None and not access.is_public:
        statuses.add(401)
        if access.roles != ALL_ROLES:
            statuses.add(403)
    dependant = route.dependant
    if dependant.path_params:
        statuses.update({404, 422})  # an id out of range is a 404, a non-number a 422
    if dependant.query_params or dependant.header_params:
        statuses.add(422)
    if dependant.body_params or "requestBody" in (route.openapi_extra or {}):
        statuses.update({400, 413, 422})  # 400: the body is not JSON
    return statuses


def api_routes(routes: Iterable[Any]) -> list[APIRoute]:
    """The routes the contract covers."""
    return [
        route
        for route in routes
        if isinstance(route, APIRoute)
        and route.include_in_schema
        and route.path.startswith(API_PREFIX)
    ]


def build_api_schema(app: FastAPI, routes: list[APIRoute]) -> dict[str, Any]:
    """The OpenAPI document for `routes`, with problems and bearer auth documented."""
    schema = get_openapi(
        title="SafeShare API",
        version=API_VERSION,
        summary="Reports, share decisions, disclosures, support services and the ledger.",
        description=(
            "Machine access for police forces and support organisations. Send "
            "`Authorization: Bearer <token>`. Errors are RFC 9457 problems "
            f"(`{PROBLEM_MEDIA_TYPE}`)."
        ),
        routes=routes,
        servers=[{"url": "/"}],
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update({k: v for k, v in _body_model_schemas().items() if k not in schemas})
    schemas["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    by_operation = {route.unique_id: route for route in routes}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            route = by_operation[operation["operationId"]]
            _document(operation, route)
    schema["info"]["x-app-version"] = app.version
    return schema


def _document(operation: dict[str, Any], route: APIRoute) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    # FastAPI's own 422 names its HTTPValidationError body; ours is a problem.
    for status in sorted(shape_statuses(route) | {int(s) for s in responses if s.isdigit()}):
        if status >= 400:
            responses[str(status)] = problem_response(status)
    access = _access(route)
    operation["security"] = [] if access is None or access.is_public else [{"bearer": []}]


def api_schema(app: FastAPI, routes: Iterable[Any]) -> dict[str, Any]:
    """The contract, built once per app (routes do not change after start-up)."""
    cached: dict[str, Any] | None = getattr(app.state, "api_schema", None)
    if cached is None:
        cached = build_api_schema(app, api_routes(routes))
        schemas = cached["components"]["schemas"]
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.state.api_schema = cached
    return cached


METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any]) -> str:
    """A schema's component name, or its type, for a person reading the reference."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " or ".join(_ref_name(option) for option in schema[key])
    if schema.get("type") == "array":
        return f"list of {_ref_name(schema.get('items', {}))}"
    return str(schema.get("type", "any"))


def describe_operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation as the reference page shows it, in path order."""
    operations = []
    for path in sorted(schema.get("paths", {})):
        item = schema["paths"][path]
        for method in sorted(item, key=lambda m: METHOD_ORDER.index(m)):
            operation = item[method]
            body = operation.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "needs_token": bool(operation.get("security")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _ref_name(p.get("schema", {})),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": [
                        {"media_type": media, "type": _ref_name(spec.get("schema", {}))}
                        for media, spec in body.items()
                    ],
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "media_types": sorted(response.get("content", {})),
                        }
                        for status, response in sorted(operation["responses"].items())
                    ],
                }
            )
    return operations
