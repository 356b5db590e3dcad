"""Ids of units, pledges and red lines are each nation's own: two nations may use the same ones,
and every interface keeps them apart (the package, the checker, what-if, why-not, explanations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from forcepack.models import load_scenario
from forcepack.models.patch import Patch, PatchError, apply_patch
from forcepack.models.scenario import offer_key
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check
from forcepack.solver.document import Package
from forcepack.solver.elements import Element
from forcepack.solver.renegotiate import relax
from forcepack.solver.why_not import UnknownSubjectError, resolve_subject, why_not
from tests.brute import brute_force

SAME_IDS = Path(__file__).resolve().parent / "data" / "good" / "same-ids.yaml"
PARAMS = SolveParams(time_limit_s=20, deterministic=True)


def test_ids_two_nations_may_use_the_same_ids() -> None:
    """IDN and MAR both offer a unit `eng-1`, a pledge `fund` and a red line `no-combat`: the scenario
    loads, and the lookups keep them apart by nation."""
    scenario = load_scenario(SAME_IDS)
    assert {"IDN/eng-1", "MAR/eng-1"} <= set(scenario.unit_by_key)
    assert scenario.unit_by_key["IDN/eng-1"].capability == "engineer"
    assert scenario.unit_by_key["MAR/eng-1"].capability == "infantry"
    assert {offer_key(n, "fund") for n in ("IDN", "MAR", "TUR", "SAU")} <= set(scenario.pledge_by_key)
    assert scenario.unit_keys_named("eng-1") == ["IDN/eng-1", "MAR/eng-1"]


def test_ids_package_of_shared_ids_matches_the_exhaustive_search_and_passes_the_checker() -> None:
    """The solver places both nations' `eng-1` lines, each under its own nation; the document passes
    the checker, agrees with the exhaustive search and reads back into the same package."""
    scenario = load_scenario(SAME_IDS)
    solution = solve(scenario, PARAMS)
    expected = brute_force(scenario)
    assert solution.status == expected.status == "optimal"
    assert [o.value for o in solution.objective] == pytest.approx(list(expected.objective))
    assert check(scenario, solution) == []
    placed = {(a.nation, a.unit) for a in solution.assignments}
    assert ("IDN", "eng-1") in placed and ("MAR", "eng-1") in placed
    package = Package.from_solution(solution)
    assert {pair[0] for pair in package.assignment} >= {"IDN/eng-1", "MAR/eng-1"}


def test_ids_checker_tells_a_unit_by_its_nation() -> None:
    """A row naming MAR's `eng-1` with IDN's figures is checked against MAR's unit (infantry)."""
    scenario = load_scenario(SAME_IDS)
    solution = solve(scenario, PARAMS)
    row = next(a for a in solution.assignments if a.nation == "MAR")
    wrong = row.model_copy(update={"capability": "engineer"})
    others = [a for a in solution.assignments if a is not row]
    found = check(scenario, solution.model_copy(update={"assignments": [*others, wrong]}))
    assert any(v.rule == "assignment.fields" for v in found)


def test_ids_remove_unit_needs_the_nation_when_two_share_the_id() -> None:
    """`remove_unit eng-1` is ambiguous (IDN and MAR both offer one): refused, naming both; with
    `nation` it removes that nation's line only."""
    scenario = load_scenario(SAME_IDS)
    with pytest.raises(PatchError) as raised:
        apply_patch(scenario, Patch.model_validate({"ops": [{"op": "remove_unit", "unit": "eng-1"}]}))
    assert "several nations offer a unit `eng-1` (IDN, MAR)" in raised.value.problems[0]
    patched = apply_patch(
        scenario, Patch.model_validate({"ops": [{"op": "remove_unit", "unit": "eng-1", "nation": "MAR"}]})
    )
    assert set(patched.unit_keys_named("eng-1")) == {"IDN/eng-1"}


def test_ids_why_not_takes_a_key_when_two_share_the_id() -> None:
    """A why-not on `eng-1` asks which nation's; on `MAR/eng-1` it answers about MAR's infantry."""
    scenario = load_scenario(SAME_IDS)
    with pytest.raises(UnknownSubjectError, match=r"`IDN/eng-1` \(unit\), `MAR/eng-1` \(unit\)"):
        resolve_subject(scenario, "eng-1")
    assert resolve_subject(scenario, "MAR/eng-1") == ("unit", "MAR/eng-1")
    answer = why_not(scenario, "MAR/eng-1", PARAMS)
    assert answer.subject_type == "unit"


def test_ids_relaxing_a_red_line_relaxes_that_nations_only() -> None:
    """Both IDN and MAR hold a red line `no-combat`: renegotiating IDN's leaves MAR's in place, and a
    unit's availability eased is that nation's unit only."""
    scenario = load_scenario(SAME_IDS)
    relaxed = relax(scenario, [Element("red_line", "no-combat", "IDN"), Element("availability", "eng-1", "MAR")])
    assert [r.id for r in relaxed.red_lines_of("IDN")] == []
    assert [r.id for r in relaxed.red_lines_of("MAR")] == ["no-combat"]
    assert relaxed.unit_by_key["MAR/eng-1"].readiness == "rapid"
    assert relaxed.unit_by_key["IDN/eng-1"].readiness == scenario.unit_by_key["IDN/eng-1"].readiness
