"""Objective criteria as integer CP-SAT expressions, with the factor back to the domain's units."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.scenario import MAXIMISED
from solver.rules.requirements import shortfall_weights

if TYPE_CHECKING:
    from solver.build import LinearExpr, ModelBuilder

SHARE_SCALE = 10**7
"""max_share is optimised in units of 1e-7 of the force."""


def expression(b: ModelBuilder, criterion: str) -> tuple[LinearExpr, int]:
    """(integer expression, factor): the criterion's domain value is expression / factor."""
    if criterion == "shortfall":
        weights, scale = shortfall_weights(b.scenario)
        return sum(weights[rid] * var for rid, var in b.vars.shortfall.items()), scale
    if criterion == "cost":
        return sum(b.cost_coefficient(c.unit, c.requirement) * b.units(c) for c in b.pairs()), 1
    if criterion == "nations":
        return sum(b.vars.contributes.values()), 1
    if criterion == "readiness":
        return sum(c.unit.readiness.rank * b.units(c) for c in b.pairs()), 1
    if criterion == "max_share":
        # No expression: the largest share is a ratio, searched by `solver.solve` in linear steps
        # and held by `hold` (a product of two variables here would weaken every later stage).
        return 0, SHARE_SCALE
    if criterion == "churn":
        return _churn(b), 1
    raise ValueError(f"unknown criterion {criterion!r}")


def hold(b: ModelBuilder, criterion: str, value: int, slack: int) -> None:
    """Keep a criterion within `slack` of `value` (its integer scale) for the stages after its own.

    The largest share is held nation by nation, linearly: SHARE_SCALE x personnel(n) <= (value +
    slack) x total personnel, which is max share <= (value + slack) / SHARE_SCALE.
    """
    if criterion == "max_share":
        total = b.total_personnel()
        for nation in b.vars.contributes:
            b.model.add(SHARE_SCALE * b.personnel(nation) <= (value + slack) * total)
        return
    expr, _ = b.criteria[criterion]
    if maximised(criterion):
        b.model.add(expr >= value - slack)
    else:
        b.model.add(expr <= value + slack)


def _churn(b: ModelBuilder) -> LinearExpr:
    # churn = sum over (unit, line) of |units - baseline units|; pairs gone from the model count in full.
    baseline = b.baseline or {}
    terms: list[LinearExpr] = []
    for c in b.pairs():
        pair = (c.unit.id, c.requirement.id)
        before = baseline.get(pair, 0)
        x = b.units(c)
        if before == 0:
            terms.append(x)
            continue
        d = b.model.new_int_var(0, max(before, c.unit.count), f"churn[{pair[0]},{pair[1]}]")
        b.model.add(d >= x - before)
        b.model.add(d >= before - x)
        terms.append(d)
    gone = sum(v for pair, v in baseline.items() if pair not in b.vars.units)
    return sum(terms) + gone


def maximised(criterion: str) -> bool:
    return criterion in MAXIMISED
