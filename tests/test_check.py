"""The independent checker: for every rule, a package that honours it and one that breaks it.

The scenario is small on purpose (two sectors, four nations, three lines, one pledge) and
every figure is easy to recompute by hand: the horizon is one year (12 months) and the
personnel rate USD 1,000 a month, so one `a-eng` (100 people) costs USD 1,200,000.
"""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import forcepack.solver.check as check_module
from forcepack.models import (
    FundingFlow,
    NationFigures,
    ObjectiveValue,
    Scenario,
    Solution,
    load_scenario,
    parse_scenario,
)
from forcepack.solver.check import RULES, Violation, check
from tests.solutions import build_solution

ROOT = Path(__file__).resolve().parent.parent

GOOD = [("a-eng", "n-eng", 1), ("b-inf", "s-inf", 2)]
"""A correct package: AAA's engineers in the north, BBB's (self-funded) infantry in the south."""

GOOD_FLOWS = [("d-fund", "engineer", 1_200_000)]
"""DDD's pledge pays the engineers' pooled cost in full."""


def scenario_data() -> dict[str, Any]:
    """A minimal valid scenario, as the dict a YAML file would give."""
    return {
        "schema": "forcepack.scenario/1",
        "id": "check-test",
        "name": "Checker test",
        "horizon": {"start": "2026-01-01", "end": "2026-12-31"},
        "cost": {"personnel_rate_usd": 1000},
        "mandate": {"resolution": True, "ceasefire": False},
        "sectors": [{"id": "north", "control": "secure"}, {"id": "south", "control": "contested"}],
        "requirements": [
            {"id": "n-eng", "sector": "north", "capability": "engineer", "quantity": 1},
            {"id": "s-eng", "sector": "south", "capability": "engineer", "quantity": 1, "priority": "desirable"},
            {
                "id": "s-inf",
                "sector": "south",
                "capability": "infantry",
                "quantity": 200,
                "measure": "personnel",
                "priority": "desirable",
                "weight": 2,
                "engagement": 2,
            },
        ],
        "nations": [
            {"code": "AAA", "groups": ["g1"]},
            {"code": "BBB", "groups": ["g1"]},
            {"code": "CCC", "groups": ["g2"]},
            {"code": "DDD", "groups": ["g2"]},
        ],
        "offers": [
            {
                "nation": "AAA",
                "units": [
                    {"id": "a-eng", "capability": "engineer", "count": 2, "personnel": 100, "readiness": "verified"}
                ],
            },
            {
                "nation": "BBB",
                "units": [
                    {
                        "id": "b-inf",
                        "capability": "infantry",
                        "count": 2,
                        "personnel": 100,
                        "self_funded": True,
                        "readiness": "mou",
                    }
                ],
            },
            {"nation": "CCC", "units": [{"id": "c-eng", "capability": "engineer", "count": 1, "personnel": 50}]},
            {"nation": "DDD", "funding": [{"id": "d-fund", "amount_usd": 10_000_000, "earmark": ["engineer"]}]},
        ],
    }


def make_scenario(
    *,
    red_lines: dict[str, list[dict[str, Any]]] | None = None,
    edit: Callable[[dict[str, Any]], object] | None = None,
    **top: Any,
) -> Scenario:
    """The test scenario with red lines added per nation, top-level fields replaced, then `edit` applied."""
    data = scenario_data()
    data.update(copy.deepcopy(top))
    for offer in data["offers"]:
        offer["red_lines"] = (red_lines or {}).get(offer["nation"], [])
    if edit is not None:
        edit(data)
    return parse_scenario(data)


def unit_of(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    """The offered unit's dict inside scenario data."""
    return next(u for o in data["offers"] for u in o.get("units", []) if u["id"] == unit_id)


def requirement_of(data: dict[str, Any], requirement_id: str) -> dict[str, Any]:
    """The requirement line's dict inside scenario data."""
    return next(r for r in data["requirements"] if r["id"] == requirement_id)


def rules(violations: Sequence[Violation]) -> set[str]:
    """The rule keys of some violations."""
    return {v.rule for v in violations}


def solve_by_hand(
    scenario: Scenario,
    assignments: Sequence[tuple[str, str, int]] = GOOD,
    flows: Sequence[tuple[str, str, int]] = GOOD_FLOWS,
) -> list[Violation]:
    """Check the hand-built document of a package."""
    return check(scenario, build_solution(scenario, assignments, flows))


def with_row(solution: Solution, index: int, **changes: Any) -> Solution:
    """The document with one assignment row changed (no validation, like a faulty solver)."""
    rows = list(solution.assignments)
    rows[index] = rows[index].model_copy(update=changes)
    return solution.model_copy(update={"assignments": rows})


def with_nation_row(solution: Solution, nation: str, **changes: Any) -> Solution:
    """The document with one nation's figures changed."""
    rows = [n.model_copy(update=changes) if n.nation == nation else n for n in solution.nations]
    return solution.model_copy(update={"nations": rows})


# -- the hand-built documents themselves -------------------------------------------------


def test_build_solution_gives_a_correct_document() -> None:
    """The test helper's document of a correct package passes the checker, with figures computed by hand."""
    scenario = make_scenario(objective=["shortfall", "cost", "nations", "max_share", "readiness"])
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    assert check(scenario, solution) == []
    assert solution.totals.model_dump() == {
        "personnel": 300,
        "units": 3,
        "nations_contributing": 2,
        "nations_participating": 3,
    }
    assert solution.funding.total_cost_usd == 1_200_000 + 2 * 1_200_000
    assert solution.funding.pooled_cost_usd == 1_200_000
    assert solution.funding.gap_usd == 0
    assert [(o.criterion, o.value) for o in solution.objective] == [
        ("shortfall", 1.0),  # s-eng (weight 1) left empty, s-inf full
        ("cost", 3_600_000.0),
        ("nations", 2.0),
        ("max_share", pytest.approx(2 / 3)),
        ("readiness", 5.0),  # one verified (1) + two mou (2 each)
    ]


def test_build_solution_gives_a_correct_empty_package() -> None:
    """An empty package (nothing assigned, nothing drawn) is a correct document when nothing is essential."""
    scenario = make_scenario(edit=lambda d: requirement_of(d, "n-eng").update(priority="desirable"))
    assert solve_by_hand(scenario, [], []) == []


def test_check_tutorial_package_is_correct() -> None:
    """The tutorial's package (three Indonesian engineers, one Moroccan battalion, Saudi money) passes."""
    scenario = load_scenario(ROOT / "examples" / "tutorial.yaml")
    # 180 people x 1,428 a month x 22 months (1 Mar 2026 .. 31 Dec 2027) for each engineer company.
    flows = [("sau-fund", "engineer", 3 * 180 * 1428 * 22)]
    solution = build_solution(scenario, [("idn-eng", "rafah-eng", 3), ("mar-inf", "ky-inf", 1)], flows)
    assert check(scenario, solution) == []


def test_check_tutorial_package_with_too_large_a_share_fails() -> None:
    """Both Moroccan battalions give Morocco 1200 of 1560 personnel, above the tutorial's 60 % share."""
    scenario = load_scenario(ROOT / "examples" / "tutorial.yaml")
    flows = [("sau-fund", "engineer", 2 * 180 * 1428 * 22)]
    solution = build_solution(scenario, [("idn-eng", "rafah-eng", 2), ("mar-inf", "ky-inf", 2)], flows)
    assert rules(check(scenario, solution)) == {"target.max_nation_share"}


# -- document ----------------------------------------------------------------------------


def test_document_accepts_the_scenario_it_answers() -> None:
    """A document carrying the scenario's id, name and sha256 breaks no document rule."""
    scenario = make_scenario()
    assert "document" not in rules(solve_by_hand(scenario))


def test_document_rejects_wrong_sha256() -> None:
    """A document computed for another version of the scenario is rejected."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    stale = solution.model_copy(update={"scenario": solution.scenario.model_copy(update={"sha256": "0" * 64})})
    assert rules(check(scenario, stale)) == {"document"}


def test_document_rejects_other_scenario_id() -> None:
    """A document answering another scenario id is rejected."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    other = solution.model_copy(update={"scenario": solution.scenario.model_copy(update={"id": "other"})})
    assert "document" in rules(check(scenario, other))


def test_document_rejects_a_changed_scenario() -> None:
    """A document no longer matches once the scenario changes (here: a mandate condition)."""
    solution = build_solution(make_scenario(), GOOD, GOOD_FLOWS)
    changed = make_scenario(mandate={"resolution": True, "ceasefire": True})
    assert rules(check(changed, solution)) == {"document"}


@pytest.mark.parametrize("status", ["infeasible", "unknown"])
def test_status_accepts_no_package_without_assignments(status: str) -> None:
    """An infeasible or unknown answer with no assignment is accepted, even for an essential line unmet."""
    scenario = make_scenario()
    assert check(scenario, build_solution(scenario, [], [], status=status)) == []  # type: ignore[arg-type]


def test_status_rejects_infeasible_with_assignments() -> None:
    """An infeasible answer listing assignments is rejected, and nothing else is checked."""
    scenario = make_scenario()
    solution = build_solution(scenario, [("a-eng", "n-eng", 5)], [], status="infeasible")
    assert rules(check(scenario, solution)) == {"document"}


# -- assignment rows ---------------------------------------------------------------------


def test_assignment_reference_rejects_unknown_unit() -> None:
    """A row naming a unit no nation offers is a violation, not an exception."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    bogus = solution.assignments[0].model_copy(update={"unit": "zzz-eng"})
    found = check(scenario, solution.model_copy(update={"assignments": [*solution.assignments, bogus]}))
    assert "assignment.reference" in rules(found)


def test_assignment_reference_rejects_unknown_requirement() -> None:
    """A row naming a requirement line the scenario does not have is a violation."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    bogus = solution.assignments[0].model_copy(update={"requirement": "nowhere"})
    found = check(scenario, solution.model_copy(update={"assignments": [*solution.assignments, bogus]}))
    assert [v.element for v in found if v.rule == "assignment.reference"] == ["a-eng"]


def test_assignment_units_rejects_zero_units() -> None:
    """A row placing zero units is a violation (a faulty solver skipping validation)."""
    scenario = make_scenario()
    solution = build_solution(scenario, [*GOOD, ("c-eng", "s-eng", 1)], GOOD_FLOWS)
    zero = with_row(solution, 2, units=0, personnel=0, cost_usd=0)
    assert "assignment.units" in rules(check(scenario, zero))


def test_assignment_fields_rejects_wrong_nation() -> None:
    """A row stating another nation than the unit's is a violation."""
    scenario = make_scenario()
    solution = with_row(build_solution(scenario, GOOD, GOOD_FLOWS), 0, nation="CCC")
    assert rules(check(scenario, solution)) == {"assignment.fields"}


def test_assignment_fields_rejects_wrong_self_funding() -> None:
    """A row stating a self-funded unit as pooled is a violation."""
    scenario = make_scenario()
    solution = with_row(build_solution(scenario, GOOD, GOOD_FLOWS), 1, self_funded=False)
    assert rules(check(scenario, solution)) == {"assignment.fields"}


def test_assignment_personnel_rejects_wrong_total() -> None:
    """A row whose personnel is not units x personnel per unit is a violation."""
    scenario = make_scenario()
    solution = with_row(build_solution(scenario, GOOD, GOOD_FLOWS), 1, personnel=150)
    assert rules(check(scenario, solution)) == {"assignment.personnel"}


def test_assignment_cost_counts_months_of_the_line_window() -> None:
    """A line needed from 1 March to 31 December costs 10 months; the correct row passes."""
    scenario = make_scenario(edit=lambda d: requirement_of(d, "n-eng").update(needed_from="2026-03-01"))
    solution = build_solution(scenario, GOOD, [("d-fund", "engineer", 1_000_000)])
    assert solution.assignments[0].cost_usd == 100 * 1000 * 10
    assert check(scenario, solution) == []


def test_assignment_cost_rejects_wrong_cost() -> None:
    """A row whose cost is not units x monthly cost x months is a violation."""
    scenario = make_scenario()
    solution = with_row(build_solution(scenario, GOOD, GOOD_FLOWS), 0, cost_usd=1_100_000)
    assert "assignment.cost" in rules(check(scenario, solution))


def test_assignment_cost_rejects_wrong_monthly_cost() -> None:
    """A row stating a monthly cost other than the unit's own figure is a violation."""
    scenario = make_scenario(edit=lambda d: unit_of(d, "a-eng").update(monthly_cost_usd=90_000))
    solution = build_solution(scenario, GOOD, [("d-fund", "engineer", 1_080_000)])
    assert check(scenario, solution) == []
    assert rules(check(scenario, with_row(solution, 0, monthly_cost_usd=100_000))) == {"assignment.cost"}


def test_duplicate_assignments_rejects_two_rows_for_one_pair() -> None:
    """The same unit on the same line in two rows is a violation, though the figures add up."""
    scenario = make_scenario()
    solution = build_solution(scenario, [GOOD[0], ("b-inf", "s-inf", 1), ("b-inf", "s-inf", 1)], GOOD_FLOWS)
    assert rules(check(scenario, solution)) == {"assignment.duplicate"}


# -- capacity ----------------------------------------------------------------------------


def test_capacity_accepts_every_offered_unit() -> None:
    """Both offered engineer companies, on two lines, are within the count."""
    scenario = make_scenario()
    assert solve_by_hand(scenario, [("a-eng", "n-eng", 1), ("a-eng", "s-eng", 1)], []) == []


def test_capacity_rejects_more_units_than_offered() -> None:
    """Three engineer companies from an offer of two is a violation."""
    scenario = make_scenario()
    found = solve_by_hand(scenario, [("a-eng", "n-eng", 2), ("a-eng", "s-eng", 1)], [])
    assert rules(found) == {"capacity"}
    assert found[0].element == "a-eng"


# -- eligibility -------------------------------------------------------------------------


def test_capability_accepts_matching_capability() -> None:
    """Engineers on an engineer line break no capability rule."""
    assert "eligibility.capability" not in rules(solve_by_hand(make_scenario()))


def test_capability_rejects_other_capability() -> None:
    """Infantry on an engineer line is a violation."""
    found = solve_by_hand(make_scenario(), [("b-inf", "n-eng", 1)], [])
    assert rules(found) == {"eligibility.capability"}


def test_time_window_accepts_unit_available_over_the_line() -> None:
    """A unit arriving on the first day the line needs it is eligible."""
    scenario = make_scenario(
        edit=lambda d: (
            unit_of(d, "a-eng").update(available_from="2026-03-01"),
            requirement_of(d, "n-eng").update(needed_from="2026-03-01"),
        )
    )
    assert solve_by_hand(scenario, flows=[("d-fund", "engineer", 1_000_000)]) == []


def test_time_window_rejects_unit_arriving_late() -> None:
    """A unit available only from March cannot fill a line needed from January."""
    scenario = make_scenario(edit=lambda d: unit_of(d, "a-eng").update(available_from="2026-03-01"))
    found = solve_by_hand(scenario)
    assert rules(found) == {"eligibility.window"}
    assert found[0].element == "a-eng"


def test_time_window_rejects_unit_leaving_early() -> None:
    """A unit leaving in June cannot fill a line needed to December."""
    scenario = make_scenario(edit=lambda d: unit_of(d, "a-eng").update(available_until="2026-06-30"))
    assert rules(solve_by_hand(scenario)) == {"eligibility.window"}


def test_readiness_accepts_equal_rank() -> None:
    """A verified unit fills a line requiring at least `verified`."""
    scenario = make_scenario(edit=lambda d: requirement_of(d, "n-eng").update(min_readiness="verified"))
    assert solve_by_hand(scenario) == []


def test_readiness_rejects_lower_rank() -> None:
    """A verified unit cannot fill a line requiring an MOU."""
    scenario = make_scenario(edit=lambda d: requirement_of(d, "n-eng").update(min_readiness="mou"))
    assert rules(solve_by_hand(scenario)) == {"eligibility.readiness"}


def test_max_engagement_accepts_line_at_level() -> None:
    """Units limited to engagement 2 fill a control (2) line."""
    scenario = make_scenario(red_lines={"BBB": [{"id": "b-eng", "kind": "max_engagement", "level": 2}]})
    assert solve_by_hand(scenario) == []


def test_max_engagement_rejects_line_above_level() -> None:
    """Units limited to presence (1) cannot fill a control (2) line."""
    scenario = make_scenario(red_lines={"BBB": [{"id": "b-eng", "kind": "max_engagement", "level": 1}]})
    found = solve_by_hand(scenario)
    assert rules(found) == {"red_line.max_engagement"}
    assert found[0].element == "b-eng"


def test_allowed_control_accepts_listed_status() -> None:
    """Units allowed in contested sectors go to the contested south."""
    scenario = make_scenario(
        red_lines={"BBB": [{"id": "b-ctl", "kind": "allowed_control", "statuses": ["secure", "contested"]}]}
    )
    assert solve_by_hand(scenario) == []


def test_allowed_control_rejects_other_status() -> None:
    """Units allowed only in secure sectors cannot go to the contested south."""
    scenario = make_scenario(red_lines={"BBB": [{"id": "b-ctl", "kind": "allowed_control", "statuses": ["secure"]}]})
    assert rules(solve_by_hand(scenario)) == {"red_line.allowed_control"}


def test_sectors_accepts_listed_sector() -> None:
    """Units limited to the north fill a northern line."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-north", "kind": "sectors", "only": ["north"]}]})
    assert solve_by_hand(scenario) == []


def test_sectors_rejects_sector_outside_only() -> None:
    """Units limited to the north cannot fill a southern line."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-north", "kind": "sectors", "only": ["north"]}]})
    assert rules(solve_by_hand(scenario, [("a-eng", "n-eng", 1), ("a-eng", "s-eng", 1)], [])) == {"red_line.sectors"}


def test_sectors_rejects_excluded_sector() -> None:
    """Units excluding the north cannot fill a northern line."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-not-north", "kind": "sectors", "exclude": ["north"]}]})
    assert rules(solve_by_hand(scenario)) == {"red_line.sectors"}


def test_vetoes_accepts_money_of_nation_vetoed_for_units() -> None:
    """A veto of scope `units` still welcomes the nation's money."""
    scenario = make_scenario(vetoes=[{"id": "v-ddd", "by": "Someone", "against": ["DDD"], "scope": "units"}])
    assert solve_by_hand(scenario) == []


def test_vetoes_rejects_units_of_vetoed_nation() -> None:
    """A veto of scope `units` keeps the nation's units out."""
    scenario = make_scenario(vetoes=[{"id": "v-aaa", "by": "Someone", "against": ["AAA"]}])
    found = solve_by_hand(scenario)
    assert rules(found) == {"veto"}
    assert found[0].element == "v-aaa"


def test_vetoes_rejects_money_under_veto_of_scope_all() -> None:
    """A veto of scope `all` keeps the nation's money out too."""
    scenario = make_scenario(vetoes=[{"id": "v-ddd", "by": "Someone", "against": ["DDD"], "scope": "all"}])
    assert rules(solve_by_hand(scenario)) == {"veto"}


def test_mandate_accepts_conditions_that_hold() -> None:
    """Nations whose mandate conditions all hold may send units and money."""
    required = {"kind": "requires_mandate", "conditions": ["resolution"]}
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-m", **required}], "DDD": [{"id": "d-m", **required}]})
    assert solve_by_hand(scenario) == []


def test_mandate_rejects_units_when_a_condition_is_false() -> None:
    """A nation requiring a ceasefire that does not hold cannot send units."""
    scenario = make_scenario(
        red_lines={"AAA": [{"id": "a-m", "kind": "requires_mandate", "conditions": ["resolution", "ceasefire"]}]}
    )
    found = solve_by_hand(scenario)
    assert rules(found) == {"mandate"}
    assert "`ceasefire`" in found[0].message


def test_mandate_rejects_money_when_a_condition_is_false() -> None:
    """A donor requiring a ceasefire that does not hold cannot have its pledge drawn."""
    scenario = make_scenario(
        red_lines={"DDD": [{"id": "d-m", "kind": "requires_mandate", "conditions": ["ceasefire"]}]}
    )
    assert rules(solve_by_hand(scenario)) == {"mandate"}


# -- coupling red lines ------------------------------------------------------------------


def test_not_alongside_accepts_force_without_the_other_nation() -> None:
    """AAA refuses to serve with DDD; a package without DDD's money is fine."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-na", "kind": "not_alongside", "nations": ["DDD"]}]})
    assert solve_by_hand(scenario, GOOD, []) == []


def test_not_alongside_rejects_money_of_the_other_nation() -> None:
    """AAA refuses to serve with DDD in the force; DDD's money counts as taking part."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-na", "kind": "not_alongside", "nations": ["DDD"]}]})
    assert rules(solve_by_hand(scenario)) == {"red_line.not_alongside"}


def test_not_alongside_accepts_separate_sectors() -> None:
    """AAA refuses to share a sector with CCC; one in the north, the other in the south is fine."""
    line = {"id": "a-na", "kind": "not_alongside", "nations": ["CCC"], "scope": "sector"}
    scenario = make_scenario(red_lines={"AAA": [line]})
    assert solve_by_hand(scenario, [*GOOD, ("c-eng", "s-eng", 1)], [("d-fund", "engineer", 1_800_000)]) == []


def test_not_alongside_rejects_shared_sector() -> None:
    """AAA refuses to share a sector with CCC; both in the north is a violation."""
    line = {"id": "a-na", "kind": "not_alongside", "nations": ["CCC"], "scope": "sector"}
    scenario = make_scenario(red_lines={"AAA": [line]})
    found = solve_by_hand(scenario, [*GOOD, ("c-eng", "n-eng", 1)], [("d-fund", "engineer", 1_800_000)])
    assert rules(found) == {"red_line.not_alongside"}
    assert "`north`" in found[0].message


def test_requires_partner_accepts_partner_contributing_units() -> None:
    """AAA requires CCC; CCC's engineers in the south satisfy it."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-rp", "kind": "requires_partner", "nations": ["CCC"]}]})
    assert solve_by_hand(scenario, [*GOOD, ("c-eng", "s-eng", 1)], [("d-fund", "engineer", 1_800_000)]) == []


def test_requires_partner_rejects_missing_partner() -> None:
    """AAA requires CCC, which sends nothing."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-rp", "kind": "requires_partner", "nations": ["CCC"]}]})
    assert rules(solve_by_hand(scenario)) == {"red_line.requires_partner"}


def test_requires_partner_accepts_other_group_member() -> None:
    """AAA requires a member of its group g1; BBB contributes units."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-rp", "kind": "requires_partner", "group": "g1"}]})
    assert solve_by_hand(scenario) == []


def test_requires_partner_rejects_counting_the_nation_itself() -> None:
    """AAA requires a member of its group g1; AAA alone does not count as its own partner."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-rp", "kind": "requires_partner", "group": "g1"}]})
    assert rules(solve_by_hand(scenario, [GOOD[0]])) == {"red_line.requires_partner"}


def test_requires_partner_rejects_donor_without_partner() -> None:
    """A donor requiring CCC takes part through its money; CCC sends nothing."""
    scenario = make_scenario(red_lines={"DDD": [{"id": "d-rp", "kind": "requires_partner", "nations": ["CCC"]}]})
    assert rules(solve_by_hand(scenario)) == {"red_line.requires_partner"}


def test_max_personnel_red_line_accepts_contingent_at_limit() -> None:
    """A national ceiling of 100 allows one company of 100."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-max", "kind": "max_personnel", "limit": 100}]})
    assert solve_by_hand(scenario) == []


def test_max_personnel_red_line_rejects_contingent_above_limit() -> None:
    """A national ceiling of 100 forbids two companies of 100."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-max", "kind": "max_personnel", "limit": 100}]})
    found = solve_by_hand(scenario, [("a-eng", "n-eng", 1), ("a-eng", "s-eng", 1)], [])
    assert rules(found) == {"red_line.max_personnel"}


def test_min_contingent_accepts_everything_or_nothing() -> None:
    """A minimum contingent of 200 is met by both companies, and by sending none."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-min", "kind": "min_contingent", "personnel": 200}]})
    assert solve_by_hand(scenario, [("a-eng", "n-eng", 1), ("a-eng", "s-eng", 1)], []) == []
    assert solve_by_hand(scenario, [("c-eng", "n-eng", 1)], []) == []


def test_min_contingent_rejects_smaller_contingent() -> None:
    """A minimum contingent of 200 forbids sending one company of 100."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-min", "kind": "min_contingent", "personnel": 200}]})
    assert rules(solve_by_hand(scenario)) == {"red_line.min_contingent"}


def test_max_sectors_accepts_a_national_sector() -> None:
    """A nation kept to one sector with all its units in the north is fine."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-one", "kind": "max_sectors", "count": 1}]})
    assert solve_by_hand(scenario, [("a-eng", "n-eng", 2)], []) == []


def test_max_sectors_rejects_spread_units() -> None:
    """A nation kept to one sector cannot have units in the north and the south."""
    scenario = make_scenario(red_lines={"AAA": [{"id": "a-one", "kind": "max_sectors", "count": 1}]})
    found = solve_by_hand(scenario, [("a-eng", "n-eng", 1), ("a-eng", "s-eng", 1)], [])
    assert rules(found) == {"red_line.max_sectors"}


# -- coverage ----------------------------------------------------------------------------


def test_essential_coverage_accepts_covered_lines() -> None:
    """An essential line receiving its quantity is covered."""
    assert "coverage.essential" not in rules(solve_by_hand(make_scenario()))


def test_essential_coverage_rejects_empty_essential_line() -> None:
    """An essential line left empty is a violation naming the line."""
    found = solve_by_hand(make_scenario(), [GOOD[1]], [])
    assert rules(found) == {"coverage.essential"}
    assert found[0].element == "n-eng"
    assert found[0].message.endswith(") needs 1 unit; the package provides 0")  # (not "1 units")


def test_essential_coverage_counts_personnel_measure() -> None:
    """An essential line of 200 personnel is not covered by one unit of 100, and is by two."""
    scenario = make_scenario(edit=lambda d: requirement_of(d, "s-inf").update(priority="essential"))
    assert rules(solve_by_hand(scenario, [GOOD[0], ("b-inf", "s-inf", 1)])) == {"coverage.essential"}
    assert solve_by_hand(scenario) == []


def test_figures_coverage_rejects_wrong_provided() -> None:
    """A coverage row overstating what a line receives is a violation."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    rows = [
        c.model_copy(update={"provided": 1, "shortfall": 0}) if c.requirement == "s-eng" else c
        for c in solution.coverage
    ]
    found = check(scenario, solution.model_copy(update={"coverage": rows}))
    assert rules(found) == {"figures.coverage"}
    assert found[0].element == "s-eng"


def test_figures_coverage_rejects_missing_and_unknown_rows() -> None:
    """Coverage needs one row per requirement line, and none for other lines."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    stray = solution.coverage[0].model_copy(update={"requirement": "nowhere"})
    found = check(scenario, solution.model_copy(update={"coverage": [*solution.coverage[1:], stray]}))
    assert rules(found) == {"figures.coverage"}
    assert len(found) == 2


# -- targets -----------------------------------------------------------------------------


def test_targets_max_personnel_accepts_force_at_ceiling() -> None:
    """300 personnel meet a ceiling of 300."""
    assert solve_by_hand(make_scenario(targets={"max_personnel": 300})) == []


def test_targets_max_personnel_rejects_force_above_ceiling() -> None:
    """300 personnel break a ceiling of 299."""
    assert rules(solve_by_hand(make_scenario(targets={"max_personnel": 299}))) == {"target.max_personnel"}


def test_targets_min_nations_accepts_enough_contributors() -> None:
    """Two nations contributing units meet a minimum of two."""
    assert solve_by_hand(make_scenario(targets={"min_nations": 2})) == []


def test_targets_min_nations_rejects_donors_as_contributors() -> None:
    """A money-only donor does not count towards a minimum of three nations contributing units."""
    assert rules(solve_by_hand(make_scenario(targets={"min_nations": 3}))) == {"target.min_nations"}


def test_targets_group_minimums_accepts_enough_members() -> None:
    """Both members of g1 contribute units."""
    assert solve_by_hand(make_scenario(targets={"group_minimums": {"g1": 2}})) == []


def test_targets_group_minimums_rejects_donor_only_group() -> None:
    """g2's only participant is a donor: no member contributes units."""
    found = solve_by_hand(make_scenario(targets={"group_minimums": {"g2": 1}}))
    assert rules(found) == {"target.group_minimums"}
    assert found[0].element == "group_minimums.g2"


def test_targets_max_nation_share_accepts_share_at_the_limit() -> None:
    """Two nations of 100 personnel each hold exactly half each, within a limit of 0.5."""
    scenario = make_scenario(targets={"max_nation_share": 0.5})
    assert solve_by_hand(scenario, [GOOD[0], ("b-inf", "s-inf", 1)]) == []


def test_targets_max_nation_share_rejects_dominant_nation() -> None:
    """BBB's 200 of 300 personnel break a limit of 0.5."""
    assert rules(solve_by_hand(make_scenario(targets={"max_nation_share": 0.5}))) == {"target.max_nation_share"}


# -- funding -----------------------------------------------------------------------------


def test_funding_flows_zero_flow_counts_for_nothing() -> None:
    """A zero flow from a vetoed donor may be listed: it is no participation and no money."""
    scenario = make_scenario(vetoes=[{"id": "v-ddd", "by": "Someone", "against": ["DDD"], "scope": "all"}])
    assert solve_by_hand(scenario, GOOD, [("d-fund", "engineer", 0)]) == []


def test_funding_flows_rejects_unknown_pledge() -> None:
    """A flow naming a pledge nobody made is a violation."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    stray = FundingFlow(pledge="ghost", nation="DDD", capability="engineer", amount_usd=0)
    funding = solution.funding.model_copy(update={"flows": [*solution.funding.flows, stray]})
    assert rules(check(scenario, solution.model_copy(update={"funding": funding}))) == {"funding.flow"}


def test_funding_flows_rejects_wrong_nation() -> None:
    """A flow naming another nation than the pledge's is a violation."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    flows = [f.model_copy(update={"nation": "AAA"}) for f in solution.funding.flows]
    funding = solution.funding.model_copy(update={"flows": flows})
    assert rules(check(scenario, solution.model_copy(update={"funding": funding}))) == {"funding.flow"}


def test_funding_pledge_amount_accepts_pledge_drawn_in_full() -> None:
    """A pledge of 1.2 million pays 1.2 million."""
    scenario = make_scenario(edit=lambda d: d["offers"][3]["funding"][0].update(amount_usd=1_200_000))
    assert solve_by_hand(scenario) == []


def test_funding_pledge_amount_rejects_overdrawn_pledge() -> None:
    """A pledge of 1 million cannot pay 1.2 million."""
    scenario = make_scenario(edit=lambda d: d["offers"][3]["funding"][0].update(amount_usd=1_000_000))
    found = solve_by_hand(scenario)
    assert rules(found) == {"funding.pledge_amount"}
    assert found[0].element == "d-fund"


def test_funding_earmark_accepts_pledge_without_earmark() -> None:
    """A pledge without earmark pays for any capability."""
    scenario = make_scenario(edit=lambda d: d["offers"][3]["funding"][0].pop("earmark"))
    assert solve_by_hand(scenario) == []


def test_funding_earmark_rejects_other_capability() -> None:
    """A pledge earmarked for medical care cannot pay for engineers."""
    scenario = make_scenario(edit=lambda d: d["offers"][3]["funding"][0].update(earmark=["medical_role2"]))
    assert rules(solve_by_hand(scenario)) == {"funding.earmark"}


def test_funding_capability_cost_accepts_exact_pooled_cost() -> None:
    """Engineers receive exactly their pooled cost."""
    assert "funding.capability_cost" not in rules(solve_by_hand(make_scenario()))


def test_funding_capability_cost_rejects_overpayment() -> None:
    """Engineers costing 1.2 million cannot receive 1.3 million."""
    found = solve_by_hand(make_scenario(), GOOD, [("d-fund", "engineer", 1_300_000)])
    assert rules(found) == {"funding.capability_cost"}


def test_funding_capability_cost_rejects_paying_self_funded_units() -> None:
    """Self-funded infantry has no pooled cost to pay."""
    scenario = make_scenario(edit=lambda d: d["offers"][3]["funding"][0].pop("earmark"))
    found = solve_by_hand(scenario, GOOD, [*GOOD_FLOWS, ("d-fund", "infantry", 1)])
    assert rules(found) == {"funding.capability_cost"}
    assert found[0].element == "infantry"


def test_funding_coverage_accepts_enough_money() -> None:
    """Full coverage is met by paying the pooled cost, half coverage by paying half."""
    assert solve_by_hand(make_scenario(targets={"funding_coverage": 1.0})) == []
    half = make_scenario(targets={"funding_coverage": 0.5})
    assert solve_by_hand(half, GOOD, [("d-fund", "engineer", 600_000)]) == []


def test_funding_coverage_rejects_too_little_money() -> None:
    """Full coverage is not met by paying 1 of 1.2 million."""
    scenario = make_scenario(targets={"funding_coverage": 1.0})
    found = solve_by_hand(scenario, GOOD, [("d-fund", "engineer", 1_000_000)])
    assert rules(found) == {"funding.coverage"}
    assert found[0].element == "funding_coverage"


def test_funding_coverage_absent_target_imposes_nothing() -> None:
    """Without a coverage target, an unfunded pooled cost is no violation."""
    assert solve_by_hand(make_scenario(), GOOD, []) == []


# -- figures -----------------------------------------------------------------------------


def test_figures_funding_accepts_pledged_without_barred_pledges() -> None:
    """A pledge of a nation under a veto of scope `all` is not counted as pledged."""
    scenario = make_scenario(vetoes=[{"id": "v-ddd", "by": "Someone", "against": ["DDD"], "scope": "all"}])
    solution = build_solution(scenario, GOOD, [])
    assert solution.funding.pledged_usd == 0
    assert check(scenario, solution) == []


def test_figures_funding_rejects_wrong_pledged() -> None:
    """Counting a barred pledge as pledged is a violation."""
    scenario = make_scenario(vetoes=[{"id": "v-ddd", "by": "Someone", "against": ["DDD"], "scope": "all"}])
    solution = build_solution(scenario, GOOD, [])
    funding = solution.funding.model_copy(update={"pledged_usd": 10_000_000})
    assert rules(check(scenario, solution.model_copy(update={"funding": funding}))) == {"figures.funding"}


def test_figures_funding_rejects_wrong_gap() -> None:
    """A funding gap that is not pooled cost minus money used is a violation."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    funding = solution.funding.model_copy(update={"gap_usd": 5})
    assert rules(check(scenario, solution.model_copy(update={"funding": funding}))) == {"figures.funding"}


def test_figures_totals_rejects_wrong_personnel() -> None:
    """Totals that do not add up the package are a violation."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    totals = solution.totals.model_copy(update={"personnel": 299})
    assert rules(check(scenario, solution.model_copy(update={"totals": totals}))) == {"figures.totals"}


def test_figures_totals_counts_donors_as_participating() -> None:
    """A money-only donor takes part but does not contribute units."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    totals = solution.totals.model_copy(update={"nations_participating": 2})
    assert rules(check(scenario, solution.model_copy(update={"totals": totals}))) == {"figures.totals"}


def test_figures_nations_rejects_wrong_share() -> None:
    """A nation's share that is not its personnel over the total is a violation."""
    scenario = make_scenario()
    solution = with_nation_row(build_solution(scenario, GOOD, GOOD_FLOWS), "BBB", share=0.6)
    assert rules(check(scenario, solution)) == {"figures.nations"}
    expected = next(n.share for n in build_solution(scenario, GOOD, GOOD_FLOWS).nations if n.nation == "BBB")
    (violation,) = check(scenario, solution)
    assert f"share 60 % (expected {round(expected * 100, 2):g} %)" in violation.message


def test_figures_nations_tells_close_shares_apart_in_percent() -> None:
    """A share off by a hundred-thousandth is said with the decimals that show it, never as a raw float."""
    scenario = make_scenario()
    good = build_solution(scenario, GOOD, GOOD_FLOWS)
    share = next(n.share for n in good.nations if n.nation == "BBB")
    (violation,) = check(scenario, with_nation_row(good, "BBB", share=share + 1e-5))
    given, expected = violation.message.split("share ")[1].split(" % (expected ")
    assert abs(float(given) - float(expected.removesuffix(" %)")) - 1e-3) < 1e-4


def test_figures_nations_rejects_unsorted_sectors() -> None:
    """A nation's sectors are listed sorted."""
    scenario = make_scenario()
    solution = build_solution(scenario, [("a-eng", "n-eng", 1), ("a-eng", "s-eng", 1)], [])
    assert check(scenario, solution) == []
    shuffled = with_nation_row(solution, "AAA", sectors=["south", "north"])
    assert rules(check(scenario, shuffled)) == {"figures.nations"}


def test_figures_nations_rejects_missing_donor_and_stray_nation() -> None:
    """A participating donor needs a row; a nation not taking part has none."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    stray = NationFigures(
        nation="CCC",
        personnel=0,
        share=0.0,
        units=0,
        sectors=[],
        cost_usd=0,
        funding_pledged_usd=0,
        funding_used_usd=0,
    )
    rows = [*(n for n in solution.nations if n.nation != "DDD"), stray]
    found = check(scenario, solution.model_copy(update={"nations": rows}))
    assert rules(found) == {"figures.nations"}
    assert sorted(v.element or "" for v in found) == ["CCC", "DDD"]


# -- objective ---------------------------------------------------------------------------

ALL_CRITERIA = ["shortfall", "cost", "nations", "max_share", "readiness"]


@pytest.mark.parametrize("criterion", ALL_CRITERIA)
def test_objective_rejects_wrong_value(criterion: str) -> None:
    """Each criterion's reported value is recomputed; a wrong one is a violation of that criterion."""
    scenario = make_scenario(objective=ALL_CRITERIA)
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    assert check(scenario, solution) == []
    wrong = {o.criterion: o.value * 1.01 + 0.5 for o in solution.objective}
    objective = [  # (the bound moved with it: a bound past the value is a violation of its own)
        o.model_copy(update={"value": wrong[o.criterion], "bound": wrong[o.criterion]})
        if o.criterion == criterion
        else o
        for o in solution.objective
    ]
    found = check(scenario, solution.model_copy(update={"objective": objective}))
    assert rules(found) == {f"objective.{criterion}"}


def test_objective_accepts_value_within_tolerance() -> None:
    """A cost off by a millionth of its value is accepted."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    objective = [o.model_copy(update={"value": o.value * (1 + 5e-7)}) for o in solution.objective]
    assert check(scenario, solution.model_copy(update={"objective": objective})) == []


def test_objective_criteria_accepts_extra_criterion_first() -> None:
    """A repair reports `churn` before the scenario's criteria; it is not recomputed."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    churn = ObjectiveValue(criterion="churn", value=3, bound=3)
    assert check(scenario, solution.model_copy(update={"objective": [churn, *solution.objective]})) == []


def test_objective_criteria_rejects_missing_criterion() -> None:
    """Every criterion of the scenario's objective is reported."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    found = check(scenario, solution.model_copy(update={"objective": solution.objective[:2]}))
    assert rules(found) == {"objective.criteria"}


def test_objective_criteria_rejects_wrong_order() -> None:
    """The criteria are reported in the order optimised."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    found = check(scenario, solution.model_copy(update={"objective": solution.objective[::-1]}))
    assert rules(found) == {"objective.criteria"}


@pytest.mark.parametrize(("criterion", "shift"), [("cost", 1000.0), ("nations", -1.0)])
def test_objective_bound_past_its_value_is_rejected(criterion: str, shift: float) -> None:
    """A minimised criterion's bound above its value, or a maximised one's below, claims better than
    the package itself: rejected, naming the criterion."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    assert any(o.criterion == criterion for o in solution.objective)
    objective = [
        o.model_copy(update={"bound": o.value + shift}) if o.criterion == criterion else o for o in solution.objective
    ]
    found = check(scenario, solution.model_copy(update={"objective": objective}))
    assert rules(found) == {"objective.bound"}
    assert f"objective `{criterion}`'s bound" in found[0].message
    # A bound on its side (a gap) is no violation.
    objective = [
        o.model_copy(update={"bound": o.value - shift}) if o.criterion == criterion else o for o in solution.objective
    ]
    assert check(scenario, solution.model_copy(update={"objective": objective, "status": "feasible"})) == []


# -- the checker itself ------------------------------------------------------------------


def test_check_never_raises_on_a_garbled_document() -> None:
    """A parseable document full of unknown ids gives violations, not an exception."""
    scenario = make_scenario()
    solution = build_solution(scenario, GOOD, GOOD_FLOWS)
    rows = [a.model_copy(update={"unit": "x", "requirement": "y", "units": -1}) for a in solution.assignments]
    flows = [
        FundingFlow(pledge="p", nation="Q", capability="nothing", amount_usd=0).model_copy(update={"amount_usd": -5})
    ]
    garbled = solution.model_copy(
        update={"assignments": rows, "funding": solution.funding.model_copy(update={"flows": flows})}
    )
    found = check(scenario, garbled)
    assert {"assignment.reference", "assignment.units", "funding.flow", "coverage.essential"} <= rules(found)


def test_rules_each_have_a_docstring_and_a_unique_name() -> None:
    """Every rule of the registry says in domain words what it checks."""
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.doc.strip() for rule in RULES)


def test_check_imports_only_standard_library_and_models() -> None:
    """The checker stays independent of the solver's model: the checker, its view of a package and
    every rule home (whose verdicts it runs) import only the standard library, `models`, and each
    other; and they import in a process where OR-Tools cannot be imported at all."""
    checker = {"check", "checking", "checked_plan", "elements", "rules"}
    root = Path(check_module.__file__).resolve().parent
    files = [
        root / "check.py",
        root / "checking.py",
        root / "checked_plan.py",
        root / "elements.py",
        *sorted((root / "rules").glob("*.py")),
    ]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
        for name in names:
            top = name.split(".")[0]
            if top == "forcepack":
                parts = name.split(".")
                assert parts[1] == "models" or (parts[1] == "solver" and parts[2] in checker), (path.name, name)
            else:
                assert top in sys.stdlib_module_names or top == "__future__", (path.name, name)
    blocked = (
        "import sys; sys.modules['ortools'] = None\n"
        "import forcepack.solver.check, forcepack.solver.checked_plan, forcepack.solver.rules\n"
        "assert not any(m == 'ortools' or m.startswith('ortools.') for m in sys.modules if sys.modules[m])\n"
    )
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
