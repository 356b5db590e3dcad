"""The OpenAPI document's extras: examples, the scenario file as a request body, error answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from forcepack.api.errors import PROBLEM_MEDIA_TYPE, Problem
from forcepack.models.scenario import Scenario

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

EXAMPLE_IMPORT: dict[str, Any] = {
    "offers": [
        {"nation": "IDN", **EXAMPLE_OFFER},
        {"nation": "SAU", "funding": [{"id": "sau-fund", "amount_usd": 400000000, "earmark": ["engineer"]}]},
    ]
}

EXAMPLE_WITHDRAWAL: dict[str, Any] = {"units": [], "funding": [], "red_lines": []}

EXAMPLE_PATCH: dict[str, Any] = {
    "mandate": {"un_security_council_resolution": True, "ceasefire_holding": False},
    "targets": {"max_personnel": 20000, "min_nations": 2, "funding_coverage": 1.0},
}

EXAMPLE_SOLVE: dict[str, Any] = {"time_limit_s": 20, "seed": 0, "explain": True}

EXAMPLE_WHAT_IF: dict[str, Any] = {
    "description": "Turkey withdraws",
    "ops": [{"op": "withdraw", "nations": ["TUR"]}],
    "mode": "resolve",
    "time_limit_s": 10,
}

EXAMPLE_WHAT_IF_REPAIR: dict[str, Any] = {
    "description": "Rafah becomes contested",
    "ops": [{"op": "set_control", "sector": "rafah", "control": "contested"}],
    "mode": "repair",
}

EXAMPLE_CRITICALITY: dict[str, Any] = {"pairs": False, "time_limit_s": 10, "seed": 0}

EXAMPLE_EXPLANATION: dict[str, Any] = {"time_limit_s": 10, "relaxations": 3}

EXAMPLE_ALTERNATIVES: dict[str, Any] = {"k": 3, "tolerance": 0.05, "min_difference": 1, "time_limit_s": 10}

EXAMPLE_RESILIENCE: dict[str, Any] = {"time_limit_s": 10}


def _event(name: str, description: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["event", "data"],
        "properties": {
            "id": {"type": "string", "pattern": "^[0-9]+$", "description": "Send it back as `Last-Event-ID`."},
            "event": {"const": name},
            "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": payload},
        },
    }


JOB_EVENT_SCHEMA: dict[str, Any] = {
    "title": "JobEvent",
    "description": "One event of a job's stream (`text/event-stream`); its `data` is a JSON object.",
    "oneOf": [
        _event(
            "status",
            "The job's status changed; the final one (done, failed, cancelled) ends the stream.",
            {
                "type": "object",
                "required": ["status"],
                "additionalProperties": False,
                "properties": {"status": {"enum": ["queued", "running", "done", "failed", "cancelled"]}},
            },
        ),
        _event(
            "package",
            "The solver found an improving package.",
            {
                "type": "object",
                "required": ["criterion", "value", "seconds"],
                "additionalProperties": False,
                "properties": {
                    "criterion": {"type": "string", "description": "Criterion being optimised."},
                    "value": {"type": "number", "description": "Its value in this package."},
                    "seconds": {"type": "number", "description": "Seconds since the solve started."},
                },
            },
        ),
        _event(
            "step",
            "An analysis moved on to another step; a criticality sweep counts its withdrawals.",
            {
                "type": "object",
                "required": ["step"],
                "additionalProperties": False,
                "properties": {
                    "step": {"type": "string"},
                    "done": {"type": "integer", "minimum": 0},
                    "total": {"type": "integer", "minimum": 0},
                },
            },
        ),
    ],
}
"""The schema of each event of `GET /v1/jobs/{id}/events` (OpenAPI 3.1: `schema` describes one event)."""

EXAMPLE_EVENTS = """\
id: 1
event: status
data: {"status":"queued"}

id: 2
event: status
data: {"status":"running"}

id: 3
event: package
data: {"criterion":"shortfall","value":2.5,"seconds":0.031}

id: 4
event: package
data: {"criterion":"shortfall","value":1.5,"seconds":0.087}

id: 5
event: status
data: {"status":"done"}

"""

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
    429: ("Too many jobs", "every job slot and queue place is taken; retry in 5 s", []),
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


def document_body(schema: str, examples: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` of a route whose body is a document (JSON or YAML) of one of `DOCUMENT_BODIES`."""
    ref = {"$ref": f"#/components/schemas/{schema}"}
    named = {name: {"value": value} for name, value in examples.items()}
    return {
        "requestBody": {
            "required": required,
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
    from forcepack.api.schemas import (
        CriticalityRequest,
        ExplanationRequest,
        OfferBody,
        OffersImport,
        ScenarioPatch,
        SolveRequest,
        WhatIfRequest,
        WhyNotRequest,
    )

    return {
        SCENARIO_FILE_SCHEMA: Scenario,
        "ScenarioPatch": ScenarioPatch,
        "OfferBody": OfferBody,
        "OffersImport": OffersImport,
        "WhatIfRequest": WhatIfRequest,
        "SolveRequest": SolveRequest,
        "CriticalityRequest": CriticalityRequest,
        "ExplanationRequest": ExplanationRequest,
        "WhyNotRequest": WhyNotRequest,
    }


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
        _add_links(document)
        _event_streams(document)
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


_SCENARIO = "/v1/scenarios/{scenario_id}"
_OFFER = "/v1/scenarios/{scenario_id}/offers/{nation}"
_JOB = "/v1/jobs/{job_id}"
_JOB_POSTS = [f"{_SCENARIO}/{kind}" for kind in ("solves", "what-ifs", "criticality", "explanations")]

LINKS: list[tuple[str, str, str, str, str, str, dict[str, str]]] = [
    # (path, method, status) of the answer -> link name -> (path, method) of the operation, its parameters
    (
        "/v1/scenarios",
        "get",
        "200",
        "ReadFirstScenario",
        _SCENARIO,
        "get",
        {"scenario_id": "$response.body#/items/0/id"},
    ),
    *[
        (path, method, status, name, target, target_method, {"scenario_id": "$response.body#/id"})
        for path, method, status in (("/v1/scenarios", "post", "201"), (_SCENARIO, "get", "200"))
        for name, target, target_method in (
            ("ReadScenario", _SCENARIO, "get"),
            ("Solve", f"{_SCENARIO}/solves", "post"),
            ("WhatIf", f"{_SCENARIO}/what-ifs", "post"),
            ("Criticality", f"{_SCENARIO}/criticality", "post"),
            ("Explain", f"{_SCENARIO}/explanations", "post"),
        )
    ],
    *[
        (path, method, status, name, target, target_method, params)
        for path, method, status in (("/v1/scenarios", "post", "201"), (_SCENARIO, "get", "200"))
        for name, target, target_method, params in (
            (
                "ReadFirstOffer",
                _OFFER,
                "get",
                {"scenario_id": "$response.body#/id", "nation": "$response.body#/offers/0/nation"},
            ),
            (
                "FirstOfferHistory",
                f"{_OFFER}/history",
                "get",
                {"scenario_id": "$response.body#/id", "nation": "$response.body#/offers/0/nation"},
            ),
        )
    ],
    *[
        (
            _OFFER,
            "get",
            "200",
            name,
            target,
            method,
            {"scenario_id": "$response.body#/scenario", "nation": "$response.body#/nation"},
        )
        for name, target, method in (("History", f"{_OFFER}/history", "get"), ("ReadAgain", _OFFER, "get"))
    ],
    *[
        (path, "post", "202", name, target, method, {"job_id": "$response.body#/id"})
        for path in _JOB_POSTS
        for name, target, method in (
            ("ReadJob", _JOB, "get"),
            ("FollowJob", f"{_JOB}/events", "get"),
            ("CancelJob", _JOB, "delete"),
        )
    ],
    (_JOB, "get", "200", "ReadScenarioOfJob", _SCENARIO, "get", {"scenario_id": "$response.body#/scenario"}),
]
"""How answers lead to further requests (OpenAPI links): ids a client (or schemathesis) can follow."""


def _event_streams(document: dict[str, Any]) -> None:
    """Each event of a `text/event-stream` answer is a `JobEvent`. FastAPI describes any event as
    OpenAPI 3.2's `itemSchema` (data, event, id, retry: all strings), a keyword this 3.1 document
    may not hold: the schema says what each event of this one stream holds."""
    document["components"]["schemas"]["JobEvent"] = JOB_EVENT_SCHEMA
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                stream = answer.get("content", {}).get("text/event-stream")
                if stream is not None:
                    stream.pop("itemSchema", None)
                    stream["schema"] = {"$ref": "#/components/schemas/JobEvent"}


def _add_links(document: dict[str, Any]) -> None:
    """OpenAPI links from the answers that name a resource to the operations on it."""
    paths = document.get("paths", {})
    for path, method, status, name, target, target_method, parameters in LINKS:
        answer = paths[path][method]["responses"][status]
        operation_id = paths[target][target_method]["operationId"]
        answer.setdefault("links", {})[name] = {"operationId": operation_id, "parameters": parameters}
