"""The objective's criteria, one object each: its sense, its integer expression and the factor back to
the domain's units, its exact value, how it is held for the stages after its own, whether it can
merge with its neighbours into one search, and its value in a package's figures.

The search (`forcepack.solver.search`) and the document (`forcepack.solver.document`) ask a
criterion; neither compares a criterion's name. A criterion sees the model through
`CriterionView`, the few handles of the builder it needs, so this module imports neither.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from forcepack.models.scenario import MAXIMISED, Scenario
from forcepack.models.wording import figure, millions, money, signed
from forcepack.solver.exact import EXACT_LIMIT, at_most, below, upper_bound
from forcepack.solver.rules import requirements
from forcepack.solver.rules.base import Candidate
from forcepack.solver.rules.requirements import exact_shortfall_weights, rounding_excess, shortfall_weights

if TYPE_CHECKING:
    # Types only: the benchmark's HiGHS peer reads this module in a process that must not load OR-Tools.
    from ortools.sat.python import cp_model

LinearExpr = Any
"""A CP-SAT linear expression (typed loosely: the module loads no OR-Tools)."""

SHARE_SCALE = 10**7
"""The unit of `max_share` in a stage's report (`solver.search.StageResult`): 1e-7 of the force.
The stage itself works with the exact ratio."""

MERGE_LIMIT = EXACT_LIMIT
"""Largest span a merged objective may have: exact in the doubles of CP-SAT's linear relaxation."""


class CriterionView(Protocol):
    """What a criterion asks of the model being built (`forcepack.solver.builder.ModelBuilder`)."""

    @property
    def scenario(self) -> Scenario: ...

    @property
    def model(self) -> cp_model.CpModel: ...

    @property
    def prefix(self) -> str: ...

    @property
    def baseline(self) -> Mapping[tuple[str, str], int] | None: ...

    @property
    def criteria(self) -> dict[str, tuple[LinearExpr, int]]: ...

    def pairs(self) -> Iterable[Candidate]: ...

    def units(self, option: Candidate) -> LinearExpr: ...

    def options_of_nation(self, nation: str) -> list[Candidate]: ...

    def nations(self) -> list[str]:
        """Every nation that could contribute units."""

    def contributes(self, nation: str) -> LinearExpr: ...

    def shortfalls(self) -> Mapping[str, cp_model.IntVar]:
        """Each desirable line's shortfall variable, by line id."""

    def foc_waiting(self) -> LinearExpr:
        """Over the sectors, the buckets each needs something in before its full operational
        capability, summed (0 in a static model: `foc` is a phased criterion)."""

    def total_cost(self) -> LinearExpr: ...

    def total_personnel(self) -> cp_model.IntVar: ...

    def churn_items(self) -> Iterable[tuple[tuple[Any, ...], cp_model.IntVar, int]]:
        """What churn counts, each with its key in a baseline and the most it can hold: units per
        (unit, line), or in a phased model per tour."""

    def pair_variables(self) -> Mapping[tuple[str, str], cp_model.IntVar]:
        """Units per option, by (unit key, line id)."""

    def at_least(self, var: cp_model.IntVar, constant: int, terms: Sequence[tuple[int, cp_model.IntVar]]) -> None: ...


class Figures(Protocol):
    """A package's figures a criterion's value is read from (`forcepack.solver.document`)."""

    @property
    def shortfall(self) -> Fraction: ...

    @property
    def total_cost(self) -> int: ...

    @property
    def contributing(self) -> int: ...

    @property
    def max_share(self) -> Fraction: ...

    @property
    def readiness(self) -> int: ...

    @property
    def churn(self) -> int: ...

    @property
    def foc(self) -> int: ...


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
        return -self.minimised(values) if criterion(self.criterion).maximised else self.minimised(values)


class Criterion(ABC):
    """One criterion of the lexicographic objective."""

    name: ClassVar[str]
    maximised: ClassVar[bool] = False
    linear: ClassVar[bool] = True
    """Its value is one linear expression (a search can minimise it, merged with its neighbours);
    False for a ratio, searched on its own (`solver.search`, Dinkelbach's method)."""

    @abstractmethod
    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        """(integer expression, factor): the criterion's domain value is expression / factor."""

    @abstractmethod
    def of_figures(self, figures: Figures) -> Fraction:
        """Its exact value in the domain's units, from a package's figures (the document's side)."""

    def rounding(self, scenario: Scenario) -> Fraction | None:
        """When its expression is rounded (exact weights too large for one integer objective), the
        most the rounded value may exceed the exact one, in the expression's scale; None when exact."""
        return None

    def exact_scale(self, scenario: Scenario) -> int:
        """The scale in which a rounded criterion is reported exactly."""
        raise NotImplementedError(f"{self.name} is never rounded")

    def exact_value(self, b: CriterionView, values: Sequence[int], form: Form | None) -> Fraction:
        """Its exact value in the domain's units for a package (a value for every model variable)."""
        assert form is not None
        return Fraction(form.value(values), b.criteria[self.name][1])

    def trivial_bound(self, scenario: Scenario, candidates: Sequence[Candidate]) -> float:
        """A bound every package meets, reported when no stage reached the criterion."""
        return 0.0

    def worse(self, delta: float) -> bool:
        """Is a change of `delta` in its value a loss?"""
        return delta < -1e-9 if self.maximised else delta > 1e-9

    def shown(self, delta: float) -> str:
        """A change in its value, in a planner's words."""
        return signed(delta)

    def written(self, value: float) -> str:
        """A value of it, in a planner's words."""
        return figure(value)

    def in_full(self, value: float) -> str:
        """A value of it in full, as an `expect` block states it (money in whole dollars)."""
        return figure(value, 6)

    def hold(
        self, b: CriterionView, value: Fraction, tolerance: Fraction = Fraction(0), *, exactly: bool = False
    ) -> None:
        """Keep it within `tolerance` of `value` (its exact value in the domain's units) for the
        stages after its own: at most `value + tolerance x |value|` when minimised, at least
        `value - tolerance x |value|` when maximised, in exact arithmetic. `exactly` asks, further,
        for nothing better than `value` either (a tie-break among packages exactly as good)."""
        expr, factor = b.criteria[self.name]
        least, most = self._range(value * factor, tolerance, exactly)
        if most is not None:
            b.model.add(expr <= most)
        if least is not None:
            b.model.add(expr >= least)

    def _range(self, scaled: Fraction, tolerance: Fraction, exactly: bool) -> tuple[int | None, int | None]:
        """(least, most) the held expression may take, from the value in its scale."""
        if scaled.denominator != 1:
            raise ValueError(f"{self.name} {scaled} is not a value of the criterion's scale")
        target = scaled.numerator
        loose = slack(tolerance, target)
        if self.maximised:
            return target - loose, target if exactly else None
        return target if exactly else None, target + loose


class Shortfall(Criterion):
    """The weighted uncovered fraction of the desirable lines. Its exact weights may need a common
    denominator too large for one integer objective: then the search minimises rounded weights, and
    holds and proves with the exact ones, in digits (`solver.exact.at_most`)."""

    name = "shortfall"

    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        weights, scale = shortfall_weights(b.scenario)
        return sum(weights[rid] * var for rid, var in b.shortfalls().items()), scale

    def of_figures(self, figures: Figures) -> Fraction:
        return figures.shortfall

    def rounding(self, scenario: Scenario) -> Fraction | None:
        return None if requirements.shortfall_is_exact(scenario) else rounding_excess(scenario)

    def exact_scale(self, scenario: Scenario) -> int:
        return exact_shortfall_weights(scenario)[1]

    def exact_terms(self, b: CriterionView) -> tuple[list[tuple[int, cp_model.IntVar]], int]:
        """The exact weighted sum, as terms, and its scale."""
        weights, scale = exact_shortfall_weights(b.scenario)
        return [(weight, b.shortfalls()[rid]) for rid, weight in weights.items()], scale

    def exact_value(self, b: CriterionView, values: Sequence[int], form: Form | None) -> Fraction:
        if self.rounding(b.scenario) is None:
            return super().exact_value(b, values, form)
        terms, scale = self.exact_terms(b)
        return Fraction(sum(w * int(values[x.index]) for w, x in terms), scale)

    def hold(
        self, b: CriterionView, value: Fraction, tolerance: Fraction = Fraction(0), *, exactly: bool = False
    ) -> None:
        if self.rounding(b.scenario) is None:
            super().hold(b, value, tolerance, exactly=exactly)
            return
        terms, scale = self.exact_terms(b)
        least, most = self._range(value * scale, tolerance, exactly)
        if most is not None:
            at_most(b.model, terms, most)
        if least is not None:
            at_most(b.model, [(-c, x) for c, x in terms], -least)


class Foc(Criterion):
    """Time to full operational capability: over the sectors, the buckets (weeks or months) each needs
    something in before it is filled in full in every later bucket, summed (a phased criterion)."""

    name = "foc"

    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        return b.foc_waiting(), 1

    def of_figures(self, figures: Figures) -> Fraction:
        return Fraction(figures.foc)

    def shown(self, delta: float) -> str:
        return f"{signed(delta)} {'bucket' if abs(delta) == 1 else 'buckets'} to full operational capability"


class Cost(Criterion):
    """Total cost of the deployed units, in USD."""

    name = "cost"

    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        return b.total_cost(), 1

    def of_figures(self, figures: Figures) -> Fraction:
        return Fraction(figures.total_cost)

    def shown(self, delta: float) -> str:
        return f"USD {millions(abs(delta))} {'more' if delta >= 0 else 'less'}"

    def written(self, value: float) -> str:
        return f"USD {millions(value)}"

    def in_full(self, value: float) -> str:
        return money(value)


class Nations(Criterion):
    """Nations contributing units (more is a broader coalition)."""

    name = "nations"
    maximised = True

    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        return sum(b.contributes(n) for n in b.nations()), 1

    def of_figures(self, figures: Figures) -> Fraction:
        return Fraction(figures.contributing)

    def trivial_bound(self, scenario: Scenario, candidates: Sequence[Candidate]) -> float:
        return float(len({c.nation for c in candidates}))


class Readiness(Criterion):
    """Readiness ranks of the deployed units, summed (more is readier)."""

    name = "readiness"
    maximised = True

    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        return sum(c.unit.readiness.rank * b.units(c) for c in b.pairs()), 1

    def of_figures(self, figures: Figures) -> Fraction:
        return Fraction(figures.readiness)

    def trivial_bound(self, scenario: Scenario, candidates: Sequence[Candidate]) -> float:
        units = {c.key: c.unit for c in candidates}
        return float(sum(u.readiness.rank * u.count for u in units.values()))


class MaxShare(Criterion):
    """The largest nation's share of the force's personnel: a ratio, searched in exact linear steps
    (`solver.search`) and held nation by nation, linearly (a product of two variables would
    weaken every later stage)."""

    name = "max_share"
    linear = False

    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        return 0, SHARE_SCALE

    def of_figures(self, figures: Figures) -> Fraction:
        return figures.max_share

    def exact_value(self, b: CriterionView, values: Sequence[int], form: Form | None) -> Fraction:
        return share_of(b, values)

    def hold(
        self, b: CriterionView, value: Fraction, tolerance: Fraction = Fraction(0), *, exactly: bool = False
    ) -> None:
        """Every nation's share at most value x (1 + tolerance); with `exactly`, some nation's at least `value`."""
        total = b.total_personnel()
        most = max(1, upper_bound(b.model, total))
        # A share is a fraction whose denominator (the force's personnel) is at most `most`: the
        # largest such fraction below the limit keeps exactly the same packages, with small integers.
        limit = below(value * (1 + tolerance), most)
        for nation in b.nations():
            terms = [(limit.denominator * c.unit.personnel, b.units(c)) for c in b.options_of_nation(nation)]
            at_most(b.model, [*terms, (-limit.numerator, total)], 0)
        if exactly and value > 0:
            reached = []
            for nation in b.nations():
                literal = b.model.new_bool_var(f"{b.prefix}holds_largest_share[{nation}]")
                terms = [(-value.denominator * c.unit.personnel, b.units(c)) for c in b.options_of_nation(nation)]
                at_most(b.model, [*terms, (value.numerator, total)], 0, only_if=literal)
                b.model.add(total >= 1).only_enforce_if(literal)  # (nobody deployed is share 0)
                reached.append(literal)
            b.model.add_bool_or(reached)


class Churn(Criterion):
    """Units moved, added or removed against a baseline package (what-if repairs and tie-breaks)."""

    name = "churn"

    def expression(self, b: CriterionView) -> tuple[LinearExpr, int]:
        # churn = sum over (unit, line) of |units - baseline units|; pairs gone from the model count in full.
        # (a phased model's churn is over its tours: `churn_items` are per tour, keyed by tour)
        baseline: Mapping[Any, int] = b.baseline or {}
        terms: list[LinearExpr] = []
        present = set()
        for pair, x, most in b.churn_items():
            present.add(pair)
            before = baseline.get(pair, 0)
            if before == 0:
                terms.append(x)
                continue
            d = b.model.new_int_var(0, max(before, most), f"churn[{','.join(str(p) for p in pair)}]")
            b.at_least(d, -before, [(1, x)])
            b.at_least(d, before, [(-1, x)])
            terms.append(d)
        gone = sum(v for pair, v in baseline.items() if pair not in present)
        return sum(terms) + gone, 1

    def of_figures(self, figures: Figures) -> Fraction:
        return Fraction(figures.churn)


CRITERIA: dict[str, Criterion] = {
    c.name: c for c in (Shortfall(), Foc(), Cost(), Nations(), Readiness(), MaxShare(), Churn())
}
"""Every criterion, by name."""

assert {name for name, c in CRITERIA.items() if c.maximised} == MAXIMISED, "the models' MAXIMISED disagrees"


def criterion(name: str) -> Criterion:
    """The criterion of a name (ValueError naming the known ones when there is none)."""
    try:
        return CRITERIA[name]
    except KeyError:
        raise ValueError(f"unknown criterion {name!r}; expected one of {', '.join(CRITERIA)}") from None


def tolerance_of(tolerance: float) -> Fraction:
    """A tolerance as the decimal written (0.29 is 29/100), from the shortest decimal that reads
    back to the float: never the float's binary value, whose 0.29 x 100 is 28.999... and floors to 28."""
    return Fraction(str(tolerance))


def slack(tolerance: Fraction, value: int) -> int:
    """What a tolerance lets the later stages lose of a value in its integer scale:
    floor(tolerance x |value|), computed in integers."""
    return tolerance.numerator * abs(value) // tolerance.denominator


def share_of(b: CriterionView, values: Sequence[int]) -> Fraction:
    """The largest nation's share of personnel in a package (a value for every model variable), exactly."""
    personnel = [
        sum(c.unit.personnel * int(values[b.units(c).index]) for c in b.options_of_nation(n)) for n in b.nations()
    ]
    total = sum(personnel)
    return Fraction(max(personnel), total) if total else Fraction(0)


def form(b: CriterionView, name: str) -> Form:
    """A linear criterion's `Form`, read off the model (whose objective it replaces for the moment)."""
    expr, _ = b.criteria[name]
    model = b.model
    model.minimize(-expr if criterion(name).maximised else expr)
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
    return Form(name, coefficients, offset, lo, hi)


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


def merged_expression(b: CriterionView, forms: Sequence[Form], weights: Sequence[int]) -> LinearExpr:
    """The merged objective (minimised), zero at the best conceivable package."""
    terms: list[LinearExpr] = []
    for f, weight in zip(forms, weights, strict=True):
        expr, _ = b.criteria[f.criterion]
        terms.append(weight * ((-expr if criterion(f.criterion).maximised else expr) - f.lo))
    return sum(terms)


def first_bound(forms: Sequence[Form], weights: Sequence[int], bound: float) -> float:
    """From a bound on the merged objective, the bound it proves on the first criterion (its own
    integer scale, in its own direction)."""
    head = forms[0]
    rest = weights[0] - 1  # the most the later criteria add
    least = head.lo + math.ceil((bound - rest) / weights[0])
    least = max(least, head.lo)
    return -least if criterion(head.criterion).maximised else least
