"""Funding: pledges pay the pooled (not self-funded) cost, as a flow from pledges to capabilities.

A pledge pays at most its amount and only for its earmark; no capability receives more than the
pooled cost of its units; drawing a pledge makes its nation participate, so the donor's red lines
(not alongside, partners) and vetoes of scope `all` govern its money too.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from forcepack.models.limits import COVERAGE_MAX_DENOMINATOR
from forcepack.models.scenario import Scenario, offer_key
from forcepack.solver.elements import Element
from forcepack.solver.rules.targets import ratio

if TYPE_CHECKING:
    from forcepack.solver.build import LinearExpr, ModelBuilder

ELEMENT = Element("funding", "funding_coverage")


def pooled_cost_by_capability(b: ModelBuilder) -> dict[str, LinearExpr]:
    """Per capability, the cost of its assigned units that are not self-funded."""
    out: dict[str, list[LinearExpr]] = defaultdict(list)
    for key, unit in b.unit_lines().items():
        if not unit.self_funded:
            out[unit.capability].append(b.unit_cost(key))
    return {cap: sum(terms) for cap, terms in out.items()}


def _pooled_ceilings(b: ModelBuilder) -> dict[str, int]:
    """Per capability, the most its units that are not self-funded can cost."""
    ceiling: dict[str, int] = defaultdict(int)
    for key, unit in b.unit_lines().items():
        if not unit.self_funded:
            ceiling[unit.capability] += b.most_unit_cost(key)
    return dict(ceiling)


def add_flows(b: ModelBuilder) -> None:
    """Flow variables from every usable pledge to the capabilities it may pay for.

    A pledge's flows add up to what is drawn from it (`drawn`), at most its amount; the money
    criteria and the coverage target read the drawn amounts, one term per pledge, so no sum in the
    model counts a pledge once per capability it may pay for."""
    ceiling = _pooled_ceilings(b)
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
            key = offer_key(offer.nation, pledge.id)
            used = b.model.new_bool_var(f"pledge_used[{key}]")
            b.vars.pledge_used[key] = used
            most = min(pledge.amount_usd, sum(ceiling[cap] for cap in capabilities))
            drawn = b.model.new_int_var(0, most, f"drawn[{key}]")
            b.vars.drawn[key] = drawn
            flows: list[cp_model.IntVar] = []
            for cap in capabilities:
                flow = b.model.new_int_var(0, min(pledge.amount_usd, ceiling[cap]), f"flow[{key},{cap}]")
                b.vars.flows[(key, cap)] = flow
                flows.append(flow)
            b.model.add(drawn == sum(flows))
            b.model.add(drawn <= most * used)
            b.model.add(drawn >= used)  # drawn means at least a dollar flows
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
    """Pledges cover at least `funding_coverage` of the pooled cost, when that target is set.

    `den x drawn >= num x pooled` would multiply the pooled cost by the coverage's denominator (up
    to 1e6) and could pass 2^63 on large offers. It is held exactly, without that product: with
    pooled = den x whole + rest (0 <= rest < den), coverage x pooled = num x whole + num x rest /
    den, so `drawn >= num x whole + part` with `den x part >= num x rest` (part <= num) is the same
    condition on whole dollars, and its linear relaxation is the same too."""
    coverage = b.scenario.targets.funding_coverage
    if coverage is None or coverage == 0:
        return
    num, den = ratio(coverage, round_up=True, max_denominator=COVERAGE_MAX_DENOMINATOR)
    most = sum(_pooled_ceilings(b).values())
    pooled = b.model.new_int_var(0, most, f"{b.prefix}pooled_cost")
    b.model.add(pooled == sum(pooled_cost_by_capability(b).values()))
    if den == 1:
        b.add(total_flow(b) >= num * pooled, ELEMENT)
        return
    whole = b.model.new_int_var(0, most // den, f"{b.prefix}pooled_cost_whole")
    rest = b.model.new_int_var(0, den - 1, f"{b.prefix}pooled_cost_rest")
    b.model.add(pooled == den * whole + rest)
    part = b.model.new_int_var(0, num, f"{b.prefix}coverage_of_rest")
    b.model.add(den * part >= num * rest)
    b.add(total_flow(b) >= num * whole + part, ELEMENT)


def total_flow(b: ModelBuilder) -> LinearExpr:
    """All money drawn."""
    return sum(b.vars.drawn.values())


def describe(scenario: Scenario) -> str:
    coverage = scenario.targets.funding_coverage or 0
    return f"pledges must cover {coverage:.0%} of the pooled cost of the units deployed"
