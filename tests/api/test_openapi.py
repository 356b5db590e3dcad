"""The OpenAPI document: every route, with examples, error answers as problem documents."""

from __future__ import annotations

from typing import Any

from api.auth import Role
from api.openapi import (
    EXAMPLE_OFFER,
    EXAMPLE_PATCH,
    EXAMPLE_SCENARIO,
    EXAMPLE_SCENARIO_YAML,
    EXAMPLE_SOLVE,
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
        "/v1/scenarios/{scenario_id}/offers/{nation}",
        "/v1/scenarios/{scenario_id}/offers/{nation}/history",
        "/v1/scenarios/{scenario_id}/solves",
        "/v1/jobs/{job_id}",
        "/health",
        "/ready",
    }
    for path, method in [
        ("/v1/scenarios", "post"),
        ("/v1/scenarios/{scenario_id}", "patch"),
        ("/v1/scenarios/{scenario_id}/offers/{nation}", "put"),
        ("/v1/scenarios/{scenario_id}/solves", "post"),
    ]:
        content = paths[path][method]["requestBody"]["content"]
        assert content["application/json"]["examples"], (path, method)
    schemas = document["components"]["schemas"]
    assert {"ScenarioFile", "ScenarioPatch", "OfferBody", "Solution", "Problem"} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    for operations in paths.values():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    assert "application/problem+json" in answer.get("content", {}), (operation["operationId"], status)


def test_openapi_examples_are_accepted(service: Service) -> None:
    """The documented examples are valid: the scenario (JSON and YAML), a patch, an offer, a solve request."""
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


def test_openapi_body_models_follow_the_scenario_models() -> None:
    """The documented patch and offer bodies name exactly the fields the scenario models accept."""
    from api.schemas import OfferBody, ScenarioPatch
    from models.scenario import Offer, Scenario

    assert set(ScenarioPatch.model_fields) == set(Scenario.model_fields) - {"schema_", "id", "offers"}
    assert set(OfferBody.model_fields) == set(Offer.model_fields)
