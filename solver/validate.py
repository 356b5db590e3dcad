"""Compare a scenario's answer with its `expect` block, after the independent checker has run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver.check import check
from forcepack.solver.criteria import criterion


@dataclass
class ValidationOutcome:
    """Whether a scenario's answer is right and as expected."""

    passed: bool
    summary: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def validate_scenario(scenario: Scenario, solution: Solution) -> ValidationOutcome:
    """Check the solution, then compare status, objective values and conflict ids with `expect`."""
    problems = [f"[{v.rule}] {v.message}" for v in check(scenario, solution)]
    notes: list[str] = []
    expect = scenario.expect
    summary = f"{solution.status} in {solution.run.wall_s:.2f}s"
    if solution.objective:
        summary += (
            " ("
            + ", ".join(f"{o.criterion} {criterion(o.criterion).in_full(o.value)}" for o in solution.objective)
            + ")"
        )
    if expect is None:
        notes.append("no `expect` block: only the checker ran")
        return ValidationOutcome(not problems, summary, problems, notes)
    if solution.status != expect.status and not (expect.status == "feasible" and solution.status == "optimal"):
        # (`feasible` asks for a package: one proven optimal is one)
        problems.append(f"status is {solution.status}, expected {expect.status}")
    for name, wanted in (expect.objective or {}).items():
        got = solution.objective_value(name)
        stated = criterion(name).in_full
        if got is None:
            problems.append(f"objective {name} was not optimised, expected {stated(wanted)}")
        elif not math.isclose(got, wanted, rel_tol=1e-6, abs_tol=1e-6):
            problems.append(f"objective {name} is {stated(got)}, expected {stated(wanted)}")
    if expect.conflict is not None:
        if solution.explanation is None:
            problems.append("expected a conflict, but the answer carries no explanation")
        else:
            explanation = solution.explanation
            found = {c.id for c in explanation.conflict} | {e.id for c in explanation.conflicts for e in c.elements}
            missing = [i for i in expect.conflict if i not in found]
            if missing:
                problems.append(f"conflict lacks {', '.join(missing)} (found: {', '.join(sorted(found))})")
    return ValidationOutcome(not problems, summary, problems, notes)
