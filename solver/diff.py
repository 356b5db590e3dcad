"""The difference between two packages, as a planner reads it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from forcepack.models.analysis import AssignmentChange, CoverageChange, FundingChange, PackageDiff, TourChange
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Coverage, Solution
from forcepack.solver.document import Package, churn


def package_diff(before: Solution, after: Solution, scenario: Scenario) -> PackageDiff:
    """Assignments added and removed, coverage changes per line, deltas, nations in and out.

    `scenario` gives the weights of desirable lines (those of the scenario after the change; a line
    the change drops weighs 1 on the side that has it).
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
    coverage = _coverage_changes(before, after)
    tours_added, tours_removed = _tour_changes(before, after)
    contributing_before = {n.nation for n in before.nations if n.units}
    contributing_after = {n.nation for n in after.nations if n.units}
    used_before = {n.nation: n.funding_used_usd for n in before.nations}
    used_after = {n.nation: n.funding_used_usd for n in after.nations}
    funding = [
        FundingChange(nation=n, used_before_usd=used_before.get(n, 0), used_after_usd=used_after.get(n, 0))
        for n in sorted(set(used_before) | set(used_after))
        if used_before.get(n, 0) != used_after.get(n, 0)
    ]
    taking_part_before = {n.nation for n in before.nations if n.units or n.funding_used_usd}
    taking_part_after = {n.nation for n in after.nations if n.units or n.funding_used_usd}

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
        shortfall_delta=_shortfall_delta(scenario, before, after, shortfall),
        nations_in=sorted(contributing_after - contributing_before),
        nations_out=sorted(contributing_before - contributing_after),
        participating_in=sorted(taking_part_after - taking_part_before),
        participating_out=sorted(taking_part_before - taking_part_after),
        funding=funding,
        churn=churn(Package.from_solution(after), Package.from_solution(before)),
        tours_added=tours_added,
        tours_removed=tours_removed,
    )


def _tour_changes(before: Solution, after: Solution) -> tuple[list[TourChange], list[TourChange]]:
    """A phased plan's tours with more units after, and with fewer: a tour is its unit line, its line,
    its arrival and its last bucket (a tour cut short is one fewer and a shorter one more)."""
    if before.plan is None or after.plan is None:
        return [], []
    Key = tuple[str, str, str, int, int]
    old: dict[Key, int] = defaultdict(int)
    new: dict[Key, int] = defaultdict(int)
    sectors: dict[str, str] = {}
    for plan, into in ((before.plan, old), (after.plan, new)):
        for t in plan.tours:
            into[(t.nation, t.unit, t.requirement, t.arrival, t.last)] += t.units
            sectors[t.requirement] = t.sector
    added: list[TourChange] = []
    removed: list[TourChange] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, 0), new.get(key, 0)
        if a == b:
            continue
        nation, unit, requirement, arrival, last = key
        change = TourChange(
            unit=unit,
            nation=nation,
            requirement=requirement,
            sector=sectors[requirement],
            arrival=arrival,
            last=last,
            before=a,
            after=b,
        )
        (added if b > a else removed).append(change)
    return added, removed


def _coverage_changes(before: Solution, after: Solution) -> list[CoverageChange]:
    """Lines whose coverage changes, in the order of the package after the change, then the lines the
    change dropped. A line on one side only has null figures on the other, never a made-up zero. In
    phased plans a line changes too when its shortfall over its buckets does (its coverage row is its
    worst bucket only)."""
    cov_before = {c.requirement: c for c in before.coverage}
    cov_after = {c.requirement: c for c in after.coverage}
    over_before, over_after = _short_over(before), _short_over(after)
    pairs: list[tuple[Coverage | None, Coverage | None]] = [(cov_before.get(c.requirement), c) for c in after.coverage]
    pairs += [(c, None) for c in before.coverage if c.requirement not in cov_after]
    out = []
    for old, new in pairs:
        side = new or old
        assert side is not None
        rid = side.requirement
        if old is None or new is None or old.provided != new.provided or over_before.get(rid) != over_after.get(rid):
            out.append(_change(old, new, over_before.get(rid), over_after.get(rid)))
    return out


def _short_over(solution: Solution) -> dict[str, int]:
    """A phased plan's shortfall of each line summed over its buckets (none for a static package)."""
    if solution.plan is None:
        return {}
    out: dict[str, int] = defaultdict(int)
    for row in solution.plan.coverage:
        out[row.requirement] += row.shortfall
    return dict(out)


def _change(
    old: Coverage | None, new: Coverage | None, over_before: int | None = None, over_after: int | None = None
) -> CoverageChange:
    """One line's coverage before and after (None: the line is not on that side)."""
    line = new or old
    assert line is not None
    return CoverageChange(
        short_over_before=over_before if old is not None else None,
        short_over_after=over_after if new is not None else None,
        requirement=line.requirement,
        sector=line.sector,
        priority=line.priority,
        required=line.required,
        line="kept" if old is not None and new is not None else "added" if new is not None else "dropped",
        provided_before=old.provided if old is not None else None,
        provided_after=new.provided if new is not None else None,
        shortfall_before=old.shortfall if old is not None else None,
        shortfall_after=new.shortfall if new is not None else None,
    )


def _shortfall_delta(
    scenario: Scenario, before: Solution, after: Solution, of_rows: Callable[[Solution], float]
) -> float:
    """The change of the weighted shortfall: a phased plan's own figure when both state it (a phased
    line's coverage row is its worst bucket only), else from the coverage rows."""
    if scenario.phasing is not None:
        stated = (before.objective_value("shortfall"), after.objective_value("shortfall"))
        if stated[0] is not None and stated[1] is not None:
            return stated[1] - stated[0]
    return of_rows(after) - of_rows(before)
