"""The benchmark's peer solvers (`bench.peers`): HiGHS agrees with CP-SAT, the greedy is honest.

The HiGHS peer runs in a worker process of its own (`bench.peers.worker`): OR-Tools, loaded here
for CP-SAT, and highspy 1.15 cannot share a process (`bench.peers.isolation`).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings

from bench.generator import generate
from bench.peers.greedy import NON_LOCAL_RULES, excess, solve_greedy
from bench.peers.money import max_draw
from bench.peers.worker import HighsWorker
from forcepack.models import MAXIMISED, Scenario, Solution, load_scenario, parse_scenario
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check
from tests.strategies import small_scenarios, tiny_scenarios

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if "\nphasing:" not in p.read_text())
"""The static examples: the HiGHS peer models a static package (a phased example's is tested below)."""
STATIC_EXAMPLES = [p for p in EXAMPLES if load_scenario(p).phasing is None]
"""The examples planned as one package (the greedy is the static planner's spreadsheet)."""
TIME_LIMIT_S = 20.0
CP_SAT = SolveParams(time_limit_s=TIME_LIMIT_S, workers=1, seed=0, deterministic=True)


@pytest.fixture(scope="module")
def highs() -> Iterator[HighsWorker]:
    """One HiGHS worker process for the whole module."""
    with HighsWorker() as worker:
        yield worker


def _messages(scenario: Scenario, solution: Solution) -> list[str]:
    return [f"[{v.rule}] {v.message}" for v in check(scenario, solution)]


def _assert_same_objective(highs: Solution, cp_sat: Solution, context: str) -> None:
    """Every stage's value agrees (max_share within the product's 1e-7 hold)."""
    assert [o.criterion for o in highs.objective] == [o.criterion for o in cp_sat.objective]
    for mine, theirs in zip(highs.objective, cp_sat.objective, strict=True):
        tolerance = 2e-7 if mine.criterion == "max_share" else 1e-6
        assert math.isclose(mine.value, theirs.value, rel_tol=1e-9, abs_tol=tolerance), (
            f"{mine.criterion}: HiGHS {mine.value}, CP-SAT {theirs.value}; {context}"
        )


def _compare(worker: HighsWorker, scenario: Scenario) -> tuple[Solution, Solution]:
    """HiGHS and CP-SAT on one scenario; the HiGHS answer must pass the checker."""
    mine, report = worker.solve(scenario, time_limit_s=TIME_LIMIT_S)
    theirs = solve(scenario, CP_SAT, explain=False)
    context = (
        f"HiGHS {mine.status} {[(o.criterion, o.value) for o in mine.objective]}, stages {report['stages']}; "
        f"CP-SAT {theirs.status} {[(o.criterion, o.value) for o in theirs.objective]}"
    )
    assert _messages(scenario, mine) == [], context
    assert report["hold_breaches"] == [], context
    if mine.status == "optimal" and theirs.status == "optimal":
        _assert_same_objective(mine, theirs, context)
    if "infeasible" in (mine.status, theirs.status):
        assert mine.status == theirs.status, context
    return mine, theirs


# -- HiGHS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_highs_matches_cp_sat_on_examples(highs: HighsWorker, path: Path) -> None:
    """On every example file, HiGHS gives CP-SAT's status and stage values, and passes the checker."""
    scenario = load_scenario(path)
    mine, theirs = _compare(highs, scenario)
    assert mine.status == theirs.status
    if scenario.expect is not None:
        assert mine.status == scenario.expect.status


@pytest.mark.parametrize(("nations", "seed"), [(8, 1), (12, 2)])
def test_highs_matches_cp_sat_on_generated_scenarios(highs: HighsWorker, nations: int, seed: int) -> None:
    """On small benchmark scenarios (bench.generator), HiGHS proves CP-SAT's optimum at every stage."""
    mine, theirs = _compare(highs, generate(nations, seed))
    assert mine.status == theirs.status == "optimal"
    assert mine.gap == 0.0


def test_highs_reports_infeasible_generated_scenario(highs: HighsWorker) -> None:
    """The generator's planted conflict makes HiGHS answer `infeasible`, with no package, as CP-SAT does."""
    scenario = generate(8, 1, infeasible=True)
    mine, theirs = _compare(highs, scenario)
    assert mine.status == theirs.status == "infeasible"
    assert mine.assignments == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=small_scenarios())
def test_highs_matches_cp_sat_on_random_scenarios(highs: HighsWorker, scenario: Scenario) -> None:
    """On random small scenarios (every red-line kind, targets, any criteria order), HiGHS and CP-SAT
    agree on infeasibility and, where both prove optimality, on every stage's value."""
    _compare(highs, scenario)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=tiny_scenarios())
def test_highs_matches_cp_sat_on_tiny_scenarios(highs: HighsWorker, scenario: Scenario) -> None:
    """The same agreement on tiny scenarios, where edge cases (empty forces, no offers) are common."""
    _compare(highs, scenario)


def test_highs_answer_names_its_solver(highs: HighsWorker) -> None:
    """The document says HiGHS computed it, and the report gives the model's size and first-package time."""
    solution, report = highs.solve(load_scenario(ROOT / "examples" / "tutorial.yaml"), time_limit_s=5)
    assert solution.run is not None and solution.run.solver == "highs"
    assert report["rows"] > 0 and report["cols"] > 0 and report["nonzeros"] > 0
    assert report["first_package_s"] is not None


# -- greedy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", STATIC_EXAMPLES, ids=[p.stem for p in STATIC_EXAMPLES])
def test_greedy_breaks_only_non_local_rules_on_examples(path: Path) -> None:
    """On every example the greedy returns a package; the checker finds only rules no single
    placement decides (contingents, shares, nation counts, an essential line left short)."""
    scenario = load_scenario(path)
    solution = solve_greedy(scenario)
    assert solution.status == "feasible"
    rules = {v.rule for v in check(scenario, solution)}
    assert rules <= NON_LOCAL_RULES
    if scenario.expect is not None and scenario.expect.status == "infeasible":
        assert "coverage.essential" in rules  # no package exists: the greedy's must break something


def test_greedy_answer_to_a_phased_example_is_refused_for_its_missing_plan() -> None:
    """The greedy plans one package, not tours in time: on a phased example the checker refuses its
    answer for the plan it lacks, and checks nothing else of it."""
    scenario = load_scenario(ROOT / "examples" / "gaza-phased.yaml")
    solution = solve_greedy(scenario)
    assert solution.has_package and solution.plan is None
    assert {v.rule for v in check(scenario, solution)} == {"plan"}


def test_greedy_passes_checker_on_generated_scenario() -> None:
    """Where no non-local rule binds (the 25-nation benchmark scenario, seed 1), the greedy's package is valid."""
    scenario = generate(25, 1)
    solution = solve_greedy(scenario)
    assert _messages(scenario, solution) == []


@settings(max_examples=40, deadline=None)
@given(scenario=small_scenarios())
def test_greedy_breaks_only_non_local_rules_on_random_scenarios(scenario: Scenario) -> None:
    """On random scenarios the greedy never raises and breaks only the rules it cannot check locally."""
    solution = solve_greedy(scenario)
    violations = check(scenario, solution)
    note("\n".join(f"[{v.rule}] {v.message}" for v in violations))
    assert {v.rule for v in violations} <= NON_LOCAL_RULES


@settings(max_examples=12, deadline=None)
@given(scenario=small_scenarios())
def test_greedy_never_beats_the_optimum_when_valid(scenario: Scenario) -> None:
    """A valid greedy package is a package: its first criterion is no better than CP-SAT's optimum."""
    greedy = solve_greedy(scenario)
    if check(scenario, greedy):
        return
    optimum = solve(scenario, CP_SAT, explain=False)
    assert optimum.status == "optimal"
    first = optimum.objective[0].criterion
    assert excess(greedy, optimum)[first] >= -1e-9


def test_greedy_excess_is_positive_when_worse() -> None:
    """`excess` reads positive for a worse package whichever way the criterion goes."""
    reference = {"shortfall": 1.0, "cost": 100.0, "nations": 5.0}
    scenario = load_scenario(ROOT / "examples" / "tutorial.yaml")
    greedy = solve_greedy(scenario)
    values = {o.criterion: o.value for o in greedy.objective}
    out = excess(greedy, reference)
    assert out["cost"] == values["cost"] - 100.0
    assert out["nations"] == 5.0 - values["nations"]
    assert "nations" in MAXIMISED


# -- money ------------------------------------------------------------------------------------


def test_money_max_draw_respects_earmarks_and_amounts() -> None:
    """The exact draw pays each capability at most its pooled cost, each pledge at most its amount,
    only for its earmark, and as much in total as the pledges allow."""
    scenario = load_scenario(ROOT / "examples" / "tutorial.yaml")
    data = scenario.model_dump(mode="json", by_alias=True)
    scenario = parse_scenario(data)
    assignment = {("IDN/idn-eng", "rafah-eng"): 2, ("TUR/tur-eng", "rafah-eng"): 0}
    flows = max_draw(scenario, assignment, list(scenario.pledge_by_key))
    pooled = (
        2
        * scenario.monthly_cost_of(scenario.unit_by_key["IDN/idn-eng"])
        * scenario.months_of(scenario.requirement_by_id["rafah-eng"])
    )
    assert sum(flows.values()) == pooled
    for (pledge_id, capability), amount in flows.items():
        pledge = scenario.pledge_by_key[pledge_id]
        assert pledge.earmark is None or capability in pledge.earmark
        assert amount <= pledge.amount_usd


# -- the record for the harness ----------------------------------------------------------------


@pytest.mark.parametrize("solver", ["highs", "greedy"])
def test_run_prints_one_record_with_instance_fields(solver: str) -> None:
    """`python -m bench.peers.run` prints one JSON record with bench.instance's fields and its own."""
    cmd = [sys.executable, "-m", "bench.peers.run", "--solver", solver, "--nations", "6", "--seed", "1"]
    proc = subprocess.run([*cmd, "--time-limit", "10"], cwd=ROOT, capture_output=True, text=True, check=True)
    record = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("kind", "nations", "seed", "status", "gap", "objective", "stages", "violations", "wall_s"):
        assert key in record
    for key in ("first_package_s", "optimal_s", "peak_mib", "model", "summary", "solver", "rows", "cols"):
        assert key in record
    assert record["solver"] == solver
    if solver == "highs":
        assert record["status"] == "optimal"
        assert record["violations"] == []
        assert record["model"]["variables"] == record["cols"] > 0
