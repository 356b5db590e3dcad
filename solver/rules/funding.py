"""Funding: pledges pay the pooled (not self-funded) cost, as a flow from pledges to capabilities.

A pledge pays at most its amount and only for its earmark; no capability receives more than the
pooled cost of its units; drawing a pledge makes its nation participate, so the donor's red lines
(not alongside, partners) and vetoes of scope `all` govern its money too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from models.scenario import Scenario
from solver.elements import Element
from solver.rules.targets import ratio

if TYPE_CHECKING:
    from solver.build import LinearExpr, ModelBuilder

ELEMENT = Element("funding", "funding_coverage")


def pooled_cost_by_capability(b: ModelBuilder) -> dict[str, LinearExpr]:
    """Per capability, the cost of its assigned units that are not self-funded."""
    out: dict[str, list[LinearExpr]] = defaultdict(list)
    for c in b.pairs():
        if not c.unit.self_funded:
            out[c.unit.capability].append(b.cost_coefficient(c.unit, c.requirement) * b.units(c))
    return {cap: sum(terms) for cap, terms in out.items()}


def add_flows(b: ModelBuilder) -> None:
    """Flow variables from every usable pledge to the capabilities it may pay for."""
    ceiling: dict[str, int] = defaultdict(int)
    for c in b.pairs():
        if not c.unit.self_funded:
            ceiling[c.unit.capability] += b.cost_coefficient(c.unit, c.requirement) * c.unit.count
    if not ceiling:
        return
    for offer in b.scenario.offers:
        blocks = b.nation_blocks(offer.nation)
        if blocks and not b.relaxable:
            continue
        for pledge in offer.funding:
            capabilities = [cap for cap in (pledge.earmark or sorted(ceiling)) if cap in ceiling]
            if pledge.amount_usd == 0 or not capabilities:
                continue
            used = b.model.new_bool_var(f"pledge_used[{pledge.id}]")
            b.vars.pledge_used[pledge.id] = used
            flows: list[cp_model.IntVar] = []
            for cap in capabilities:
                flow = b.model.new_int_var(0, min(pledge.amount_usd, ceiling[cap]), f"flow[{pledge.id},{cap}]")
                b.vars.flows[(pledge.id, cap)] = flow
                flows.append(flow)
            b.model.add(sum(flows) <= pledge.amount_usd * used)
            b.model.add(sum(flows) >= used)  # drawn means at least a dollar flows
            for block in blocks:  # relaxable builds only
                b.add(used == 0, None, only_if=b.block_literals(block))
            b.usable_pledges().append((offer.nation, pledge))
    pooled = pooled_cost_by_capability(b)
    inflow: dict[str, list[LinearExpr]] = defaultdict(list)
    for (_, cap), flow in b.vars.flows.items():
        inflow[cap].append(flow)
    for cap, into in inflow.items():
        b.model.add(sum(into) <= pooled[cap]).with_name(f"pooled_cap[{cap}]")


def constrain(b: ModelBuilder) -> None:
    """Pledges cover at least `funding_coverage` of the pooled cost, when that target is set."""
    coverage = b.scenario.targets.funding_coverage
    if coverage is None or coverage == 0:
        return
    num, den = ratio(coverage, round_up=True, max_denominator=10**6)
    pooled_total = sum(pooled_cost_by_capability(b).values())
    used_total = sum(b.vars.flows.values())
    b.add(den * used_total >= num * pooled_total, ELEMENT)


def total_flow(b: ModelBuilder) -> LinearExpr:
    """All money drawn."""
    return sum(b.vars.flows.values())


def describe(scenario: Scenario) -> str:
    coverage = scenario.targets.funding_coverage or 0
    return f"pledges must cover {coverage:.0%} of the pooled cost of the units deployed"
