"""Objective criteria as integer CP-SAT expressions, with the factor back to the domain's units,
and how a criterion is held, exactly, at a value within a tolerance for the stages after its own."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from forcepack.models.scenario import MAXIMISED
from forcepack.solver.rules import requirements
from forcepack.solver.rules.requirements import exact_shortfall_weights, shortfall_weights

if TYPE_CHECKING:
    # Types only: the benchmark's HiGHS peer reads this module in a process that must not load OR-Tools.
    from ortools.sat.python import cp_model

    from forcepack.solver.builder import LinearExpr, ModelBuilder

SHARE_SCALE = 10**7
"""The unit of `max_share` in a stage's report (`solver.solve.StageResult`): 1e-7 of the force.
The stage itself works with the exact ratio."""

EXACT_LIMIT = 2**53
"""Largest magnitude one linear row or objective of the model may reach: exact in the doubles of
CP-SAT's linear relaxation (and far inside its int64). A constraint whose integers would pass it is
written in digits (`at_most`)."""


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
        # No expression: the largest share is a ratio, searched by `solver.solve` in exact linear
        # steps and held by `hold` (a product of two variables here would weaken every later stage).
        return 0, SHARE_SCALE
    if criterion == "churn":
        return _churn(b), 1
    raise ValueError(f"unknown criterion {criterion!r}")


def tolerance_of(tolerance: float) -> Fraction:
    """A tolerance as the decimal written (0.29 is 29/100), from the shortest decimal that reads
    back to the float: never the float's binary value, whose 0.29 x 100 is 28.999... and floors to 28."""
    return Fraction(str(tolerance))


def slack(tolerance: Fraction, value: int) -> int:
    """What a tolerance lets the later stages lose of a value in its integer scale:
    floor(tolerance x |value|), computed in integers."""
    return tolerance.numerator * abs(value) // tolerance.denominator


def hold(
    b: ModelBuilder, criterion: str, value: Fraction, tolerance: Fraction = Fraction(0), *, exactly: bool = False
) -> None:
    """Keep a criterion within `tolerance` of `value` (its exact value in the domain's units) for
    the stages after its own: at most `value + tolerance x |value|` when minimised, at least
    `value - tolerance x |value|` when maximised, in exact arithmetic. `exactly` asks, further, for
    nothing better than `value` either (a tie-break among packages exactly as good).

    The largest share is held nation by nation, linearly: personnel(n) <= limit x total personnel.
    The shortfall, when its exact scale is too large for one integer row, is held in digits.
    """
    if criterion == "max_share":
        _hold_share(b, value, tolerance, exactly=exactly)
        return
    expr, factor = b.criteria[criterion]
    terms: list[tuple[int, cp_model.IntVar]] | None = None
    if criterion == "shortfall" and not requirements.shortfall_is_exact(b.scenario):
        weights, factor = exact_shortfall_weights(b.scenario)
        terms = [(weight, b.vars.shortfall[rid]) for rid, weight in weights.items()]
    scaled = value * factor
    if scaled.denominator != 1:
        raise ValueError(f"{criterion} {value} is not a value of the criterion (its scale is {factor})")
    target = scaled.numerator
    loose = slack(tolerance, target)
    most: int | None = target
    least: int | None = target
    if maximised(criterion):
        least = target - loose
        most = target if exactly else None
    else:
        most = target + loose
        least = target if exactly else None
    if terms is None:
        if most is not None:
            b.model.add(expr <= most)
        if least is not None:
            b.model.add(expr >= least)
        return
    if most is not None:
        at_most(b.model, terms, most)
    if least is not None:
        at_most(b.model, [(-c, x) for c, x in terms], -least)


def _hold_share(b: ModelBuilder, value: Fraction, tolerance: Fraction, *, exactly: bool) -> None:
    """Every nation's share at most value x (1 + tolerance); with `exactly`, some nation's at least `value`."""
    total = b.total_personnel()
    most = max(1, upper_bound(b.model, total))
    # A share is a fraction whose denominator (the force's personnel) is at most `most`: the
    # largest such fraction below the limit keeps exactly the same packages, with small integers.
    limit = below(value * (1 + tolerance), most)
    for nation in b.vars.contributes:
        terms = [(limit.denominator * c.unit.personnel, b.units(c)) for c in b.options_of_nation(nation)]
        at_most(b.model, [*terms, (-limit.numerator, total)], 0)
    if exactly and value > 0:
        reached = []
        for nation in b.vars.contributes:
            literal = b.model.new_bool_var(f"{b.prefix}holds_largest_share[{nation}]")
            terms = [(-value.denominator * c.unit.personnel, b.units(c)) for c in b.options_of_nation(nation)]
            at_most(b.model, [*terms, (value.numerator, total)], 0, only_if=literal)
            b.model.add(total >= 1).only_enforce_if(literal)  # (nobody deployed is share 0)
            reached.append(literal)
        b.model.add_bool_or(reached)


def below(x: Fraction, limit: int) -> Fraction:
    """The largest fraction at most x whose denominator is at most `limit` (x >= 0, limit >= 1):
    a walk down the Stern-Brocot tree, many steps at a time."""
    if x.denominator <= limit:
        return x
    lo_n, lo_d = math.floor(x), 1
    hi_n, hi_d = lo_n + 1, 1
    while True:
        # lo <= x < hi, neighbours in the tree; their mediant splits the interval.
        if lo_d + hi_d > limit:
            return Fraction(lo_n, lo_d)
        if Fraction(lo_n + hi_n, lo_d + hi_d) <= x:
            # lo moves toward hi as far as x and the denominator allow.
            steps = math.floor((x * lo_d - lo_n) / (hi_n - x * hi_d))
            steps = max(1, min(steps, (limit - lo_d) // hi_d))
            lo_n, lo_d = lo_n + steps * hi_n, lo_d + steps * hi_d
        else:
            steps = math.ceil((hi_n - x * hi_d) / (x * lo_d - lo_n)) - 1
            steps = max(1, min(steps, (limit - hi_d) // lo_d))
            hi_n, hi_d = hi_n + steps * lo_n, hi_d + steps * lo_d


def upper_bound(model: cp_model.CpModel, var: cp_model.IntVar) -> int:
    domain = model.proto.variables[var.index].domain
    return int(domain[len(domain) - 1])  # (the proto wrapper does not index from the end)


def _lower_bound(model: cp_model.CpModel, var: cp_model.IntVar) -> int:
    return int(model.proto.variables[var.index].domain[0])


def at_most(
    model: cp_model.CpModel,
    terms: Sequence[tuple[int, cp_model.IntVar]],
    bound: int,
    *,
    only_if: cp_model.IntVar | None = None,
) -> None:
    """sum of coefficient x variable <= bound, exactly, however large the integers (under `only_if`).

    When every magnitude stays within EXACT_LIMIT the row is added as it is. Otherwise it is written
    in base B digits, as long addition is: with u_j the digit-j part (sum of coefficients' digit j
    times the variables, minus the bound's digit j), integer carries k_0 = 0, k_1, ..., k_J and the
    rows u_j + k_j <= B x k_(j+1), k_J <= 0. Summed with weights B^j they give sum of B^j u_j <=
    B^J k_J <= 0, the row itself; conversely the least carries, k_(j+1) = ceil((u_j + k_j) / B),
    satisfy them whenever the row holds. Each digit row stays within EXACT_LIMIT.
    """
    ranges = []
    for c, x in terms:
        lo, hi = _lower_bound(model, x), upper_bound(model, x)
        if lo == hi:
            bound -= c * lo  # a fixed variable is a constant (its coefficient may be any size)
        elif c:
            ranges.append((c, x, lo, hi))
    if not ranges:
        if bound < 0:
            model.add_bool_or([] if only_if is None else [only_if.Not()])
        return
    reach = abs(bound) + sum(abs(c) * max(abs(lo), abs(hi)) for c, _, lo, hi in ranges)
    if reach <= EXACT_LIMIT:
        ct = model.add(sum(c * x for c, x, _, _ in ranges) <= bound)
        if only_if is not None:
            ct.only_enforce_if(only_if)
        return
    width = sum(max(abs(lo), abs(hi)) for _, _, lo, hi in ranges)
    base = 2 ** max(1, (EXACT_LIMIT // (2 * width + 8)).bit_length() - 1)
    digits = max(_digit_count(abs(bound), base), *(_digit_count(abs(c), base) for c, _, _, _ in ranges))
    coefficient_digits = [(_digits(c, base, digits), x, lo, hi) for c, x, lo, hi in ranges]
    bound_digits = _digits(bound, base, digits)
    carry: cp_model.IntVar | int = 0
    carry_lo = carry_hi = 0
    rows = []
    for j in range(digits):
        part = [(d[j], x, lo, hi) for d, x, lo, hi in coefficient_digits if d[j]]
        u_lo = -bound_digits[j] + sum(d * (lo if d > 0 else hi) for d, _, lo, hi in part)
        u_hi = -bound_digits[j] + sum(d * (hi if d > 0 else lo) for d, _, lo, hi in part)
        next_lo = -(-(u_lo + carry_lo) // base)
        next_hi = -(-(u_hi + carry_hi) // base)
        if j == digits - 1:
            next_hi = min(next_hi, 0)
        if next_lo > next_hi:
            next_hi = next_lo  # the row cannot hold: its last carry is above 0 (infeasible below)
        following = model.new_int_var(next_lo, next_hi, f"digit_carry[{j + 1}]")
        rows.append(model.add(sum(d * x for d, x, _, _ in part) + carry - base * following <= bound_digits[j]))
        carry, carry_lo, carry_hi = following, next_lo, next_hi
    rows.append(model.add(carry <= 0))
    if only_if is not None:
        for row in rows:
            row.only_enforce_if(only_if)


def _digit_count(n: int, base: int) -> int:
    count = 1
    while n >= base:
        n //= base
        count += 1
    return count


def _digits(n: int, base: int, count: int) -> list[int]:
    """n in `count` base-`base` digits, least significant first, each carrying n's sign."""
    sign = -1 if n < 0 else 1
    n = abs(n)
    out = []
    for _ in range(count):
        n, digit = divmod(n, base)
        out.append(sign * digit)
    return out


def share_of(b: ModelBuilder, values: Sequence[int]) -> Fraction:
    """The largest nation's share of personnel in a package (a value for every model variable), exactly."""
    personnel = [
        sum(c.unit.personnel * int(values[b.units(c).index]) for c in b.options_of_nation(n))
        for n in b.vars.contributes
    ]
    total = sum(personnel)
    return Fraction(max(personnel), total) if total else Fraction(0)


def exact_value(b: ModelBuilder, criterion: str, values: Sequence[int], f: Form | None) -> Fraction:
    """A criterion's exact value in the domain's units for a package (a value for every model
    variable), given its `Form` (none for `max_share`)."""
    if criterion == "max_share":
        return share_of(b, values)
    if criterion == "shortfall" and not requirements.shortfall_is_exact(b.scenario):
        weights, scale = exact_shortfall_weights(b.scenario)
        return Fraction(sum(w * int(values[b.vars.shortfall[rid].index]) for rid, w in weights.items()), scale)
    assert f is not None
    return Fraction(f.value(values), b.criteria[criterion][1])


def _churn(b: ModelBuilder) -> LinearExpr:
    # churn = sum over (unit, line) of |units - baseline units|; pairs gone from the model count in full.
    baseline = b.baseline or {}
    terms: list[LinearExpr] = []
    for c in b.pairs():
        pair = (c.key, c.requirement.id)
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


MERGE_LIMIT = EXACT_LIMIT
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
