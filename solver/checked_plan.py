"""The checker's view of a phased plan: its tours resolved against the scenario, a snapshot of the
package in every bucket, and the summary figures the document's static parts state.

Like `forcepack.solver.checking`, of which it is the phased half, it imports only the standard
library and `forcepack.models` (`models.phases` is the arithmetic of time, written once): the
checker shares no code with the solver's model.

A tour is judged where the document says it is: present from its stated `arrival` to its stated
`last`, filling its line from its arrival plus the unit's relief (the scenario's figure, not the
row's). The rules of a placement and of a package then hold in each bucket's snapshot
(`CheckedDocument.snapshot`), and each rule's phased verdict (`Rule.phased_verdict`) reads them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from forcepack.models import Assignment, Measure, Requirement, Scenario, Sector, Solution, UnitOffer, phases
from forcepack.models.buckets import Bucket
from forcepack.models.solution import Tour as TourRow
from forcepack.solver.checking import CheckedDocument, Placement, Timeline, Verdict, Violation, resolve, unit_named

LineKey = tuple[str, str, str]
"""(nation, unit id, requirement id): one unit line on one requirement line."""


@dataclass(frozen=True)
class CheckedTour:
    """One tour row resolved against the scenario: every figure but its buckets comes from the scenario."""

    row: TourRow
    unit: UnitOffer
    nation: str
    requirement: Requirement
    sector: Sector
    units: int
    arrival: int
    last: int
    effective: int
    """The first bucket it fills its line in: its arrival plus the unit's relief buckets."""
    monthly_cost_usd: int
    months: int
    """Months paid, from the arrival's first day to the last bucket's last day (`phases.tour_months`)."""
    kind: str = "bucket"
    """`week` or `month`: what its buckets are called, counted from 1 in words."""

    @property
    def personnel(self) -> int:
        return self.units * self.unit.personnel

    @property
    def cost_usd(self) -> int:
        return self.units * self.monthly_cost_usd * self.months

    @property
    def provided(self) -> int:
        """What it gives its line in a bucket it fills, in the line's measure."""
        return self.units if self.requirement.measure == Measure.UNITS else self.personnel

    @property
    def key(self) -> LineKey:
        return (self.nation, self.unit.id, self.requirement.id)

    def present(self, index: int) -> bool:
        return self.arrival <= index <= self.last

    def fills(self, index: int) -> bool:
        return self.effective <= index <= self.last

    def words(self) -> str:
        """The tour in words: `tour of 2 x `u` (NATION) on `line` arriving in week 3`."""
        return (
            f"tour of {self.units} x `{self.unit.id}` ({self.nation}) on `{self.requirement.id}` "
            f"arriving in {self.kind} {self.arrival + 1}"
        )


def resolve_tour(scenario: Scenario, timeline: Timeline, row: TourRow) -> CheckedTour | None:
    """The tour a row states, or None when it names no offered unit or line, places fewer than one
    unit, or its buckets are not an arrival and a last bucket of the plan in order."""
    found = unit_named(scenario, row.nation, row.unit)
    requirement = scenario.requirement_by_id.get(row.requirement)
    if found is None or requirement is None or row.units < 1:
        return None
    if not 0 <= row.arrival <= row.last < len(timeline.buckets):
        return None
    nation, unit = found
    arrival, last = row.arrival, row.last
    return CheckedTour(
        row=row,
        unit=unit,
        nation=nation,
        requirement=requirement,
        sector=scenario.sector_by_id[requirement.sector],
        units=row.units,
        arrival=arrival,
        last=last,
        effective=arrival + phases.relief_buckets(scenario, unit),
        monthly_cost_usd=scenario.monthly_cost_of(unit),
        months=phases.tour_months(scenario, phases.Tour(arrival, arrival, last)),
        kind=scenario.phasing.bucket if scenario.phasing is not None else "bucket",
    )


def placement_at(scenario: Scenario, unit: UnitOffer, nation: str, requirement: Requirement, units: int) -> Placement:
    """Units of a unit line present on a line in one bucket, as a placement of that bucket's snapshot
    (its row written for the snapshot; a snapshot has no cost: money is the plan's)."""
    row = Assignment.model_construct(
        unit=unit.id,
        nation=nation,
        capability=unit.capability,
        requirement=requirement.id,
        sector=requirement.sector,
        units=units,
        personnel=units * unit.personnel,
        monthly_cost_usd=scenario.monthly_cost_of(unit),
        cost_usd=0,
        self_funded=unit.self_funded,
    )
    return Placement(
        row=row,
        unit=unit,
        nation=nation,
        requirement=requirement,
        sector=scenario.sector_by_id[requirement.sector],
        units=units,
        personnel=units * unit.personnel,
        monthly_cost_usd=scenario.monthly_cost_of(unit),
        cost_usd=0,
    )


class CheckedPlan(CheckedDocument):
    """A phased plan as the scenario sees it: its tours (`tours`), a snapshot of every bucket
    (`snapshots`), and the figures the document's static parts summarise, per docs/domain.md:
    a nation's and the force's personnel and units the most present at once, a nation's share its
    largest in any bucket, costs the tours', nations contributing those with a tour.

    `placements` are the document's assignment rows resolved (its summary), read only by the rules
    of those rows; every rule of the package reads the tours and the snapshots.
    """

    def __init__(self, scenario: Scenario, solution: Solution) -> None:
        self.scenario = scenario
        self.solution = solution
        self.bucket = None
        timeline = self.timeline = Timeline(scenario)
        self.placements = [p for p in (resolve(scenario, row) for row in solution.assignments) if p is not None]
        rows = solution.plan.tours if solution.plan is not None else []
        self.tours = [t for t in (resolve_tour(scenario, timeline, row) for row in rows) if t is not None]
        self.snapshots = [self._snapshot(index) for index in range(len(timeline.buckets))]

        self.at_once: Counter[LineKey] = Counter()
        """The most units of a unit line present at once on a line (an assignment row's units)."""
        self.line_cost: Counter[LineKey] = Counter()
        """The cost of a unit line's tours on a line (an assignment row's cost)."""
        for snap in self.snapshots:
            for p in snap.placements:
                key = (p.nation, p.unit.id, p.requirement.id)
                self.at_once[key] = max(self.at_once[key], p.units)
        self.personnel_of = Counter({n: max(s.personnel_of[n] for s in self.snapshots) for n in self._present()})
        self.units_of = Counter({n: max(s.units_of[n] for s in self.snapshots) for n in self._present()})
        self.cost_of = Counter()
        self.sectors_of = {}
        self.provided = Counter()
        self.pooled_by_capability = Counter()
        self.self_funded_cost = 0
        for t in self.tours:
            self.line_cost[t.key] += t.cost_usd
            self.cost_of[t.nation] += t.cost_usd
            self.sectors_of.setdefault(t.nation, set()).add(t.sector.id)
            if t.unit.self_funded:
                self.self_funded_cost += t.cost_usd
            else:
                self.pooled_by_capability[t.unit.capability] += t.cost_usd
        self.total_personnel = max((s.total_personnel for s in self.snapshots), default=0)
        self.total_units = max((s.total_units for s in self.snapshots), default=0)
        self.total_cost = sum(self.cost_of.values())
        self.pooled_cost = self.total_cost - self.self_funded_cost
        self.contributing = frozenset(t.nation for t in self.tours)
        self._draw(solution.funding.flows)

    def _present(self) -> set[str]:
        return {n for s in self.snapshots for n in s.personnel_of}

    def _snapshot(self, index: int) -> CheckedDocument:
        """The package in one bucket: units present (per unit line and line), and what fills each line."""
        timeline = self.timeline
        assert timeline is not None
        present: Counter[LineKey] = Counter()
        provided: Counter[str] = Counter()
        parts: dict[LineKey, CheckedTour] = {}
        for t in self.tours:
            if t.present(index):
                present[t.key] += t.units
                parts.setdefault(t.key, t)
            if t.fills(index):
                provided[t.requirement.id] += t.provided
        placements = [
            placement_at(self.scenario, parts[key].unit, parts[key].nation, parts[key].requirement, units)
            for key, units in present.items()
        ]
        return CheckedDocument.snapshot(self.scenario, self.solution, timeline, index, placements, provided)

    def personnel_buckets(self) -> dict[str, int]:
        """Per nation with a tour, its personnel-buckets: each tour's personnel times the buckets it
        is present, summed."""
        out: dict[str, int] = defaultdict(int)
        for t in self.tours:
            out[t.nation] += t.personnel * (t.last - t.arrival + 1)
        return dict(out)

    def share_of(self, nation: str) -> float:
        """The nation's share of the plan's personnel-buckets (what `max_nation_share` bounds)."""
        people = self.personnel_buckets()
        total = sum(people.values())
        return people.get(nation, 0) / total if total else 0.0

    @property
    def buckets(self) -> tuple[Bucket, ...]:
        assert self.timeline is not None
        return self.timeline.buckets

    def needs(self, requirement: Requirement) -> dict[int, int]:
        """What the line asks for in each bucket it is needed in."""
        assert self.timeline is not None
        return self.timeline.needs(requirement)

    def words(self, index: int) -> str:
        """A bucket in words."""
        assert self.timeline is not None
        return self.timeline.words(index)

    def node_loads(self) -> dict[tuple[str, int], tuple[int, int]]:
        """(personnel, tons) each node of entry carries in each bucket, from the plan's flows through
        it (zero loads included)."""
        phasing = self.scenario.phasing
        stated = self.solution.plan
        loads: dict[tuple[str, int], tuple[int, int]] = {}
        if phasing is None or stated is None:
            return loads
        for node in phasing.nodes:
            for b in self.buckets:
                loads[(node.id, b.index)] = (0, 0)
        for f in stated.flows:
            key = (f.node, f.bucket)
            if key in loads:
                personnel, tons = loads[key]
                loads[key] = (personnel + f.personnel, tons + f.tons)
        return loads

    def node_capacity(self, node_id: str, bucket: int) -> tuple[int | None, int | None]:
        """(personnel, tons) a node carries in a bucket: its daily figures times the bucket's days
        (None: no limit)."""
        assert self.scenario.phasing is not None
        node = next(n for n in self.scenario.phasing.nodes if n.id == node_id)
        days = self.buckets[bucket].days
        return (
            node.personnel_per_day * days if node.personnel_per_day is not None else None,
            node.tons_per_day * days if node.tons_per_day is not None else None,
        )


def in_each_bucket(plan: CheckedPlan, verdict: Verdict) -> Iterator[Violation]:
    """A static verdict run on the snapshot of every bucket, each violation naming its bucket: how a
    rule that holds "in every bucket" is judged."""
    for snap in plan.snapshots:
        assert snap.bucket is not None
        for v in verdict(snap):
            yield Violation(v.rule, f"{plan.words(snap.bucket)}: {v.message}", v.element)


__all__ = ["CheckedPlan", "CheckedTour", "LineKey", "in_each_bucket", "placement_at", "resolve_tour"]
