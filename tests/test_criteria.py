"""Merging consecutive criteria into one objective: it orders packages exactly as the criteria do
in turn, its bound converts back to a bound on the first, and `solve` merges only where that holds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models import load_scenario
from models.scenario import ObjectiveTerm
from solver import SolveParams, SolveReport, solve
from solver.criteria import MERGE_LIMIT, Form, first_bound, merge


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
