"""The difference between two packages, as a planner reads it."""

from __future__ import annotations

from forcepack.models.analysis import AssignmentChange, CoverageChange, PackageDiff
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver.document import Package, churn


def package_diff(before: Solution, after: Solution, scenario: Scenario) -> PackageDiff:
    """Assignments added and removed, coverage changes per line, deltas, nations in and out.

    `scenario` gives the weights of desirable lines (patches never change requirement lines).
    """
    # Unit ids are each nation's own: a placement is (nation, unit, line).
    rows = {(a.nation, a.unit, a.requirement): a for a in before.assignments}
    rows.update({(a.nation, a.unit, a.requirement): a for a in after.assignments})
    old = {(a.nation, a.unit, a.requirement): a.units for a in before.assignments}
    new = {(a.nation, a.unit, a.requirement): a.units for a in after.assignments}
    added: list[AssignmentChange] = []
    removed: list[AssignmentChange] = []
    for pair in sorted(set(old) | set(new)):
        a, b = old.get(pair, 0), new.get(pair, 0)
        if a == b:
            continue
        row = rows[pair]
        change = AssignmentChange(
            unit=row.unit, nation=row.nation, requirement=row.requirement, sector=row.sector, before=a, after=b
        )
        (added if b > a else removed).append(change)
    cov_before = {c.requirement: c for c in before.coverage}
    coverage = [
        CoverageChange(
            requirement=c.requirement,
            sector=c.sector,
            priority=c.priority,
            required=c.required,
            provided_before=cov_before[c.requirement].provided if c.requirement in cov_before else 0,
            provided_after=c.provided,
            shortfall_before=cov_before[c.requirement].shortfall if c.requirement in cov_before else c.required,
            shortfall_after=c.shortfall,
        )
        for c in after.coverage
        if c.requirement not in cov_before or cov_before[c.requirement].provided != c.provided
    ]
    contributing_before = {n.nation for n in before.nations if n.units}
    contributing_after = {n.nation for n in after.nations if n.units}

    weight = {r.id: r.weight for r in scenario.requirements}

    def shortfall(s: Solution) -> float:
        return sum(
            weight.get(c.requirement, 1.0) * c.shortfall / c.required for c in s.coverage if c.priority == "desirable"
        )

    return PackageDiff(
        added=added,
        removed=removed,
        coverage=coverage,
        cost_delta_usd=after.funding.total_cost_usd - before.funding.total_cost_usd,
        personnel_delta=after.totals.personnel - before.totals.personnel,
        shortfall_delta=shortfall(after) - shortfall(before),
        nations_in=sorted(contributing_after - contributing_before),
        nations_out=sorted(contributing_before - contributing_after),
        churn=churn(Package.from_solution(after), Package.from_solution(before)),
    )
