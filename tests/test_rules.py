"""One test per rule: a tiny scenario where the rule changes the answer, asserting the exact package.

Each test solves the scenario with the rule and without it (or with it relaxed), so a test fails
if the solver ever stops enforcing the rule; every package also goes through the checker.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from forcepack.models import Scenario, Solution, parse_scenario
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check

PARAMS = SolveParams(time_limit_s=20, workers=1, seed=0, deterministic=True)


def base(**overrides: Any) -> dict[str, Any]:
    """Two sectors (secure alpha, contested bravo), three nations, no offers yet."""
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "rule-test",
        "name": "Rule test",
        "horizon": {"start": "2026-01-01", "end": "2026-12-31"},
        "mandate": {"resolution": True, "ceasefire": False},
        "sectors": [
            {"id": "alpha", "control": "secure"},
            {"id": "bravo", "control": "contested"},
            {"id": "charlie", "control": "hostile"},
        ],
        "requirements": [],
        "nations": [
            {"code": "AAA", "groups": ["g1"]},
            {"code": "BBB", "groups": ["g1"]},
            {"code": "CCC", "groups": ["g2"]},
            {"code": "DDD", "groups": ["g2"]},
        ],
        "offers": [],
        "objective": ["shortfall", "cost"],
    }
    data.update(overrides)
    return data


def line(rid: str, sector: str = "alpha", capability: str = "engineer", quantity: int = 1, **kw: Any) -> dict[str, Any]:
    return {"id": rid, "sector": sector, "capability": capability, "quantity": quantity, **kw}


def unit(uid: str, capability: str = "engineer", personnel: int = 100, count: int = 1, **kw: Any) -> dict[str, Any]:
    return {"id": uid, "capability": capability, "personnel": personnel, "count": count, **kw}


def offer(nation: str, units: list[dict[str, Any]] = (), **kw: Any) -> dict[str, Any]:  # type: ignore[assignment]
    return {"nation": nation, "units": list(units), **kw}


def solved(data: dict[str, Any]) -> tuple[Scenario, Solution]:
    scenario = parse_scenario(data)
    solution = solve(scenario, PARAMS)
    assert check(scenario, solution) == []
    return scenario, solution


def package(data: dict[str, Any]) -> dict[tuple[str, str], int] | None:
    """The package of a scenario as {(unit, line): units}, or None when infeasible; checked."""
    _, solution = solved(data)
    if not solution.has_package:
        assert solution.status == "infeasible"
        return None
    assert solution.status == "optimal"
    return {(a.unit, a.requirement): a.units for a in solution.assignments}


def without_red_line(data: dict[str, Any], red_line_id: str) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for o in data["offers"]:
        o["red_lines"] = [r for r in o.get("red_lines", []) if r["id"] != red_line_id]
    return data


def cheap_and_dear(red_line: dict[str, Any], requirement: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """AAA offers a cheap unit under `red_line`; BBB a dear one without caveats."""
    return base(
        requirements=[requirement],
        offers=[
            offer(
                "AAA", [unit("a", capability=requirement["capability"], monthly_cost_usd=1000)], red_lines=[red_line]
            ),
            offer("BBB", [unit("b", capability=requirement["capability"], monthly_cost_usd=5000)]),
        ],
        **extra,
    )


# -- red lines that filter ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("red_line", "requirement"),
    [
        ({"id": "rl", "kind": "max_engagement", "level": 1}, line("r", engagement=2)),
        ({"id": "rl", "kind": "allowed_control", "statuses": ["secure"]}, line("r", sector="bravo")),
        ({"id": "rl", "kind": "sectors", "only": ["alpha"]}, line("r", sector="bravo")),
        ({"id": "rl", "kind": "sectors", "exclude": ["bravo"]}, line("r", sector="bravo")),
        ({"id": "rl", "kind": "requires_mandate", "conditions": ["ceasefire"]}, line("r")),
    ],
    ids=["max_engagement", "allowed_control", "sectors_only", "sectors_exclude", "requires_mandate"],
)
def test_filtering_red_line_keeps_cheap_unit_out(red_line: dict[str, Any], requirement: dict[str, Any]) -> None:
    """A caveat that forbids the line sends the dearer unit; without the caveat the cheap one goes."""
    data = cheap_and_dear(red_line, requirement)
    assert package(data) == {("b", "r"): 1}
    assert package(without_red_line(data, "rl")) == {("a", "r"): 1}


def test_filtering_red_line_allows_what_it_does_not_name() -> None:
    """A caveat that does not bite (engagement 1 <= level 1, mandate condition true) changes nothing."""
    for red_line in (
        {"id": "rl", "kind": "max_engagement", "level": 1},
        {"id": "rl", "kind": "requires_mandate", "conditions": ["resolution"]},
        {"id": "rl", "kind": "allowed_control", "statuses": ["secure", "contested"]},
    ):
        assert package(cheap_and_dear(red_line, line("r", sector="bravo", engagement=1))) == {("a", "r"): 1}


# -- red lines that couple decisions ---------------------------------------------------------


def test_not_alongside_force_drops_one_nation() -> None:
    """AAA refuses any force with BBB: the medical line goes to dearer CCC instead of BBB."""
    data = base(
        requirements=[line("eng"), line("med", capability="medical_role2")],
        offers=[
            offer(
                "AAA",
                [unit("a", monthly_cost_usd=1000)],
                red_lines=[{"id": "rl", "kind": "not_alongside", "nations": ["BBB"], "scope": "force"}],
            ),
            offer("BBB", [unit("b", capability="medical_role2", monthly_cost_usd=1000)]),
            offer("CCC", [unit("c", capability="medical_role2", monthly_cost_usd=3000)]),
        ],
    )
    assert package(data) == {("a", "eng"): 1, ("c", "med"): 1}
    assert package(without_red_line(data, "rl")) == {("a", "eng"): 1, ("b", "med"): 1}


def test_not_alongside_force_binds_a_donors_money() -> None:
    """DDD's only pledge may not pay while AAA deploys (DDD refuses AAA): the self-funded unit goes."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=1000)]),
            offer("BBB", [unit("b", monthly_cost_usd=3000, self_funded=True)]),
            offer(
                "DDD",
                funding=[{"id": "d-fund", "amount_usd": 10**6}],
                red_lines=[{"id": "rl", "kind": "not_alongside", "nations": ["AAA"]}],
            ),
        ],
        targets={"funding_coverage": 1.0},
    )
    assert package(data) == {("b", "eng"): 1}
    assert package(without_red_line(data, "rl")) == {("a", "eng"): 1}


def test_not_alongside_sector_splits_sectors() -> None:
    """AAA and BBB never share a sector: the two-unit line takes AAA and the dearer CCC."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[
            offer(
                "AAA",
                [unit("a", monthly_cost_usd=1000)],
                red_lines=[{"id": "rl", "kind": "not_alongside", "nations": ["BBB"], "scope": "sector"}],
            ),
            offer("BBB", [unit("b", monthly_cost_usd=2000)]),
            offer("CCC", [unit("c", monthly_cost_usd=3000)]),
        ],
    )
    assert package(data) == {("a", "eng"): 1, ("c", "eng"): 1}
    assert package(without_red_line(data, "rl")) == {("a", "eng"): 1, ("b", "eng"): 1}


@pytest.mark.parametrize(
    "red_line",
    [
        {"id": "rl", "kind": "requires_partner", "nations": ["BBB"]},
        {"id": "rl", "kind": "requires_partner", "group": "g1"},
    ],
    ids=["by_nations", "by_group"],
)
def test_requires_partner_needs_a_partner_to_deploy(red_line: dict[str, Any]) -> None:
    """AAA goes only with BBB; AAA+BBB (1000+2500) is dearer than CCC (2000), so CCC goes alone."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=1000)], red_lines=[red_line]),
            offer("BBB", [unit("b", monthly_cost_usd=2500)]),
            offer("CCC", [unit("c", monthly_cost_usd=2000)]),
        ],
    )
    assert package(data) == {("c", "eng"): 1}
    assert package(without_red_line(data, "rl")) == {("a", "eng"): 1}


def test_requires_partner_met_by_partner_already_needed() -> None:
    """When BBB deploys anyway (the only medic), AAA's condition holds and AAA's cheap unit goes."""
    data = base(
        requirements=[line("eng"), line("med", capability="medical_role2")],
        offers=[
            offer(
                "AAA",
                [unit("a", monthly_cost_usd=1000)],
                red_lines=[{"id": "rl", "kind": "requires_partner", "nations": ["BBB"]}],
            ),
            offer("BBB", [unit("b", capability="medical_role2", monthly_cost_usd=1500)]),
            offer("CCC", [unit("c", monthly_cost_usd=2000)]),
        ],
    )
    assert package(data) == {("a", "eng"): 1, ("b", "med"): 1}


def test_max_personnel_red_line_caps_a_nation() -> None:
    """AAA deploys at most 200 of the 300 personnel needed; BBB's dearer unit makes up the rest."""
    data = base(
        requirements=[line("inf", capability="infantry", quantity=300, measure="personnel")],
        offers=[
            offer(
                "AAA",
                [unit("a", capability="infantry", count=3, monthly_cost_usd=1000)],
                red_lines=[{"id": "rl", "kind": "max_personnel", "limit": 200}],
            ),
            offer("BBB", [unit("b", capability="infantry", count=3, monthly_cost_usd=2000)]),
        ],
    )
    assert package(data) == {("a", "inf"): 2, ("b", "inf"): 1}
    assert package(without_red_line(data, "rl")) == {("a", "inf"): 3}


def test_min_contingent_is_all_or_nothing() -> None:
    """AAA sends 300 or nobody; one line of 100 is cheaper from BBB than three AAA units."""
    data = base(
        requirements=[line("inf", capability="infantry", quantity=100, measure="personnel")],
        offers=[
            offer(
                "AAA",
                [unit("a", capability="infantry", count=3, monthly_cost_usd=1000)],
                red_lines=[{"id": "rl", "kind": "min_contingent", "personnel": 300}],
            ),
            offer("BBB", [unit("b", capability="infantry", monthly_cost_usd=2500)]),
        ],
    )
    assert package(data) == {("b", "inf"): 1}
    assert package(without_red_line(data, "rl")) == {("a", "inf"): 1}


def test_max_sectors_keeps_a_nation_together() -> None:
    """AAA keeps to one sector: it fills one of the two lines, BBB the other."""
    data = base(
        requirements=[line("ea", sector="alpha"), line("eb", sector="bravo")],
        offers=[
            offer(
                "AAA",
                [unit("a", count=2, monthly_cost_usd=1000)],
                red_lines=[{"id": "rl", "kind": "max_sectors", "count": 1}],
            ),
            offer("BBB", [unit("b", count=2, monthly_cost_usd=2000)]),
        ],
    )
    result = package(data)
    assert result is not None
    assert sorted(result.values()) == [1, 1]
    assert {u for u, _ in result} == {"a", "b"}
    assert package(without_red_line(data, "rl")) == {("a", "ea"): 1, ("a", "eb"): 1}


# -- vetoes --------------------------------------------------------------------------------


def test_veto_units_keeps_units_out_but_money_in() -> None:
    """A `units` veto on AAA: its cheap unit stays home, its pledge still pays for BBB's unit."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=1000)], funding=[{"id": "a-fund", "amount_usd": 10**6}]),
            offer("BBB", [unit("b", monthly_cost_usd=2000)]),
        ],
        vetoes=[{"id": "veto", "by": "Party", "against": ["AAA"], "scope": "units"}],
        targets={"funding_coverage": 1.0},
    )
    _, solution = solved(data)
    assert {(a.unit, a.requirement): a.units for a in solution.assignments} == {("b", "eng"): 1}
    assert [(f.pledge, f.amount_usd) for f in solution.funding.flows] == [("a-fund", 2000 * 12)]
    free = copy.deepcopy(data)
    free["vetoes"] = []
    assert package(free) == {("a", "eng"): 1}


def test_veto_all_keeps_money_out_too() -> None:
    """An `all` veto on AAA bars its pledge: only a self-funded unit can be paid for."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer("AAA", funding=[{"id": "a-fund", "amount_usd": 10**6}]),
            offer("BBB", [unit("b", monthly_cost_usd=1000)]),
            offer("CCC", [unit("c", monthly_cost_usd=2000, self_funded=True)]),
        ],
        vetoes=[{"id": "veto", "by": "Party", "against": ["AAA"], "scope": "all"}],
        targets={"funding_coverage": 1.0},
    )
    assert package(data) == {("c", "eng"): 1}
    data["vetoes"][0]["scope"] = "units"
    assert package(data) == {("b", "eng"): 1}


# -- availability ------------------------------------------------------------------------------


def test_window_and_readiness_filter_units() -> None:
    """A unit available too late, or less ready than the line asks, is not used."""
    late = base(
        requirements=[line("eng", needed_from="2026-03-01")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=1000, available_from="2026-04-01")]),
            offer("BBB", [unit("b", monthly_cost_usd=2000)]),
        ],
    )
    assert package(late) == {("b", "eng"): 1}
    late["offers"][0]["units"][0]["available_from"] = "2026-03-01"
    assert package(late) == {("a", "eng"): 1}
    unready = base(
        requirements=[line("eng", min_readiness="mou")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=1000, readiness="verified")]),
            offer("BBB", [unit("b", monthly_cost_usd=2000, readiness="rapid")]),
        ],
    )
    assert package(unready) == {("b", "eng"): 1}


# -- coverage ------------------------------------------------------------------------------


def test_essential_line_uncoverable_is_infeasible() -> None:
    """An essential line nobody can fill makes the scenario infeasible; made desirable, it is short."""
    data = base(requirements=[line("eng", quantity=2)], offers=[offer("AAA", [unit("a")])])
    assert package(data) is None
    data["requirements"][0]["priority"] = "desirable"
    _, solution = solved(data)
    assert solution.status == "optimal"
    assert solution.coverage[0].shortfall == 1
    assert solution.objective_value("shortfall") == pytest.approx(0.5)


def test_desirable_lines_filled_by_weight() -> None:
    """With one unit for two desirable lines, it goes to the heavier weight."""
    data = base(
        requirements=[
            line("light", priority="desirable", weight=1),
            line("heavy", sector="bravo", priority="desirable", weight=3),
        ],
        offers=[offer("AAA", [unit("a")])],
    )
    assert package(data) == {("a", "heavy"): 1}


# -- targets ---------------------------------------------------------------------------------


def test_target_max_personnel_prefers_smaller_units() -> None:
    """Under a 150-personnel ceiling the smaller, dearer unit fills the line."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer("AAA", [unit("a", personnel=200, monthly_cost_usd=1000)]),
            offer("BBB", [unit("b", personnel=100, monthly_cost_usd=2000)]),
        ],
        targets={"max_personnel": 150},
    )
    assert package(data) == {("b", "eng"): 1}
    data["targets"] = {}
    assert package(data) == {("a", "eng"): 1}


def test_target_min_nations_spreads_the_burden() -> None:
    """Two nations must contribute: the second unit comes from BBB, not AAA's cheaper second unit."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[
            offer("AAA", [unit("a", count=2, monthly_cost_usd=1000)]),
            offer("BBB", [unit("b", monthly_cost_usd=2000)]),
        ],
        targets={"min_nations": 2},
    )
    assert package(data) == {("a", "eng"): 1, ("b", "eng"): 1}
    data["targets"] = {}
    assert package(data) == {("a", "eng"): 2}


def test_target_group_minimums() -> None:
    """One member of g2 must contribute: CCC replaces one of AAA's units."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[
            offer("AAA", [unit("a", count=2, monthly_cost_usd=1000)]),
            offer("CCC", [unit("c", monthly_cost_usd=2000)]),
        ],
        targets={"group_minimums": {"g2": 1}},
    )
    assert package(data) == {("a", "eng"): 1, ("c", "eng"): 1}


def test_target_max_nation_share() -> None:
    """No nation above 60 %: AAA's 3x100 alone is 100 %, so BBB sends 200 of 500."""
    data = base(
        requirements=[line("inf", capability="infantry", quantity=500, measure="personnel")],
        offers=[
            offer("AAA", [unit("a", capability="infantry", count=5, monthly_cost_usd=1000)]),
            offer("BBB", [unit("b", capability="infantry", count=5, monthly_cost_usd=2000)]),
        ],
        targets={"max_nation_share": 0.6},
    )
    assert package(data) == {("a", "inf"): 3, ("b", "inf"): 2}


def test_target_funding_coverage_and_earmarks() -> None:
    """Money earmarked for medical cannot pay for engineers: the self-funded engineer goes."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=1000)]),
            offer("BBB", [unit("b", monthly_cost_usd=2000, self_funded=True)]),
            offer("CCC", funding=[{"id": "c-fund", "amount_usd": 10**6, "earmark": ["medical_role2"]}]),
        ],
        targets={"funding_coverage": 1.0},
    )
    assert package(data) == {("b", "eng"): 1}
    data["offers"][2]["funding"][0]["earmark"] = ["engineer"]
    assert package(data) == {("a", "eng"): 1}


def test_funding_coverage_partial_accepts_a_gap() -> None:
    """At 50 % coverage, a pledge of half the cost suffices, and the gap is reported."""
    data = base(
        requirements=[line("eng")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=1000)]),
            offer("CCC", funding=[{"id": "c-fund", "amount_usd": 6000}]),
        ],
        targets={"funding_coverage": 0.5},
    )
    _, solution = solved(data)
    assert solution.status == "optimal"
    assert solution.funding.pooled_cost_usd == 12000
    assert solution.funding.used_usd == 6000
    assert solution.funding.gap_usd == 6000
    data["targets"]["funding_coverage"] = 0.6
    assert package(data) is None


# -- objective criteria ----------------------------------------------------------------------


def test_objective_nations_and_readiness_and_max_share() -> None:
    """`nations` first spreads over every willing nation; `max_share` first balances personnel;
    `readiness` first prefers the most ready unit whatever it costs."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[
            offer("AAA", [unit("a", count=2, monthly_cost_usd=1000, readiness="pledged")]),
            offer("BBB", [unit("b", count=2, monthly_cost_usd=2000, readiness="rapid")]),
        ],
    )
    assert package(data) == {("a", "eng"): 2}
    data["objective"] = ["shortfall", "nations", "cost"]
    assert package(data) == {("a", "eng"): 1, ("b", "eng"): 1}
    data["objective"] = ["max_share", "cost"]
    assert package(data) == {("a", "eng"): 1, ("b", "eng"): 1}
    data["objective"] = ["shortfall", "readiness", "cost"]
    assert package(data) == {("b", "eng"): 2}


def test_objective_tolerance_trades_cost_for_nations() -> None:
    """With 50 % tolerance on cost, the nations stage may take a dearer package with more nations."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[
            offer("AAA", [unit("a", count=2, monthly_cost_usd=1000)]),
            offer("BBB", [unit("b", monthly_cost_usd=1400)]),
        ],
        objective=["shortfall", "cost", "nations"],
    )
    assert package(data) == {("a", "eng"): 2}
    data["objective"] = ["shortfall", {"criterion": "cost", "tolerance": 0.5}, "nations"]
    assert package(data) == {("a", "eng"): 1, ("b", "eng"): 1}


# -- exactness of fractions and weights ----------------------------------------------------------


def test_funding_coverage_is_the_decimal_written() -> None:
    """99.995 % coverage is met by a pledge of 19,999 on a cost of 20,000; 99.996 % is not."""
    data = base(
        requirements=[line("eng", needed_until="2026-01-31")],
        offers=[
            offer("AAA", [unit("a", monthly_cost_usd=20000)]),
            offer("CCC", funding=[{"id": "c-fund", "amount_usd": 19999}]),
        ],
        targets={"funding_coverage": 0.99995},
    )
    assert package(data) == {("a", "eng"): 1}
    data["targets"]["funding_coverage"] = 0.99996
    assert package(data) is None


def test_max_nation_share_is_never_laxer_than_written() -> None:
    """Three equal nations hold a third each, just above a 0.3333333 ceiling: no package."""
    data = base(
        requirements=[line("eng", quantity=3)],
        offers=[offer(n, [unit(n.lower())]) for n in ("AAA", "BBB", "CCC")],
        targets={"max_nation_share": 0.3333333},
    )
    assert package(data) is None
    data["targets"]["max_nation_share"] = 0.3333334
    assert package(data) == {("aaa", "eng"): 1, ("bbb", "eng"): 1, ("ccc", "eng"): 1}


def test_shortfall_weights_are_exact() -> None:
    """One unit, two desirable lines weighing 1.0001 and 1.0004: the heavier line gets it."""
    data = base(
        requirements=[
            line("light", priority="desirable", weight=1.0001),
            line("heavy", sector="bravo", priority="desirable", weight=1.0004),
        ],
        offers=[offer("AAA", [unit("a")])],
    )
    assert package(data) == {("a", "heavy"): 1}


def test_tolerance_reports_the_proven_optimum_as_bound() -> None:
    """With a tolerance on cost, the reported bound is the proven optimum, not the dearer value."""
    data = base(
        requirements=[line("eng", quantity=2)],
        offers=[
            offer("AAA", [unit("a", count=2, monthly_cost_usd=1000)]),
            offer("BBB", [unit("b", monthly_cost_usd=1400)]),
        ],
        objective=["shortfall", {"criterion": "cost", "tolerance": 0.5}, "nations"],
    )
    _, solution = solved(data)
    cost = next(o for o in solution.objective if o.criterion == "cost")
    assert cost.value == 2400 * 12
    assert cost.bound == 2000 * 12
    assert solution.status == "optimal" and solution.gap == 0
