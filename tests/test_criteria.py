"""Merging consecutive criteria into one objective: it orders packages exactly as the criteria do
in turn, its bound converts back to a bound on the first, and `solve` merges only where that holds.
Holding criteria exactly: tolerances read as written, rows of any size, ratios under a denominator."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from forcepack.models import load_scenario
from forcepack.models.scenario import ObjectiveTerm
from forcepack.solver import SolveParams, SolveReport, solve
from forcepack.solver.criteria import MERGE_LIMIT, Form, first_bound, merge, slack, tolerance_of
from forcepack.solver.exact import at_most, below


def _forms(ranges: list[tuple[int, int]], names: list[str]) -> list[Form]:
    return [Form(name, {}, 0, lo, lo + span) for (lo, span), name in zip(ranges, names, strict=True)]


def _merged(forms: list[Form], weights: list[int], values: tuple[int, ...]) -> int:
    return sum(w * (v - f.lo) for f, w, v in zip(forms, weights, values, strict=True))


ranges = st.lists(st.tuples(st.integers(-50, 50), st.integers(0, 30)), min_size=2, max_size=3)


@given(ranges, st.data())
def test_criteria_merge_orders_packages_lexicographically(spans: list[tuple[int, int]], data: st.DataObject) -> None:
    """For any two tuples of criterion values in range, the merged objective is smaller exactly when
    the first tuple is lexicographically smaller (minimised values)."""
    forms = _forms(spans, ["cost", "churn", "shortfall"][: len(spans)])
    weights = merge(forms)
    assert weights is not None

    def point() -> tuple[int, ...]:
        return tuple(data.draw(st.integers(f.lo, f.hi)) for f in forms)

    a, b = point(), point()
    assert (_merged(forms, weights, a) < _merged(forms, weights, b)) == (a < b)
    assert (_merged(forms, weights, a) == _merged(forms, weights, b)) == (a == b)


@given(ranges, st.data())
def test_criteria_first_bound_holds_for_every_tuple_above_the_merged_bound(
    spans: list[tuple[int, int]], data: st.DataObject
) -> None:
    """Whatever bound the merged objective has, every tuple meeting it has its first value at or
    above the bound `first_bound` derives (for a minimised first criterion)."""
    forms = _forms(spans, ["cost", "churn", "shortfall"][: len(spans)])
    weights = merge(forms)
    assert weights is not None
    values = tuple(data.draw(st.integers(f.lo, f.hi)) for f in forms)
    bound = data.draw(st.integers(0, _merged(forms, weights, values)))
    assert values[0] >= first_bound(forms, weights, bound)


def test_criteria_first_bound_of_a_maximised_criterion_is_an_upper_bound() -> None:
    """`nations` is minimised negated: a merged bound proving at least -12 reads as at most 12."""
    forms = [Form("nations", {}, 0, -20, 0), Form("cost", {}, 0, 0, 9)]
    weights = merge(forms)
    assert weights == [10, 1]
    # merged = 10 x (-nations + 20) + cost >= 80  =>  -nations + 20 >= 8 (cost adds at most 9)
    assert first_bound(forms, weights, 80) == 12


def test_criteria_merge_refuses_a_span_past_the_exact_limit() -> None:
    """Shortfall in 1e-9 units then cost in dollars would pass 2^53: not merged."""
    forms = [Form("shortfall", {}, 0, 0, 10**12), Form("cost", {}, 0, 0, 10**10)]
    assert merge(forms) is None
    assert merge([*forms[1:], Form("nations", {}, 0, -30, 0)]) is not None
    assert MERGE_LIMIT > 10**10 * 31


def test_solve_merges_the_criteria_up_to_one_with_a_tolerance() -> None:
    """On the Gaza example (weights over quantities with a small common denominator) the three
    criteria fit one exact objective and are optimised in one search; given a tolerance on cost,
    `nations` gets a search of its own (the tolerance must be held before it is optimised)."""
    scenario = load_scenario("examples/gaza-isf.yaml")
    report = SolveReport()
    merged = solve(scenario, SolveParams(time_limit_s=20, workers=1), report=report)
    assert [(s.criterion, s.merged) for s in report.stages] == [
        ("shortfall", False),
        ("cost", True),
        ("nations", True),
    ]
    tolerant = scenario.model_copy(
        update={
            "objective": [
                ObjectiveTerm(criterion="shortfall"),
                ObjectiveTerm(criterion="cost", tolerance=0.05),
                ObjectiveTerm(criterion="nations"),
            ]
        }
    )
    apart = SolveReport()
    relaxed = solve(tolerant, SolveParams(time_limit_s=20, workers=1), report=apart)
    assert [(s.criterion, s.merged) for s in apart.stages] == [
        ("shortfall", False),
        ("cost", True),
        ("nations", False),
    ]
    assert merged.status == relaxed.status == "optimal"
    # Five per cent of cost traded away can only buy more nations, never fewer.
    assert relaxed.objective[2].value >= merged.objective[2].value
    assert relaxed.objective[1].value <= merged.objective[1].value * 1.05 + 1


# -- exact rows and ratios ------------------------------------------------------------------------


def _solutions(model: cp_model.CpModel, variables: list[cp_model.IntVar]) -> set[tuple[int, ...]]:
    """Every solution of a small model, on `variables`."""
    found: set[tuple[int, ...]] = set()

    class Collect(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            found.add(tuple(self.value(v) for v in variables))

    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    solver.parameters.num_workers = 1
    solver.solve(model, Collect())
    return found


@given(
    st.lists(st.tuples(st.integers(-(10**30), 10**30), st.integers(-3, 0), st.integers(0, 3)), min_size=1, max_size=3),
    st.integers(-(10**31), 10**31),
    st.booleans(),
)
def test_at_most_in_digits_keeps_exactly_the_rows_solutions(
    terms: list[tuple[int, int, int]], bound: int, enforced: bool
) -> None:
    """With integers far past what one row may hold, `at_most` (written in digits with carries)
    admits exactly the values that satisfy the row, and leaves them all free when not enforced."""
    model = cp_model.CpModel()
    variables = [model.new_int_var(lo, hi, f"x{i}") for i, (_, lo, hi) in enumerate(terms)]
    literal = model.new_bool_var("enforced")
    model.add(literal == int(enforced))
    at_most(model, [(c, x) for (c, _, _), x in zip(terms, variables, strict=True)], bound, only_if=literal)
    every = itertools.product(*(range(lo, hi + 1) for _, lo, hi in terms))
    expected = {v for v in every if not enforced or sum(c * x for (c, _, _), x in zip(terms, v, strict=True)) <= bound}
    assert _solutions(model, variables) == expected


def test_at_most_in_digits_decides_a_row_one_unit_apart() -> None:
    """x x 10^40 <= 10^40 - 1 leaves only x = 0 of 0..2; x x 10^40 <= 10^40 admits 0 and 1."""
    for bound, expected in ((10**40 - 1, {(0,)}), (10**40, {(0,), (1,)})):
        model = cp_model.CpModel()
        x = model.new_int_var(0, 2, "x")
        at_most(model, [(10**40, x)], bound)
        assert len(model.proto.variables) > 1  # written in digits, with carries
        assert _solutions(model, [x]) == expected


@given(st.fractions(min_value=0, max_value=3), st.integers(1, 60))
def test_below_is_the_largest_fraction_under_a_denominator_limit(x: Fraction, limit: int) -> None:
    """`below(x, limit)` is at most x, its denominator at most `limit`, and no fraction with such a
    denominator lies between it and x."""
    found = below(x, limit)
    assert found <= x and found.denominator <= limit
    best = max(Fraction(math.floor(x * d), d) for d in range(1, limit + 1))
    assert found == best


def test_tolerance_is_read_as_the_decimal_written() -> None:
    """0.29 of 100 is 29, though 0.29 x 100 is 28.999... in floating point; 0.35 of 180 is 63."""
    assert 0.29 * 100 < 29 and 0.35 * 180 < 63
    assert slack(tolerance_of(0.29), 100) == 29
    assert slack(tolerance_of(0.35), 180) == 63
    assert slack(tolerance_of(0.07), -300) == 21
