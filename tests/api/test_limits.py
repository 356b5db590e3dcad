"""Limits and malformed requests: every one a 4xx problem document that names the field."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from forcepack.api.auth import Role
from tests.api.conftest import Service, scenario_document


def test_limits_oversized_body_gets_413(make_service: Callable[..., Service]) -> None:
    """A body over the cap is refused with 413, whether its length is declared or it is sent in chunks."""
    service = make_service(max_body_bytes=2048)
    big = json.dumps(scenario_document("big", ["IDN"]) | {"description": "x" * 4000}).encode()
    declared = service.client.post("/v1/scenarios", content=big, headers=service.coordinator)
    assert declared.status_code == 413
    assert declared.headers["content-type"].startswith("application/problem+json")
    assert declared.json()["title"] == "Request body too large"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 512):
            yield big[start : start + 512]

    chunked = service.client.post("/v1/scenarios", content=chunks(), headers=service.coordinator)
    assert chunked.status_code == 413
    small = json.dumps(scenario_document("small", ["IDN"])).encode()
    assert len(small) < 2048
    assert service.client.post("/v1/scenarios", content=small, headers=service.coordinator).status_code == 201


def test_limits_oversized_offer_gets_413(make_service: Callable[..., Service]) -> None:
    """The cap holds for every route, offers included, before the body is parsed."""
    service = make_service(max_body_bytes=1024)
    units = [{"id": f"u{i}", "capability": "engineer", "count": 1, "personnel": 10} for i in range(100)]
    response = service.client.put(
        "/v1/scenarios/tutorial/offers/IDN", json={"units": units}, headers=service.auth(Role.COORDINATOR, If_Match="*")
    )
    assert response.status_code == 413


def test_limits_unknown_fields_are_422_naming_the_field(service: Service) -> None:
    """Unknown fields in a scenario, a patch, an offer or a solve request are refused, each named."""
    scenario = scenario_document("strict", ["IDN"]) | {"owner": "me"}
    scenario["sectors"][0]["colour"] = "green"
    created = service.client.post("/v1/scenarios", json=scenario, headers=service.coordinator)
    assert created.status_code == 422
    assert sorted(p.split(":")[0] for p in created.json()["problems"]) == ["owner", "sectors[0].colour (id"]
    assert all(": unknown field" in p for p in created.json()["problems"])
    coordinator = service.auth(Role.COORDINATOR, If_Match="*")
    patch = service.client.patch("/v1/scenarios/tutorial", json={"offers": [], "colour": "red"}, headers=coordinator)
    assert patch.status_code == 422
    assert patch.json()["problems"][0].startswith("offers: not a coordinator part")
    patch = service.client.patch("/v1/scenarios/tutorial", json={"colour": "red"}, headers=coordinator)
    assert patch.json()["problems"][0].startswith("colour: unknown field")
    offer = service.client.put("/v1/scenarios/tutorial/offers/SAU", json={"troops": 5}, headers=coordinator)
    assert offer.status_code == 422
    assert offer.json()["problems"][0].startswith("troops: unknown field")
    solve = service.client.post("/v1/scenarios/tutorial/solves", json={"workers": 8}, headers=service.coordinator)
    assert solve.status_code == 422
    assert solve.json()["problems"] == ["workers: unknown field `workers`"]


def test_limits_syntax_errors_name_line_and_column(service: Service) -> None:
    """Broken JSON or YAML is a 422 naming line and column, as for a file."""
    broken_json = service.client.post(
        "/v1/scenarios",
        content=b'{"id": "x",\n "name": }',
        headers=service.auth(Role.COORDINATOR, Content_Type="application/json"),
    )
    assert broken_json.status_code == 422
    assert broken_json.json()["problems"][0].startswith("line 2, column")
    broken_yaml = service.client.post(
        "/v1/scenarios",
        content=b"id: x\nname: [unclosed\n",
        headers=service.auth(Role.COORDINATOR, Content_Type="application/yaml"),
    )
    assert broken_yaml.status_code == 422
    assert broken_yaml.json()["problems"][0].startswith("line ")


def test_limits_other_media_types_get_415(service: Service) -> None:
    """A scenario sent as anything but JSON or YAML is refused with 415."""
    response = service.client.post(
        "/v1/scenarios", content=b"id=x", headers=service.auth(Role.COORDINATOR, Content_Type="text/plain")
    )
    assert response.status_code == 415


def test_limits_list_length_capped(service: Service) -> None:
    """A page larger than 100 is a 422 naming `limit`; a smaller one is served."""
    response = service.client.get("/v1/scenarios?limit=1000", headers=service.coordinator)
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("query limit:")
    page = service.client.get("/v1/scenarios?limit=2&offset=1", headers=service.coordinator).json()
    assert page["total"] == 6
    assert [item["id"] for item in page["items"]] == ["gaza-phased", "infeasible-funding"]


def test_limits_unknown_route_and_method_are_problems(service: Service) -> None:
    """Unknown routes (404) and methods (405) answer problem documents too."""
    missing = service.client.get("/v1/nothing", headers=service.coordinator)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    wrong = service.client.put("/v1/scenarios/tutorial", headers=service.coordinator)
    assert wrong.status_code == 405
    assert wrong.json()["status"] == 405


def test_limits_hostile_documents_are_422(service: Service) -> None:
    """Bodies built to exhaust the parser (deep nesting, YAML aliases) are refused as bad input, not 5xx."""
    yaml_headers = service.auth(Role.COORDINATOR, Content_Type="application/yaml")
    deep = service.client.post(
        "/v1/scenarios", content=b"[" * 100_000, headers=service.auth(Role.COORDINATOR, Content_Type="application/json")
    )
    assert deep.status_code == 422
    assert deep.json()["problems"] == ["the document is nested too deeply"]
    laughs = b'a: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    aliased = service.client.post("/v1/scenarios", content=laughs, headers=yaml_headers)
    assert aliased.status_code == 422
    assert aliased.json()["problems"] == ["line 2, column 8: YAML error: aliases (`*name`) are not accepted"]
    nested = service.client.post(
        "/v1/scenarios/tutorial/solves",
        content=b"[" * 100_000,
        headers=service.auth(Role.COORDINATOR, Content_Type="application/json"),
    )
    assert 400 <= nested.status_code < 500
