"""A phased package's plan read as a timeline: per sector, each line's coverage over time and the
tours that fill it, the day the sector reaches full operational capability; each node of entry's
load against its capacity.

What the brief draws (`models.brief`), read from the solution document's `plan` alone with the
scenario lending names, lines' order and sectors' opening days; the page (`api/web/static/timeline.js`)
draws the same from the same document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from forcepack.models.scenario import Scenario
from forcepack.models.solution import LineBucket, NodeLoad, Plan, Tour


@dataclass(frozen=True)
class PlacedTour:
    """A tour and the lane it is drawn in (tours present together take different lanes)."""

    tour: Tour
    lane: int


@dataclass(frozen=True)
class UnitRow:
    """One nation's unit line on one requirement line: its tours, in lanes."""

    nation: str
    unit: str
    tours: list[PlacedTour]
    lanes: int


@dataclass(frozen=True)
class CoverageRun:
    """Consecutive buckets in which a line needs and receives the same."""

    first: int
    last: int
    required: int
    provided: int

    @property
    def fraction(self) -> float:
        """The part of the need filled (1 when nothing is needed)."""
        return min(1.0, self.provided / self.required) if self.required > 0 else 1.0


@dataclass(frozen=True)
class LineTimeline:
    """A requirement line over time: its coverage in runs, and the unit lines filling it."""

    requirement: str
    capability: str
    measure: str
    runs: list[CoverageRun]
    units: list[UnitRow]


@dataclass(frozen=True)
class SectorTimeline:
    """A sector over time, and the bucket from which it has full operational capability."""

    sector: str
    opens: dt.date | None
    full_from: int | None
    lines: list[LineTimeline]


@dataclass(frozen=True)
class NodeTimeline:
    """A node of entry's load in every bucket, and its busiest buckets (by the part of its capacity
    used, or by the load where it has no limit)."""

    node: str
    name: str
    personnel_per_day: int | None
    tons_per_day: int | None
    loads: list[NodeLoad]
    busiest_personnel: NodeLoad | None
    busiest_tons: NodeLoad | None


@dataclass(frozen=True)
class Timeline:
    """The plan as the brief draws it."""

    plan: Plan
    sectors: list[SectorTimeline]
    nodes: list[NodeTimeline]

    def start(self, bucket: int) -> dt.date:
        """A bucket's first day."""
        return self.plan.buckets[bucket].start

    def end(self, bucket: int) -> dt.date:
        """A bucket's last day."""
        return self.plan.buckets[bucket].end


def lanes(tours: Iterable[Tour]) -> tuple[list[PlacedTour], int]:
    """Tours in lanes, by arrival: each goes to the first lane whose last tour left before it arrives,
    so a relief in place (both present in the same buckets) shows one bar above the other. The
    tours placed, and how many lanes (at least 1)."""
    ends: list[int] = []
    placed = []
    for tour in sorted(tours, key=lambda t: (t.arrival, t.last)):
        lane = next((i for i, end in enumerate(ends) if end < tour.arrival), None)
        if lane is None:
            ends.append(tour.last)
            lane = len(ends) - 1
        else:
            ends[lane] = tour.last
        placed.append(PlacedTour(tour, lane))
    return placed, max(1, len(ends))


def coverage_runs(rows: Iterable[LineBucket]) -> list[CoverageRun]:
    """A line's buckets as runs of consecutive buckets with the same need and the same fill."""
    runs: list[CoverageRun] = []
    for row in sorted(rows, key=lambda r: r.bucket):
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.last == row.bucket - 1
            and (last.required, last.provided) == (row.required, row.provided)
        ):
            runs[-1] = CoverageRun(last.first, row.bucket, last.required, last.provided)
        else:
            runs.append(CoverageRun(row.bucket, row.bucket, row.required, row.provided))
    return runs


def _busiest(loads: Sequence[NodeLoad], value: str, capacity: str) -> NodeLoad | None:
    used = [load for load in loads if getattr(load, value) > 0]
    if not used:
        return None

    def weight(load: NodeLoad) -> tuple[float, int]:
        limit = getattr(load, capacity)
        amount = int(getattr(load, value))
        return (amount / limit if limit else 0.0, amount)

    # the first of the busiest (max keeps the first of equals)
    return max(used, key=weight)


def timeline(plan: Plan, scenario: Scenario) -> Timeline:
    """The plan as a timeline: the scenario's sectors and lines in its order (then any other the plan
    names), a sector shown when a line of it is needed in the horizon or filled by a tour."""
    requirements = {r.id: r for r in scenario.requirements}
    coverage: dict[str, list[LineBucket]] = {}
    for row in plan.coverage:
        coverage.setdefault(row.requirement, []).append(row)
    tours: dict[str, list[Tour]] = {}
    for tour in plan.tours:
        tours.setdefault(tour.requirement, []).append(tour)
    sector_of = {r.id: r.sector for r in scenario.requirements} | {
        t.requirement: t.sector for t in plan.tours if t.requirement not in requirements
    }
    line_ids = [r.id for r in scenario.requirements] + [
        line for line in [*coverage, *tours] if line not in requirements
    ]
    line_ids = list(dict.fromkeys(line_ids))
    full = {s.sector: s.full_from for s in plan.sectors}
    opens = {s.id: s.opens for s in scenario.sectors}
    sector_ids = list(dict.fromkeys([s.id for s in scenario.sectors] + [s.sector for s in plan.sectors]))

    def line(requirement: str) -> LineTimeline:
        units: dict[tuple[str, str], list[Tour]] = {}
        for tour in tours.get(requirement, []):
            units.setdefault((tour.nation, tour.unit), []).append(tour)
        rows = []
        for (nation, unit), theirs in sorted(units.items(), key=lambda item: min(t.arrival for t in item[1])):
            placed, count = lanes(theirs)
            rows.append(UnitRow(nation, unit, placed, count))
        known = requirements.get(requirement)
        return LineTimeline(
            requirement=requirement,
            capability=known.capability if known is not None else "",
            measure=known.measure.value if known is not None else "units",
            runs=coverage_runs(coverage.get(requirement, [])),
            units=rows,
        )

    sectors = []
    for sector in sector_ids:
        here = [line(r) for r in line_ids if sector_of.get(r) == sector and (r in coverage or r in tours)]
        if here:
            sectors.append(SectorTimeline(sector, opens.get(sector), full.get(sector), here))
    declared = {n.id: n for n in scenario.phasing.nodes} if scenario.phasing is not None else {}
    loads: dict[str, list[NodeLoad]] = {}
    for load in plan.nodes:
        loads.setdefault(load.node, []).append(load)
    nodes = [
        NodeTimeline(
            node=node,
            name=(declared[node].name or node) if node in declared else node,
            personnel_per_day=declared[node].personnel_per_day if node in declared else None,
            tons_per_day=declared[node].tons_per_day if node in declared else None,
            loads=sorted(rows, key=lambda r: r.bucket),
            busiest_personnel=_busiest(rows, "personnel", "personnel_capacity"),
            busiest_tons=_busiest(rows, "tons", "tons_capacity"),
        )
        for node, rows in loads.items()
    ]
    return Timeline(plan=plan, sectors=sectors, nodes=nodes)
