"""Exact integer rows in CP-SAT, however large their integers: the arithmetic the criteria and the
search hold values with.

CP-SAT reads every linear row in doubles for its relaxation: a row whose integers pass 2^53 is
inexact there, and one past int64 cannot be written. `at_most` writes any row exactly, in digits
when it must; `below` finds the simplest fraction that keeps a ratio's packages exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Types only: the benchmark's HiGHS peer reads the criteria in a process that must not load OR-Tools.
    from ortools.sat.python import cp_model

EXACT_LIMIT = 2**53
"""Largest magnitude one linear row or objective of the model may reach: exact in the doubles of
CP-SAT's linear relaxation (and far inside its int64). A constraint whose integers would pass it is
written in digits (`at_most`)."""


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
