"""Exactness (issue #20): optimal means exactly optimal, and tolerances mean what they say.

Each hand-built case sits at an edge of the arithmetic where the solver once answered a package
that was not the optimum while calling it `optimal`; its expected answer comes from the
exhaustive search (`tests/brute.py`, exact rational arithmetic, written apart from the solver).
"""

from __future__ import annotations

from fractions import Fraction

from models import RunInfo, parse_scenario
from solver.document import Package, exact_values, solution_document
from tests.test_rules import base, line, offer, unit

RUN = RunInfo(solver="test", solver_version="0", workers=1, seed=0, time_limit_s=1.0, wall_s=0.0)


def test_document_values_are_exact_fractions_as_the_nearest_float() -> None:
    """Lines weighing 1.07 and 1, both wholly short: the shortfall is 2.07 (as floats, 1.07 + 1.0 is
    2.0700000000000003); a share of 98,763 in 197,524 is that fraction's nearest float."""
    scenario = parse_scenario(
        base(
            requirements=[
                line("light", priority="desirable", weight=1.07),
                line("heavy", sector="bravo", priority="desirable"),
                line("inf", capability="infantry"),
                line("med", capability="medical_role2"),
            ],
            offers=[
                offer("AAA", [unit("a", capability="infantry", personnel=98761)]),
                offer("BBB", [unit("b", capability="medical_role2", personnel=98763)]),
            ],
            objective=["shortfall", "max_share"],
        )
    )
    package = Package.of({("a", "inf"): 1, ("b", "med"): 1})
    document = solution_document(scenario, package, status="feasible", run=RUN)
    assert [o.value for o in document.objective] == [2.07, float(Fraction(98763, 197524))]
    assert exact_values(scenario, package, ["shortfall", "max_share"]) == [Fraction(207, 100), Fraction(98763, 197524)]
