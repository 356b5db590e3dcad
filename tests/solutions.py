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
