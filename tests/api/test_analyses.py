"""Analysis jobs: what-if, criticality and explanations, their documents, their limits, what each role reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bench.generator import Witness, generate_with_witness
from forcepack.api.analyses import _Stoppable, why_not_work
from forcepack.api.app import create_app
from forcepack.api.auth import Principal, Role
from forcepack.api.deps import get_runner
from forcepack.api.jobs import JobCancelled, JobContext, JobRunner
from forcepack.api.setup import load_examples
from forcepack.api.visibility import OfferSecrets
from forcepack.models.analysis import Criticality, WhatIf, WhyNot
from forcepack.models.patch import Patch
from forcepack.models.scenario import Scenario
from forcepack.models.solution import RunInfo, Solution
from forcepack.models.wording import plural
from forcepack.solver import SolveParams
from forcepack.solver import solve as real_solve
from forcepack.solver.check import check
from forcepack.solver.document import Package, solution_document
from forcepack.solver.search import SolveReport
from tests.api.conftest import EXAMPLES, BlockingSolve, Service, make_settings
from tests.api.test_visibility import SCENARIOS, red_line_texts, strings

WHAT_IFS = "/v1/scenarios/{}/what-ifs"
CRITICALITY = "/v1/scenarios/{}/criticality"
EXPLANATIONS = "/v1/scenarios/{}/explanations"
WHY_NOTS = "/v1/scenarios/{}/why-nots"
JOBS = "/v1/scenarios/{}/jobs"

# A nation each example's best package leaves out (AZE: kept out by its own red line), or any
# nation of an infeasible example.
WHY_NOT_SUBJECTS = {
    "gaza-isf": "AZE",
    "gaza-phased": "TUR",
    "tutorial": "TUR",
    "infeasible-funding": SCENARIOS["infeasible-funding"].nations[0].code,
    "infeasible-khan-younis-police": SCENARIOS["infeasible-khan-younis-police"].nations[0].code,
    "three-causes": "TUR",
}
KINDS = ("what-if", "criticality", "explanation", "why-not")

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
    "gaza-phased": {"ops": [{"op": "withdraw", "nations": ["PAK"]}]},
    "infeasible-funding": {"ops": [{"op": "set_control", "sector": "rafah", "control": "hostile"}]},
    "infeasible-khan-younis-police": {"ops": [{"op": "set_control", "sector": "rafah", "control": "hostile"}]},
    "three-causes": {"ops": [{"op": "set_control", "sector": "rafah", "control": "contested"}]},
}


ANALYSED = sorted(scenario_id for scenario_id, s in SCENARIOS.items() if s.phasing is None)
"""The examples every analysis answers; a phased one's analyses re-plan 96 weeks each (a small phased
plan's why-not is asked below; tests/test_phased_solve.py tests the others on a small plan)."""


def test_analyses_why_not_of_a_phased_scenario_answers_with_plans(tmp_path: Path) -> None:
    """A why-not on a phased scenario is a job like any other: CCC, left out of the best plan, is
    answered with the best plan that includes it (a plan the checker passes) and what it costs."""
    from tests.test_phased_solve import with_replacement

    scenario = with_replacement().model_copy(update={"id": "phased-why-not"})
    app = create_app(make_settings(tmp_path, default_solve_seconds=10.0))
    with TestClient(app) as client:
        service = Service(app, client)
        data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
        created = client.post("/v1/scenarios", json=data, headers=service.coordinator)
        assert created.status_code == 201, created.text
        response = client.post(WHY_NOTS.format("phased-why-not"), json={"subject": "CCC"}, headers=service.coordinator)
        assert response.status_code == 202, response.text
        job = service.wait_job(response.headers["Location"], timeout_s=90)
        assert job["status"] == "done", job
        answer = WhyNot.model_validate(job["result"])
        assert not answer.in_package and answer.optimum.plan is not None
        assert answer.with_subject is not None and answer.with_subject.plan is not None
        assert any(tour.nation == "CCC" for tour in answer.with_subject.plan.tours)
        assert check(scenario, answer.with_subject) == [] and check(scenario, answer.optimum) == []
        cost = next(d for d in answer.deltas if d.criterion == "cost")
        assert cost.delta > 0


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, dict[tuple[str, str], str]]]:
    """Every example analysed once: a what-if, a criticality sweep, an explanation and a why-not (job locations)."""
    app = create_app(make_settings(tmp_path_factory.mktemp("analyses"), default_solve_seconds=5.0, queue_length=24))
    with TestClient(app) as client:
        service = Service(app, client)
        load_examples(service.database, EXAMPLES)
        jobs: dict[tuple[str, str], str] = {}
        for scenario_id in ANALYSED:
            for kind, url, body in (
                ("what-if", WHAT_IFS, PATCHES[scenario_id]),
                ("criticality", CRITICALITY, {}),
                ("explanation", EXPLANATIONS, {}),
                ("why-not", WHY_NOTS, {"subject": WHY_NOT_SUBJECTS[scenario_id]}),
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


def test_analyses_why_not_names_what_keeps_a_nation_out(analysed: tuple[Service, dict[Any, str]]) -> None:
    """Gaza: AZE's own red line keeps it out (a conflict naming it); the tutorial's TUR: its units vetoed, its
    money drawn at a price, or none."""
    service, jobs = analysed
    gaza = service.client.get(jobs["gaza-isf", "why-not"], headers=service.coordinator).json()
    assert (gaza["kind"], gaza["params"]["subject"]) == ("why-not", "AZE")
    answer = WhyNot.model_validate(gaza["result"])
    assert gaza["result"]["schema"] == "forcepack.why-not/1"
    assert (answer.subject_type, answer.in_package) == ("nation", False)
    assert "AZE" not in {n.nation for n in answer.optimum.nations}
    assert answer.with_subject is not None and answer.with_subject.status == "infeasible"
    assert answer.with_subject.explanation is not None
    assert "aze-full-stop" in {e.id for e in answer.with_subject.explanation.conflict}
    tutorial = WhyNot.model_validate(
        service.client.get(jobs["tutorial", "why-not"], headers=service.coordinator).json()["result"]
    )
    # TUR's units are all vetoed (what the planner asked); its money can be drawn: told apart.
    units, money = tutorial.parts
    assert units.with_subject is not None and units.with_subject.status == "infeasible"
    assert units.with_subject.explanation is not None
    assert "isr-tur" in {e.id for e in units.with_subject.explanation.conflict}
    assert tutorial.with_subject == units.with_subject
    assert money.with_subject is not None and money.with_subject.has_package
    assert "TUR" in {n.nation for n in money.with_subject.nations}
    assert {d.criterion for d in money.deltas} == {c.criterion for c in tutorial.optimum.objective}
    for scenario_id in ("infeasible-funding", "infeasible-khan-younis-police"):
        job = service.client.get(jobs[scenario_id, "why-not"], headers=service.coordinator).json()
        assert job["result"]["optimum"]["status"] == "infeasible"
        assert job["result"]["summary"].startswith("No package exists")


def test_analyses_why_not_of_an_unknown_subject_is_422_naming_it(service: Service) -> None:
    """A subject that is neither a nation nor an offered unit is refused before any job, with a close match."""
    response = service.client.post(WHY_NOTS.format("gaza-isf"), json={"subject": "AZEE"}, headers=service.coordinator)
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "subject: `AZEE` is none of the nations, offered units, pledges or requirement lines of `gaza-isf` "
        "(did you mean `AZE`?)"
    ]
    missing = service.client.post(WHY_NOTS.format("gaza-isf"), json={}, headers=service.coordinator)
    assert missing.status_code == 422
    assert any(p.startswith("subject") for p in missing.json()["problems"])
    listed = service.client.get(JOBS.format("gaza-isf"), headers=service.coordinator).json()
    assert listed == {"items": [], "total": 0}


def test_analyses_why_not_masks_another_nations_unit_for_a_delegate(service: Service) -> None:
    """Asked about MAR's unit, the job reads `another nation's offer` for IDN's delegate, and the unit id for MAR's."""
    unit = SCENARIOS["tutorial"].offer_by_nation["MAR"].units[0].id
    response = service.client.post(WHY_NOTS.format("tutorial"), json={"subject": unit}, headers=service.coordinator)
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert service.wait_job(location)["status"] == "done"
    idn = service.client.get(location, headers=service.auth(Role.DELEGATE, "IDN")).json()
    assert idn["params"]["subject"] == idn["result"]["subject"] == "another nation's offer"
    mar = service.client.get(location, headers=service.auth(Role.DELEGATE, "MAR")).json()
    assert mar["params"]["subject"] == mar["result"]["subject"] == unit
    assert mar["result"]["subject_type"] == "unit"


def test_analyses_why_not_never_names_another_nations_unit_to_a_delegate(service: Service) -> None:
    """Asked why Turkey's engineers (vetoed) are left out, IDN's delegate reads no trace of `tur-eng`: not in the
    subject, the summary, the explanation or its ways out; the job's progress steps never name it either."""
    response = service.client.post(
        WHY_NOTS.format("tutorial"), json={"subject": "tur-eng"}, headers=service.coordinator
    )
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert service.wait_job(location)["status"] == "done"
    coordinator = service.client.get(location, headers=service.coordinator).json()
    assert coordinator["result"]["with_subject"]["status"] == "infeasible"
    assert "tur-eng" in coordinator["result"]["with_subject"]["explanation"]["summary"]
    idn = service.client.get(location, headers=service.auth(Role.DELEGATE, "IDN")).json()
    assert not [text for text in strings(idn) if "tur-eng" in text]
    assert idn["result"]["with_subject"] is None and idn["result"]["deltas"] == coordinator["result"]["deltas"]
    tur = service.client.get(location, headers=service.auth(Role.DELEGATE, "TUR")).json()
    assert "tur-eng" in tur["result"]["with_subject"]["explanation"]["summary"]

    context = JobContext("job", real_solve)
    why_not_work(SCENARIOS["tutorial"], "tur-eng", SolveParams(time_limit_s=5))(context)
    steps, _ = context.events_after(0)
    assert steps and not [e for e in steps if "tur-eng" in str(e.data)]


def test_analyses_jobs_list_newest_first_filtered_and_paged(analysed: tuple[Service, dict[Any, str]]) -> None:
    """A scenario's jobs list holds each of its jobs once, newest first; kind, status, limit and offset apply."""
    service, jobs = analysed
    listed = service.client.get(JOBS.format("gaza-isf"), headers=service.coordinator).json()
    mine = {location.rsplit("/", 1)[1]: kind for (where, kind), location in jobs.items() if where == "gaza-isf"}
    assert {item["id"]: item["kind"] for item in listed["items"]} == mine
    assert listed["total"] == len(mine) == len(KINDS)
    created = [item["created_at"] for item in listed["items"]]
    assert created == sorted(created, reverse=True)
    assert all(item["status"] == "done" for item in listed["items"])
    only = service.client.get(JOBS.format("gaza-isf") + "?kind=why-not", headers=service.coordinator).json()
    assert [item["kind"] for item in only["items"]] == ["why-not"] and only["total"] == 1
    none = service.client.get(JOBS.format("gaza-isf") + "?status=running", headers=service.coordinator).json()
    assert none == {"items": [], "total": 0}
    page = service.client.get(JOBS.format("gaza-isf") + "?limit=2&offset=1", headers=service.coordinator).json()
    assert [item["id"] for item in page["items"]] == [item["id"] for item in listed["items"][1:3]]
    assert page["total"] == len(KINDS)
    bad = service.client.get(JOBS.format("gaza-isf") + "?kind=guess&limit=0", headers=service.coordinator)
    assert bad.status_code == 422
    assert service.client.get(JOBS.format("nowhere"), headers=service.coordinator).status_code == 404
    delegate = service.auth(Role.DELEGATE, "IDN")
    assert service.client.get(JOBS.format("gaza-isf"), headers=delegate).json()["total"] == len(KINDS)
    outsider = next(n.code for n in SCENARIOS["gaza-isf"].nations if n.code not in SCENARIOS["tutorial"].nation_by_code)
    assert service.client.get(JOBS.format("tutorial"), headers=service.auth(Role.DELEGATE, outsider)).status_code == 404


# -- what each role reads ------------------------------------------------------------------


CASES = [(scenario_id, nation.code) for scenario_id in ANALYSED for nation in SCENARIOS[scenario_id].nations]


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
    """No what-if, criticality, explanation or why-not a delegate reads holds another nation's red line (or patched
    offer)."""
    service, jobs = analysed
    scenario = SCENARIOS[scenario_id]
    own = red_line_texts(scenario, nation)
    secrets = set().union(*(red_line_texts(scenario, o.nation) for o in scenario.offers if o.nation != nation)) - own
    secrets |= _patch_secrets(scenario_id, nation)
    headers = service.auth(Role.DELEGATE, nation)
    for kind in KINDS:
        response = service.client.get(jobs[scenario_id, kind], headers=headers)
        assert response.status_code == 200
        leaked = {secret for text in strings(response.json()) for secret in secrets if secret in text}
        assert not leaked, f"{nation} reads {leaked} in the {kind} of {scenario_id}"


@pytest.mark.parametrize("scenario_id", ANALYSED)
def test_analyses_observer_reads_no_red_line(analysed: tuple[Service, dict[Any, str]], scenario_id: str) -> None:
    """An observer's analyses hold no red line of any nation."""
    service, jobs = analysed
    scenario = SCENARIOS[scenario_id]
    secrets = set().union(*(red_line_texts(scenario, o.nation) for o in scenario.offers)) | _patch_secrets(
        scenario_id, None
    )
    for kind in KINDS:
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
            "ops[1].sector: sector `rafa` is not a sector of this scenario (did you mean `rafah`?)",
        ),
        ({"ops": [{"op": "set_control", "sector": "rafah", "control": "calm"}]}, "ops[0].control: Input should be"),
        (
            {"ops": [{"op": "set_control", "sector": "rafah", "control": "secur"}]},
            "ops[0].control: Input should be 'secure', 'contested' or 'hostile' (got `secur`; did you mean `secure`?)",
        ),
        ({"ops": [{"op": "withdraw"}]}, "ops[0].nations: required field is missing"),
        ({"ops": [{"nations": ["TUR"]}]}, "ops[0].op: required field is missing"),
        ({"ops": [{"op": "annex", "nations": ["TUR"]}]}, "ops[0].op: unknown op 'annex'; expected one of withdraw,"),
        (
            {"ops": [{"op": "sett_mandate", "conditions": {"x": True}}]},
            "ops[0].op: unknown op 'sett_mandate' (did you mean `set_mandate`?); expected one of",
        ),
        ({"ops": []}, "ops: List should have at least 1 item"),
        ({"ops": [{"op": "drop_veto", "id": "isr-tur"}], "mode": "rewind"}, "mode: Input should be"),
        ({"ops": [{"op": "drop_veto", "id": "isr-tur"}], "colour": "red"}, "colour: unknown field `colour`"),
        (
            {"ops": [{"op": "drop_veto", "id": "isr-tur"}], "time_limit_s": True},
            "time_limit_s: expected a number, got the boolean `true`",
        ),
        (
            {"ops": [{"op": "set_quantity", "requirement": "rafah-eng", "quantity": True}]},
            "ops[0].quantity: expected a number, got the boolean `true`",
        ),
    ]
    for body, expected in cases:
        response = service.client.post(url, json=body, headers=service.coordinator)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()
        # The patch's own problems are a patch's; the question's (its mode, a field it lacks) a request's.
        assert problem["title"] == ("Invalid patch" if expected.startswith("ops") else "Invalid request")
        assert any(line.startswith(expected) for line in problem["problems"]), (expected, problem["problems"])
    assert service.runner.active_count() == 0


def test_analyses_field_problems_do_not_hide_reference_problems(service: Service) -> None:
    """One 422 names both a failing operation's field and an unknown name in another operation."""
    body = {
        "ops": [
            {"op": "set_control", "sector": "rafha", "control": "secure"},
            {"op": "set_quantity", "requirement": "rafah-eng", "quantity": 0},
        ]
    }
    response = service.client.post(WHAT_IFS.format("tutorial"), json=body, headers=service.coordinator)
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert problems[0].startswith("ops[0].sector: sector `rafha` is not a sector of this scenario"), problems
    assert problems[1].startswith("ops[1].quantity: Input should be greater than or equal to 1"), problems
    assert len(problems) == 2
    assert service.runner.active_count() == 0


def test_analyses_requirement_line_ops_run_and_bad_ones_name_the_field(service: Service) -> None:
    """A what-if may change a line's quantity, add a line or drop one; a bad one is a 422 naming its
    field (`ops[i].requirement...`, `ops[i].quantity`), and nothing is queued for it."""
    url = WHAT_IFS.format("tutorial")
    cases = [
        (
            {"ops": [{"op": "set_quantity", "requirement": "rafa-eng", "quantity": 2}]},
            "ops[0].requirement: requirement",
        ),
        ({"ops": [{"op": "set_quantity", "requirement": "rafah-eng", "quantity": 0}]}, "ops[0].quantity: "),
        ({"ops": [{"op": "drop_requirement", "requirement": "nope"}]}, "ops[0].requirement: requirement `nope`"),
        (
            {
                "ops": [
                    {
                        "op": "add_requirement",
                        "requirement": {"id": "x", "sector": "rafa", "capability": "engineer", "quantity": 1},
                    }
                ]
            },
            "ops[0].requirement.sector: sector `rafa`",
        ),
        (
            {"ops": [{"op": "add_requirement", "requirement": {"id": "x", "sector": "rafah", "quantity": 1}}]},
            "ops[0].requirement.capability: required field is missing",
        ),
    ]
    for body, expected in cases:
        response = service.client.post(url, json=body, headers=service.coordinator)
        assert response.status_code == 422, (body, response.text)
        assert any(line.startswith(expected) for line in response.json()["problems"]), (expected, response.json())
    assert service.runner.active_count() == 0
    body = {
        "description": "a second engineer line, and more engineers at Rafah",
        "ops": [
            {"op": "set_quantity", "requirement": "rafah-eng", "quantity": 3},
            {
                "op": "add_requirement",
                "requirement": {
                    "id": "ky-eng",
                    "sector": "khan-younis",
                    "capability": "engineer",
                    "quantity": 1,
                    "priority": "desirable",
                },
            },
            {"op": "drop_requirement", "requirement": "ky-inf"},
        ],
    }
    response = service.client.post(url, json=body, headers=service.coordinator)
    assert response.status_code == 202, response.text
    job = service.wait_job(response.headers["Location"])
    assert job["status"] == "done", job
    coverage = {c["requirement"]: c for c in job["result"]["patched"]["coverage"]}
    assert set(coverage) == {"rafah-eng", "ky-eng"}
    assert coverage["rafah-eng"]["required"] == 3


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


# -- cancelling an analysis ----------------------------------------------------------------------


class WitnessSolve:
    """The job's own solve (its baseline) answered at once: the generator's witness package, or no package.

    The analysis's library calls then solve for real, on a scenario large enough for each of
    their solves to run far longer than the test waits.
    """

    def __init__(self, witness: Witness | None) -> None:
        self.witness = witness

    def __call__(
        self,
        scenario: Scenario,
        params: SolveParams | None = None,
        *,
        on_package: Callable[[str, float, float], None] | None = None,
        report: SolveReport | None = None,
        explain: bool = True,
        cancel: threading.Event | None = None,
    ) -> Solution:
        run = RunInfo(solver="witness", solver_version="0", workers=1, seed=0, time_limit_s=1.0, wall_s=0.0)
        if self.witness is None:
            return solution_document(scenario, None, status="infeasible", run=run)
        package = Package.of(self.witness.assignment, self.witness.flows)
        return solution_document(scenario, package, status="feasible", run=run)


def _left_out(scenario: Scenario, witness: Witness) -> str:
    """A nation the witness package does not use."""
    used = {unit.partition("/")[0] for unit, _ in witness.assignment}
    return next(n.code for n in scenario.nations if n.code not in used)


@pytest.mark.parametrize("kind", (*KINDS, "alternatives", "resilience"))
def test_analyses_cancel_stops_the_analysis(make_service: Callable[..., Service], kind: str) -> None:
    """Cancelled while the analysis itself solves (200 nations, 300 s a solve), its thread ends: it
    passes the cancel event to its solves. The bound (120 s) is far below what one of its solves
    alone would take without the event, so the verdict does not depend on the machine's speed.
    The resilient package's model holds a copy of the scenario per nation: 60 nations, so that
    building it stays far inside the bound."""
    nations = 60 if kind == "resilience" else 200
    scenario, witness = generate_with_witness(nations, 1, infeasible=kind == "explanation")
    solve = WitnessSolve(None if kind == "explanation" else witness)
    service = make_service(examples=False, solve=solve, max_concurrent_solves=1, max_solve_seconds=300.0)
    created = service.client.post(
        "/v1/scenarios",
        content=scenario.model_dump_json(by_alias=True, exclude_none=True),
        headers=service.auth_coordinator_with(Content_Type="application/json"),
    )
    assert created.status_code == 201, created.text[:500]
    first_nation = next(iter(witness.assignment))[0].partition("/")[0]
    url, body, step = {
        "what-if": (WHAT_IFS, {"ops": [{"op": "withdraw", "nations": [first_nation]}]}, "patched"),
        "criticality": (CRITICALITY, {}, "withdrawals"),
        "explanation": (EXPLANATIONS, {"relaxations": 3}, "explaining"),
        "why-not": (WHY_NOTS, {"subject": _left_out(scenario, witness)}, "with "),
        "alternatives": ("/v1/scenarios/{}/alternatives", {"k": 3}, "alternatives"),
        "resilience": ("/v1/scenarios/{}/resilience", {}, "most withdrawals survived"),
    }[kind]
    response = service.client.post(
        url.format(scenario.id), json={**body, "time_limit_s": 300}, headers=service.coordinator
    )
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    deadline = time.monotonic() + 120
    while True:
        job = service.client.get(location, headers=service.coordinator).json()
        assert job["status"] in ("queued", "running"), job  # (queued a moment on a busy machine)
        if (job["progress"] or {}).get("step", "").startswith(step):
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    time.sleep(1.0)  # into the analysis's own solves
    cancelled = service.client.delete(location, headers=service.coordinator)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert service.runner.wait_idle(120.0), f"the {kind} was still running 120 s after the cancel"
    job = service.client.get(location, headers=service.coordinator).json()
    assert (job["status"], job["result"]) == ("cancelled", None)


def test_analyses_offer_secrets_name_bound_mentions_of_others_only() -> None:
    """A text leaks when it names another nation's red line (by its id beside the nation, or its
    note), or for a delegate its unit; the same id of the viewer's own offer, beside its own
    nation, is no leak (else what is withheld would tell a delegate another nation's names)."""
    secrets = OfferSecrets.of(
        [
            ("IDN", {"red_lines": [{"id": "x", "note": "a note of Indonesia"}], "units": [{"id": "idn-eng"}]}),
            ("MAR", {"red_lines": [{"id": "x"}, {"id": "mar-y"}], "units": [{"id": "mar-inf"}, {"id": "idn-eng"}]}),
        ]
    )
    idn, observer = Principal("t1", Role.DELEGATE, "IDN"), Principal("t2", Role.OBSERVER)
    assert secrets.leaks("kept out by red line `mar-y`: MAR only deploys to secure sectors.", idn)
    assert secrets.leaks("kept out by red line `x`: MAR only deploys to secure sectors.", idn)
    assert not secrets.leaks("kept out by red line `x`: IDN only deploys to secure sectors.", idn)
    assert not secrets.leaks("unit `idn-eng` (IDN) fills `rafah-eng`", idn)
    assert secrets.leaks("unit `idn-eng` (MAR) fills `rafah-eng`", idn)
    assert not secrets.leaks("mar-yes and xmar-y are other ids; `x` alone names nobody's", idn)
    assert secrets.leaks("unit `mar-inf` (MAR) is available 2026-03-01 .. 2027-12-31", idn)
    assert secrets.leaks("MAR/mar-inf cannot take part.", idn) and not secrets.leaks("MAR/mar-info", idn)
    assert not secrets.leaks("unit `mar-inf` (MAR) is available 2026-03-01 .. 2027-12-31", observer)
    assert secrets.leaks("red line `x`: IDN only", observer) and secrets.leaks("as a note of Indonesia says", observer)
    assert not secrets.leaks("red line `mar-y`: MAR only", Principal("t3", Role.COORDINATOR))
    assert secrets.owner_of_unit("mar-inf") == "MAR" and secrets.owner_of_unit("nobody") is None
    assert secrets.owner_of_unit("idn-eng") is None and secrets.owner_of_unit("idn-eng", "MAR") == "MAR"


def _colliding() -> Scenario:
    """The tutorial with ids chosen to collide: IDN's engineers and MAR's infantry are both
    `optimal` (a status's spelling), and MAR offers engineers named `IDN` (a nation's code)."""
    data = SCENARIOS["tutorial"].model_dump(mode="json", by_alias=True, exclude_none=True)
    for offer in data["offers"]:
        for unit in offer.get("units", []):
            if unit["id"] in ("idn-eng", "mar-inf"):
                unit["id"] = "optimal"
        if offer["nation"] == "MAR":
            offer["units"].append({"id": "IDN", "capability": "engineer", "count": 1, "personnel": 500})
    return Scenario.model_validate(data)


def test_analyses_masking_touches_only_the_masked_units() -> None:
    """A what-if removing MAR's `optimal` masks that unit in IDN's view wherever MAR offers it, and
    nothing else: statuses still read `optimal`, IDN's own `optimal` rows keep their id, the nation
    code IDN stays IDN, and the redacted answer is a valid document."""
    from forcepack.api.visibility import redact_what_if
    from forcepack.solver.whatif import what_if

    scenario = _colliding()
    patch = Patch.model_validate({"ops": [{"op": "remove_unit", "unit": "optimal", "nation": "MAR"}]})
    answer = what_if(scenario, patch, params=SolveParams(time_limit_s=30, workers=1))
    assert answer.baseline.status == "optimal"
    assert {(a.nation, a.unit) for a in answer.baseline.assignments} >= {("MAR", "optimal"), ("IDN", "optimal")}
    secrets = OfferSecrets.of((o.nation, o.model_dump(mode="json")) for o in scenario.offers)
    idn = Principal("t1", Role.DELEGATE, "IDN")
    seen = redact_what_if(answer, idn, secrets)
    assert seen.baseline.status == answer.baseline.status == "optimal"
    # (the patched package places MAR's `IDN` engineers, unused today: withheld from IDN's delegate)
    assert seen.patched is None and seen.withheld
    # The summary counts the placements the delegate's diff shows, not those withheld from it.
    assert answer.diff is not None and seen.diff is not None and len(seen.diff.added) < len(answer.diff.added)
    assert seen.summary.split(": ", 1)[1].startswith(f"{plural(len(seen.diff.added), 'placement')} added"), seen.summary
    rows = {(a.nation, a.unit) for a in seen.baseline.assignments}
    assert ("IDN", "optimal") in rows and ("MAR", "optimal") not in rows
    assert ("MAR", "another nation's offer") in rows
    assert {f.nation for f in seen.baseline.nations} == {f.nation for f in answer.baseline.nations}
    mar = Principal("t2", Role.DELEGATE, "MAR")
    assert redact_what_if(answer, mar, secrets).baseline.assignments == answer.baseline.assignments


def test_analyses_why_not_withholds_the_package_built_around_another_nations_unit() -> None:
    """Why-not about MAR's `optimal`, read by IDN's delegate: the subject masked, the package that
    includes it withheld (it would show the unit's size and cost), the deltas kept, and IDN's own
    `optimal` untouched; MAR's delegate reads all of it but other nations' red lines."""
    from forcepack.api.visibility import redact_why_not
    from forcepack.solver.why_not import why_not

    scenario = _colliding()
    answer = why_not(scenario, "MAR/IDN", SolveParams(time_limit_s=30, workers=1))
    assert answer.subject_type == "unit" and answer.with_subject is not None
    secrets = OfferSecrets.of((o.nation, o.model_dump(mode="json")) for o in scenario.offers)
    idn = redact_why_not(answer, Principal("t1", Role.DELEGATE, "IDN"), secrets)
    assert idn.subject == "another nation's offer" and idn.with_subject is None
    assert idn.deltas == answer.deltas
    assert "MAR/IDN" not in idn.summary and ("MAR", "IDN") not in {(a.nation, a.unit) for a in idn.optimum.assignments}
    assert {a.unit for a in idn.optimum.assignments if a.nation == "IDN"} == {
        a.unit for a in answer.optimum.assignments if a.nation == "IDN"
    }
    mar = redact_why_not(answer, Principal("t2", Role.DELEGATE, "MAR"), secrets)
    # MAR reads its own unit's answer whole, but for the red lines of other nations its price names.
    assert mar.model_copy(update={"summary": answer.summary}) == answer
    assert "idn-gaza-secure" not in mar.summary and mar.summary.startswith("MAR/IDN can be had at a price")


def test_analyses_why_not_on_a_line_masks_other_nations_supply() -> None:
    """Why is `ky-inf` short, read by MAR's delegate: IDN's infantry, which no package uses today,
    is not shown (nor the red lines keeping it out), and the sentence is told from MAR's own rows;
    IDN's delegate reads its own."""
    from forcepack.api.visibility import redact_why_not
    from forcepack.solver.why_not import why_not

    scenario = SCENARIOS["tutorial"]
    answer = why_not(scenario, "ky-inf", SolveParams(time_limit_s=30, workers=1))
    secrets = OfferSecrets.of((o.nation, o.model_dump(mode="json")) for o in scenario.offers)
    mar = redact_why_not(answer, Principal("t1", Role.DELEGATE, "MAR"), secrets)
    assert {s.nation for s in mar.supply} == {"MAR"}  # IDN's infantry is unused: not shown at all
    assert not [t for t in strings(mar.model_dump(mode="json")) if "idn-gaza-secure" in t or "idn-inf" in t]
    assert "Offered for it in all" not in mar.summary and "other nations' offers for it are not shown" in mar.summary
    assert mar.withheld
    idn = redact_why_not(answer, Principal("t2", Role.DELEGATE, "IDN"), secrets)
    assert any("idn-gaza-secure" in reason for s in idn.supply for reason in s.kept_out_by)


def test_analyses_why_not_on_a_phased_line_keeps_when_a_hidden_red_line_binds() -> None:
    """CCC's red line keeps its infantry out of Rafah from March to June: an observer reads "a nation's
    condition" in its place, still with the months it binds in; the red line itself is not named."""
    from forcepack.api.visibility import A_NATIONS_CONDITION, redact_why_not
    from forcepack.solver.why_not import why_not
    from tests.test_phased_solve import with_replacement

    data = with_replacement().model_dump(mode="json", by_alias=True, exclude_none=True)
    ccc = next(o for o in data["offers"] if o["nation"] == "CCC")
    ccc["red_lines"] = [
        {"id": "ccc-pause", "kind": "sectors", "exclude": ["rafah"], "active_from": "2026-03-01",
         "active_until": "2026-06-30"}
    ]  # fmt: skip
    scenario = Scenario.model_validate(data)
    answer = why_not(scenario, "r-inf", SolveParams(time_limit_s=30, workers=1))
    months = "(in 4 months (month 3 .. month 6, 2026-03-01 .. 2026-06-30))"
    assert f"red line `ccc-pause`: CCC does not deploy to rafah {months}" in answer.summary
    secrets = OfferSecrets.of((o.nation, o.model_dump(mode="json")) for o in scenario.offers)
    seen = redact_why_not(answer, Principal("o1", Role.OBSERVER, None), secrets)
    assert f"kept out for part of the time: {A_NATIONS_CONDITION} {months}" in seen.summary
    assert "ccc-pause" not in seen.model_dump_json()
    row = next(r for r in seen.supply if r.nation == "CCC")
    assert row.kept_out_by == [f"{A_NATIONS_CONDITION} {months}"]


def test_analyses_why_not_on_a_phased_line_tells_a_delegate_its_buckets() -> None:
    """Why-not on the infantry line of the phased tiny scenario, read by BBB's delegate: CCC's unused
    infantry is not shown, and the sentence told from BBB's rows keeps the months the line is needed
    in and how the plan fills them, as the coordinator's does."""
    from forcepack.api.visibility import redact_why_not
    from forcepack.solver.why_not import why_not
    from tests.test_phased_solve import with_replacement

    scenario = with_replacement()
    answer = why_not(scenario, "r-inf", SolveParams(time_limit_s=30, workers=1))
    assert "CCC" in {s.nation for s in answer.supply}
    secrets = OfferSecrets.of((o.nation, o.model_dump(mode="json")) for o in scenario.offers)
    seen = redact_why_not(answer, Principal("t1", Role.DELEGATE, "BBB"), secrets)
    assert "CCC" not in {s.nation for s in seen.supply}
    assert "other nations' offers for it are not shown" in seen.summary
    assert "`r-inf` is needed in 12 months (month 1 .. month 12, 2026-01-01 .. 2026-12-31)" in seen.summary
    assert "the best plan fills it in every one" in seen.summary and seen.summary.endswith("It is met in full.")
