"""The best-effort package: every rule but the essential lines held, the fewest of them short.

Cross-checked against the exhaustive search on tiny scenarios (the least number of essential
lines any package must leave short), each package re-verified by the independent checker, and
the criticality sweep's rows read from it."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from forcepack.models import Priority, Scenario, parse_scenario
from forcepack.models.common import Measure
from forcepack.solver import SolveParams
from forcepack.solver.best_effort import best_effort, relaxed
from forcepack.solver.check import check
from forcepack.solver.sweep import criticality
from tests.brute import feasible_packages, search_space_size
from tests.strategies import tiny_scenarios

PARAMS = SolveParams(time_limit_s=60, workers=1, seed=0)


def _scaled(scenario: Scenario, factor: int) -> Scenario:
    """The scenario with every essential line's quantity multiplied (most become infeasible)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for r in data["requirements"]:
        if r["priority"] == Priority.ESSENTIAL.value:
            r["quantity"] *= factor
    return parse_scenario(data, "scaled")


def _lines_short(scenario: Scenario, assignment: dict[tuple[str, str], int]) -> int:
    """Essential lines an assignment (units per unit key and line) leaves short."""
    units = scenario.unit_by_key
    provided: dict[str, int] = {}
    by_id = {r.id: r for r in scenario.requirements}
    for (key, rid), n in assignment.items():
        per_unit = units[key].personnel if by_id[rid].measure == Measure.PERSONNEL else 1
        provided[rid] = provided.get(rid, 0) + n * per_unit
    return sum(
        1 for r in scenario.requirements if r.priority == Priority.ESSENTIAL and provided.get(r.id, 0) < r.quantity
    )


@settings(deadline=None, max_examples=60)
@given(tiny_scenarios(), st.sampled_from([1, 2, 3]))
def test_best_effort_gives_up_the_fewest_essential_lines(scenario: Scenario, factor: int) -> None:
    """The least count is the exhaustive search's, proven; the package leaves exactly that many
    essential lines short, and honours every rule of the relaxed scenario (the checker says so)."""
    scenario = _scaled(scenario, factor)
    easier = relaxed(scenario)
    assume(search_space_size(easier) <= 20_000)
    packages = feasible_packages(easier)
    effort = best_effort(scenario, PARAMS)
    if not packages:
        assert effort.package.status == "infeasible" and effort.lines_short == [] and effort.least is None
        return
    fewest = min(_lines_short(scenario, p.assignment) for p in packages)
    assert effort.least == fewest == len(effort.lines_short)
    assert effort.package.status == "optimal"
    assert check(easier, effort.package) == []
    essential = [r.id for r in scenario.requirements if r.priority == Priority.ESSENTIAL]
    assert effort.lines_short == [rid for rid in essential if rid in effort.lines_short]


def test_criticality_rows_are_filled_alike() -> None:
    """Every decided row has its package and the fewest lines lost: 0 and the re-solve when a
    package remains; the best effort's lines and its proven count when none does."""
    from tests.test_rules import base, line, offer, unit

    scenario = parse_scenario(
        base(
            requirements=[
                line("E1", capability="medical_role2"),
                line("E2", capability="infantry", quantity=1000, measure="personnel"),
                line("D", sector="bravo", priority="desirable", weight=1000),
            ],
            offers=[
                offer("AAA", [unit("a", capability="infantry", personnel=500, count=2), unit("a-eng")]),
                offer("BBB", [unit("b", capability="medical_role2")]),
                offer("CCC", [unit("c", capability="infantry", personnel=500, count=2)]),
            ],
            targets={"max_personnel": 1200},
        )
    )
    rows: dict[str, Any] = {w.nations[0]: w for w in criticality(scenario, PARAMS).withdrawals}
    lost = rows["BBB"]
    assert lost.feasible is False and lost.essential_lines_lost == ["E1"] and lost.least_lines_lost == 1
    assert lost.package is not None and lost.package.has_package
    assert "1 essential line must be given up (`E1`)" in (lost.reason or "")
    for nation, row in rows.items():
        if row.feasible:
            assert row.least_lines_lost == 0 and row.essential_lines_lost == [], nation
            assert row.package is not None and row.package.has_package, nation
