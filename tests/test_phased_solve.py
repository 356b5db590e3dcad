"""The solver on phased scenarios (docs/domain.md, "Time phases"): a scenario of one bucket gives the
static package's optimum; tours, ramps, openings, nodes and dated red lines shape the plan; an
infeasible plan is explained; every analysis plans a phased scenario."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forcepack.models import phases
from forcepack.models.errors import ScenarioInputError
from forcepack.models.loading import load_scenario, parse_scenario
from forcepack.models.patch import Patch, PatchError, apply_patch
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams, solve
from forcepack.solver.alternatives import alternatives
from forcepack.solver.check import check
from forcepack.solver.params import default_workers
from forcepack.solver.resilience import resilient
from forcepack.solver.sweep import criticality
from forcepack.solver.whatif import what_if
from forcepack.solver.why_not import why_not
from tests.strategies import small_scenarios

PARAMS = SolveParams(time_limit_s=20, workers=1)

TINY: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "tiny-phased",
    "name": "Tiny phased",
    "horizon": {"start": "2026-01-01", "end": "2026-12-31"},
    "phasing": {"bucket": "month", "nodes": [{"id": "port", "personnel_per_day": 10}]},
    "sectors": [
        {"id": "rafah", "control": "secure"},
        {"id": "north", "control": "secure", "opens": "2026-07-01"},
    ],
    "requirements": [
        {
            "id": "r-inf",
            "sector": "rafah",
            "capability": "infantry",
            "quantity": 1,
            "ramp": [{"starting": "2026-04-01", "quantity": 2}],
        },
        {"id": "n-eng", "sector": "north", "capability": "engineer", "quantity": 1, "priority": "desirable"},
    ],
    "nations": [{"code": "AAA"}, {"code": "BBB"}],
    "offers": [
        {
            "nation": "AAA",
            "units": [
                {"id": "inf", "capability": "infantry", "count": 1, "personnel": 200, "tour_months": 6,
                 "monthly_cost_usd": 1000},
                {"id": "eng", "capability": "engineer", "count": 1, "personnel": 100, "monthly_cost_usd": 500,
                 "available_until": "2026-09-30"},
            ],
        },
        {
            "nation": "BBB",
            "units": [
                {"id": "inf", "capability": "infantry", "count": 2, "personnel": 300, "tour_months": 6,
                 "rotations": 2, "relief_days": 10, "monthly_cost_usd": 1500},
            ],
            "red_lines": [
                {"id": "pause", "kind": "sectors", "exclude": ["north"], "active_from": "2026-10-01",
                 "active_until": "2026-10-31"},
            ],
        },
    ],
}  # fmt: skip


def tiny(**changes: Any) -> Scenario:
    data = yaml.safe_load(yaml.safe_dump(TINY))
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return Scenario.model_validate(data)


def one_bucket(scenario: Scenario, *, phased: bool) -> Scenario:
    """The scenario over January 2026 alone, without windows, without `max_share`; phased with one
    monthly bucket, or static."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["horizon"] = {"start": "2026-01-01", "end": "2026-01-31"}
    for r in data["requirements"]:
        r.pop("needed_from", None)
        r.pop("needed_until", None)
    for o in data["offers"]:
        for u in o["units"]:
            u.pop("available_from", None)
            u.pop("available_until", None)
    data["objective"] = [t for t in data["objective"] if t["criterion"] != "max_share"] or ["shortfall"]
    if phased:
        data["phasing"] = {"bucket": "month"}
    data.pop("expect", None)
    return Scenario.model_validate(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_one_bucket_is_the_static_package(scenario: Scenario) -> None:
    """A phased scenario of one bucket means what the static one means: the same status and, with a
    package, the same optimum on every criterion (the tours' formulation against the static one)."""
    static = one_bucket(scenario, phased=False)
    phased = one_bucket(scenario, phased=True)
    assert len(phases.buckets(phased)) == 1
    a, b = solve(static, PARAMS), solve(phased, PARAMS)
    assert check(static, a) == []
    if a.status != "optimal" or b.status != "optimal":
        assert a.status in ("optimal", "feasible", "infeasible", "unknown")
        assert not (a.status == "infeasible" and b.has_package)
        assert not (b.status == "infeasible" and a.has_package)
        return
    assert [(o.criterion, Fraction(o.value).limit_denominator(10**9)) for o in a.objective] == [
        (o.criterion, Fraction(o.value).limit_denominator(10**9)) for o in b.objective
    ]
    assert b.plan is not None and all(t.arrival == 0 and t.last == 0 for t in b.plan.tours)


def test_the_tiny_plan_rotates_ramps_and_opens() -> None:
    """Tours relieve each other, the ramp is met from April, the north opens in July and its engineer
    leaves when its availability ends; every figure re-verified by the checker."""
    scenario = tiny()
    solution = solve(scenario, PARAMS)
    assert solution.status == "optimal"
    assert check(scenario, solution) == []
    plan = solution.plan
    assert plan is not None and len(plan.buckets) == 12
    filled = {(c.requirement, c.bucket): (c.required, c.provided) for c in plan.coverage}
    assert all(provided >= required for (rid, _), (required, provided) in filled.items() if rid == "r-inf")
    assert filled[("r-inf", 3)][0] == 2 and filled[("r-inf", 2)][0] == 1  # the ramp
    assert min(t for rid, t in filled if rid == "n-eng") == 6  # the north opens in July
    engineer = [t for t in plan.tours if t.unit == "eng"]
    assert engineer and all(t.last <= 8 for t in engineer)  # available until 30 September
    bbb = [t for t in plan.tours if t.nation == "BBB"]
    assert all(t.fills_from == t.arrival + 1 for t in bbb)  # 10 days of relief: one monthly bucket
    assert sum(t.units for t in bbb) <= 2 * 2  # count x rotations
    for load in plan.nodes:
        assert load.personnel_capacity is not None and load.personnel <= load.personnel_capacity
    shortfall = next(o for o in solution.objective if o.criterion == "shortfall")
    # The engineer leaves at the end of September: October to December short, weighted 3, 2, 1.
    assert shortfall.value == 6


def test_a_suspension_ends_tours_and_is_explained() -> None:
    """A dated red line excluding Rafah in October closes BBB's tours there: the second infantry line
    cannot be held in October, the scenario is infeasible, and the explanation names the line."""
    scenario = tiny(**{"offers.1.red_lines.0.exclude": ["rafah"]})
    solution = solve(scenario, PARAMS)
    assert solution.status == "infeasible"
    explanation = solution.explanation
    assert explanation is not None
    assert any(e.id == "r-inf" for e in explanation.conflict)
    effort = explanation.best_effort
    assert effort is not None and effort.package is not None and effort.lines_short == ["r-inf"]


def test_a_node_limits_the_build_up() -> None:
    """A node carrying 5 personnel a day (155 in January) cannot land a 200-strong unit: the first
    line cannot be met in January, whatever else is offered."""
    solution = solve(tiny(**{"phasing.nodes.0.personnel_per_day": 5}), PARAMS)
    assert solution.status == "infeasible"


def with_replacement() -> Scenario:
    """The tiny scenario with a third nation whose dearer infantry could take BBB's place."""
    data = tiny().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["nations"].append({"code": "CCC"})
    data["offers"].append(
        {
            "nation": "CCC",
            "units": [
                {"id": "inf", "capability": "infantry", "count": 2, "personnel": 250, "tour_months": 4,
                 "monthly_cost_usd": 5000},
            ],
        }
    )  # fmt: skip
    return Scenario.model_validate(data)


def test_a_dated_withdrawal_keeps_what_was_deployed() -> None:
    """BBB withdraws from 15 August: every arrival of the buckets before August stays as deployed,
    BBB's tour present in August ends with July, and CCC takes its place from August on."""
    scenario = with_replacement()
    patch = Patch.model_validate(
        {"schema": "forcepack.patch/1", "ops": [{"op": "withdraw", "nations": ["BBB"], "starting": "2026-08-15"}]}
    )
    answer = what_if(scenario, patch, params=PARAMS)
    assert answer.baseline.plan is not None and answer.patched.plan is not None
    assert answer.patched.status == "optimal"
    before = {
        (t.nation, t.unit, t.requirement, t.arrival): t.units for t in answer.baseline.plan.tours if t.arrival < 7
    }
    after = {(t.nation, t.unit, t.requirement, t.arrival): t.units for t in answer.patched.plan.tours if t.arrival < 7}
    assert before == after
    assert any(t.nation == "BBB" for t in answer.baseline.plan.tours if t.last >= 7)  # BBB served past July
    assert all(t.last <= 6 for t in answer.patched.plan.tours if t.nation == "BBB")
    assert any(t.nation == "CCC" for t in answer.patched.plan.tours)
    assert check(apply_patch(scenario, patch), answer.patched) == []


def test_a_dated_withdrawal_needs_a_phased_scenario() -> None:
    """A withdrawal with a day on a static scenario is a patch error naming the field."""
    data = tiny().model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("phasing")
    for sector in data["sectors"]:
        sector.pop("opens", None)
    data["requirements"][0].pop("ramp")
    for offer in data["offers"]:
        for unit in offer["units"]:
            for name in ("tour_months", "rotations", "relief_days"):
                unit.pop(name, None)
        offer["red_lines"] = []
    patch = Patch.model_validate(
        {"schema": "forcepack.patch/1", "ops": [{"op": "withdraw", "nations": ["BBB"], "starting": "2026-08-15"}]}
    )
    with pytest.raises(PatchError, match=r"ops\[0\]\.starting: a dated withdrawal needs a phased scenario"):
        apply_patch(Scenario.model_validate(data), patch)


def test_criticality_of_a_phased_plan() -> None:
    """Each nation's withdrawal re-plans the whole horizon: without BBB, CCC's infantry replaces it."""
    answer = criticality(with_replacement(), PARAMS)
    rows = {row.nations[0]: row for row in answer.withdrawals}
    assert set(rows) == {"AAA", "BBB"}
    assert rows["BBB"].status == "optimal"


def test_alternatives_of_a_phased_scenario_are_plans() -> None:
    """Alternatives plan a phased scenario: each package a plan."""
    answer = alternatives(tiny(), 2, params=PARAMS)
    assert answer.packages[0].plan is not None


def _tours(solution: Solution) -> dict[tuple[str, str, str, int, int], int]:
    assert solution.plan is not None
    return {(t.nation, t.unit, t.requirement, t.arrival, t.last): t.units for t in solution.plan.tours}


def test_resilient_plan_survives_each_withdrawal_keeping_every_other_tour() -> None:
    """With CCC's dearer infantry beside them, the plan survives AAA's and BBB's withdrawals: each
    fallback is a plan the checker passes in the scenario without that nation, holds every tour of
    the other nations as planned (same unit, line, arrival and last bucket, no fewer units), and
    none of the withdrawn nation's."""
    scenario = with_replacement()
    answer = resilient(scenario, PARAMS)
    assert check(scenario, answer.package) == []
    assert answer.fatal == [] and answer.summary.startswith("This package survives every single withdrawal")
    planned = _tours(answer.package)
    assert {f.nation for f in answer.fallbacks} == {n.nation for n in answer.package.nations}
    for fallback in answer.fallbacks:
        without = apply_patch(scenario, Patch.withdraw(fallback.nation))
        assert check(without, fallback.package) == [], fallback.nation
        kept = _tours(fallback.package)
        for key, units in planned.items():
            if key[0] != fallback.nation:
                assert kept.get(key, 0) >= units, (fallback.nation, key)
        assert all(key[0] != fallback.nation for key in kept)


def test_resilient_plan_pays_to_survive_when_the_best_plan_cannot() -> None:
    """CCC will not serve alongside AAA: the best plan (AAA and BBB) cannot survive BBB's withdrawal
    (keeping AAA's tours leaves CCC out), so the resilient plan pays for one that survives both; its
    cost against the best plan is stated, and the checker passes it."""
    data = with_replacement().model_dump(mode="json", by_alias=True, exclude_none=True)
    ccc = next(o for o in data["offers"] if o["nation"] == "CCC")
    ccc["red_lines"] = [{"id": "ccc-apart", "kind": "not_alongside", "nations": ["AAA"]}]
    scenario = Scenario.model_validate(data)
    best = solve(scenario, PARAMS)
    answer = resilient(scenario, PARAMS, plain=best)
    assert check(scenario, answer.package) == [] and answer.fatal == [] and answer.most_proven
    assert "AAA" in {n.nation for n in best.nations} and "AAA" not in {n.nation for n in answer.package.nations}
    worse = [d for d in answer.cost_of_resilience if d.delta > 0]
    assert worse and "at a cost: " in answer.summary


def test_resilient_plan_too_large_to_copy_tries_the_best_plans_withdrawals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a copy of the scenario per withdrawal would exceed the terms built at once, the best plan
    stands and each of its withdrawals is still tried: the same scenario as above keeps AAA, and
    BBB's withdrawal is fatal, the summary saying that the search was not made and why."""
    import forcepack.solver.resilience as resilience

    data = with_replacement().model_dump(mode="json", by_alias=True, exclude_none=True)
    ccc = next(o for o in data["offers"] if o["nation"] == "CCC")
    ccc["red_lines"] = [{"id": "ccc-apart", "kind": "not_alongside", "nations": ["AAA"]}]
    scenario = Scenario.model_validate(data)
    best = solve(scenario, PARAMS)
    monkeypatch.setattr(resilience, "MOST_TERMS", 1_000)
    answer = resilient(scenario, PARAMS, plain=best)
    assert _tours(answer.package) == _tours(best) and not answer.most_proven
    assert "BBB" in {f.nation for f in answer.fatal}
    assert "(the best package's own)" in answer.summary
    assert answer.summary.endswith("terms, over the 1,000 built at once.")
    assert all(d.delta == 0 for d in answer.cost_of_resilience)


def test_resilient_plan_over_the_budget_says_so_even_when_it_survives_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the terms built at once, the best plan stands: it survives every withdrawal here, which
    is said without a note, and `searched` stays false (no search was made)."""
    import forcepack.solver.resilience as resilience

    monkeypatch.setattr(resilience, "MOST_TERMS", 1_000)
    answer = resilient(with_replacement(), PARAMS)
    assert not answer.searched and answer.most_proven and not answer.fatal
    assert answer.summary == "This package survives every single withdrawal, at no cost against the best package."


def test_resilient_summary_keeps_undecided_withdrawals_apart_from_fatal_ones() -> None:
    """A withdrawal whose fallback search ran out of time is not fatal: the summary says it is not
    decided, claims no proof, and a fatal one is named as fatal."""
    from forcepack.models.analysis import Fatal
    from forcepack.solver.resilience import _summary

    best = solve(with_replacement(), PARAMS)
    late = Fatal(nation="BBB", reason="no fallback was found within the time limit, and none is proven impossible")
    text = _summary(best, [], [late], [], proven=False)
    assert text.startswith("This package is not known to survive every single withdrawal: it survives the withdrawal")
    assert text.endswith("Not decided within the time limit: BBB: " + late.reason + ".")
    assert "Fatal" not in text
    lost = Fatal(nation="AAA", reason="no package exists without AAA")
    both = _summary(best, [lost], [late], [], proven=True)
    assert both.startswith("No package survives every single withdrawal. This one survives none of the withdrawals")
    assert "(no package has fewer fatal withdrawals)" in both and "Fatal: AAA: no package exists without AAA." in both


def test_resilient_plan_of_a_scenario_without_a_plan_searches_nothing() -> None:
    """No plan at all (the Rafah infantry asks for 9 units where 3 are offered): the answer says so,
    with no fallback and no search claimed."""
    answer = resilient(tiny(**{"requirements.0.quantity": 9}), PARAMS)
    assert not answer.package.has_package and answer.summary == "No package exists at all."
    assert (answer.searched, answer.most_proven, answer.fallbacks, answer.fatal) == (False, False, [], [])


def test_resilient_plan_names_a_fatal_withdrawal_with_its_reason() -> None:
    """Without CCC, neither nation alone fills the Rafah infantry from April: both withdrawals are
    fatal, each with the line it gives up."""
    answer = resilient(tiny(), PARAMS)
    assert {f.nation for f in answer.fatal} == {"AAA", "BBB"}
    for fatal in answer.fatal:
        assert fatal.reason == f"no package exists without {fatal.nation}: it gives up the essential line `r-inf`"
    assert "survives none of the withdrawals of its 2 nations" in answer.summary


def test_a_kept_tour_is_held_as_planned() -> None:
    """`keep:NATION/id@LINE#A-L=N` holds N units on that very tour: CCC's infantry kept on its first
    tour puts it in the plan the solver returns, from January to April."""
    scenario = with_replacement()
    found = solve(scenario, PARAMS, include=["keep:CCC/inf@r-inf#0-3=1"])
    assert check(scenario, found) == []
    assert _tours(found).get(("CCC", "inf", "r-inf", 0, 3), 0) >= 1


def test_why_not_a_line_short_in_time_names_the_buckets_and_the_cause() -> None:
    """The north's engineers are needed from July to December; AAA's one engineer is available until
    September: the line is short in October to December, and asking for it in full in every bucket
    names the availability that keeps it out."""
    answer = why_not(tiny(), "n-eng", PARAMS)
    assert not answer.in_package and answer.optimum.plan is not None
    assert "needed in 6 months (month 7 .. month 12" in answer.summary
    assert "short in 3 months (month 10 .. month 12" in answer.summary
    assert "available until 2026-09-30" in answer.summary
    assert answer.with_subject is not None and not answer.with_subject.has_package


def test_why_not_a_nation_left_out_of_a_plan_prices_the_plan_with_it() -> None:
    """CCC's infantry is the dearer replacement: the best plan with CCC in it passes the checker, has
    CCC on tour, and costs more than the optimum by the delta it reports."""
    scenario = with_replacement()
    answer = why_not(scenario, "CCC", PARAMS)
    assert not answer.in_package
    assert answer.with_subject is not None and answer.with_subject.plan is not None
    assert any(t.nation == "CCC" for t in answer.with_subject.plan.tours)
    assert check(scenario, answer.with_subject) == []
    cost = next(d for d in answer.deltas if d.criterion == "cost")
    assert cost.delta > 0 and cost.with_subject == answer.with_subject.objective_value("cost")


def weekly_tiny() -> Scenario:
    """The tiny scenario in weeks: 6-month tours span 26 buckets, so presence is written recursively
    (the port carries a unit a week)."""
    return tiny(**{"phasing.bucket": "week", "phasing.nodes.0.personnel_per_day": 50})


@pytest.mark.parametrize("source", ["tiny-weekly", "examples/gaza-phased.yaml"])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weights=st.lists(st.integers(-5, 5), min_size=64, max_size=64))
def test_presence_written_recursively_is_the_sum_of_the_tours_there(source: str, weights: list[int]) -> None:
    """`PhasedBuilder.on` defines an option's units present (or filling) in a bucket from the bucket
    before; in any package the solver finds, under any objective, it equals the sum of the tours
    present (filling) there, as the dense definition and the checker read it."""
    from ortools.sat.python import cp_model

    from forcepack.models.loading import load_scenario
    from forcepack.solver.phased import PhasedBuilder

    scenario = weekly_tiny() if source == "tiny-weekly" else load_scenario(source)
    builder = PhasedBuilder(scenario)
    built = builder.build()
    tours = list(builder.tours.values())
    built.model.maximize(sum(weights[i % len(weights)] * var for i, var in enumerate(tours)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 120  # a backstop only: the search stops at its first package
    solver.parameters.stop_after_first_solution = True
    solver.parameters.num_workers = 1
    status = solver.solve(built.model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    recursive = 0
    for c in builder.pairs():
        for t in range(len(builder.buckets)):
            for filling in (False, True):
                var = builder.on(c, t, filling=filling)
                expected = sum(
                    solver.value(v)
                    for tour, v in builder.spans_of(c)
                    if (tour.fills(t) if filling else tour.present(t))
                )
                assert (0 if var is None else solver.value(var)) == expected, (c.key, c.requirement.id, t, filling)
                recursive += var is not None and var.name.split("[", 1)[0] in ("on", "fill")
    assert recursive > 0  # the recursion was exercised, not only single tours


def test_a_plan_is_searched_by_the_default_workers_unless_told() -> None:
    """By default a phased scenario and a static one are searched by `default_workers()` workers (more
    than one); workers asked for, or a deterministic solve (one worker), are kept."""
    plan = solve(tiny(), SolveParams(time_limit_s=20))
    assert plan.run.workers == default_workers() > 1
    assert check(tiny(), plan) == []
    static = load_scenario("examples/tutorial.yaml")
    assert static.phasing is None
    assert solve(static, SolveParams(time_limit_s=20)).run.workers == default_workers()
    assert solve(tiny(), SolveParams(time_limit_s=20, workers=1)).run.workers == 1
    assert solve(tiny(), SolveParams(time_limit_s=20, deterministic=True)).run.workers == 1


def _vetoed(**veto: Any) -> Scenario:
    data = with_replacement().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["vetoes"] = [{"id": "v-ccc", "by": "Host", "against": ["CCC"], "scope": "units", **veto}]
    return parse_scenario(data)


def test_why_not_a_nation_vetoed_throughout_names_the_veto_without_a_search() -> None:
    """CCC's units are vetoed over the whole horizon: the answer names the veto alone (no forced
    solve, whose explanation on a relaxable model of every bucket could be cut short); a veto that
    lifts in October leaves CCC a way in, which the forced solve prices."""
    answer = why_not(_vetoed(), "CCC", PARAMS)
    units = next(p for p in answer.parts if p.aspect == "units")
    assert not units.in_package and units.with_subject is None
    assert "no line is open to CCC's units in any month of the horizon" in units.summary
    assert "veto `v-ccc`" in units.summary
    lifted = why_not(_vetoed(active_until="2026-09-30"), "CCC", PARAMS)
    units = next(p for p in lifted.parts if p.aspect == "units")
    assert "no line is open" not in units.summary
    assert units.with_subject is not None and units.with_subject.plan is not None
    assert all(t.arrival >= 9 for t in units.with_subject.plan.tours if t.nation == "CCC")


@pytest.mark.parametrize(
    ("unproven", "words"),
    [
        ((), None),
        (("forced",), ", at most: the search with it stopped at the time limit"),
        (("forced", "optimum"), ", not proven: the best package itself stopped at the time limit"),
    ],
)
def test_why_not_says_when_its_price_is_not_proven(
    unproven: tuple[str, ...], words: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A price read from a package with the subject that the time limit stopped is at most the
    difference; when the best package was not proven either, it is no price at all. (The solves are
    marked unproven after the fact, so the test does not hang on the machine's speed.)"""
    from forcepack.solver import why_not as module

    real = module.solve

    def solve_marked(scenario: Scenario, params: SolveParams, **kwargs: Any) -> Any:
        answer = real(scenario, params, **kwargs)
        forced = bool(kwargs.get("include"))
        if ("forced" if forced else "optimum") in unproven:
            return answer.model_copy(update={"status": "feasible"})
        return answer

    monkeypatch.setattr(module, "solve", solve_marked)
    answer = why_not(with_replacement(), "CCC", PARAMS)
    assert "can be had at a price: cost" in answer.summary
    if words is None:
        assert "at most" not in answer.summary and "not proven" not in answer.summary
    else:
        assert words in answer.summary


def test_why_not_a_line_counts_a_dated_veto_only_while_it_binds() -> None:
    """A veto on CCC's units until the end of September keeps CCC's infantry off `r-inf` for part of
    the time, not whenever the line is needed: the line's supply says so with the months, and CCC's
    infantry is not counted as kept out."""
    answer = why_not(_vetoed(active_until="2026-09-30"), "r-inf", PARAMS)
    row = next(s for s in answer.supply if s.nation == "CCC")
    assert row.kept_out_by and all("(in 9 months (month 1 .. month 9" in r for r in row.kept_out_by)
    assert "of which" not in answer.summary
    assert "veto `v-ccc`" in answer.summary.partition("kept out for part of the time: ")[2]
    whole = why_not(_vetoed(), "r-inf", PARAMS)
    assert "kept out: veto `v-ccc`" in whole.summary
    assert "veto" not in whole.summary.partition("for part of the time")[2]


# One engineer unit for one 2-month tour, over four months of need: short two months either way.
ONE_TOUR: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "one-tour",
    "name": "One tour of two months over four",
    "horizon": {"start": "2026-01-01", "end": "2026-04-30"},
    "cost": {"personnel_rate_usd": 1000},
    "phasing": {"bucket": "month", "front_loaded": False},
    "sectors": [{"id": "alpha", "control": "secure"}],
    "requirements": [{"id": "a-eng", "sector": "alpha", "capability": "engineer", "quantity": 1,
                      "priority": "desirable"}],
    "nations": [{"code": "AAA"}],
    "offers": [{"nation": "AAA", "units": [{"id": "a-eng", "capability": "engineer", "count": 1, "personnel": 100,
                                           "self_funded": True, "tour_months": 2, "rotations": 1}]}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("objective", "full_from", "waiting"),
    [(["shortfall", "foc", "cost"], 2, 2), (["shortfall", "cost", "foc"], 2, 2), (["foc"], 2, 2)],
)
def test_foc_prefers_the_plan_full_soonest_and_for_good(objective: list[str], full_from: int, waiting: int) -> None:
    """Filling January-February or March-April leaves the line short two months either way; `foc`
    prefers March-April: the sector is then full from March on (two months waiting), where the other
    plan never gets there (four). The checker recomputes the value from the plan."""
    scenario = parse_scenario({**ONE_TOUR, "objective": objective})
    solution = solve(scenario, PARAMS)
    assert solution.status == "optimal" and check(scenario, solution) == []
    assert solution.plan is not None
    assert [(s.sector, s.full_from) for s in solution.plan.sectors] == [("alpha", full_from)]
    assert [(t.arrival, t.last) for t in solution.plan.tours] == [(2, 3)]
    assert solution.objective_value("foc") == waiting


def test_foc_is_refused_in_a_static_scenario() -> None:
    """`foc` needs buckets: a static scenario naming it is refused, naming the objective's term."""
    static = {k: v for k, v in ONE_TOUR.items() if k != "phasing"}
    static["offers"] = [{"nation": "AAA", "units": [{"id": "a-eng", "capability": "engineer", "count": 1,
                                                      "personnel": 100}]}]  # fmt: skip
    with pytest.raises(ScenarioInputError) as info:
        parse_scenario({**static, "objective": ["shortfall", "foc"]})
    assert info.value.problems == [
        "objective[1]: `foc` (the buckets each sector waits for full operational capability) is a time criterion: "
        "a time field needs `phasing` (the scenario's time buckets)"
    ]


@pytest.mark.parametrize(
    ("ramp", "available_from", "full_from", "waiting"),
    [
        # 1 from January, 0 from April; the only unit from May: never full (was: "full from April", the
        # months asking for nothing counted as full).
        ([{"starting": "2026-04-01", "quantity": 0}], "2026-05-01", None, 3),
        # 1 in January, 0 in February and March, 1 again from April; the unit from April: full from April
        # (was: from February), January waiting.
        (
            [{"starting": "2026-02-01", "quantity": 0}, {"starting": "2026-04-01", "quantity": 1}],
            "2026-04-01",
            3,
            1,
        ),
    ],
)
def test_foc_counts_only_the_buckets_that_ask_for_something(
    ramp: list[dict[str, Any]], available_from: str, full_from: int | None, waiting: int
) -> None:
    """Full operational capability is reached in a bucket asking for something: a ramp down to 0 is no
    step towards it. The plan's `full_from`, the `foc` value and the checker agree."""
    data = copy.deepcopy(ONE_TOUR)
    data["horizon"]["end"] = "2026-06-30"
    data["requirements"][0]["ramp"] = ramp
    unit = data["offers"][0]["units"][0]
    unit.update({"available_from": available_from})
    del unit["tour_months"], unit["rotations"]
    scenario = parse_scenario({**data, "objective": ["shortfall", "foc", "cost"]})
    solution = solve(scenario, PARAMS)
    assert solution.has_package and check(scenario, solution) == []
    assert solution.plan is not None
    assert [(s.sector, s.full_from) for s in solution.plan.sectors] == [("alpha", full_from)]
    assert solution.objective_value("foc") == waiting
