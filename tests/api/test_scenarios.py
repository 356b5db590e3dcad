"""Scenarios: created from a scenario file (JSON or YAML), read per role, changed with If-Match."""

from __future__ import annotations

from typing import Any

from forcepack.api.auth import Role
from forcepack.models.loading import load_scenario
from tests.api.conftest import EXAMPLES, Service, scenario_document


def test_scenarios_create_from_yaml_is_the_file(service: Service) -> None:
    """A YAML upload is stored as the file says: the solved scenario has the file's identity (sha256)."""
    text = (EXAMPLES / "tutorial.yaml").read_text().replace("id: tutorial", "id: tutorial-2")
    response = service.client.post(
        "/v1/scenarios", content=text.encode(), headers=service.auth(Role.COORDINATOR, Content_Type="application/yaml")
    )
    assert response.status_code == 201
    assert response.headers["Location"] == "/v1/scenarios/tutorial-2"
    assert response.headers["ETag"] == response.json()["etag"]
    stored = response.json()["scenario"]
    expected = load_scenario(EXAMPLES / "tutorial.yaml").model_copy(update={"id": "tutorial-2"})
    from forcepack.models.loading import parse_scenario

    assert parse_scenario(stored).sha256() == expected.sha256()


def test_scenarios_create_twice_is_409(service: Service) -> None:
    """An id already taken is a conflict naming `id`."""
    body = scenario_document("dup", ["IDN"])
    assert service.client.post("/v1/scenarios", json=body, headers=service.coordinator).status_code == 201
    again = service.client.post("/v1/scenarios", json=body, headers=service.coordinator)
    assert again.status_code == 409
    assert again.json()["problems"][0].startswith("id:")


def test_scenarios_dangling_references_all_listed(service: Service) -> None:
    """Every dangling name is listed at once with its field path, as `forcepack validate` does for files."""
    body = scenario_document("dangling", ["IDN"])
    body["requirements"][0]["sector"] = "rafa"
    body["offers"][0]["units"][0]["capability"] = "enginer"
    response = service.client.post("/v1/scenarios", json=body, headers=service.coordinator)
    assert response.status_code == 422
    # Paths are those of the document sent, as for a file, with the ids of the elements on them.
    assert sorted(response.json()["problems"]) == [
        "offers[0].units[0].capability (id: idn-eng): capability `enginer` is not a capability of this scenario "
        "(did you mean `engineer`?)",
        "requirements[0].sector (id: rafah-eng): sector `rafa` is not a sector of this scenario "
        "(did you mean `rafah`?)",
    ]


def _view(service: Service, role: Role, nation: str | None = None) -> dict[str, Any]:
    response = service.client.get("/v1/scenarios/tutorial", headers=service.auth(role, nation))
    assert response.status_code == 200
    view: dict[str, Any] = response.json()
    return view


def test_scenarios_each_role_reads_what_it_may(service: Service) -> None:
    """Coordinators read every offer; a delegate its own; an observer none; all read the coordinator's parts."""
    coordinator = _view(service, Role.COORDINATOR)
    delegate = _view(service, Role.DELEGATE, "MAR")
    observer = _view(service, Role.OBSERVER)
    assert [o["nation"] for o in coordinator["scenario"]["offers"]] == ["IDN", "MAR", "TUR", "SAU"]
    assert [o["nation"] for o in delegate["scenario"]["offers"]] == ["MAR"]
    assert observer["scenario"]["offers"] == []
    assert [o["nation"] for o in delegate["offers"]] == ["MAR"]
    assert [o["nation"] for o in observer["offers"]] == ["IDN", "MAR", "TUR", "SAU"]
    for view in (coordinator, delegate, observer):
        assert view["scenario"]["requirements"] == coordinator["scenario"]["requirements"]
        assert view["scenario"]["vetoes"] == coordinator["scenario"]["vetoes"]


def test_scenarios_patch_needs_current_etag(service: Service) -> None:
    """PATCH replaces the named parts; 428 without If-Match, 412 with a stale one; the version goes up."""
    etag = service.client.get("/v1/scenarios/tutorial", headers=service.coordinator).headers["ETag"]
    change = {"mandate": {"un_security_council_resolution": False, "ceasefire_holding": True}}
    assert service.client.patch("/v1/scenarios/tutorial", json=change, headers=service.coordinator).status_code == 428
    done = service.client.patch(
        "/v1/scenarios/tutorial", json=change, headers=service.auth(Role.COORDINATOR, If_Match=etag)
    )
    assert done.status_code == 200
    assert done.json()["version"] == 2
    assert done.json()["scenario"]["mandate"]["un_security_council_resolution"] is False
    assert done.headers["ETag"] != etag
    stale = service.client.patch(
        "/v1/scenarios/tutorial", json=change, headers=service.auth(Role.COORDINATOR, If_Match=etag)
    )
    assert stale.status_code == 412


def test_scenarios_patch_is_validated_with_the_offers(service: Service) -> None:
    """A change that leaves an offer dangling is refused, naming the offer's field; nothing changes."""
    sectors = [{"id": "khan-younis", "name": "Khan Younis", "control": "contested"}]
    requirements = [{"id": "ky-inf", "sector": "khan-younis", "capability": "infantry", "quantity": 1}]
    nations = [{"code": "MAR", "groups": ["oic"]}, {"code": "IDN"}, {"code": "SAU"}]
    change = {"sectors": sectors, "requirements": requirements, "nations": nations}
    response = service.client.patch(
        "/v1/scenarios/tutorial", json=change, headers=service.auth(Role.COORDINATOR, If_Match="*")
    )
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert "targets.group_minimums.oic" not in " ".join(problems)  # MAR still in oic
    assert any(p.startswith("vetoes[0].against[0] (id: isr-tur): nation `TUR`") for p in problems), problems
    assert _view(service, Role.COORDINATOR)["version"] == 1


def test_scenarios_removing_a_nation_leaves_its_offer_out(service: Service) -> None:
    """A nation the coordinator stops listing takes no part; its offer stays in the history."""
    change = {
        "nations": [
            {"code": "IDN", "groups": ["oic"]},
            {"code": "MAR", "groups": ["oic"]},
            {"code": "SAU", "groups": ["oic"]},
        ],
        "vetoes": [],
    }
    response = service.client.patch(
        "/v1/scenarios/tutorial", json=change, headers=service.auth(Role.COORDINATOR, If_Match="*")
    )
    assert response.status_code == 200, response.text
    assert [o["nation"] for o in response.json()["scenario"]["offers"]] == ["IDN", "MAR", "SAU"]
    history = service.client.get("/v1/scenarios/tutorial/offers/TUR/history", headers=service.coordinator)
    assert history.status_code == 404  # no longer a nation of the scenario
    with service.database.read() as session:
        from forcepack.api.store import offer_versions

        assert offer_versions(session, "tutorial", "TUR", limit=100, offset=0)[1] == 1
    job = service.client.post("/v1/scenarios/tutorial/solves", headers=service.coordinator)
    assert "TUR" not in job.json()["offer_versions"]
    assert job.json()["scenario_version"] == 2
    service.wait_job(job.headers["Location"])


def test_scenarios_health_and_ready(service: Service) -> None:
    """/health answers without a token; /ready checks the database and its migrations."""
    assert service.client.get("/health").json() == {"status": "ok", "checks": {}}
    ready = service.client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok"}
