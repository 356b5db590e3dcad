"""Archiving a scenario: nothing deleted, hidden from the lists and from delegates, read-only until restored."""

from __future__ import annotations

from typing import Any

import pytest

from forcepack.api.auth import Role
from tests.api.conftest import EXAMPLES, Service

SCENARIO = "/v1/scenarios/tutorial"


def _etag(service: Service) -> str:
    etag: str = service.client.get(SCENARIO, headers=service.coordinator).headers["ETag"]
    return etag


def _archive(service: Service) -> dict[str, Any]:
    response = service.client.delete(SCENARIO, headers=service.auth_coordinator_with(If_Match=_etag(service)))
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def _listed(service: Service, role: Role, nation: str | None = None, query: str = "") -> list[str]:
    response = service.client.get(f"/v1/scenarios{query}", headers=service.auth(role, nation))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_archive_needs_if_match_and_a_coordinator(service: Service) -> None:
    """Archiving is a change: 428 without `If-Match`, 412 with a stale one, 403 for a delegate; the
    scenario stays active after each."""
    required = service.client.delete(SCENARIO, headers=service.coordinator)
    assert required.status_code == 428
    # (it exists: `If-None-Match: *`, for a first version, is no way to archive it)
    assert required.json()["detail"] == "an update needs `If-Match` with the current ETag (read it with GET)"
    stale = service.client.delete(SCENARIO, headers=service.auth_coordinator_with(If_Match='"1-0000000000000000"'))
    assert stale.status_code == 412
    delegate = service.auth(Role.DELEGATE, "IDN", If_Match=_etag(service))
    assert service.client.delete(SCENARIO, headers=delegate).status_code == 403
    assert "tutorial" in _listed(service, Role.COORDINATOR)
    assert service.client.get(SCENARIO, headers=service.coordinator).json()["archived_at"] is None


def test_archive_hides_the_scenario_and_keeps_its_history(service: Service) -> None:
    """Archived, the scenario leaves every list, delegates and observers no longer see it (404, as for
    an unknown id), and a coordinator still reads it whole, its offer history and its jobs included."""
    job = service.client.post(f"{SCENARIO}/solves", headers=service.coordinator)
    assert service.wait_job(job.headers["Location"])["status"] == "done"
    view = _archive(service)
    assert view["archived_at"] is not None
    assert len(view["scenario"]["offers"]) == 4
    assert "tutorial" not in _listed(service, Role.COORDINATOR)
    assert "tutorial" not in _listed(service, Role.DELEGATE, "IDN")
    assert "tutorial" not in _listed(service, Role.OBSERVER)
    assert _listed(service, Role.COORDINATOR, query="?archived=true") == ["tutorial"]
    for role, nation in ((Role.DELEGATE, "IDN"), (Role.OBSERVER, None)):
        headers = service.auth(role, nation)
        assert service.client.get(SCENARIO, headers=headers).status_code == 404
        assert service.client.get(job.headers["Location"], headers=headers).status_code == 404
        assert service.client.get("/v1/scenarios?archived=true", headers=headers).status_code == 403
    assert service.client.get(f"{SCENARIO}/offers/IDN", headers=service.auth(Role.DELEGATE, "IDN")).status_code == 404
    read = service.client.get(job.headers["Location"], headers=service.coordinator)
    assert read.status_code == 200 and read.json()["result"]["status"] == "optimal"
    jobs = service.client.get(f"{SCENARIO}/jobs", headers=service.coordinator).json()
    assert [j["id"] for j in jobs["items"]] == [job.json()["id"]]
    history = service.client.get(f"{SCENARIO}/offers/IDN/history", headers=service.coordinator).json()
    assert history["total"] == 1
    tables = service.client.get(f"{job.headers['Location']}/tables/placements.csv", headers=service.coordinator)
    assert tables.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/solves", {}),
        ("POST", "/what-ifs", {"ops": [{"op": "withdraw", "nations": ["TUR"]}]}),
        ("POST", "/criticality", {}),
        ("PATCH", "", {"name": "renamed"}),
        ("PUT", "/offers/IDN", {"units": []}),
    ],
)
def test_archive_refuses_changes_and_new_jobs(service: Service, method: str, path: str, body: dict[str, Any]) -> None:
    """A coordinator's change or new job on an archived scenario is a 409 that says to restore it;
    nothing is written."""
    _archive(service)
    etags = {
        "": _etag(service),
        "/offers/IDN": service.client.get(f"{SCENARIO}/offers/IDN", headers=service.coordinator).headers["ETag"],
    }
    headers = service.auth_coordinator_with(If_Match=etags.get(path, "*"))
    response = service.client.request(method, f"{SCENARIO}{path}", json=body, headers=headers)
    assert response.status_code == 409, response.text
    assert "archived" in response.json()["detail"] and "/restore" in response.json()["detail"]
    assert response.json()["problems"][0].startswith("scenario: `tutorial` was archived at")
    assert service.client.get(f"{SCENARIO}/jobs", headers=service.coordinator).json()["total"] == 0
    view = service.client.get(SCENARIO, headers=service.coordinator).json()
    assert view["version"] == 1 and view["scenario"]["name"] != "renamed"
    assert service.client.get(f"{SCENARIO}/offers/IDN", headers=service.coordinator).json()["version"] == 1


def test_archive_restore_brings_it_back_as_it_was(service: Service) -> None:
    """Restored, the scenario is listed again, delegates see it, and it takes changes and jobs; the
    restore needs `If-Match`, and restoring an active scenario or archiving twice is a 409."""
    before = service.client.get(SCENARIO, headers=service.coordinator).json()
    _archive(service)
    again = service.client.delete(SCENARIO, headers=service.auth_coordinator_with(If_Match=_etag(service)))
    assert again.status_code == 409
    restore = f"{SCENARIO}/restore"
    assert service.client.post(restore, headers=service.coordinator).status_code == 428
    delegate = service.auth(Role.DELEGATE, "IDN", If_Match=before["etag"])
    assert service.client.post(restore, headers=delegate).status_code == 403  # the role first, as for every write
    restored = service.client.post(restore, headers=service.auth_coordinator_with(If_Match=_etag(service)))
    assert restored.status_code == 200
    after = restored.json()
    assert after["archived_at"] is None
    kept = ("version", "etag", "scenario")
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    assert "tutorial" in _listed(service, Role.DELEGATE, "IDN")
    assert _listed(service, Role.COORDINATOR, query="?archived=true") == []
    solve = service.client.post(f"{SCENARIO}/solves", headers=service.coordinator)
    assert solve.status_code == 202
    twice = service.client.post(restore, headers=service.auth_coordinator_with(If_Match=_etag(service)))
    assert twice.status_code == 409
    assert service.wait_job(solve.headers["Location"])["status"] == "done"


def test_archive_keeps_the_id_taken(service: Service) -> None:
    """A new scenario may not take an archived one's id: 409 saying it is archived and how to restore it."""
    _archive(service)
    text = (EXAMPLES / "tutorial.yaml").read_text()
    response = service.client.post(
        "/v1/scenarios", content=text.encode(), headers=service.auth(Role.COORDINATOR, Content_Type="application/yaml")
    )
    assert response.status_code == 409
    assert "archived" in response.json()["detail"]
    assert "/v1/scenarios/tutorial/restore" in response.json()["problems"][0]
