"""The formulation benchmark (`bench.formulation`): its Boolean form is the same scenario with every
unit its own line of one, so both forms plan the same force and reach the same optimum."""

from __future__ import annotations

from collections import Counter

from bench.formulation import measure, per_unit
from forcepack.models.loading import load_scenario
from forcepack.models.scenario import Scenario
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check
from tests.test_phased_solve import tiny


def _units(scenario: Scenario) -> Counter[tuple[str, str]]:
    """Units offered per nation and capability."""
    out: Counter[tuple[str, str]] = Counter()
    for offer in scenario.offers:
        for unit in offer.units:
            out[(offer.nation, unit.capability)] += unit.count
    return out


def test_every_unit_becomes_a_line_of_one_and_nothing_else_changes() -> None:
    gaza = load_scenario("examples/gaza-phased.yaml")
    split = per_unit(gaza)
    assert any(u.count > 1 for o in gaza.offers for u in o.units)
    assert all(u.count == 1 for o in split.offers for u in o.units)
    assert _units(split) == _units(gaza)
    ids = [(o.nation, u.id) for o in split.offers for u in o.units]
    assert len(ids) == len(set(ids))
    assert split.requirements == gaza.requirements and split.phasing == gaza.phasing


def test_both_forms_reach_the_same_optimum() -> None:
    """Without rotations (a unit line's rotations are counted over its units together in the
    per-line form, per unit in the split one), the two forms are the same problem."""
    scenario = tiny(**{"offers.1.units.0.rotations": None})
    params = SolveParams(time_limit_s=30, workers=1)
    a, b = solve(scenario, params), solve(per_unit(scenario), params)
    assert a.status == b.status == "optimal"
    assert check(scenario, a) == [] and check(per_unit(scenario), b) == []
    assert [o.value for o in a.objective] == [o.value for o in b.objective]


def test_a_record_holds_the_forms_model_and_plan() -> None:
    record = measure(tiny(), "per-unit", 5.0)
    assert record["form"] == "per-unit" and record["model"]["tour_variables"] > 0
    assert record["status"] in ("optimal", "feasible") and record["violations"] == []
    assert record["value"] is not None and record["bound"] is not None
