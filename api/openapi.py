"""The OpenAPI document's extras: examples, the scenario file as a request body, error answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.errors import PROBLEM_MEDIA_TYPE, Problem
from models.scenario import Scenario

SCENARIO_FILE_SCHEMA = "ScenarioFile"

EXAMPLE_SCENARIO: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "rafah-first",
    "name": "Rafah first (illustrative)",
    "illustrative": True,
    "horizon": {"start": "2026-03-01", "end": "2027-12-31"},
    "mandate": {"un_security_council_resolution": True},
    "sectors": [{"id": "rafah", "name": "Rafah", "control": "secure"}],
    "requirements": [
        {"id": "rafah-eng", "sector": "rafah", "capability": "engineer", "quantity": 2, "priority": "essential"}
    ],
    "nations": [{"code": "IDN", "name": "Indonesia", "groups": ["oic"]}, {"code": "SAU", "name": "Saudi Arabia"}],
    "offers": [
        {
            "nation": "IDN",
            "units": [{"id": "idn-eng", "capability": "engineer", "count": 3, "personnel": 180}],
            "red_lines": [{"id": "idn-no-combat", "kind": "max_engagement", "level": 1}],
        },
        {"nation": "SAU", "funding": [{"id": "sau-fund", "amount_usd": 400000000}]},
    ],
    "targets": {"funding_coverage": 1.0},
}

EXAMPLE_SCENARIO_YAML = """\
schema: forcepack.scenario/1
id: rafah-first
name: Rafah first (illustrative)
horizon: {start: 2026-03-01, end: 2027-12-31}
sectors:
  - {id: rafah, control: secure}
requirements:
  - {id: rafah-eng, sector: rafah, capability: engineer, quantity: 2}
nations:
  - {code: IDN, name: Indonesia}
offers:
  - nation: IDN
    units:
      - {id: idn-eng, capability: engineer, count: 3, personnel: 180}
"""

EXAMPLE_OFFER: dict[str, Any] = {
    "units": [
        {"id": "idn-eng", "capability": "engineer", "count": 3, "personnel": 180, "readiness": "verified"},
        {"id": "idn-inf", "capability": "infantry", "count": 4, "personnel": 650, "readiness": "mou"},
    ],
    "red_lines": [
        {"id": "idn-no-combat", "kind": "max_engagement", "level": 1},
        {"id": "idn-gaza-secure", "kind": "allowed_control", "statuses": ["secure"]},
    ],
}

EXAMPLE_WITHDRAWAL: dict[str, Any] = {"units": [], "funding": [], "red_lines": []}

EXAMPLE_PATCH: dict[str, Any] = {
    "mandate": {"un_security_council_resolution": True, "ceasefire_holding": False},
    "targets": {"max_personnel": 20000, "min_nations": 2, "funding_coverage": 1.0},
}

EXAMPLE_SOLVE: dict[str, Any] = {"time_limit_s": 20, "seed": 0, "explain": True}

_PROBLEM_EXAMPLES: dict[int, tuple[str, str, list[str]]] = {
    401: ("Unauthorized", "a valid bearer token is required", []),
    403: ("Forbidden", "only a coordinator may solve", []),
    404: ("Not found", "no offer of `MAR` in scenario `tutorial`", []),
    409: ("Conflict", "a scenario `tutorial` exists already", ["id: `tutorial` is taken; change it with PATCH"]),
    412: (
        "Precondition failed",
        '`If-Match` does not name the current version (ETag "3-1f0c2a9d33b6e104"): it changed since it was read',
        ['If-Match: stale ETag "2-9a7e01c4d2f35b88"; the current one is "3-1f0c2a9d33b6e104"'],
    ),
    413: ("Request body too large", "the request body is larger than the server accepts", ["(body): at most 4194304"]),
    415: ("Unsupported media type", "expected a JSON or YAML body, got `text/plain`", []),
    422: (
        "Invalid scenario",
        "offer of IDN: 1 problem in the scenario",
        ["units[0].capability: capability `enginer` is not a capability of this scenario (did you mean `engineer`?)"],
    ),
    428: ("Precondition required", "an update needs `If-Match` with the current ETag", ["If-Match: required header"]),
    429: ("Too many solves", "every solve slot and queue place is taken; retry in 5 s", []),
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error statuses, each a problem document with an example."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        title, detail, lines = _PROBLEM_EXAMPLES[status]
        example = Problem(title=title, status=status, detail=detail, problems=lines).model_dump(mode="json")
        out[status] = {
            "model": Problem,
            "description": title,
            "content": {PROBLEM_MEDIA_TYPE: {"example": example}},
        }
    return out


def document_body(schema: str, examples: dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` of a route whose body is a document (JSON or YAML) of one of `DOCUMENT_BODIES`."""
    ref = {"$ref": f"#/components/schemas/{schema}"}
    named = {name: {"value": value} for name, value in examples.items()}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ref, "examples": named},
                "application/yaml": {"schema": ref},
            },
        }
    }


def scenario_file_body() -> dict[str, Any]:
    """`openapi_extra` of a route whose body is a scenario file, JSON or YAML."""
    body = document_body(SCENARIO_FILE_SCHEMA, {"rafah-first": EXAMPLE_SCENARIO})
    body["requestBody"]["description"] = "A scenario file's document (`forcepack.scenario/1`), as JSON or YAML."
    body["requestBody"]["content"]["application/yaml"]["examples"] = {"rafah-first": {"value": EXAMPLE_SCENARIO_YAML}}
    return body


def _document_bodies() -> dict[str, type[BaseModel]]:
    from api.schemas import OfferBody, ScenarioPatch

    return {SCENARIO_FILE_SCHEMA: Scenario, "ScenarioPatch": ScenarioPatch, "OfferBody": OfferBody}


def install_openapi(app: FastAPI) -> None:
    """Add the schemas of the document bodies (read as JSON or YAML, so not declared to FastAPI)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        bodies = _document_bodies()
        keys, definitions = models_json_schema(
            [(model, "validation") for model in bodies.values()],
            by_alias=True,
            ref_template="#/components/schemas/input.{model}",
        )
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in definitions.get("$defs", {}).items():
            components[f"input.{name}"] = definition
        for name, model in bodies.items():
            ref = keys[(model, "validation")]["$ref"]
            components[name] = components[ref.rsplit("/", 1)[-1]]
        _problems_for_validation_errors(document)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _problems_for_validation_errors(document: dict[str, Any]) -> None:
    """FastAPI documents its own 422 body; the service answers a problem document instead."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422")
            if answer is not None and "application/json" in answer.get("content", {}):
                answer["description"] = "Invalid request"
                answer["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem}}
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
