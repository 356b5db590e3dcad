"""A stage's share of the time (`solver.search.STAGE_SHARE`): a search with no package at the end of
its share goes on until its first package, and is not restarted from nothing to do so."""

from __future__ import annotations

import pytest

from bench.generator import generate
from forcepack.solver import SolveParams
from forcepack.solver import search as search_module
from forcepack.solver.answer import solve
from forcepack.solver.check import check
from forcepack.solver.search import SolveReport


@pytest.mark.parametrize("deterministic", [False, True])
def test_a_stage_without_a_package_at_its_share_goes_on_to_its_first(
    monkeypatch: pytest.MonkeyPatch, deterministic: bool
) -> None:
    """With no share at all for the stages before the last, the first stage still finds a package
    (its share is over before any, so it stops at its first one) and the later stages run from it."""
    monkeypatch.setattr(search_module, "STAGE_SHARE", 0.0)
    scenario = generate(70, 1)  # two groups of stages; presolve alone outlasts no time at all
    report = SolveReport()
    solution = solve(
        scenario, SolveParams(time_limit_s=30, workers=1, deterministic=deterministic), report=report, explain=False
    )
    assert solution.has_package, solution.status
    first = report.stages[0]
    assert first.status in ("FEASIBLE", "OPTIMAL"), first
    assert len(report.stages) > 1 and all(s.status for s in report.stages)
    assert check(scenario, solution) == []
