"""Analysis jobs: what-if, criticality and explanations, their documents, their limits, what each role reads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.analyses import _Stoppable
from api.app import create_app
from api.auth import Role
from api.deps import get_runner
from api.jobs import JobCancelled, JobRunner
from api.setup import load_examples
from models.analysis import Criticality, WhatIf
from models.patch import Patch
from tests.api.conftest import EXAMPLES, BlockingSolve, Service, make_settings
from tests.api.test_visibility import SCENARIOS, red_line_texts, strings

WHAT_IFS = "/v1/scenarios/{}/what-ifs"
CRITICALITY = "/v1/scenarios/{}/criticality"
EXPLANATIONS = "/v1/scenarios/{}/explanations"

MAR_REPLACED = {
    "nation": "MAR",
    "units": [{"id": "mar-new-inf", "capability": "infantry", "count": 1, "personnel": 600}],
    "red_lines": [{"id": "mar-new-secret", "kind": "max_engagement", "level": 0, "note": "a new caveat of Morocco"}],
}
PATCHES: dict[str, dict[str, Any]] = {
    # No package once Rafah is hostile; the explanation names IDN's red line; MAR's offer is replaced.
    "tutorial": {
        "description": "Rafah falls, Morocco changes its offer",
        "ops": [
            {"op": "set_control", "sector": "rafah", "control": "hostile"},
            {"op": "replace_offer", "offer": MAR_REPLACED},
            {"op": "remove_unit", "unit": "idn-inf"},
        ],
    },
    "gaza-isf": {"ops": [{"op": "withdraw", "nations": ["PAK"]}], "mode": "repair"},
    "infeasible-funding": {"ops": [{"op": "set_control", "sector": "rafah", "control": "hostile"}]},
    "infeasible-khan-younis-police": {"ops": [{"op": "set_control", "sector": "rafah", "control": "hostile"}]},
}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, dict[tuple[str, str], str]]]:
    """Every example analysed once: a what-if, a criticality sweep and an explanation (job locations)."""
    app = create_app(make_settings(tmp_path_factory.mktemp("analyses"), default_solve_seconds=5.0, queue_length=16))
    with TestClient(app) as client:
        service = Service(app, client)
        load_examples(service.database, EXAMPLES)
        jobs: dict[tuple[str, str], str] = {}
        for scenario_id in SCENARIOS:
            for kind, url, body in (
                ("what-if", WHAT_IFS, PATCHES[scenario_id]),
                ("criticality", CRITICALITY, {}),
                ("explanation", EXPLANATIONS, {}),
            ):
                response = client.post(url.format(scenario_id), json=body, headers=service.coordinator)
                assert response.status_code == 202, response.text
                jobs[scenario_id, kind] = response.headers["Location"]
        for location in jobs.values():
            job = service.wait_job(location, timeout_s=90)
            assert job["status"] == "done", job
        yield service, jobs


# -- the documents -------------------------------------------------------------------------


def test_analyses_what_if_answers_both_packages_and_their_diff(analysed: tuple[Service, dict[Any, str]]) -> None:
    """A what-if job is 202 + Location; done, it holds the what-if document of models/analysis.py."""
    service, jobs = analysed
    job = service.client.get(jobs["gaza-isf", "what-if"], headers=service.coordinator).json()
    assert (job["kind"], job["params"]["mode"]) == ("what-if", "repair")
    assert job["params"]["patch"]["ops"] == [{"op": "withdraw", "nations": ["PAK"]}]
    answer = WhatIf.model_validate(job["result"])
    assert job["result"]["schema"] == "forcepack.what-if/1"
    assert answer.mode == "repair"
    assert answer.baseline.has_package and answer.patched.has_package
    assert answer.diff is not None and "PAK" in answer.diff.nations_out
    assert set(job["offer_versions"]) == {n.code for n in SCENARIOS["gaza-isf"].nations} & set(job["offer_versions"])


def test_analyses_what_if_without_package_explains_it(analysed: tuple[Service, dict[Any, str]]) -> None:
    """A patch that leaves no package answers with the patched scenario's explanation, and no diff."""
    service, jobs = analysed
    answer = WhatIf.model_validate(
        service.client.get(jobs["tutorial", "what-if"], headers=service.coordinator).json()["result"]
    )
    assert answer.patched.status == "infeasible"
    assert answer.diff is None
    assert answer.patched.explanation is not None
    assert "idn-gaza-secure" in answer.summary


def test_analyses_criticality_answers_every_withdrawal(analysed: tuple[Service, dict[Any, str]]) -> None:
    """A criticality job holds the criticality document: one row per participating nation, most critical first."""
    service, jobs = analysed
    job = service.client.get(jobs["gaza-isf", "criticality"], headers=service.coordinator).json()
    assert job["kind"] == "criticality"
    assert job["params"] == {"time_limit_s": 5.0, "seed": 0, "workers": 1, "pairs": False}
    answer = Criticality.model_validate(job["result"])
    assert job["result"]["schema"] == "forcepack.criticality/1"
    assert {tuple(w.nations) for w in answer.withdrawals} == {(n.nation,) for n in answer.baseline.nations}
    assert answer.withdrawals[0].feasible is False  # infeasible withdrawals rank first


def test_analyses_explanation_of_an_infeasible_and_a_feasible_scenario(
    analysed: tuple[Service, dict[Any, str]],
) -> None:
    """An explanation names the conflict (Khan Younis: two red lines); a scenario with a package has none to give."""
    service, jobs = analysed
    khan = service.client.get(jobs["infeasible-khan-younis-police", "explanation"], headers=service.coordinator).json()
    assert khan["kind"] == "explanation"
    assert khan["result"]["package_exists"] is False
    assert {e["id"] for e in khan["result"]["explanation"]["conflict"]} >= {"bgd-secure-only", "mar-secure-only"}
    gaza = service.client.get(jobs["gaza-isf", "explanation"], headers=service.coordinator).json()
    assert gaza["result"] == {"package_exists": True, "explanation": None}


# -- what each role reads ------------------------------------------------------------------


CASES = [(scenario_id, nation.code) for scenario_id, s in SCENARIOS.items() for nation in s.nations]


def _patch_secrets(scenario_id: str, nation: str | None) -> set[str]:
    """What the patch of `scenario_id` brings in that `nation`'s delegate may not read: the replaced offer's
    red line, its note, and (for a delegate) its unit. An observer (`None`) reads unit availability."""
    if scenario_id != "tutorial" or nation == "MAR":
        return set()
    return {"mar-new-secret", "a new caveat of Morocco"} | ({"mar-new-inf"} if nation else set())


@pytest.mark.parametrize(("scenario_id", "nation"), CASES)
def test_analyses_delegate_never_reads_another_nations_red_lines(
    analysed: tuple[Service, dict[Any, str]], scenario_id: str, nation: str
) -> None:
    """No what-if, criticality or explanation a delegate reads holds another nation's red line (or patched offer)."""
    service, jobs = analysed
    scenario = SCENARIOS[scenario_id]
    own = red_line_texts(scenario, nation)
    secrets = set().union(*(red_line_texts(scenario, o.nation) for o in scenario.offers if o.nation != nation)) - own
    secrets |= _patch_secrets(scenario_id, nation)
    headers = service.auth(Role.DELEGATE, nation)
    for kind in ("what-if", "criticality", "explanation"):
        response = service.client.get(jobs[scenario_id, kind], headers=headers)
        assert response.status_code == 200
        leaked = {secret for text in strings(response.json()) for secret in secrets if secret in text}
        assert not leaked, f"{nation} reads {leaked} in the {kind} of {scenario_id}"


@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_analyses_observer_reads_no_red_line(analysed: tuple[Service, dict[Any, str]], scenario_id: str) -> None:
    """An observer's analyses hold no red line of any nation."""
    service, jobs = analysed
    scenario = SCENARIOS[scenario_id]
    secrets = set().union(*(red_line_texts(scenario, o.nation) for o in scenario.offers)) | _patch_secrets(
        scenario_id, None
    )
    for kind in ("what-if", "criticality", "explanation"):
        answer = service.client.get(jobs[scenario_id, kind], headers=service.auth(Role.OBSERVER)).json()
        assert not {secret for text in strings(answer) for secret in secrets if secret in text}, kind


def test_analyses_masks_only_what_is_foreign(analysed: tuple[Service, dict[Any, str]]) -> None:
    """IDN reads its own red line in the what-if's summary, Morocco's replaced offer masked, and the same package."""
    service, jobs = analysed
    location = jobs["tutorial", "what-if"]
    idn = service.client.get(location, headers=service.auth(Role.DELEGATE, "IDN")).json()
    coordinator = service.client.get(location, headers=service.coordinator).json()
    assert "idn-gaza-secure" in idn["result"]["summary"]
    ops = idn["result"]["patch"]["ops"]
    assert ops[1] == {"op": "replace_offer", "nation": "MAR", "offer": "another nation's offer"}
    assert ops[2] == {"op": "remove_unit", "unit": "idn-inf"}  # IDN's own unit
    assert idn["params"]["patch"] == idn["result"]["patch"]
    assert coordinator["result"]["patch"]["ops"][1]["offer"]["nation"] == "MAR"
    mar = service.client.get(location, headers=service.auth(Role.DELEGATE, "MAR")).json()
    assert mar["result"]["patch"]["ops"][1]["offer"]["red_lines"][0]["id"] == "mar-new-secret"
    assert mar["result"]["patch"]["ops"][2] == {"op": "remove_unit", "unit": "another nation's offer"}
    assert idn["result"]["baseline"]["assignments"] == coordinator["result"]["baseline"]["assignments"]
    khan = jobs["infeasible-khan-younis-police", "explanation"]
    bgd = service.client.get(khan, headers=service.auth(Role.DELEGATE, "BGD")).json()["result"]["explanation"]
    assert {e["id"] for e in bgd["conflict"] if e["type"] == "red_line"} == {
        "bgd-secure-only",
        "another nation's condition",
    }


def test_analyses_criticality_reason_is_withheld_when_it_names_another_nations_red_line(
    analysed: tuple[Service, dict[Any, str]],
) -> None:
    """Gaza: a withdrawal's reason quotes MAR's red line; MAR reads it, IDN reads a reason that names none."""
    service, jobs = analysed
    location = jobs["gaza-isf", "criticality"]
    rows = {
        who: service.client.get(location, headers=headers).json()["result"]["withdrawals"]
        for who, headers in (
            ("coordinator", service.coordinator),
            ("MAR", service.auth(Role.DELEGATE, "MAR")),
            ("IDN", service.auth(Role.DELEGATE, "IDN")),
        )
    }
    quoted = [i for i, w in enumerate(rows["coordinator"]) if "mar-arab-partners" in (w["reason"] or "")]
    assert quoted, "the example no longer quotes MAR's red line: pick another case"
    for i in quoted:
        assert "mar-arab-partners" in rows["MAR"][i]["reason"]
        assert "another nation's condition" in rows["IDN"][i]["reason"]
        assert rows["IDN"][i]["nations"] == rows["coordinator"][i]["nations"]


# -- requests ------------------------------------------------------------------------------


def test_analyses_bad_patch_is_422_naming_the_operation(service: Service) -> None:
    """A patch naming what the scenario lacks, or malformed, is a 422 problem naming `ops[i]...`; nothing is queued."""
    url = WHAT_IFS.format("tutorial")
    cases = [
        ({"ops": [{"op": "withdraw", "nations": ["TUX"]}]}, "ops[0].nations[0]: nation `TUX` is not a nation"),
        (
            {
                "ops": [
                    {"op": "withdraw", "nations": ["TUR"]},
                    {"op": "set_control", "sector": "rafa", "control": "hostile"},
                ]
            },
            "ops[1].sector: sector `rafa` is not a sector",
        ),
        ({"ops": [{"op": "set_control", "sector": "rafah", "control": "calm"}]}, "ops[0].control: Input should be"),
        ({"ops": [{"op": "withdraw"}]}, "ops[0].nations: required field is missing"),
        ({"ops": [{"op": "annex", "nations": ["TUR"]}]}, "ops[0]: Input tag 'annex'"),
        ({"ops": []}, "ops: List should have at least 1 item"),
        ({"ops": [{"op": "drop_veto", "id": "isr-tur"}], "mode": "rewind"}, "mode: Input should be"),
        ({"ops": [{"op": "drop_veto", "id": "isr-tur"}], "colour": "red"}, "colour: unknown field `colour`"),
    ]
    for body, expected in cases:
        response = service.client.post(url, json=body, headers=service.coordinator)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()
        assert problem["title"] == "Invalid patch"
        assert any(line.startswith(expected) for line in problem["problems"]), (expected, problem["problems"])
    assert service.runner.active_count() == 0


def test_analyses_what_if_accepts_a_yaml_patch(service: Service) -> None:
    """A patch file's YAML is a valid body, as for scenarios and offers."""
    body = b"description: Israel lifts its veto\nops:\n  - {op: drop_veto, id: isr-tur}\nmode: resolve\n"
    headers = service.auth_coordinator_with(Content_Type="application/yaml")
    response = service.client.post(WHAT_IFS.format("tutorial"), content=body, headers=headers)
    assert response.status_code == 202, response.text
    job = service.wait_job(response.headers["Location"])
    assert job["status"] == "done"
    assert job["result"]["diff"]["nations_in"] == ["TUR"]
    assert Patch.model_validate(job["result"]["patch"]).description == "Israel lifts its veto"


def test_analyses_only_coordinators_ask_and_foreign_scenarios_are_unknown(service: Service) -> None:
    """Delegates and observers get 403 (a what-if whatever its body); an unknown scenario 404 before the body."""
    bodies = {WHAT_IFS: {"ops": [{"op": "withdraw", "nations": ["TUR"]}]}, CRITICALITY: {}, EXPLANATIONS: {}}
    for url, body in bodies.items():
        for headers in (service.auth(Role.DELEGATE, "IDN"), service.auth(Role.OBSERVER)):
            assert service.client.post(url.format("tutorial"), json=body, headers=headers).status_code == 403
        assert service.client.post(url.format("nowhere"), json=body, headers=service.coordinator).status_code == 404
    delegate = service.auth(Role.DELEGATE, "IDN")
    assert service.client.post(WHAT_IFS.format("tutorial"), json={"ops": "?"}, headers=delegate).status_code == 403
    assert (
        service.client.post(
            CRITICALITY.format("tutorial"), json={"pairs": "maybe"}, headers=service.coordinator
        ).status_code
        == 422
    )
    assert (
        service.client.post(
            EXPLANATIONS.format("tutorial"), json={"relaxations": 11}, headers=service.coordinator
        ).status_code
        == 422
    )


def test_analyses_idempotency_key_gives_one_job(service: Service) -> None:
    """The same key and body give the same what-if (and criticality) job; another body under the key is a 422."""
    headers = service.auth_coordinator_with(Idempotency_Key="what-if-1")
    body = {"ops": [{"op": "drop_veto", "id": "isr-tur"}]}
    first = service.client.post(WHAT_IFS.format("tutorial"), json=body, headers=headers)
    again = service.client.post(WHAT_IFS.format("tutorial"), json=body, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    changed = service.client.post(WHAT_IFS.format("tutorial"), json={**body, "mode": "repair"}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["problems"][0].startswith("Idempotency-Key: already used")
    other_kind = service.client.post(CRITICALITY.format("tutorial"), json={}, headers=headers)
    assert other_kind.status_code == 422
    service.wait_job(first.headers["Location"])


def test_analyses_share_the_queue_and_cancel_like_solves(make_service: Callable[..., Service]) -> None:
    """Analyses take places in the same queue (429 when full); DELETE cancels one, which never gets a result."""
    service = make_service()
    blocking = BlockingSolve()
    runner = JobRunner(service.database, max_concurrent=1, queue_length=1, retry_after_s=3, solve=blocking)
    service.app.dependency_overrides[get_runner] = lambda: runner
    try:
        what_if = service.client.post(
            WHAT_IFS.format("tutorial"),
            json={"ops": [{"op": "drop_veto", "id": "isr-tur"}]},
            headers=service.coordinator,
        )
        criticality = service.client.post(CRITICALITY.format("tutorial"), headers=service.coordinator)
        assert (what_if.status_code, criticality.status_code) == (202, 202)
        assert blocking.started.acquire(timeout=10)  # the what-if's baseline solve is running
        refused = service.client.post(EXPLANATIONS.format("tutorial"), headers=service.coordinator)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "3"
        running = service.client.get(what_if.headers["Location"], headers=service.coordinator).json()
        assert running["status"] == "running"
        assert running["progress"]["step"] == "baseline"
        assert running["progress"]["packages_found"] == 1
        # The queued one first: cancelled the other way round, the freed thread could start it in between.
        for location in (criticality.headers["Location"], what_if.headers["Location"]):
            assert service.client.delete(location, headers=service.coordinator).status_code == 200
        assert runner.wait_idle(10.0)
        for location in (what_if.headers["Location"], criticality.headers["Location"]):
            job = service.client.get(location, headers=service.coordinator).json()
            assert (job["status"], job["result"]) == ("cancelled", None)
    finally:
        blocking.release.set()
        runner.shutdown()
        service.app.dependency_overrides.clear()
    assert blocking.calls == 1  # the cancelled criticality never started


def test_analyses_sweep_stops_between_withdrawals_when_cancelled() -> None:
    """The sweep's executor runs variants in order and stops before the next one once the job is cancelled."""
    cancel = threading.Event()
    executor = _Stoppable(cancel, "job")
    done: list[int] = []

    def variant(i: int) -> int:
        done.append(i)
        if i == 1:
            cancel.set()
        return i

    with pytest.raises(JobCancelled):
        list(executor.map(variant, range(5)))
    assert done == [0, 1]
    with pytest.raises(JobCancelled):
        executor.submit(variant, 2)
    assert _Stoppable(threading.Event(), "job").submit(variant, 3).result() == 3
