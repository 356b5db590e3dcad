"""A scenario's version history, and a diff of two versions by element, as each role may read it."""

from __future__ import annotations

from typing import Any

from forcepack.api.auth import Role
from tests.api.conftest import Service

SCENARIO = "/v1/scenarios/tutorial"


def _patch(service: Service, change: dict[str, Any]) -> None:
    etag = service.client.get(SCENARIO, headers=service.coordinator).headers["ETag"]
    response = service.client.patch(SCENARIO, json=change, headers=service.auth_coordinator_with(If_Match=etag))
    assert response.status_code == 200, response.text


def _three_versions(service: Service) -> None:
    """Version 2 flips a mandate condition and changes `expect`; version 3 adds a sector and a line."""
    view = service.client.get(SCENARIO, headers=service.coordinator).json()["scenario"]
    _patch(
        service,
        {
            "mandate": {**view["mandate"], "ceasefire_holding": False},
            "expect": {"status": "feasible", "conflict": ["idn-no-combat"]},
        },
    )
    sectors = [*view["sectors"], {"id": "gaza-city", "name": "Gaza City", "control": "hostile"}]
    line = {"id": "gc-eod", "sector": "gaza-city", "capability": "eod", "quantity": 1, "priority": "desirable"}
    _patch(service, {"sectors": sectors, "requirements": [*view["requirements"], line]})


def test_versions_page_oldest_first(service: Service) -> None:
    """The versions list pages like the offer history: oldest first, `total` counting them all."""
    _three_versions(service)
    page = service.client.get(f"{SCENARIO}/versions?limit=2&offset=1", headers=service.coordinator).json()
    assert [v["version"] for v in page["items"]] == [2, 3]
    assert page["total"] == 3
    assert all(v["written_by"] == service.token(Role.COORDINATOR).id for v in page["items"])
    first = service.client.get(f"{SCENARIO}/versions", headers=service.coordinator).json()["items"][0]
    assert first["version"] == 1 and first["written_by"] == "system"
    assert service.client.get(f"{SCENARIO}/versions?limit=101", headers=service.coordinator).status_code == 422


def test_versions_diff_by_element(service: Service) -> None:
    """From version 1 to 3: the sector and line added, the mandate condition and `expect` changed,
    each named by kind and id with old and new; back from 3 to 1 the same, reversed."""
    _three_versions(service)
    diff = service.client.get(f"{SCENARIO}/diff?from=1&to=3", headers=service.coordinator)
    assert diff.status_code == 200, diff.text
    body = diff.json()
    assert (body["schema"], body["scenario"], body["from_version"], body["to_version"]) == (
        "forcepack.scenario-diff/1",
        "tutorial",
        1,
        3,
    )
    assert [(e["kind"], e["id"]) for e in body["added"]] == [("sector", "gaza-city"), ("requirement", "gc-eod")]
    assert body["added"][1]["value"]["capability"] == "eod"
    assert body["removed"] == []
    changed = {(e["kind"], e["id"]): e["fields"] for e in body["changed"]}
    assert changed[("mandate", "ceasefire_holding")] == [{"field": "holds", "old": True, "new": False}]
    assert {"field": "status", "old": "optimal", "new": "feasible"} in changed[("expect", "expect")]
    assert body["summary"] == "2 added, 2 changed"
    back = service.client.get(f"{SCENARIO}/diff?from=3&to=1", headers=service.coordinator).json()
    assert back["removed"] == body["added"] and back["summary"] == "2 removed, 2 changed"
    same = service.client.get(f"{SCENARIO}/diff?from=2&to=2", headers=service.coordinator).json()
    assert same["summary"] == "no change"


def test_versions_a_delegate_reads_the_parts_not_expect(service: Service) -> None:
    """A delegate reads the versions and the diff of the coordinator's parts, but not `expect` (it may
    name other nations' red lines: here `idn-no-combat`) nor who wrote a version (an observer alike); a
    delegate of a nation the scenario does not list reads nothing (404)."""
    _three_versions(service)
    for role, nation in ((Role.DELEGATE, "MAR"), (Role.OBSERVER, None)):
        headers = service.auth(role, nation)
        diff = service.client.get(f"{SCENARIO}/diff?from=1&to=2", headers=headers)
        assert diff.status_code == 200
        assert "idn-no-combat" not in diff.text and "expect" not in [e["kind"] for e in diff.json()["changed"]]
        assert diff.json()["summary"] == "1 changed"
        versions = service.client.get(f"{SCENARIO}/versions", headers=headers).json()
        assert versions["total"] == 3 and {v["written_by"] for v in versions["items"]} == {None}
    outsider = service.auth(Role.DELEGATE, "BGD")
    assert service.client.get(f"{SCENARIO}/versions", headers=outsider).status_code == 404
    assert service.client.get(f"{SCENARIO}/diff?from=1&to=2", headers=outsider).status_code == 404


def test_versions_diff_of_a_version_that_does_not_exist_is_422(service: Service) -> None:
    """A version the scenario does not have is a 422 naming the query field and the versions there are;
    a missing or non-numeric one too."""
    response = service.client.get(f"{SCENARIO}/diff?from=1&to=9", headers=service.coordinator)
    assert response.status_code == 422
    assert response.json()["problems"] == ["query to: scenario `tutorial` has no version 9; its versions are 1 to 1"]
    for query in ("from=1", "from=x&to=1", "from=0&to=1"):
        bad = service.client.get(f"{SCENARIO}/diff?{query}", headers=service.coordinator)
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json", query


def test_versions_of_an_archived_scenario_for_coordinators_only(service: Service) -> None:
    """An archived scenario's history is still a coordinator's to read; delegates no longer see it."""
    _three_versions(service)
    etag = service.client.get(SCENARIO, headers=service.coordinator).headers["ETag"]
    assert service.client.delete(SCENARIO, headers=service.auth_coordinator_with(If_Match=etag)).status_code == 200
    assert service.client.get(f"{SCENARIO}/versions", headers=service.coordinator).json()["total"] == 3
    assert service.client.get(f"{SCENARIO}/diff?from=1&to=3", headers=service.coordinator).status_code == 200
    delegate = service.auth(Role.DELEGATE, "IDN")
    assert service.client.get(f"{SCENARIO}/versions", headers=delegate).status_code == 404
