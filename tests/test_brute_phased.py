"""Tests of the exhaustive search for phased plans on tiny scenarios whose optimum is worked by hand.

Every hand-built scenario runs January to April 2026 in monthly buckets (0 = January, T = 4: a
front-loaded shortfall weighs 4, 3, 2, 1), in one secure sector, with monthly costs stated.
Months paid: January-April 4, January-February 2, February-April 3, March-April 2.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, note, settings

from forcepack.models import Scenario, parse_scenario, scenario_from_text
from forcepack.solver import SolveParams, solve
from forcepack.solver.alternatives import alternatives, placements
from forcepack.solver.check import check
from tests.brute_phased import PhasedBruteResult, brute_force_phased, plans
from tests.strategies import tiny_phased_scenarios

MAX_PLANS = 2_000
PARAMS = SolveParams(time_limit_s=20, workers=1, seed=0, deterministic=True)


def _unit(uid: str, monthly: int = 100_000, **fields: Any) -> dict[str, Any]:
    return {"id": uid, "capability": "engineer", "count": 1, "personnel": 100, "monthly_cost_usd": monthly} | fields


def _line(rid: str, **fields: Any) -> dict[str, Any]:
    return {"id": rid, "sector": "s1", "capability": "engineer", "quantity": 1} | fields


def _scenario(
    requirements: list[dict[str, Any]],
    offers: dict[str, dict[str, Any]],
    objective: list[str],
    phasing: dict[str, Any] | None = None,
    **fields: Any,
) -> Scenario:
    """A phased scenario of the given lines and offers (nation code -> offer fields)."""
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "hand-built-phased",
        "name": "Hand-built phased",
        "horizon": {"start": "2026-01-01", "end": "2026-04-30"},
        "mandate": {"resolution": True, "ceasefire": True},
        "phasing": {"bucket": "month"} | (phasing or {}),
        "sectors": [{"id": "s1", "control": "secure"}],
        "requirements": requirements,
        "nations": [{"code": code} for code in offers],
        "offers": [{"nation": code} | offer for code, offer in offers.items()],
        "objective": objective,
    }
    return parse_scenario(data | fields)


def _solve(scenario: Scenario) -> PhasedBruteResult:
    return brute_force_phased(scenario, MAX_PLANS)


def _tours(result: PhasedBruteResult) -> set[tuple[Any, ...]]:
    assert result.best is not None
    return set(result.best.tours)


def test_brute_phased_relieves_a_tour_and_takes_the_cheaper_unit_for_the_other_line() -> None:
    """Two lines of one engineer each: BBB's (USD 50,000 a month, no tour limit) serves one for 4 months,
    AAA's (USD 100,000, 2-month tours, two units) the other in two tours: USD 200,000 + 400,000, nothing short."""
    scenario = _scenario(
        [_line("r1"), _line("r2", priority="desirable")],
        {
            "AAA": {"units": [_unit("a", count=2, tour_months=2)]},
            "BBB": {"units": [_unit("b", monthly=50_000)]},
        },
        ["shortfall", "cost", "nations"],
    )
    result = _solve(scenario)
    assert result.status == "optimal"
    assert result.objective == (0.0, 600_000.0, 2.0)
    tours = _tours(result)
    assert {t[3:] for t in tours if t[0] == "AAA/a"} == {(0, 1), (2, 3)}
    assert any(t[0] == "BBB/b" and t[3:] == (0, 3) for t in tours)


def test_brute_phased_replaces_a_contingent_that_suspends_its_deployment() -> None:
    """AAA's cheap engineer suspends its deployment from March: it serves January-February (USD 100,000)
    and BBB's arrives in March for March-April (USD 200,000). Without the suspension AAA serves alone."""
    lines = [_line("r1")]
    offers: dict[str, dict[str, Any]] = {
        "AAA": {
            "units": [_unit("a", monthly=50_000)],
            "red_lines": [{"id": "suspension", "kind": "sectors", "exclude": ["s1"], "active_from": "2026-03-01"}],
        },
        "BBB": {"units": [_unit("b")]},
    }
    result = _solve(_scenario(lines, offers, ["shortfall", "cost", "nations"]))
    assert result.objective == (0.0, 300_000.0, 2.0)
    assert _tours(result) == {("AAA/a", "r1", 1, 0, 1), ("BBB/b", "r1", 1, 2, 3)}

    offers["AAA"]["red_lines"] = []
    assert _solve(_scenario(lines, offers, ["shortfall", "cost", "nations"])).objective == (0.0, 200_000.0, 1.0)


@pytest.mark.parametrize(("readiness", "status"), [("rapid", "optimal"), ("mou", "infeasible")])
def test_brute_phased_readiness_after_the_request_decides_who_is_there_first(readiness: str, status: str) -> None:
    """Requested on 1 November 2025: a rapid unit is ready on 31 December and fills January; one at
    mou level is ready on 30 January, arrives in February, and the essential line is short in January."""
    scenario = _scenario(
        [_line("r1")],
        {"AAA": {"units": [_unit("a", readiness=readiness)]}},
        ["shortfall", "cost"],
        {"requested": "2025-11-01"},
    )
    result = _solve(scenario)
    assert result.status == status
    assert result.tried > 0


@pytest.mark.parametrize(("front_loaded", "shortfall", "served"), [(True, 3.0, "early"), (False, 2.0, None)])
def test_brute_phased_front_loading_prefers_the_early_line(
    front_loaded: bool, shortfall: float, served: str | None
) -> None:
    """One engineer, one tour: `early` is needed January-February, `late` March-April. Front-loaded,
    serving `early` leaves `late` short in buckets weighing 2 + 1 = 3 (serving `late`: 4 + 3 = 7);
    unweighted, either costs 2."""
    scenario = _scenario(
        [
            _line("early", priority="desirable", needed_until="2026-02-28"),
            _line("late", priority="desirable", needed_from="2026-03-01"),
        ],
        {"AAA": {"units": [_unit("a", rotations=1)]}},
        ["shortfall"],
        {"front_loaded": front_loaded},
    )
    result = _solve(scenario)
    assert result.objective == (shortfall,)
    if served is not None:
        assert _tours(result) == {("AAA/a", served, 1, 0, 1)}
    else:
        assert {tuple(sorted(p.tours)) for p in result.optimal} == {
            (("AAA/a", "early", 1, 0, 1),),
            (("AAA/a", "late", 1, 2, 3),),
        }


def test_brute_phased_a_node_of_entry_staggers_arrivals() -> None:
    """Two engineers (100 people each, a month of relief) for a line of 2 from February; the gate carries
    4 people a day (124 in January, 112 in February): one arrives in January, one in February, and the
    line is half short in February (weight 3): shortfall 1.5, cost 400,000 + 300,000. Without the
    gate both arrive in January: nothing short, USD 800,000."""
    lines = [_line("r1", quantity=2, priority="desirable", needed_from="2026-02-01")]
    offers = {"AAA": {"units": [_unit("a", count=2, relief_days=10)]}}
    gated = _solve(_scenario(lines, offers, ["shortfall", "cost"], {"nodes": [{"id": "gate", "personnel_per_day": 4}]}))
    assert gated.objective == (1.5, 700_000.0)
    assert _tours(gated) == {("AAA/a", "r1", 1, 0, 3), ("AAA/a", "r1", 1, 1, 3)}
    assert gated.best is not None and gated.best.solution.plan is not None
    assert [(f.node, f.bucket, f.personnel) for f in gated.best.solution.plan.flows] == [
        ("gate", 0, 100),
        ("gate", 1, 100),
    ]
    free = _solve(_scenario(lines, offers, ["shortfall", "cost"]))
    assert free.objective == (0.0, 800_000.0)


@pytest.mark.parametrize(("holds_until", "status"), [(None, "optimal"), ("2026-02-28", "infeasible")])
def test_brute_phased_money_of_a_donor_whose_condition_lapses_cannot_pay(holds_until: str | None, status: str) -> None:
    """The tours (USD 400,000) must be paid in full; the only donor funds while the ceasefire holds. If
    it stops holding in March, the donor is barred altogether (money is not phased)."""
    conditions = [{"condition": "ceasefire", "holds_until": holds_until}] if holds_until else []
    scenario = _scenario(
        [_line("r1")],
        {
            "AAA": {"units": [_unit("a")]},
            "DDD": {
                "funding": [{"id": "d", "amount_usd": 1_000_000}],
                "red_lines": [{"id": "d-cf", "kind": "requires_mandate", "conditions": ["ceasefire"]}],
            },
        },
        ["shortfall", "cost"],
        {"conditions": conditions},
        targets={"funding_coverage": 1.0},
    )
    result = _solve(scenario)
    assert result.status == status
    if result.best is not None:
        assert result.best.money == (("DDD/d", "engineer", 400_000),)


def test_brute_phased_refuses_a_scenario_too_large() -> None:
    """Past `max_plans`, the search says so instead of running for hours."""
    scenario = _scenario(
        [_line("r1", quantity=2), _line("r2", quantity=2, priority="desirable")],
        {code: {"units": [_unit(code.lower(), count=2, tour_months=1)]} for code in ("AAA", "BBB", "CCC")},
        ["shortfall", "cost"],
    )
    with pytest.raises(ValueError, match="exceed max_plans=10"):
        brute_force_phased(scenario, 10)


def _lexicographic(scenario: Scenario, values: tuple[float, ...]) -> tuple[Fraction, ...]:
    """Objective values as a key where smaller is better on every criterion."""
    maximised = {"nations", "readiness"}
    return tuple(
        -Fraction(v) if t.criterion in maximised else Fraction(v)
        for t, v in zip(scenario.objective, values, strict=True)
    )


@settings(max_examples=25, deadline=None)
@given(tiny_phased_scenarios())
def test_brute_phased_optimum_is_accepted_and_agrees_with_its_document(scenario: Scenario) -> None:
    """The optimum plan's document passes the checker, and reports the optimum the search computed
    exactly: the builder, the checker and the search read the objective alike."""
    try:
        result = brute_force_phased(scenario, MAX_PLANS)
    except ValueError:
        assume(False)
        return
    if result.best is None:
        assert result.status == "infeasible" and result.accepted == 0
        return
    assert check(scenario, result.best.solution) == []
    reported = tuple(o.value for o in result.best.solution.objective)
    assert reported == pytest.approx(result.objective, rel=1e-9, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(tiny_phased_scenarios())
def test_brute_phased_withdrawing_a_unit_line_never_improves_the_optimum(scenario: Scenario) -> None:
    """Every plan without a unit line is a plan of the scenario with it: withdrawing one can only keep or
    worsen the lexicographic optimum, and never makes an infeasible scenario feasible."""
    offers = [o for o in scenario.offers if o.units]
    assume(offers)
    try:
        full = brute_force_phased(scenario, MAX_PLANS)
    except ValueError:
        assume(False)
        return
    offer = offers[0]
    reduced_scenario = scenario.model_copy(
        update={"offers": [o.model_copy(update={"units": o.units[1:]}) if o is offer else o for o in scenario.offers]}
    )
    assert sum(1 for _ in plans(reduced_scenario, MAX_PLANS)) <= sum(1 for _ in plans(scenario, MAX_PLANS))
    reduced = brute_force_phased(reduced_scenario, MAX_PLANS)
    if full.status == "infeasible":
        assert reduced.status == "infeasible"
    elif reduced.status == "optimal":
        assert _lexicographic(scenario, full.objective) <= _lexicographic(scenario, reduced.objective)


ALTERNATIVES_ASKED = 6


@settings(max_examples=40, deadline=None)
@given(tiny_phased_scenarios())
def test_phased_alternatives_are_the_optimal_placements_brute_force_finds(scenario: Scenario) -> None:
    """Alternatives of a phased scenario at no tolerance, differing in one placement: each a plan the
    checker passes whose placements (nation, sector) are those of an optimal plan of the exhaustive
    search, no two alike; when the search says no other exists, it found every such set."""
    assume(all(not t.tolerance for t in scenario.objective))
    note(scenario.canonical_json())
    try:
        result = brute_force_phased(scenario, MAX_PLANS)
    except ValueError:
        assume(False)
        return
    answer = alternatives(
        scenario,
        ALTERNATIVES_ASKED,
        tolerance=0.0,
        params=PARAMS,
    )
    for package in answer.packages:
        assert check(scenario, package) == []
    if result.status == "infeasible":
        assert not answer.packages[0].has_package
        return
    found = [placements(p) for p in answer.packages]
    optimal = {placements(p.solution) for p in result.optimal}
    assert len(set(found)) == len(found)
    assert set(found) <= optimal
    if answer.exhausted:
        assert len(found) == len(optimal)
    else:
        assert len(found) == ALTERNATIVES_ASKED


def _two_nations(n1_unit: str, n2_unit: str, n2_red_lines: str, lines: int) -> Scenario:
    """Three months, one sector, `lines` engineer lines of 1 unit, N1's and N2's units as given."""
    requirements = ", ".join(
        f"{{id: r{i}, sector: s1, capability: engineer, quantity: 1, priority: desirable}}" for i in range(1, lines + 1)
    )
    return scenario_from_text(
        f"""schema: forcepack.scenario/1
id: two-nations
name: Two nations
horizon: {{start: 2026-01-01, end: 2026-03-31}}
phasing: {{bucket: month}}
sectors: [{{id: s1, control: secure}}]
requirements: [{requirements}]
nations: [{{code: N1}}, {{code: N2}}]
offers:
  - {{nation: N1, units: [{n1_unit}]}}
  - {{nation: N2, units: [{n2_unit}], red_lines: [{n2_red_lines}]}}
objective: [shortfall]
"""
    )


def test_a_partner_needed_until_january_does_not_bind_a_deployment_from_february() -> None:
    """N2 takes part only alongside N1 until 31 January, and N1 offers no engineers: N2 still serves February
    and March alone (the exhaustive search's optimum), where the model once held the red line over
    the whole plan and deployed nobody."""
    scenario = _two_nations(
        "{id: n1-u, capability: medical_role2, count: 1, personnel: 50}",
        "{id: n2-u, capability: engineer, count: 1, personnel: 50}",
        "{id: n2-rl, kind: requires_partner, nations: [N1], min: 1, active_until: 2026-01-31}",
        lines=2,
    )
    solution = solve(scenario, PARAMS)
    assert check(scenario, solution) == []
    assert (solution.objective_value("shortfall"),) == brute_force_phased(scenario, MAX_PLANS).objective
    assert solution.plan is not None
    assert {(t.nation, t.arrival) for t in solution.plan.tours} == {("N2", 1)}  # February, staying to March


def test_phased_alternatives_count_every_tour_of_a_unit_in_a_sector() -> None:
    """N2's one unit serves three one-month tours on the line; N1's may serve January: the package
    without N1 (N2 in every month) is an alternative, found and passed by the checker, where the
    model once bounded a unit's tours in a sector by its count and proved none existed."""
    scenario = _two_nations(
        "{id: n1-u, capability: engineer, count: 1, personnel: 50, available_until: 2026-02-14}",
        "{id: n2-u, capability: engineer, count: 1, personnel: 50, tour_months: 1}",
        "",
        lines=1,
    )
    answer = alternatives(scenario, 6, tolerance=0.0, params=PARAMS)
    assert {placements(p) for p in answer.packages} == {
        placements(p.solution) for p in brute_force_phased(scenario, MAX_PLANS).optimal
    }
    assert len(answer.packages) == 2
    for package in answer.packages:
        assert check(scenario, package) == []


@settings(max_examples=60, deadline=None)
@given(tiny_phased_scenarios())
def test_phased_solver_optimum_is_the_exhaustive_searchs(scenario: Scenario) -> None:
    """On tiny phased scenarios the solver's plan passes the checker and is as good as the best of
    every plan the exhaustive search enumerates: on the first criterion always, on every criterion
    when no criterion has a tolerance; it proves infeasible exactly the scenarios with no plan."""
    note(scenario.canonical_json())
    try:
        result = brute_force_phased(scenario, MAX_PLANS)
    except ValueError:
        assume(False)
        return
    solution = solve(scenario, PARAMS)
    assert check(scenario, solution) == []
    if result.status == "infeasible":
        assert solution.status == "infeasible"
        return
    assert solution.status == "optimal"
    found = _lexicographic(scenario, tuple(o.value for o in solution.objective))
    best = _lexicographic(scenario, result.objective)
    if any(t.tolerance for t in scenario.objective):
        assert found[0] == best[0]
    else:
        assert found == best
