"""The OpenAPI document: every route, with examples, error answers as problem documents."""

from __future__ import annotations

from typing import Any

from forcepack.api.auth import Role
from forcepack.api.openapi import (
    EXAMPLE_ALTERNATIVES,
    EXAMPLE_CRITICALITY,
    EXAMPLE_EXPLANATION,
    EXAMPLE_OFFER,
    EXAMPLE_PATCH,
    EXAMPLE_RESILIENCE,
    EXAMPLE_SCENARIO,
    EXAMPLE_SCENARIO_YAML,
    EXAMPLE_SOLVE,
    EXAMPLE_WHAT_IF,
    EXAMPLE_WHAT_IF_REPAIR,
    EXAMPLE_WITHDRAWAL,
)
from tests.api.conftest import Service


def test_openapi_documents_every_route_with_examples(service: Service) -> None:
    """The schema lists the routes, their bodies have examples, and 4xx answers are problem documents."""
    document: dict[str, Any] = service.client.get("/openapi.json").json()
    paths = document["paths"]
    assert set(paths) == {
        "/v1/scenarios",
        "/v1/scenarios/{scenario_id}",
        "/v1/scenarios/{scenario_id}/offers",
        "/v1/scenarios/{scenario_id}/offers/{nation}",
        "/v1/scenarios/{scenario_id}/offers/{nation}/history",
        "/v1/scenarios/{scenario_id}/offers/{nation}/workbook",
        "/v1/scenarios/{scenario_id}/workbook",
        "/v1/scenarios/{scenario_id}/restore",
        "/v1/scenarios/{scenario_id}/versions",
        "/v1/scenarios/{scenario_id}/diff",
        "/v1/scenarios/{scenario_id}/solves",
        "/v1/scenarios/{scenario_id}/what-ifs",
        "/v1/scenarios/{scenario_id}/criticality",
        "/v1/scenarios/{scenario_id}/explanations",
        "/v1/scenarios/{scenario_id}/why-nots",
        "/v1/scenarios/{scenario_id}/alternatives",
        "/v1/scenarios/{scenario_id}/resilience",
        "/v1/scenarios/{scenario_id}/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/events",
        "/v1/jobs/{job_id}/tables.xlsx",
        "/v1/jobs/{job_id}/tables/{table}.csv",
        "/v1/jobs/{job_id}/brief.pdf",
        "/v1/me",
        "/health",
        "/ready",
    }
    for path, method in [
        ("/v1/scenarios", "post"),
        ("/v1/scenarios/{scenario_id}", "patch"),
        ("/v1/scenarios/{scenario_id}/offers", "post"),
        ("/v1/scenarios/{scenario_id}/offers/{nation}", "put"),
        ("/v1/scenarios/{scenario_id}/solves", "post"),
        ("/v1/scenarios/{scenario_id}/what-ifs", "post"),
        ("/v1/scenarios/{scenario_id}/criticality", "post"),
        ("/v1/scenarios/{scenario_id}/explanations", "post"),
        ("/v1/scenarios/{scenario_id}/why-nots", "post"),
        ("/v1/scenarios/{scenario_id}/alternatives", "post"),
        ("/v1/scenarios/{scenario_id}/resilience", "post"),
    ]:
        content = paths[path][method]["requestBody"]["content"]
        assert content["application/json"]["examples"], (path, method)
    schemas = document["components"]["schemas"]
    assert {"ScenarioFile", "ScenarioPatch", "OfferBody", "WhatIfRequest", "Solution", "Problem"} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    for operations in paths.values():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    assert "application/problem+json" in answer.get("content", {}), (operation["operationId"], status)


def test_openapi_examples_are_accepted(service: Service) -> None:
    """The documented examples are valid: scenario (JSON and YAML), patch, offer, solve and analysis requests."""
    client, coordinator = service.client, service.auth(Role.COORDINATOR, If_Match="*")
    assert client.post("/v1/scenarios", json=EXAMPLE_SCENARIO, headers=service.coordinator).status_code == 201
    yaml_body = EXAMPLE_SCENARIO_YAML.replace("id: rafah-first", "id: rafah-first-yaml").encode()
    yaml_headers = service.auth(Role.COORDINATOR, Content_Type="application/yaml")
    assert client.post("/v1/scenarios", content=yaml_body, headers=yaml_headers).status_code == 201
    assert client.patch("/v1/scenarios/tutorial", json=EXAMPLE_PATCH, headers=coordinator).status_code == 200
    for offer in (EXAMPLE_OFFER, EXAMPLE_WITHDRAWAL):
        assert client.put("/v1/scenarios/tutorial/offers/IDN", json=offer, headers=coordinator).status_code == 200
    solve = client.post("/v1/scenarios/tutorial/solves", json=EXAMPLE_SOLVE, headers=service.coordinator)
    assert solve.status_code == 202
    service.wait_job(solve.headers["Location"])
    for path, body in (
        ("what-ifs", EXAMPLE_WHAT_IF),
        ("what-ifs", EXAMPLE_WHAT_IF_REPAIR),
        ("criticality", EXAMPLE_CRITICALITY),
        ("explanations", EXAMPLE_EXPLANATION),
        ("alternatives", EXAMPLE_ALTERNATIVES),
        ("resilience", EXAMPLE_RESILIENCE),
    ):
        response = client.post(f"/v1/scenarios/tutorial/{path}", json=body, headers=service.coordinator)
        assert response.status_code == 202, (path, response.text)
        assert service.wait_job(response.headers["Location"])["status"] == "done"


def test_openapi_body_models_follow_the_scenario_models() -> None:
    """The documented patch and offer bodies name exactly the fields the scenario models accept."""
    from forcepack.api.schemas import OfferBody, ScenarioPatch
    from forcepack.models.scenario import Offer, Scenario

    assert set(ScenarioPatch.model_fields) == set(Scenario.model_fields) - {"schema_", "id", "offers"}
    assert set(OfferBody.model_fields) == set(Offer.model_fields)


def test_openapi_405_names_every_method_of_the_resource(service: Service) -> None:
    """A method a path does not serve is a 405 whose `Allow` lists every method served there (schemathesis)."""
    response = service.client.request("OPTIONS", "/v1/scenarios", headers=service.coordinator)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert service.client.put("/v1/jobs/x", headers=service.coordinator).headers["Allow"] == "DELETE, GET"


def test_openapi_body_that_is_not_utf8_is_422(service: Service) -> None:
    """A JSON body whose bytes are not UTF-8 is an invalid document (422), not FastAPI's undocumented 400."""
    headers = service.auth_coordinator_with(Content_Type="application/json")
    response = service.client.post("/v1/scenarios/tutorial/solves", content=b"\x05\x03\xffz;6?", headers=headers)
    assert response.status_code == 422
    assert response.json()["problems"] == ["(body): not UTF-8 text"]


def test_openapi_links_and_event_schema(service: Service) -> None:
    """Answers link to what can be done next (a job's id to its events); each streamed event has a schema."""
    document: dict[str, Any] = service.client.get("/openapi.json").json()
    accepted = document["paths"]["/v1/scenarios/{scenario_id}/what-ifs"]["post"]["responses"]["202"]
    assert accepted["links"]["FollowJob"]["parameters"] == {"job_id": "$response.body#/id"}
    events = document["paths"]["/v1/jobs/{job_id}/events"]["get"]["responses"]["200"]["content"]
    assert events["text/event-stream"]["schema"] == {"$ref": "#/components/schemas/JobEvent"}
    assert "itemSchema" not in events["text/event-stream"]  # OpenAPI 3.2's, not this 3.1 document's
    kinds = {item["properties"]["event"]["const"] for item in document["components"]["schemas"]["JobEvent"]["oneOf"]}
    assert kinds == {"status", "package", "step"}
