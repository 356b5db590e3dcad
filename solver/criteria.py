"""Objective criteria as integer CP-SAT expressions, with the factor back to the domain's units."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
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
        return b.total_cost(), 1
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
        b.at_least(d, -before, [(1, x)])
        b.at_least(d, before, [(-1, x)])
        terms.append(d)
    gone = sum(v for pair, v in baseline.items() if pair not in b.vars.units)
    return sum(terms) + gone


def maximised(criterion: str) -> bool:
    return criterion in MAXIMISED


MERGE_LIMIT = 2**53
"""Largest span a merged objective may have: exact in the doubles of CP-SAT's linear relaxation."""


@dataclass(frozen=True)
class Form:
    """A criterion as an integer linear form over the model's variables, and the range it can take.

    `minimised` is the criterion as minimised (a maximised criterion negated); `lo`/`hi` bound it
    over the variables' domains.
    """

    criterion: str
    coefficients: dict[int, int]
    """Of the minimised form, by variable index."""
    offset: int
    lo: int
    hi: int

    def minimised(self, values: Sequence[int]) -> int:
        """The minimised form's value for a value of every model variable."""
        return self.offset + sum(c * int(values[v]) for v, c in self.coefficients.items())

    def value(self, values: Sequence[int]) -> int:
        """The criterion's own value (its integer scale) for a value of every model variable."""
        return -self.minimised(values) if maximised(self.criterion) else self.minimised(values)


def form(b: ModelBuilder, criterion: str) -> Form:
    """The criterion's `Form`, read off the model (whose objective it replaces for the moment)."""
    expr, _ = b.criteria[criterion]
    model = b.model
    model.minimize(-expr if maximised(criterion) else expr)
    objective = model.proto.objective
    coefficients: dict[int, int] = {}
    for var, coeff in zip(objective.vars, objective.coeffs, strict=True):
        coefficients[int(var)] = coefficients.get(int(var), 0) + int(coeff)
    offset = round(objective.offset)
    model.clear_objective()  # type: ignore[no-untyped-call]
    lo = hi = offset
    for var, coeff in coefficients.items():
        domain = model.proto.variables[var].domain
        least, most = int(domain[0]), int(domain[len(domain) - 1])  # (no indexing from the end)
        lo += coeff * (least if coeff > 0 else most)
        hi += coeff * (most if coeff > 0 else least)
    return Form(criterion, coefficients, offset, lo, hi)


def merge(forms: Sequence[Form]) -> list[int] | None:
    """Weights making one objective of consecutive criteria, lexicographically exact, or None.

    sum of weight x (minimised - lo) orders packages exactly as the criteria do in turn: each weight
    exceeds the span of everything after it. None when that objective's span would pass
    MERGE_LIMIT (shortfall in 1e-9 units followed by cost in dollars, say).
    """
    weights = [1] * len(forms)
    for i in range(len(forms) - 2, -1, -1):
        weights[i] = weights[i + 1] * (forms[i + 1].hi - forms[i + 1].lo + 1)
    if weights[0] * (forms[0].hi - forms[0].lo + 1) > MERGE_LIMIT:
        return None
    return weights


def merged_expression(b: ModelBuilder, forms: Sequence[Form], weights: Sequence[int]) -> LinearExpr:
    """The merged objective (minimised), zero at the best conceivable package."""
    terms: list[LinearExpr] = []
    for f, weight in zip(forms, weights, strict=True):
        expr, _ = b.criteria[f.criterion]
        terms.append(weight * ((-expr if maximised(f.criterion) else expr) - f.lo))
    return sum(terms)


def first_bound(forms: Sequence[Form], weights: Sequence[int], bound: float) -> float:
    """From a bound on the merged objective, the bound it proves on the first criterion (its own
    integer scale, in its own direction)."""
    head = forms[0]
    rest = weights[0] - 1  # the most the later criteria add
    least = head.lo + math.ceil((bound - rest) / weights[0])
    least = max(least, head.lo)
    return -least if maximised(head.criterion) else least
