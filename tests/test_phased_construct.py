"""A first plan by construction for phased scenarios (`solver.phased_construct`): whatever it returns
honours every rule, as the independent checker reads the plan; it finds one on the phased example and
on generated phased scenarios; the caveats of a coupled nation it had to use are repaired."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

from bench.phased import phased, phased_with_witness
from forcepack.models import Scenario, parse_scenario
from forcepack.models.common import Priority
from forcepack.models.loading import load_scenario
from forcepack.models.solution import RunInfo
from forcepack.solver import phased_construct
from forcepack.solver.check import check
from forcepack.solver.construct import Construction
from forcepack.solver.document import solution_document
from forcepack.solver.phased import PhasedBuilder
from forcepack.solver.phased_construct import complete_plan, construct_plan
from tests.strategies import tiny_phased_scenarios

RUN = RunInfo(solver="construction", solver_version="0", workers=1, seed=0, time_limit_s=30.0, wall_s=0.0)


def built(scenario: Scenario) -> PhasedBuilder:
    builder = PhasedBuilder(scenario)
    builder.build()
    return builder


def violations(scenario: Scenario, construction: Construction) -> list[str]:
    document = solution_document(scenario, construction.package, status="feasible", run=RUN)
    assert document.plan is not None
    return [f"[{v.rule}] {v.message}" for v in check(scenario, document)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_phased_scenarios())
def test_a_constructed_plan_passes_the_checker(scenario: Scenario) -> None:
    """Whatever the scenario, a constructed plan honours every rule in every bucket, or there is none."""
    construction = construct_plan(built(scenario), time_limit_s=30.0)
    note(f"constructed: {construction is not None}")
    if construction is not None:
        assert violations(scenario, construction) == []


@pytest.mark.parametrize("source", ["examples/gaza-phased.yaml", "phased-25-1", "phased-70-1", "phased-70-2"])
def test_a_plan_is_constructed_for_the_example_and_generated_scenarios(source: str) -> None:
    """The phased example and generated phased scenarios get a first plan, every essential line
    filled in every bucket it is needed in, and the checker finds nothing wrong with it."""
    if source.startswith("phased-"):
        _, nations, seed = source.split("-")
        scenario = phased(int(nations), int(seed))
    else:
        scenario = load_scenario(source)
    construction = construct_plan(built(scenario), time_limit_s=60.0)
    assert construction is not None
    assert violations(scenario, construction) == []
    document = solution_document(scenario, construction.package, status="feasible", run=RUN)
    assert document.plan is not None and document.plan.tours
    essential = {r.id for r in scenario.requirements if r.priority == Priority.ESSENTIAL}
    assert essential and all(row.shortfall == 0 for row in document.plan.coverage if row.requirement in essential)


def test_completing_a_plans_tours_gives_it_back() -> None:
    """`complete_plan` keeps the tours it is given (the search's hint from a baseline's plan)."""
    scenario = load_scenario("examples/gaza-phased.yaml")
    builder = built(scenario)
    first = construct_plan(builder, time_limit_s=60.0)
    assert first is not None
    again = complete_plan(builder, first.package.tours, time_limit_s=60.0)
    assert again is not None and again.package.tours == first.package.tours
    fewer = dict(first.package.tours)
    fewer.pop(next(iter(fewer)))  # one tour fewer: an essential line short somewhere, or still a plan
    other = complete_plan(builder, fewer, time_limit_s=60.0)
    assert other is None or other.package.tours == {k: v for k, v in fewer.items() if v}


COUPLED: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "coupled-phased",
    "name": "Only a coupled nation can fill the line",
    "horizon": {"start": "2026-01-01", "end": "2026-06-30"},
    "phasing": {"bucket": "month"},
    "sectors": [{"id": "rafah", "control": "secure"}],
    "requirements": [
        {"id": "r-inf", "sector": "rafah", "capability": "infantry", "quantity": 1},
        {"id": "r-eng", "sector": "rafah", "capability": "engineer", "quantity": 1, "priority": "desirable"},
    ],
    "nations": [{"code": "AAA", "groups": ["g"]}, {"code": "BBB", "groups": ["g"]}, {"code": "CCC"}],
    "offers": [
        {"nation": "AAA",
         "units": [{"id": "inf", "capability": "infantry", "count": 1, "personnel": 100},
                   {"id": "eng", "capability": "engineer", "count": 2, "personnel": 100}],
         "red_lines": [{"id": "aaa-min", "kind": "min_contingent", "personnel": 250},
                       {"id": "aaa-partner", "kind": "requires_partner", "nations": ["BBB"]}]},
        {"nation": "BBB", "units": [{"id": "eng", "capability": "engineer", "count": 1, "personnel": 50}]},
        {"nation": "CCC", "units": [{"id": "eng", "capability": "engineer", "count": 1, "personnel": 50}]},
    ],
}  # fmt: skip


def test_a_coupled_nations_caveats_are_repaired() -> None:
    """The infantry line only AAA can fill; AAA sends at least 250 personnel and only beside BBB:
    the construction makes up its contingent from its own engineers and sends BBB alongside."""
    scenario = parse_scenario(COUPLED)
    construction = construct_plan(built(scenario), time_limit_s=60.0)
    assert construction is not None
    assert violations(scenario, construction) == []
    nations = {key[0].split("/", 1)[0] for key in construction.package.tours}
    assert {"AAA", "BBB"} <= nations


def test_a_phased_solve_stopped_at_its_first_plan_returns_the_constructed_one() -> None:
    """The constructed plan is the solve's first package (reported at once, before any search), so a
    solve cancelled right then still answers with a plan, and the checker finds nothing wrong."""
    import threading

    from forcepack.solver import SolveParams, SolveReport, solve

    scenario = load_scenario("examples/gaza-phased.yaml")
    cancel = threading.Event()
    seen: list[str] = []

    def first(criterion: str, value: float, elapsed: float) -> None:
        seen.append(criterion)
        cancel.set()

    report = SolveReport()
    solution = solve(
        scenario,
        SolveParams(time_limit_s=600, workers=1),
        on_package=first,
        cancel=cancel,
        report=report,
        explain=False,
    )
    assert seen and report.first_package_s is not None
    assert report.stages == []  # no search ran: the plan is the construction's
    assert solution.status == "feasible" and solution.plan is not None and solution.plan.tours
    assert check(scenario, solution) == []


@pytest.mark.parametrize(("nations", "seed"), [(12, 1), (18, 3), (25, 1), (25, 2), (25, 3), (40, 2), (70, 1)])
def test_a_generated_phased_scenario_has_the_plan_its_witness_gives(nations: int, seed: int) -> None:
    """`bench.phased.phased_with_witness` plans the static generator's witness in time: its tours,
    completed by CP-SAT with money and flows through the nodes, fill every essential line in every
    bucket it is needed in, and the checker finds nothing wrong. The benchmark's phased scenarios
    therefore have a plan with no essential shortfall, and a gap can be read against it."""
    scenario, tours = phased_with_witness(nations, seed)
    assert phased(nations, seed) == scenario
    essential = {r.id for r in scenario.requirements if r.priority == Priority.ESSENTIAL}
    assert tours and {key[1] for key in tours} == essential
    construction = complete_plan(built(scenario), tours, time_limit_s=60.0)
    assert construction is not None and construction.package.tours == tours
    assert violations(scenario, construction) == []
    document = solution_document(scenario, construction.package, status="feasible", run=RUN)
    assert document.plan is not None
    assert all(row.shortfall == 0 for row in document.plan.coverage if row.requirement in essential)


ORDER: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "order-phased",
    "name": "The first line needed takes the one unit the second needs",
    "horizon": {"start": "2026-01-01", "end": "2026-06-30"},
    "phasing": {"bucket": "month"},
    "sectors": [{"id": "north", "control": "secure"}, {"id": "south", "control": "secure", "opens": "2026-02-01"}],
    "requirements": [
        {"id": "r-north", "sector": "north", "capability": "infantry", "quantity": 1},
        {"id": "r-south", "sector": "south", "capability": "infantry", "quantity": 1},
    ],
    "nations": [{"code": "AAA"}, {"code": "BBB"}],
    "offers": [
        {"nation": "AAA", "units": [{"id": "inf", "capability": "infantry", "count": 1, "personnel": 100}]},
        {"nation": "BBB", "units": [{"id": "inf", "capability": "infantry", "count": 1, "personnel": 100}],
         "red_lines": [{"id": "bbb-north", "kind": "sectors", "only": ["north"]}]},
    ],
}  # fmt: skip


@pytest.mark.parametrize("passes", [1, 10])
def test_a_line_left_short_is_served_first_on_the_next_pass(passes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The north line is needed first and takes AAA's one unit (the first of two equal tours); the
    south line, which only AAA may serve, is left short. One pass gives no plan; a second pass serves
    the south line first, and BBB fills the north (`_essential_order`)."""
    monkeypatch.setattr(phased_construct, "ORDER_PASSES", passes)
    scenario = parse_scenario(ORDER)
    construction = construct_plan(built(scenario), time_limit_s=60.0)
    if passes == 1:
        assert construction is None
        return
    assert construction is not None
    assert violations(scenario, construction) == []
    served = {(key[0], key[1]) for key, units in construction.package.tours.items() if units}
    assert served == {("AAA/inf", "r-south"), ("BBB/inf", "r-north")}
