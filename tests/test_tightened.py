"""Variables that only bound a minimised criterion from above (a desirable line's shortfall, a
pair's churn) can be left loose by a search that stops early; `ModelBuilder.tightened` brings them
to the least value the package's units allow, and `solve` reports and holds a stage's value as the
package's own."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from ortools.sat.python import cp_model

from bench.generator import generate
from forcepack.models.common import Measure, Priority
from forcepack.solver import SolveParams, SolveReport, solve
from forcepack.solver.builder import ModelBuilder
from forcepack.solver.construct import Construction, construct


def _feasible(model: cp_model.CpModel) -> list[int]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return list(solver.response_proto.solution)


def _is_solution(model: cp_model.CpModel, values: list[int]) -> bool:
    """Every variable fixed at its value: does the model accept the assignment?"""
    trial = model.clone()
    trial.clear_objective()
    for i, v in enumerate(values):
        trial.proto.variables[i].domain.clear()
        trial.proto.variables[i].domain.extend([v, v])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(trial) == cp_model.OPTIMAL


def test_tightened_sets_shortfall_and_churn_to_what_the_units_give() -> None:
    """With every shortfall and churn variable pushed to the top of its domain, `tightened` gives
    each line's shortfall as max(0, quantity - provided) and each pair's churn as |units - before|,
    computed here from the scenario alone; the result is still a solution of the model."""
    scenario = generate(25, 1)
    baseline = solve(scenario, SolveParams(time_limit_s=10, workers=1))
    assert baseline.has_package
    before = {(f"{a.nation}/{a.unit}", a.requirement): a.units for a in baseline.assignments}
    builder = ModelBuilder(scenario, baseline=before)
    built = builder.build()
    model = built.model
    proto = model.proto
    loose = _feasible(model)
    churn = {i for i, v in enumerate(proto.variables) if v.name.startswith("churn[")}
    assert churn, "the baseline should give the model churn variables"
    loosened = churn | {var.index for var in built.vars.shortfall.values()}
    for i in loosened:
        loose[i] = list(proto.variables[i].domain)[-1]
    assert _is_solution(model, loose)

    tight = builder.tightened(loose)

    assert _is_solution(model, tight)
    units = {pair: tight[var.index] for pair, var in built.vars.units.items()}
    offers = {f"{o.nation}/{u.id}": u for o in scenario.offers for u in o.units}
    for r in scenario.requirements:
        if r.priority != Priority.DESIRABLE:
            continue
        provided = sum(
            n * (offers[u].personnel if r.measure == Measure.PERSONNEL else 1)
            for (u, rid), n in units.items()
            if rid == r.id
        )
        assert tight[built.vars.shortfall[r.id].index] == max(0, r.quantity - provided), r.id
    for i in churn:
        unit, requirement = proto.variables[i].name[len("churn[") : -1].split(",")
        assert tight[i] == abs(units[(unit, requirement)] - before[(unit, requirement)])
    moved = {i for i, (a, b) in enumerate(zip(loose, tight, strict=True)) if a != b}
    assert moved <= loosened
    assert moved, "the loose values should have come down"


def test_a_stage_reports_the_value_of_its_package_not_of_loose_variables(searches_get_no_time: None) -> None:
    """On the large-model path, a constructed package whose shortfall variables are left at the top
    of their domains, and no neighbourhood round to improve it: the stage's value, the bound the
    later stages hold, is the package's own shortfall, the one the solution document reports."""
    scenario = generate(25, 2)

    def loose_construct(builder: ModelBuilder, *args: Any, **kwargs: Any) -> Construction | None:
        found = construct(builder, *args, **kwargs)
        if found is None:
            return None
        values = list(found.values)
        for var in builder.vars.shortfall.values():
            values[var.index] = list(builder.model.proto.variables[var.index].domain)[-1]
        return Construction(found.package, values, found.seconds, found.solver)

    report = SolveReport()
    with (
        patch("forcepack.solver.search.MIN_PAIRS", 0),
        patch("forcepack.solver.search.WHOLE_NEIGHBOURHOOD_PAIRS", 0),
        patch("forcepack.solver.search.construct", loose_construct),
        patch("forcepack.solver.search.around_relaxation", lambda *args, **kwargs: None),
    ):
        solution = solve(scenario, SolveParams(time_limit_s=300, workers=1), report=report)
    assert solution.has_package
    stage = report.stages[0]
    assert stage.criterion == "shortfall" and stage.value is not None
    _, factor = ModelBuilder(scenario).build().criteria["shortfall"]
    assert stage.value / factor == pytest.approx(solution.objective[0].value, abs=1e-6)
