"""Nobody reads what is not theirs: another nation's red lines never reach a delegate, none an observer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from forcepack.api.app import create_app
from forcepack.api.auth import Role
from forcepack.api.setup import load_examples
from forcepack.models import parse_scenario
from forcepack.models.loading import load_scenario
from forcepack.models.scenario import Scenario
from forcepack.solver.rules.red_lines import describe
from tests.api.conftest import EXAMPLES, Service, make_settings

SCENARIOS: dict[str, Scenario] = {s.id: s for s in map(load_scenario, sorted(EXAMPLES.glob("*.yaml")))}
CASES = [(scenario_id, nation.code) for scenario_id, s in SCENARIOS.items() for nation in s.nations]


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, dict[str, str]]]:
    """The examples loaded and solved once each (explanations included); the job of each scenario."""
    app = create_app(make_settings(tmp_path_factory.mktemp("visibility")))
    with TestClient(app) as client:
        service = Service(app, client)
        load_examples(service.database, EXAMPLES)
        jobs = {}
        for scenario_id in SCENARIOS:
            response = client.post(f"/v1/scenarios/{scenario_id}/solves", headers=service.coordinator)
            jobs[scenario_id] = response.headers["Location"]
        for location in jobs.values():
            assert service.wait_job(location, timeout_s=60)["status"] == "done"
        yield service, jobs


def red_line_texts(scenario: Scenario, nation: str) -> set[str]:
    """Everything that would give away one of `nation`'s red lines: ids, notes, descriptions."""
    texts: set[str] = set()
    for line in scenario.red_lines_of(nation):
        texts |= {line.id, describe(line, scenario, nation)}
        if line.note:
            texts.add(line.note)
    return texts


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def answers(
    service: Service, jobs: dict[str, str], scenario_id: str, headers: dict[str, str], nation: str | None
) -> Iterator[Any]:
    """Every answer a caller can get about a scenario."""
    client = service.client
    urls = ["/v1/scenarios", f"/v1/scenarios/{scenario_id}", jobs[scenario_id]]
    if nation is not None:
        urls += [f"/v1/scenarios/{scenario_id}/offers/{nation}", f"/v1/scenarios/{scenario_id}/offers/{nation}/history"]
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        yield response.json()


@given(case=st.sampled_from(CASES))
def test_visibility_delegate_never_reads_another_nations_red_lines(
    solved: tuple[Service, dict[str, str]], case: tuple[str, str]
) -> None:
    """For any example and any of its nations, no answer to that nation's delegate holds another nation's red line."""
    service, jobs = solved
    scenario_id, nation = case
    scenario = SCENARIOS[scenario_id]
    own = red_line_texts(scenario, nation)
    secrets = set().union(*(red_line_texts(scenario, o.nation) for o in scenario.offers if o.nation != nation)) - own
    headers = service.auth(Role.DELEGATE, nation)
    for answer in answers(service, jobs, scenario_id, headers, nation):
        leaked = {secret for text in strings(answer) for secret in secrets if secret in text}
        assert not leaked, f"{nation} reads {leaked} in {scenario_id}"


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_visibility_observer_reads_no_red_line(solved: tuple[Service, dict[str, str]], scenario_id: str) -> None:
    """An observer's answers hold no red line of any nation."""
    service, jobs = solved
    scenario = SCENARIOS[scenario_id]
    secrets = set().union(*(red_line_texts(scenario, o.nation) for o in scenario.offers))
    for answer in answers(service, jobs, scenario_id, service.auth(Role.OBSERVER), None):
        assert not {secret for text in strings(answer) for secret in secrets if secret in text}


def test_visibility_explanation_masks_only_what_is_foreign(solved: tuple[Service, dict[str, str]]) -> None:
    """In the Khan Younis conflict, Bangladesh reads its own red line and "another nation's condition" for Morocco's."""
    service, jobs = solved
    job = service.client.get(jobs["infeasible-khan-younis-police"], headers=service.auth(Role.DELEGATE, "BGD")).json()
    explanation = job["result"]["explanation"]
    red_lines = [e for e in explanation["conflict"] if e["type"] == "red_line"]
    assert {e["id"] for e in red_lines} == {"bgd-secure-only", "another nation's condition"}
    assert "another nation's condition" in explanation["summary"]
    assert "bgd-secure-only" in explanation["summary"]
    coordinator = service.client.get(jobs["infeasible-khan-younis-police"], headers=service.coordinator).json()
    assert {e["id"] for e in coordinator["result"]["explanation"]["conflict"]} >= {"bgd-secure-only", "mar-secure-only"}
    assert job["result"]["assignments"] == coordinator["result"]["assignments"]
    assert job["offer_versions"] == {"BGD": 1}


def test_visibility_package_is_the_same_for_every_role(solved: tuple[Service, dict[str, str]]) -> None:
    """A feasible package (no explanation) reads the same to a coordinator, a delegate and an observer."""
    service, jobs = solved
    results = [
        service.client.get(jobs["gaza-isf"], headers=headers).json()["result"]
        for headers in (service.coordinator, service.auth(Role.DELEGATE, "IDN"), service.auth(Role.OBSERVER))
    ]
    assert results[0]["status"] == "optimal"
    digests = [result["scenario"].pop("sha256") for result in results]
    assert results[0] == results[1] == results[2]
    # The scenario's sha256 covers every red line: others read a keyed digest of it, the same for all.
    scenario = service.client.get("/v1/scenarios/gaza-isf", headers=service.coordinator).json()["scenario"]
    assert digests[0] == parse_scenario(scenario).sha256()
    assert digests[1] == digests[2] != digests[0]


def test_visibility_causes_figures_and_patches_are_redacted(solved: tuple[Service, dict[str, str]]) -> None:
    """Bangladesh's delegate reads the Khan Younis line's supply with its own row and the other nations
    together (no Moroccan amount, no Moroccan red line), every cause masked like the first conflict,
    and the patch of the way out that drops Morocco's red line withheld, its own way out's patch kept;
    the coordinator reads both patches and Morocco's row."""
    service, jobs = solved
    bgd = service.client.get(jobs["infeasible-khan-younis-police"], headers=service.auth(Role.DELEGATE, "BGD")).json()
    explanation = bgd["result"]["explanation"]
    line = next(e for c in explanation["conflicts"] for e in c["elements"] if e["id"] == "ky-fpu")
    rows = {row["nation"]: row for row in line["supply"]["nations"]}
    assert set(rows) == {"BGD", None}
    assert rows[None]["offered"] == 3 and rows[None]["by"] == []
    assert [ref["id"] for ref in rows["BGD"]["by"]] == ["bgd-secure-only"]
    assert "MAR" not in line["figures"] and "other nations: 3" in line["figures"]
    assert {e["id"] for c in explanation["conflicts"] for e in c["elements"] if e["type"] == "red_line"} == {
        "bgd-secure-only",
        "another nation's condition",
    }
    ways = {tuple(c["id"] for c in r["changes"]): r for r in explanation["relaxations"]}
    assert ways[("another nation's condition",)]["patch"] is None
    assert ways[("another nation's condition",)]["unpatchable"] == ["a change the caller may not read"]
    assert ways[("bgd-secure-only",)]["patch"]["ops"] == [
        {"op": "drop_red_line", "nation": "BGD", "id": "bgd-secure-only"}
    ]
    coordinator = service.client.get(jobs["infeasible-khan-younis-police"], headers=service.coordinator).json()
    full = coordinator["result"]["explanation"]
    patches = [op for r in full["relaxations"] if r["patch"] for op in r["patch"]["ops"]]
    assert {"op": "drop_red_line", "nation": "MAR", "id": "mar-secure-only"} in patches
    supply = next(e for e in full["conflict"] if e["id"] == "ky-fpu")["supply"]
    assert {row["nation"] for row in supply["nations"]} == {"MAR", "BGD"}
