"""Hand-built solution documents for tests: give the package, get every figure computed.

`build_solution` writes the document a correct solver would return for a given package
(which units fill which lines, which pledges pay for which capabilities): assignment rows,
coverage, per-nation figures, the funding balance, totals and objective values, all derived
from the scenario. It does not judge the package: an ineligible placement or an
overdrawn pledge is written down faithfully, so that a test can break exactly one rule.

It is written apart from `solver.check` on purpose: the checker's tests compare the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from forcepack.models import (
    Assignment,
    Coverage,
    FundingBalance,
    FundingFlow,
    Measure,
    NationFigures,
    ObjectiveValue,
    Priority,
    RequiresMandate,
    RunInfo,
    Scenario,
    ScenarioRef,
    Solution,
    Totals,
    VetoScope,
    months_between,
    phases,
)
from forcepack.models.solution import (
    LineBucket,
    NodeFlow,
    NodeLoad,
    Plan,
    PlanBucket,
    SectorReadiness,
    Tour,
)

Status = Literal["optimal", "feasible", "infeasible", "unknown"]

HAND_RUN = RunInfo(solver="hand", solver_version="0", workers=1, seed=0, time_limit_s=0.0, wall_s=0.0)
"""Run information of a document written by hand."""


def scenario_ref(scenario: Scenario) -> ScenarioRef:
    """The reference a document gives to the scenario it answers."""
    return ScenarioRef(id=scenario.id, name=scenario.name, sha256=scenario.sha256())


def _barred(scenario: Scenario, nation: str) -> bool:
    vetoed = any(nation in v.against and v.scope == VetoScope.ALL for v in scenario.vetoes)
    unmet = any(
        isinstance(line, RequiresMandate) and not all(scenario.mandate.get(c, False) for c in line.conditions)
        for line in scenario.red_lines_of(nation)
    )
    return vetoed or unmet


def build_solution(
    scenario: Scenario,
    assignments: Sequence[tuple[str, str, int]] = (),
    flows: Sequence[tuple[str, str, int]] = (),
    *,
    status: Status = "optimal",
) -> Solution:
    """The solution document of a package, every figure computed from the scenario.

    Parameters
    ----------
    scenario
        The scenario answered.
    assignments
        `(unit, requirement id, units)` rows; a unit by its key `NATION/id`, or by an id one nation uses.
    flows
        `(pledge, capability, amount_usd)` rows; a pledge named as a unit is.
    status
        The document's status; `infeasible` and `unknown` documents take no assignments.
    """
    rows: list[Assignment] = []
    for name, requirement_id, units in assignments:
        nation, unit_id = _owned(scenario, name, "units")
        unit = next(u for u in scenario.offer_by_nation[nation].units if u.id == unit_id)
        requirement = scenario.requirement_by_id[requirement_id]
        monthly = (
            unit.monthly_cost_usd
            if unit.monthly_cost_usd is not None
            else unit.personnel * scenario.cost.personnel_rate_usd
        )
        rows.append(
            Assignment(
                unit=unit_id,
                nation=nation,
                capability=unit.capability,
                requirement=requirement_id,
                sector=requirement.sector,
                units=units,
                personnel=units * unit.personnel,
                monthly_cost_usd=monthly,
                cost_usd=units * monthly * scenario.months_of(requirement),
                self_funded=unit.self_funded,
            )
        )
    flow_rows = [
        FundingFlow(
            pledge=_owned(scenario, p, "funding")[1],
            nation=_owned(scenario, p, "funding")[0],
            capability=c,
            amount_usd=a,
        )
        for p, c, a in flows
    ]

    coverage = []
    for r in scenario.requirements:
        placed = [a for a in rows if a.requirement == r.id]
        provided = sum(a.units if r.measure == Measure.UNITS else a.personnel for a in placed)
        coverage.append(
            Coverage(
                requirement=r.id,
                sector=r.sector,
                capability=r.capability,
                priority=r.priority.value,
                measure=r.measure.value,
                required=r.quantity,
                provided=provided,
                shortfall=max(0, r.quantity - provided),
            )
        )

    total_personnel = sum(a.personnel for a in rows)
    contributing = {a.nation for a in rows}
    used_by = {f.nation: 0 for f in flow_rows if f.amount_usd > 0}
    for f in flow_rows:
        if f.amount_usd > 0:
            used_by[f.nation] += f.amount_usd
    participating = sorted(contributing | set(used_by))
    nations = []
    for code in participating:
        mine = [a for a in rows if a.nation == code]
        personnel = sum(a.personnel for a in mine)
        offer = scenario.offer_by_nation.get(code)
        nations.append(
            NationFigures(
                nation=code,
                personnel=personnel,
                share=personnel / total_personnel if total_personnel else 0.0,
                units=sum(a.units for a in mine),
                sectors=sorted({a.sector for a in mine}),
                cost_usd=sum(a.cost_usd for a in mine),
                funding_pledged_usd=sum(p.amount_usd for p in offer.funding) if offer else 0,
                funding_used_usd=used_by.get(code, 0),
            )
        )

    total_cost = sum(a.cost_usd for a in rows)
    self_funded = sum(a.cost_usd for a in rows if a.self_funded)
    used = sum(f.amount_usd for f in flow_rows if f.amount_usd > 0)
    funding = FundingBalance(
        total_cost_usd=total_cost,
        self_funded_usd=self_funded,
        pooled_cost_usd=total_cost - self_funded,
        pledged_usd=sum(p.amount_usd for o in scenario.offers if not _barred(scenario, o.nation) for p in o.funding),
        used_usd=used,
        gap_usd=max(0, total_cost - self_funded - used),
        flows=flow_rows,
    )

    readiness_rank = {"pledged": 0, "verified": 1, "mou": 2, "rapid": 3}
    values = {
        "shortfall": sum(
            r.weight * c.shortfall / r.quantity
            for r, c in zip(scenario.requirements, coverage, strict=True)
            if r.priority == Priority.DESIRABLE
        ),
        "cost": float(total_cost),
        "nations": float(len(contributing)),
        "max_share": max((n.share for n in nations), default=0.0),
        "readiness": float(
            sum(
                a.units
                * readiness_rank[
                    next(u for u in scenario.offer_by_nation[a.nation].units if u.id == a.unit).readiness.value
                ]
                for a in rows
            )
        ),
    }
    has_package = status in ("optimal", "feasible")
    return Solution(
        scenario=scenario_ref(scenario),
        status=status,
        objective=[
            ObjectiveValue(criterion=t.criterion, value=values[t.criterion], bound=values[t.criterion])
            for t in scenario.objective
        ]
        if has_package
        else [],
        gap=0.0,
        assignments=rows,
        coverage=coverage,
        nations=nations,
        funding=funding,
        totals=Totals(
            personnel=total_personnel,
            units=sum(a.units for a in rows),
            nations_contributing=len(contributing),
            nations_participating=len(participating),
        ),
        run=HAND_RUN,
    )


def _owned(scenario: Scenario, name: str, part: str) -> tuple[str, str]:
    """(nation, id) of a unit line or pledge named by its key `NATION/id` or by an id one nation uses."""
    if "/" in name:
        nation, _, ident = name.partition("/")
        return nation, ident
    (owner,) = [o.nation for o in scenario.offers for item in getattr(o, part) if item.id == name]
    return owner, name


# -- phased plans ------------------------------------------------------------------------------

PlannedTour = tuple[str, str, int, int] | tuple[str, str, int, int, int]
"""`(unit, requirement id, units, arrival bucket)`, or with its last bucket when not the one the
arithmetic gives (a tour cut short by a dated rule, or a wrong one on purpose)."""


def _phased_barred(scenario: Scenario, nation: str) -> bool:
    """Money is not phased: barred when a veto of scope `all` or an unmet mandate condition binds in any bucket."""
    if any(nation in v.against and v.scope == VetoScope.ALL for v in scenario.vetoes):
        return True
    for line in scenario.red_lines_of(nation):
        if isinstance(line, RequiresMandate):
            binding = set(phases.in_force(scenario, line.active_from, line.active_until))
            if any(not binding <= set(phases.condition_buckets(scenario, c)) for c in line.conditions):
                return True
    return False


def build_plan_solution(
    scenario: Scenario,
    tours: Sequence[PlannedTour] = (),
    flows: Sequence[tuple[str, str, int]] = (),
    *,
    node_flows: Sequence[tuple[str, str, int, int, int]] | None = None,
    status: Status = "optimal",
) -> Solution:
    """The solution document of a phased plan, every figure computed from the scenario.

    Parameters
    ----------
    scenario
        The phased scenario answered.
    tours
        The plan's tours (`PlannedTour`); a unit named as `build_solution` names it. A tour's last
        bucket defaults to the one `models.phases.tour` gives (no cut by a dated rule).
    flows
        Money, as for `build_solution`.
    node_flows
        `(node, nation, bucket, personnel, tons)` rows; by default every nation's arrivals of a bucket
        pass whole through the first node it may use (none without nodes).
    status
        The document's status.
    """
    all_buckets = phases.buckets(scenario)
    count = len(all_buckets)
    rows: list[Tour] = []
    for planned in tours:
        name, requirement_id, units, arrival = planned[:4]
        nation, unit_id = _owned(scenario, name, "units")
        unit = next(u for u in scenario.offer_by_nation[nation].units if u.id == unit_id)
        requirement = scenario.requirement_by_id[requirement_id]
        if len(planned) == 5:
            last = planned[4]  # type: ignore[misc]
        else:
            span = phases.tour(scenario, unit, requirement, arrival)
            if span is None:
                raise ValueError(f"no tour of {name} on {requirement_id} can arrive in bucket {arrival}: give its last")
            last = span.last
        monthly = (
            unit.monthly_cost_usd
            if unit.monthly_cost_usd is not None
            else unit.personnel * scenario.cost.personnel_rate_usd
        )
        months = months_between(all_buckets[arrival].start, all_buckets[last].end)
        rows.append(
            Tour(
                unit=unit_id,
                nation=nation,
                requirement=requirement_id,
                sector=requirement.sector,
                units=units,
                personnel=units * unit.personnel,
                arrival=arrival,
                fills_from=arrival + phases.relief_buckets(scenario, unit),
                last=last,
                months=months,
                cost_usd=units * monthly * months,
                self_funded=unit.self_funded,
            )
        )
    units_of = {(o.nation, u.id): u for o in scenario.offers for u in o.units}

    # Who is where in each bucket.
    present: list[dict[tuple[str, str, str], int]] = [{} for _ in range(count)]
    filled: list[dict[str, int]] = [{} for _ in range(count)]
    for row in rows:
        unit = units_of[(row.nation, row.unit)]
        measure = scenario.requirement_by_id[row.requirement].measure
        for b in range(row.arrival, row.last + 1):
            key = (row.nation, row.unit, row.requirement)
            present[b][key] = present[b].get(key, 0) + row.units
            if b >= row.fills_from:
                amount = row.units if measure == Measure.UNITS else row.personnel
                filled[b][row.requirement] = filled[b].get(row.requirement, 0) + amount
    personnel_at = [
        {n: sum(k * units_of[(n, u)].personnel for (n2, u, _), k in at.items() if n2 == n) for (n, _, _) in at}
        for at in present
    ]
    units_at = [{n: sum(k for (n2, _, _), k in at.items() if n2 == n) for (n, _, _) in at} for at in present]

    line_buckets: list[LineBucket] = []
    worst: dict[str, tuple[int, int]] = {}
    for r in scenario.requirements:
        rank: tuple[Fraction, int, int, int] | None = None
        worst[r.id] = (0, 0)
        for b, required in sorted(phases.needs(scenario, r).items()):
            provided = filled[b].get(r.id, 0)
            short = max(0, required - provided)
            line_buckets.append(
                LineBucket(requirement=r.id, bucket=b, required=required, provided=provided, shortfall=short)
            )
            mine = (Fraction(short, required) if required else Fraction(0), short, required, -b)
            if rank is None or mine > rank:
                rank, worst[r.id] = mine, (required, provided)

    assignments: list[Assignment] = []
    for key in dict.fromkeys((row.nation, row.unit, row.requirement) for row in rows):
        nation, unit_id, requirement_id = key
        unit = units_of[(nation, unit_id)]
        most = max(at.get(key, 0) for at in present)
        monthly = (
            unit.monthly_cost_usd
            if unit.monthly_cost_usd is not None
            else unit.personnel * scenario.cost.personnel_rate_usd
        )
        assignments.append(
            Assignment(
                unit=unit_id,
                nation=nation,
                capability=unit.capability,
                requirement=requirement_id,
                sector=scenario.requirement_by_id[requirement_id].sector,
                units=most,
                personnel=most * unit.personnel,
                monthly_cost_usd=monthly,
                cost_usd=sum(row.cost_usd for row in rows if (row.nation, row.unit, row.requirement) == key),
                self_funded=unit.self_funded,
            )
        )
    coverage = [
        Coverage(
            requirement=r.id,
            sector=r.sector,
            capability=r.capability,
            priority=r.priority.value,
            measure=r.measure.value,
            required=worst[r.id][0],
            provided=worst[r.id][1],
            shortfall=max(0, worst[r.id][0] - worst[r.id][1]),
        )
        for r in scenario.requirements
    ]

    flow_rows = [
        FundingFlow(
            pledge=_owned(scenario, p, "funding")[1],
            nation=_owned(scenario, p, "funding")[0],
            capability=c,
            amount_usd=a,
        )
        for p, c, a in flows
    ]
    used_by: dict[str, int] = {}
    for f in flow_rows:
        if f.amount_usd > 0:
            used_by[f.nation] = used_by.get(f.nation, 0) + f.amount_usd
    contributing = {row.nation for row in rows}
    participating = sorted(contributing | set(used_by))
    totals_at = [sum(at.values()) for at in personnel_at]
    nations = []
    for code in participating:
        offer = scenario.offer_by_nation.get(code)
        everyone = sum(totals_at)  # a nation's share of the personnel-buckets
        shares = [sum(at.get(code, 0) for at in personnel_at) / everyone] if everyone else []
        nations.append(
            NationFigures(
                nation=code,
                personnel=max((at.get(code, 0) for at in personnel_at), default=0),
                share=max(shares, default=0.0),
                units=max((at.get(code, 0) for at in units_at), default=0),
                sectors=sorted({row.sector for row in rows if row.nation == code}),
                cost_usd=sum(row.cost_usd for row in rows if row.nation == code),
                funding_pledged_usd=sum(p.amount_usd for p in offer.funding) if offer else 0,
                funding_used_usd=used_by.get(code, 0),
            )
        )
    total_cost = sum(row.cost_usd for row in rows)
    self_funded = sum(row.cost_usd for row in rows if row.self_funded)
    used = sum(used_by.values())
    funding = FundingBalance(
        total_cost_usd=total_cost,
        self_funded_usd=self_funded,
        pooled_cost_usd=total_cost - self_funded,
        pledged_usd=sum(
            p.amount_usd for o in scenario.offers if not _phased_barred(scenario, o.nation) for p in o.funding
        ),
        used_usd=used,
        gap_usd=max(0, total_cost - self_funded - used),
        flows=flow_rows,
    )

    # Nodes of entry.
    phasing = scenario.phasing
    assert phasing is not None, "build_plan_solution answers a phased scenario"
    if node_flows is None:
        arriving: dict[tuple[str, int], list[int]] = {}
        for row in rows:
            unit = units_of[(row.nation, row.unit)]
            figures = arriving.setdefault((row.nation, row.arrival), [0, 0])
            figures[0] += row.personnel
            figures[1] += row.units * (unit.lift_tons or 0)
        node_flows = []
        if phasing.nodes:
            for (nation, b), (people, tons) in sorted(arriving.items()):
                entry = scenario.offer_by_nation[nation].entry
                node_flows.append((entry[0] if entry else phasing.nodes[0].id, nation, b, people, tons))
    node_rows = [NodeFlow(node=n, nation=c, bucket=b, personnel=p, tons=t) for n, c, b, p, t in node_flows]
    loads = []
    for node in phasing.nodes:
        for bucket in all_buckets:
            mine = [f for f in node_rows if f.node == node.id and f.bucket == bucket.index]
            loads.append(
                NodeLoad(
                    node=node.id,
                    bucket=bucket.index,
                    personnel=sum(f.personnel for f in mine),
                    tons=sum(f.tons for f in mine),
                    personnel_capacity=None if node.personnel_per_day is None else node.personnel_per_day * bucket.days,
                    tons_capacity=None if node.tons_per_day is None else node.tons_per_day * bucket.days,
                )
            )

    # Sectors' full operational capability: from the first needed bucket after the last short one.
    # The time to it (`foc`): the needed buckets before it, all of them when it is never reached.
    sectors = []
    waiting = 0
    for sector in scenario.sectors:
        needed: set[int] = set()
        short: set[int] = set()
        for lb in line_buckets:
            if scenario.requirement_by_id[lb.requirement].sector == sector.id and lb.required:
                needed.add(lb.bucket)
                if lb.shortfall:
                    short.add(lb.bucket)
        after = max(short, default=-1)
        full = min((b for b in needed if b > after), default=None)
        sectors.append(SectorReadiness(sector=sector.id, full_from=full))
        waiting += sum(1 for b in needed if full is None or b < full)

    readiness_rank = {"pledged": 0, "verified": 1, "mou": 2, "rapid": 3}
    shortfall = 0.0
    for lb in line_buckets:
        r = scenario.requirement_by_id[lb.requirement]
        if r.priority == Priority.DESIRABLE and lb.required:
            weight = count - lb.bucket if phasing.front_loaded else 1
            shortfall += weight * r.weight * lb.shortfall / lb.required
    values = {
        "shortfall": shortfall,
        "foc": float(waiting),
        "cost": float(total_cost),
        "nations": float(len(contributing)),
        "max_share": max((n.share for n in nations), default=0.0),
        "readiness": float(
            sum(row.units * readiness_rank[units_of[(row.nation, row.unit)].readiness.value] for row in rows)
        ),
    }
    has_package = status in ("optimal", "feasible")
    return Solution(
        scenario=scenario_ref(scenario),
        status=status,
        objective=[
            ObjectiveValue(criterion=t.criterion, value=values[t.criterion], bound=values[t.criterion])
            for t in scenario.objective
        ]
        if has_package
        else [],
        gap=0.0,
        assignments=assignments,
        coverage=coverage,
        nations=nations,
        funding=funding,
        totals=Totals(
            personnel=max(totals_at, default=0),
            units=max((sum(at.values()) for at in units_at), default=0),
            nations_contributing=len(contributing),
            nations_participating=len(participating),
        ),
        run=HAND_RUN,
        plan=Plan(
            bucket=phasing.bucket,
            buckets=[PlanBucket(index=b.index, start=b.start, end=b.end) for b in all_buckets],
            tours=rows,
            coverage=line_buckets,
            flows=node_rows,
            nodes=loads,
            sectors=sectors,
        ),
    )
