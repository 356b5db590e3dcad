"""Alternatives and the resilient package as jobs: what a coordinator reads, what others do not.

Each answer is re-verified from the scenario alone: every package by the independent checker
(`solver.check`), a fallback against the scenario without its nation.
"""

from __future__ import annotations

from typing import Any

import pytest

from forcepack.api.auth import Role
from forcepack.api.schemas import COORDINATORS_ONLY
from forcepack.models.analysis import Alternatives, Resilient
from forcepack.models.patch import Patch, apply_patch
from forcepack.solver.alternatives import placements
from forcepack.solver.check import check
from tests.api.conftest import Service
from tests.api.test_visibility import SCENARIOS

ALTERNATIVES = "/v1/scenarios/{}/alternatives"
RESILIENCE = "/v1/scenarios/{}/resilience"


def _done(service: Service, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = service.client.post(url, json=body, headers=service.coordinator)
    assert response.status_code == 202, response.text
    job = service.wait_job(response.headers["Location"], timeout_s=120)
    assert job["status"] == "done", job
    return job


def test_options_alternatives_are_checked_within_tolerance_and_different(service: Service) -> None:
    """Three packages of the Gaza example within 5 %: the best first (optimal), each passing the
    checker, within the tolerance on every criterion, and pairwise differing in 2+ placements."""
    body = {"k": 3, "tolerance": 0.05, "min_difference": 2, "time_limit_s": 10}
    job = _done(service, ALTERNATIVES.format("gaza-isf"), body)
    assert job["kind"] == "alternatives"
    assert job["params"] == {
        "time_limit_s": 10.0,
        "seed": 0,
        "workers": 1,
        "k": 3,
        "tolerance": 0.05,
        "min_difference": 2,
    }
    answer = Alternatives.model_validate(job["result"])
    assert job["result"]["schema"] == "forcepack.alternatives/1"
    scenario = SCENARIOS["gaza-isf"]
    assert len(answer.packages) == len(answer.descriptions) >= 2
    best = answer.packages[0]
    assert best.status == "optimal"
    for package in answer.packages:
        assert check(scenario, package) == []
        for mine, top in zip(package.objective, best.objective, strict=True):
            assert abs(mine.value - top.value) <= 0.05 * abs(top.value) + 1e-6
    sets = [placements(p) for p in answer.packages]
    for i, a in enumerate(sets):
        for j, b in enumerate(sets):
            assert answer.differences[i][j] == len(a ^ b)
            if i != j:
                assert len(a ^ b) >= 2


def test_options_resilient_package_and_fallbacks_hold(service: Service) -> None:
    """The tutorial's resilient package passes the checker; each fallback passes it without its
    nation and keeps the others' units where the package put them; each fatal withdrawal says why."""
    job = _done(service, RESILIENCE.format("tutorial"), {"time_limit_s": 10})
    assert job["kind"] == "resilience"
    answer = Resilient.model_validate(job["result"])
    assert job["result"]["schema"] == "forcepack.resilient/1"
    scenario = SCENARIOS["tutorial"]
    assert answer.package.has_package
    assert check(scenario, answer.package) == []
    assert {f.nation for f in answer.fallbacks} | {f.nation for f in answer.fatal} == {
        n.nation for n in answer.package.nations
    }
    assert answer.fatal and all(f.reason for f in answer.fatal)
    assert answer.fallbacks
    for fallback in answer.fallbacks:
        without = apply_patch(
            scenario, Patch.model_validate({"ops": [{"op": "withdraw", "nations": [fallback.nation]}]})
        )
        assert check(without, fallback.package) == []
        kept = {
            (a.nation, a.unit, a.requirement, a.units)
            for a in answer.package.assignments
            if a.nation != fallback.nation
        }
        placed = {(a.nation, a.unit, a.requirement, a.units) for a in fallback.package.assignments}
        assert kept <= placed
    assert [d.criterion for d in answer.cost_of_resilience] == [t.criterion for t in scenario.objective]


@pytest.mark.parametrize("url", [ALTERNATIVES, RESILIENCE])
def test_options_are_asked_by_coordinators_and_read_by_them_only(service: Service, url: str) -> None:
    """A delegate may not ask (403); reading the coordinator's job, it gets the job without its
    answer, and the reason why; an observer alike."""
    delegate = service.auth(Role.DELEGATE, "IDN")
    refused = service.client.post(url.format("tutorial"), json={}, headers=delegate)
    assert refused.status_code == 403
    job = _done(service, url.format("tutorial"), {"time_limit_s": 5})
    location = f"/v1/jobs/{job['id']}"
    for headers in (delegate, service.auth(Role.OBSERVER)):
        read = service.client.get(location, headers=headers)
        assert read.status_code == 200
        seen = read.json()
        assert (seen["status"], seen["result"], seen["withheld"]) == ("done", None, COORDINATORS_ONLY)
    mine = service.client.get(location, headers=service.coordinator).json()
    assert mine["result"] is not None and mine["withheld"] is None
    # Its tables and brief: a delegate is told the answer is not shown to it, never that the done
    # job's package "is there once it is done"; the coordinator, that the kind holds no single package.
    kind = "alternatives" if url == ALTERNATIVES else "resilience"
    for part in ("tables.xlsx", "tables/placements.csv", "brief.pdf"):
        hidden = service.client.get(f"{location}/{part}", headers=delegate)
        assert hidden.status_code == 409, hidden.text
        assert (
            hidden.json()["detail"]
            == f"job `{job['id']}` is done, but its answer is not shown to this caller: {COORDINATORS_ONLY}"
        )
        other = service.client.get(f"{location}/{part}", headers=service.coordinator)
        assert other.status_code == 409, other.text
        article = "an" if kind == "alternatives" else "a"
        assert other.json()["detail"].startswith(f"job `{job['id']}` is {article} {kind} job: "), other.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"k": 0}, "k"),
        ({"k": 11}, "k"),
        ({"tolerance": 1.5}, "tolerance"),
        ({"min_difference": 0}, "min_difference"),
        ({"k": 2, "colour": "red"}, "colour"),
    ],
)
def test_options_bad_alternatives_request_is_422_naming_the_field(
    service: Service, body: dict[str, Any], field: str
) -> None:
    response = service.client.post(ALTERNATIVES.format("tutorial"), json=body, headers=service.coordinator)
    assert response.status_code == 422, response.text
    assert any(p.startswith(field) for p in response.json()["problems"]), response.json()


def test_options_resilience_of_a_phased_scenario_keeps_every_other_tour(service: Service) -> None:
    """The resilient package of a phased scenario is a plan: the checker passes it, and each fallback
    is a plan of the scenario without its nation that keeps every other nation's tours as planned."""
    from tests.test_phased_solve import with_replacement

    scenario = with_replacement().model_copy(update={"id": "phased-resilience"})
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    created = service.client.post("/v1/scenarios", json=data, headers=service.coordinator)
    assert created.status_code == 201, created.text
    job = _done(service, RESILIENCE.format("phased-resilience"), {"time_limit_s": 10})
    answer = Resilient.model_validate(job["result"])
    assert answer.package.plan is not None and check(scenario, answer.package) == []
    assert answer.fallbacks and not answer.fatal
    for fallback in answer.fallbacks:
        without = apply_patch(scenario, Patch.withdraw(fallback.nation))
        assert fallback.package.plan is not None and check(without, fallback.package) == []
        tours = {(t.nation, t.unit, t.requirement, t.arrival, t.last): t.units for t in fallback.package.plan.tours}
        for t in answer.package.plan.tours:
            if t.nation != fallback.nation:
                assert tours.get((t.nation, t.unit, t.requirement, t.arrival, t.last), 0) >= t.units


def test_options_alternatives_of_a_phased_scenario_are_plans(service: Service) -> None:
    """Alternatives plan a phased scenario too: each package a plan (tours) the checker passes."""
    from tests.test_phased_solve import with_replacement

    scenario = with_replacement().model_copy(update={"id": "phased-options"})
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    created = service.client.post("/v1/scenarios", json=data, headers=service.coordinator)
    assert created.status_code == 201, created.text
    job = _done(service, ALTERNATIVES.format("phased-options"), {"k": 2, "tolerance": 1.0, "time_limit_s": 10})
    answer = Alternatives.model_validate(job["result"])
    assert answer.packages[0].has_package and answer.packages[0].plan is not None
    for package in answer.packages:
        assert check(scenario, package) == []
