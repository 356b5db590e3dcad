"""Tests of the exhaustive-search reference solver on scenarios whose optimum is obvious.

Every hand-built scenario runs over the whole of 2026 (12 months), in one secure sector
unless said otherwise, with monthly costs stated so that costs are easy to check by hand.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import assume, given, settings

from forcepack.models import Priority, Scenario, parse_scenario
from tests.brute import BruteResult, brute_force, search_space_size
from tests.strategies import tiny_scenarios

MONTHS = 12
BRUTE_SETTINGS = settings(deadline=None)
MAX_CANDIDATES = 20_000


def _unit(uid: str, capability: str = "engineer", monthly: int = 100_000, **fields: Any) -> dict[str, Any]:
    return {"id": uid, "capability": capability, "count": 1, "personnel": 100, "monthly_cost_usd": monthly} | fields


def _line(rid: str, capability: str = "engineer", **fields: Any) -> dict[str, Any]:
    return {"id": rid, "sector": "s1", "capability": capability, "quantity": 1} | fields


def _scenario(
    requirements: list[dict[str, Any]],
    offers: dict[str, dict[str, Any]],
    objective: list[Any],
    **fields: Any,
) -> Scenario:
    """A scenario of the given lines and offers (nation code -> offer fields, `groups` included)."""
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "hand-built",
        "name": "Hand-built",
        "horizon": {"start": "2026-01-01", "end": "2026-12-31"},
        "mandate": {"resolution": True, "consent": False},
        "sectors": [{"id": "s1", "control": "secure"}, {"id": "s2", "control": "contested"}],
        "requirements": requirements,
        "nations": [{"code": code, "groups": offer.get("groups", [])} for code, offer in offers.items()],
        "offers": [
            {"nation": code} | {k: v for k, v in offer.items() if k != "groups"} for code, offer in offers.items()
        ],
        "objective": objective,
    }
    return parse_scenario(data | fields)


def test_brute_force_picks_cheaper_unit() -> None:
    """Two engineers for one essential line: minimising cost takes the cheaper, BBB's."""
    scenario = _scenario(
        [_line("r1")],
        {"AAA": {"units": [_unit("a-eng", monthly=100_000)]}, "BBB": {"units": [_unit("b-eng", monthly=50_000)]}},
        ["cost"],
    )
    result = brute_force(scenario)
    assert result == BruteResult("optimal", (50_000.0 * MONTHS,), {("BBB/b-eng", "r1"): 1}, {})


def test_brute_force_veto_forces_dearer_unit() -> None:
    """A veto of scope `units` against BBB leaves only AAA's dearer engineer."""
    scenario = _scenario(
        [_line("r1")],
        {"AAA": {"units": [_unit("a-eng", monthly=100_000)]}, "BBB": {"units": [_unit("b-eng", monthly=50_000)]}},
        ["cost"],
        vetoes=[{"id": "v1", "by": "Host", "against": ["BBB"], "scope": "units"}],
    )
    result = brute_force(scenario)
    assert result.objective == (100_000.0 * MONTHS,)
    assert result.assignment == {("AAA/a-eng", "r1"): 1}


def test_brute_force_uncoverable_essential_line_is_infeasible() -> None:
    """An essential line asks for 3 engineers; only 2 are offered."""
    scenario = _scenario([_line("r1", quantity=3)], {"AAA": {"units": [_unit("a-eng", count=2)]}}, ["cost"])
    assert brute_force(scenario).status == "infeasible"


def test_brute_force_filtering_red_lines_make_line_infeasible() -> None:
    """AAA's engineers stay out of engagement 2 and of contested sectors: neither line can be met."""
    offers = {
        "AAA": {
            "units": [_unit("a-eng")],
            "red_lines": [
                {"id": "a-eng-level", "kind": "max_engagement", "level": 1},
                {"id": "a-secure", "kind": "allowed_control", "statuses": ["secure"]},
            ],
        }
    }
    assert brute_force(_scenario([_line("r1", engagement=2)], offers, ["cost"])).status == "infeasible"
    assert brute_force(_scenario([_line("r1", sector="s2")], offers, ["cost"])).status == "infeasible"
    assert brute_force(_scenario([_line("r1", engagement=1)], offers, ["cost"])).status == "optimal"


def test_brute_force_not_alongside_drops_one_nation() -> None:
    """AAA refuses to serve with BBB; BBB's line weighs 2, AAA's 1, so AAA stays home (shortfall 1)."""
    scenario = _scenario(
        [
            _line("r1", priority="desirable", weight=1),
            _line("r2", capability="medical_role2", priority="desirable", weight=2),
        ],
        {
            "AAA": {
                "units": [_unit("a-eng")],
                "red_lines": [{"id": "a-not-b", "kind": "not_alongside", "nations": ["BBB"]}],
            },
            "BBB": {"units": [_unit("b-med", capability="medical_role2")]},
        },
        ["shortfall"],
    )
    result = brute_force(scenario)
    assert result.objective == (1.0,)
    assert result.assignment == {("BBB/b-med", "r2"): 1}


def test_brute_force_not_alongside_sector_separates_nations() -> None:
    """With scope `sector`, AAA and BBB may both serve, in different sectors only."""
    scenario = _scenario(
        [_line("r1", priority="desirable"), _line("r2", sector="s2", priority="desirable")],
        {
            "AAA": {
                "units": [_unit("a-eng", count=2)],
                "red_lines": [{"id": "a-not-b", "kind": "not_alongside", "nations": ["BBB"], "scope": "sector"}],
            },
            "BBB": {"units": [_unit("b-eng", count=2)]},
        },
        ["shortfall", "nations"],
    )
    result = brute_force(scenario)
    assert result.objective == (0.0, 2.0)
    sectors: dict[str, set[str]] = {}
    for unit_id, req_id in result.assignment:
        sectors.setdefault(unit_id.partition("/")[0], set()).add(scenario.requirement_by_id[req_id].sector)
    assert sectors["AAA"].isdisjoint(sectors["BBB"])


def test_brute_force_requires_partner_brings_partner_in() -> None:
    """AAA serves only alongside BBB, so BBB's infantry joins even though it only costs."""
    offers = {
        "AAA": {
            "units": [_unit("a-eng", monthly=100_000)],
            "red_lines": [{"id": "a-needs-b", "kind": "requires_partner", "nations": ["BBB"]}],
        },
        "BBB": {"units": [_unit("b-inf", capability="infantry", monthly=30_000)]},
    }
    lines = [_line("r1"), _line("r2", capability="infantry", priority="desirable")]
    result = brute_force(_scenario(lines, offers, ["cost"]))
    assert result.objective == (130_000.0 * MONTHS,)
    assert result.assignment == {("AAA/a-eng", "r1"): 1, ("BBB/b-inf", "r2"): 1}

    vetoed = _scenario(lines, offers, ["cost"], vetoes=[{"id": "v1", "by": "Host", "against": ["BBB"]}])
    assert brute_force(vetoed).status == "infeasible"


def test_brute_force_requires_partner_by_group() -> None:
    """AAA needs 2 other `oic` members contributing; only BBB is one, so AAA cannot serve."""
    offers: dict[str, dict[str, Any]] = {
        "AAA": {
            "groups": ["oic"],
            "units": [_unit("a-eng")],
            "red_lines": [{"id": "a-oic", "kind": "requires_partner", "group": "oic", "min": 2}],
        },
        "BBB": {"groups": ["oic"], "units": [_unit("b-inf", capability="infantry")]},
        "CCC": {"units": [_unit("c-inf", capability="infantry")]},
    }
    lines = [_line("r1"), _line("r2", capability="infantry", priority="desirable", quantity=2)]
    assert brute_force(_scenario(lines, offers, ["cost"])).status == "infeasible"
    offers["CCC"]["groups"] = ["oic"]
    result = brute_force(_scenario(lines, offers, ["cost"]))
    assert result.objective == (300_000.0 * MONTHS,)


def test_brute_force_min_contingent_is_all_or_nothing() -> None:
    """AAA sends 200 personnel or nobody: both of its units (2 x 100k) cost more than BBB's one 150k unit."""
    offers: dict[str, dict[str, Any]] = {
        "AAA": {
            "units": [_unit("a-eng", count=2, monthly=100_000)],
            "red_lines": [{"id": "a-min", "kind": "min_contingent", "personnel": 200}],
        },
        "BBB": {"units": [_unit("b-eng", monthly=150_000)]},
    }
    result = brute_force(_scenario([_line("r1")], offers, ["cost"]))
    assert result.objective == (150_000.0 * MONTHS,)
    assert result.assignment == {("BBB/b-eng", "r1"): 1}

    del offers["BBB"]
    alone = brute_force(_scenario([_line("r1")], offers, ["cost"]))
    assert alone.objective == (200_000.0 * MONTHS,)
    assert alone.assignment == {("AAA/a-eng", "r1"): 2}


def test_brute_force_funding_coverage_forces_self_funded_unit() -> None:
    """Full funding is required and nobody pledges: only BBB's self-funded (dearer) unit works.

    Once CCC pledges a year of AAA's unit, AAA's cheaper unit is chosen and paid by CCC,
    a money-only donor.
    """
    offers: dict[str, dict[str, Any]] = {
        "AAA": {"units": [_unit("a-eng", monthly=100_000)]},
        "BBB": {"units": [_unit("b-eng", monthly=150_000, self_funded=True)]},
    }
    targets = {"funding_coverage": 1.0}
    result = brute_force(_scenario([_line("r1")], offers, ["cost"], targets=targets))
    assert result == BruteResult("optimal", (150_000.0 * MONTHS,), {("BBB/b-eng", "r1"): 1}, {})

    offers["CCC"] = {"funding": [{"id": "c-fund", "amount_usd": 100_000 * MONTHS}]}
    funded = brute_force(_scenario([_line("r1")], offers, ["cost"], targets=targets))
    assert funded.assignment == {("AAA/a-eng", "r1"): 1}
    assert funded.flows == {("CCC/c-fund", "engineer"): 100_000 * MONTHS}


def test_brute_force_earmark_and_partial_coverage() -> None:
    """A medical-only pledge cannot pay engineers; a half-coverage target needs half the cost paid."""
    lines = [_line("r1")]
    offers: dict[str, dict[str, Any]] = {
        "AAA": {"units": [_unit("a-eng", monthly=100_000)]},
        "CCC": {"funding": [{"id": "c-fund", "amount_usd": 10**9, "earmark": ["medical_role2"]}]},
    }
    assert brute_force(_scenario(lines, offers, ["cost"], targets={"funding_coverage": 1.0})).status == "infeasible"

    offers["CCC"] = {"funding": [{"id": "c-fund", "amount_usd": 50_000 * MONTHS}]}
    assert brute_force(_scenario(lines, offers, ["cost"], targets={"funding_coverage": 1.0})).status == "infeasible"
    half = brute_force(_scenario(lines, offers, ["cost"], targets={"funding_coverage": 0.5}))
    assert half.status == "optimal"
    assert half.flows == {("CCC/c-fund", "engineer"): 50_000 * MONTHS}


def test_brute_force_donor_red_lines_govern_its_money() -> None:
    """CCC's money is participation: its `not_alongside` AAA, a veto of scope `all` or an unmet
    mandate condition bars it, while a veto of scope `units` or a `sector` scope does not."""
    lines = [_line("r1")]

    def solve(red_lines: list[dict[str, Any]], vetoes: list[dict[str, Any]] | None = None) -> str:
        offers = {
            "AAA": {"units": [_unit("a-eng")]},
            "CCC": {"funding": [{"id": "c-fund", "amount_usd": 10**9}], "red_lines": red_lines},
        }
        scenario = _scenario(lines, offers, ["cost"], targets={"funding_coverage": 1.0}, vetoes=vetoes or [])
        return brute_force(scenario).status

    assert solve([]) == "optimal"
    assert solve([{"id": "c-not-a", "kind": "not_alongside", "nations": ["AAA"]}]) == "infeasible"
    assert solve([{"id": "c-not-a", "kind": "not_alongside", "nations": ["AAA"], "scope": "sector"}]) == "optimal"
    assert solve([{"id": "c-consent", "kind": "requires_mandate", "conditions": ["consent"]}]) == "infeasible"
    assert solve([{"id": "c-resolution", "kind": "requires_mandate", "conditions": ["resolution"]}]) == "optimal"
    assert solve([], [{"id": "v1", "by": "Host", "against": ["CCC"], "scope": "all"}]) == "infeasible"
    assert solve([], [{"id": "v1", "by": "Host", "against": ["CCC"], "scope": "units"}]) == "optimal"


def test_brute_force_objective_nations_maximises_contributors() -> None:
    """With `nations` first, all three engineers serve on a one-unit desirable line (provision is not capped)."""
    offers = {code: {"units": [_unit(f"{code.lower()}-eng")]} for code in ("AAA", "BBB", "CCC")}
    result = brute_force(_scenario([_line("r1", priority="desirable")], offers, ["nations", "cost"]))
    assert result.objective == (3.0, 300_000.0 * MONTHS)
    assert len(result.assignment) == 3


def test_brute_force_lexicographic_order_matters() -> None:
    """A cheap pledged engineer against a dear rapid one: the first criterion decides."""
    offers = {
        "AAA": {"units": [_unit("a-eng", monthly=100_000)]},
        "BBB": {"units": [_unit("b-eng", monthly=200_000, readiness="rapid")]},
    }
    cheap = brute_force(_scenario([_line("r1")], offers, ["cost", "readiness"]))
    assert cheap.objective == (100_000.0 * MONTHS, 0.0)
    ready = brute_force(_scenario([_line("r1")], offers, ["readiness", "cost"]))
    assert ready.objective == (3.0, 200_000.0 * MONTHS)


def test_brute_force_tolerance_lets_later_criteria_choose() -> None:
    """A 50 % cost tolerance admits the rapid engineer at 140k against the cheapest 100k; readiness takes it."""
    offers = {
        "AAA": {"units": [_unit("a-eng", monthly=100_000)]},
        "BBB": {"units": [_unit("b-eng", monthly=140_000, readiness="rapid")]},
    }
    objective: list[Any] = [{"criterion": "cost", "tolerance": 0.5}, "readiness"]
    result = brute_force(_scenario([_line("r1")], offers, objective))
    assert result.objective == (140_000.0 * MONTHS, 3.0)


def test_brute_force_max_share_and_targets() -> None:
    """Two 100-person units of AAA and one of BBB for a 2-unit line: the share cap 0.5 makes it one each."""
    offers = {
        "AAA": {"units": [_unit("a-eng", count=2, monthly=10_000)]},
        "BBB": {"units": [_unit("b-eng", monthly=90_000)]},
    }
    lines = [_line("r1", quantity=2)]
    free = brute_force(_scenario(lines, offers, ["cost", "max_share"]))
    assert free.objective == (20_000.0 * MONTHS, 1.0)
    capped = brute_force(_scenario(lines, offers, ["cost", "max_share"], targets={"max_nation_share": 0.5}))
    assert capped.objective == (100_000.0 * MONTHS, 0.5)
    assert brute_force(_scenario(lines, offers, ["cost"], targets={"min_nations": 3})).status == "infeasible"
    assert brute_force(_scenario(lines, offers, ["cost"], targets={"max_personnel": 100})).status == "infeasible"


def test_brute_force_rejects_too_large_search_space() -> None:
    """Ten units over four lines is far more than ten candidates."""
    scenario = _scenario(
        [_line(f"r{i}", priority="desirable") for i in range(4)],
        {"AAA": {"units": [_unit("a-eng", count=10)]}},
        ["cost"],
    )
    with pytest.raises(ValueError, match="max_candidates"):
        brute_force(scenario, max_candidates=10)


@BRUTE_SETTINGS
@given(tiny_scenarios())
def test_brute_force_returns_consistent_result_on_tiny_scenarios(scenario: Scenario) -> None:
    """On any tiny scenario the result has one value per criterion and a package that respects counts,
    capabilities, essential lines and pledge amounts."""
    assume(search_space_size(scenario) <= MAX_CANDIDATES)
    result = brute_force(scenario, max_candidates=MAX_CANDIDATES)
    if result.status == "infeasible":
        assert result.objective == () and result.assignment == {} and result.flows == {}
        return
    assert len(result.objective) == len(scenario.objective)
    used: Counter[str] = Counter()
    provided: Counter[str] = Counter()
    for (unit_id, req_id), units in result.assignment.items():
        unit, req = scenario.unit_by_key[unit_id], scenario.requirement_by_id[req_id]
        assert units > 0 and unit.capability == req.capability
        used[unit_id] += units
        provided[req_id] += units if req.measure == "units" else units * unit.personnel
    assert all(used[u] <= scenario.unit_by_key[u].count for u in used)
    for req in scenario.requirements:
        if req.priority == Priority.ESSENTIAL:
            assert provided[req.id] >= req.quantity
    paid: Counter[str] = Counter()
    for (pledge_id, capability), amount in result.flows.items():
        pledge = scenario.pledge_by_key[pledge_id]
        assert amount > 0 and (pledge.earmark is None or capability in pledge.earmark)
        paid[pledge_id] += amount
    assert all(paid[p] <= scenario.pledge_by_key[p].amount_usd for p in paid)
