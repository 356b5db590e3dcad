"""The figures of a phased package: its plan bucket by bucket (tours, coverage, arrivals through the
nodes of entry, when each sector is fully capable) and the static summary docs/domain.md defines
for it (an assignment's most units at once, a line's worst bucket, personnel at the peak).

The solver's document of a phased scenario (`solver.document.solution_document`) reads it; the
arithmetic of time is `models.phases`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from forcepack.models import phases
from forcepack.models.common import Measure, Priority
from forcepack.models.scenario import Scenario, key_parts
from forcepack.models.solution import (
    Assignment,
    Coverage,
    LineBucket,
    NationFigures,
    NodeFlow,
    NodeLoad,
    Plan,
    PlanBucket,
    SectorReadiness,
    Totals,
    Tour,
)

TourKey = tuple[str, str, int, int]
"""(offered unit line's key `NATION/id`, requirement id, arrival bucket, last bucket)"""
FlowKey = tuple[str, str, int]
"""(nation, node, bucket)"""


@dataclass
class PhasedFigures:
    """What the document of a phased package reports, and what its criteria read."""

    plan: Plan
    assignments: list[Assignment]
    coverage: list[Coverage]
    personnel: dict[str, int]
    """Per nation, its most personnel present at once."""
    units: dict[str, int]
    """Per nation, its most units present at once."""
    cost: dict[str, int]
    sectors: dict[str, set[str]]
    self_funded_usd: int
    total_personnel: int
    """The most personnel present at once."""
    total_units: int
    shortfall: Fraction
    readiness: int
    max_share: Fraction
    """The largest nation's share of the plan's personnel-buckets."""
    foc: int
    """Over the sectors, the buckets each needs something in before its full operational capability
    (`full_from`; all of them when it is never reached), summed: the `foc` criterion."""


def tour_of(scenario: Scenario, key: TourKey, units: int) -> Tour:
    """A tour's row, every figure from the scenario."""
    unit_key, rid, arrival, last = key
    unit = scenario.unit_by_key[unit_key]
    nation, unit_id = key_parts(unit_key)
    requirement = scenario.requirement_by_id[rid]
    span = phases.Tour(arrival, arrival + phases.relief_buckets(scenario, unit), last)
    months = phases.tour_months(scenario, span)
    return Tour(
        unit=unit_id,
        nation=nation,
        requirement=rid,
        sector=requirement.sector,
        units=units,
        personnel=units * unit.personnel,
        arrival=arrival,
        fills_from=span.effective,
        last=last,
        months=months,
        cost_usd=units * scenario.monthly_cost_of(unit) * months,
        self_funded=unit.self_funded,
    )


def phased_figures(
    scenario: Scenario, tours: Mapping[TourKey, int], flows: Mapping[FlowKey, tuple[int, int]]
) -> PhasedFigures:
    """The plan and summaries of a phased package: units per tour, personnel and tons per flow."""
    all_buckets = phases.buckets(scenario)
    count = len(all_buckets)
    rows: list[Tour] = []
    present: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * count)
    filled: dict[str, list[int]] = defaultdict(lambda: [0] * count)
    nation_personnel: dict[str, list[int]] = defaultdict(lambda: [0] * count)
    nation_units: dict[str, list[int]] = defaultdict(lambda: [0] * count)
    cost: dict[str, int] = defaultdict(int)
    pair_cost: dict[tuple[str, str], int] = defaultdict(int)
    sectors: dict[str, set[str]] = defaultdict(set)
    readiness = 0
    self_funded_usd = 0
    for key, units in tours.items():
        if units <= 0:
            continue
        unit_key, rid, _, _ = key
        unit = scenario.unit_by_key[unit_key]
        requirement = scenario.requirement_by_id[rid]
        row = tour_of(scenario, key, units)
        usd = row.cost_usd
        rows.append(row)
        per_unit = unit.personnel if requirement.measure == Measure.PERSONNEL else 1
        for t in range(row.arrival, row.last + 1):
            present[(unit_key, rid)][t] += units
            nation_personnel[row.nation][t] += units * unit.personnel
            nation_units[row.nation][t] += units
            if t >= row.fills_from:
                filled[rid][t] += units * per_unit
        cost[row.nation] += usd
        pair_cost[(unit_key, rid)] += usd
        sectors[row.nation].add(requirement.sector)
        readiness += units * unit.readiness.rank
        if unit.self_funded:
            self_funded_usd += usd
    sector_order = {s.id: i for i, s in enumerate(scenario.sectors)}
    req_order = {r.id: i for i, r in enumerate(scenario.requirements)}
    rows.sort(key=lambda r: (r.arrival, sector_order[r.sector], req_order[r.requirement], r.nation, r.unit))

    assignments = []
    for (unit_key, rid), per_bucket in present.items():
        unit = scenario.unit_by_key[unit_key]
        nation, unit_id = key_parts(unit_key)
        requirement = scenario.requirement_by_id[rid]
        most = max(per_bucket)
        assignments.append(
            Assignment(
                unit=unit_id,
                nation=nation,
                capability=unit.capability,
                requirement=rid,
                sector=requirement.sector,
                units=most,
                personnel=most * unit.personnel,
                monthly_cost_usd=scenario.monthly_cost_of(unit),
                cost_usd=pair_cost[(unit_key, rid)],
                self_funded=unit.self_funded,
            )
        )
    assignments.sort(key=lambda a: (sector_order[a.sector], req_order[a.requirement], a.nation, a.unit))

    line_buckets: list[LineBucket] = []
    coverage: list[Coverage] = []
    shortfall = Fraction(0)
    needed_full: dict[str, dict[int, bool]] = {s.id: {} for s in scenario.sectors}
    for r in scenario.requirements:
        need = phases.needs(scenario, r)
        # (fraction, shortfall, required, -bucket, provided): a line met in full reads its largest need
        worst: tuple[Fraction, int, int, int, int] | None = None
        for t, required in sorted(need.items()):
            provided = filled[r.id][t] if r.id in filled else 0
            short = max(0, required - provided)
            line_buckets.append(
                LineBucket(requirement=r.id, bucket=t, required=required, provided=provided, shortfall=short)
            )
            if required:  # (a bucket asking for nothing is no step towards full operational capability)
                sector_flags = needed_full[r.sector]
                sector_flags[t] = sector_flags.get(t, True) and not short
            if r.priority == Priority.DESIRABLE and required:
                shortfall += Fraction(str(r.weight)) * phases.bucket_weight(scenario, t) * short / required
            candidate = (Fraction(short, required) if required else Fraction(0), short, required, -t, provided)
            if worst is None or candidate[:4] > worst[:4]:
                worst = candidate
        _, short, required, _, provided = worst if worst is not None else (Fraction(0), 0, 0, 0, 0)
        coverage.append(
            Coverage(
                requirement=r.id,
                sector=r.sector,
                capability=r.capability,
                priority=r.priority.value,
                measure=r.measure.value,
                required=required,
                provided=provided,
                shortfall=short,
            )
        )
    readiness_rows = []
    waiting = 0
    for sector in scenario.sectors:
        flags = needed_full[sector.id]
        full_from: int | None = None
        for t in sorted(flags, reverse=True):  # the first needed bucket from which every later one is full
            if not flags[t]:
                break
            full_from = t
        readiness_rows.append(SectorReadiness(sector=sector.id, full_from=full_from))
        waiting += sum(1 for t in flags if full_from is None or t < full_from)

    flow_rows = [
        NodeFlow(node=node, nation=nation, bucket=t, personnel=p, tons=tons)
        for (nation, node, t), (p, tons) in sorted(flows.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0]))
        if p or tons
    ]
    loads = []
    phasing = scenario.phasing
    for node in phasing.nodes if phasing is not None else []:
        for b in all_buckets:
            carried = [f for f in flow_rows if f.node == node.id and f.bucket == b.index]
            loads.append(
                NodeLoad(
                    node=node.id,
                    bucket=b.index,
                    personnel=sum(f.personnel for f in carried),
                    tons=sum(f.tons for f in carried),
                    personnel_capacity=None if node.personnel_per_day is None else node.personnel_per_day * b.days,
                    tons_capacity=None if node.tons_per_day is None else node.tons_per_day * b.days,
                )
            )

    totals_by_bucket = [sum(p[t] for p in nation_personnel.values()) for t in range(count)]
    everyone = sum(totals_by_bucket)
    max_share = max((Fraction(sum(p), everyone) for p in nation_personnel.values()), default=Fraction(0))
    max_share = max_share if everyone else Fraction(0)
    plan = Plan(
        bucket=phasing.bucket if phasing is not None else "month",
        buckets=[PlanBucket(index=b.index, start=b.start, end=b.end) for b in all_buckets],
        tours=rows,
        coverage=line_buckets,
        flows=flow_rows,
        nodes=loads,
        sectors=readiness_rows,
    )
    return PhasedFigures(
        plan=plan,
        assignments=assignments,
        coverage=coverage,
        personnel={n: max(p) for n, p in nation_personnel.items()},
        units={n: max(u) for n, u in nation_units.items()},
        cost=dict(cost),
        sectors=dict(sectors),
        self_funded_usd=self_funded_usd,
        total_personnel=max(totals_by_bucket, default=0),
        total_units=max((sum(u[t] for u in nation_units.values()) for t in range(count)), default=0),
        shortfall=shortfall,
        readiness=readiness,
        foc=waiting,
        max_share=max_share,
    )


def nation_rows(
    scenario: Scenario, figures: PhasedFigures, used: Mapping[str, int], participating: list[str]
) -> list[NationFigures]:
    """Each participating nation's figures: personnel and units at its peak, its share of the plan's
    personnel-buckets, its tours' cost, its money."""
    shares = largest_shares(figures)
    rows = [
        NationFigures(
            nation=n,
            personnel=figures.personnel.get(n, 0),
            share=float(shares.get(n, Fraction(0))),
            units=figures.units.get(n, 0),
            sectors=sorted(figures.sectors.get(n, ())),
            cost_usd=figures.cost.get(n, 0),
            funding_pledged_usd=sum(p.amount_usd for p in scenario.offer_by_nation[n].funding),
            funding_used_usd=used.get(n, 0),
        )
        for n in participating
    ]
    rows.sort(key=lambda f: (-f.personnel, -f.funding_used_usd, f.nation))
    return rows


def largest_shares(figures: PhasedFigures) -> dict[str, Fraction]:
    """Per nation, its share of the plan's personnel-buckets (each tour's personnel times the
    buckets it is present, summed): what `max_nation_share` bounds in a phased plan."""
    people: dict[str, int] = defaultdict(int)
    for tour in figures.plan.tours:
        people[tour.nation] += tour.personnel * (tour.last - tour.arrival + 1)
    total = sum(people.values())
    return {n: Fraction(p, total) for n, p in people.items()} if total else {}


def totals_of(figures: PhasedFigures, participating: int) -> Totals:
    return Totals(
        personnel=figures.total_personnel,
        units=figures.total_units,
        nations_contributing=len(figures.personnel),
        nations_participating=participating,
    )
