"""Explanations of a phased plan name what times it (docs/domain.md, "Time phases"): a node of entry's
capacity in a week, a unit's tour length and rotations, a unit's ready day. Each tiny scenario below
is infeasible for that one reason; its explanation names the element and the week, and the way out it
offers, applied to the scenario, leaves a plan the independent checker passes."""

from __future__ import annotations

import copy
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from ortools.sat.python import cp_model

from forcepack.api.auth import Principal, Role
from forcepack.api.visibility import ANOTHER_NATIONS_OFFER, redact_explanation
from forcepack.models.brief import CONFLICT_WORDS
from forcepack.models.patch import Patch, apply_patch
from forcepack.models.scenario import ObjectiveTerm, Scenario
from forcepack.models.solution import ConflictElement, ConflictType, Explanation, Solution
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check
from forcepack.solver.elements import Element
from forcepack.solver.phased import model_builder
from forcepack.solver.renegotiate import relax
from forcepack.solver.search import Search
from tests.strategies import tiny_phased_scenarios

PARAMS = SolveParams(time_limit_s=20, workers=1)

# Eight weeks from Monday 2 March 2026; Rafah's engineers are needed from the first week, two units of
# 180 each, landing through Kerem Shalom.
WEEKS: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "phased-explain",
    "name": "Rafah's engineers in time",
    "horizon": {"start": "2026-03-02", "end": "2026-04-26"},
    "phasing": {
        "bucket": "week",
        "nodes": [{"id": "kerem-shalom", "name": "Kerem Shalom", "personnel_per_day": 60, "tons_per_day": 300}],
    },
    "sectors": [{"id": "rafah", "name": "Rafah", "control": "secure"}],
    "requirements": [{"id": "rafah-eng", "sector": "rafah", "capability": "engineer", "quantity": 2}],
    "nations": [{"code": "IDN"}, {"code": "MAR"}],
    "offers": [
        {
            "nation": "IDN",
            "units": [{"id": "idn-eng", "capability": "engineer", "count": 2, "personnel": 180, "lift_tons": 100}],
        },
    ],
}

# Six months; one engineer unit needed throughout, offered for 3-month tours.
MONTHS: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "phased-tours",
    "name": "Rafah's engineers relieved",
    "horizon": {"start": "2026-01-01", "end": "2026-06-30"},
    "phasing": {"bucket": "month"},
    "sectors": [{"id": "rafah", "name": "Rafah", "control": "secure"}],
    "requirements": [{"id": "rafah-eng", "sector": "rafah", "capability": "engineer", "quantity": 1}],
    "nations": [{"code": "IDN"}],
    "offers": [
        {
            "nation": "IDN",
            "units": [
                {"id": "idn-eng", "capability": "engineer", "count": 1, "personnel": 180, "tour_months": 3,
                 "rotations": 1},
            ],
        },
    ],
}  # fmt: skip


def scenario(base: dict[str, Any], **changes: Any) -> Scenario:
    """The base scenario with `a.b.0.c: value` changes applied."""
    data = copy.deepcopy(base)
    for path, value in changes.items():
        target: Any = data
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return Scenario.model_validate(data)


def explained(s: Scenario) -> Explanation:
    solution = solve(s, PARAMS)
    assert solution.status == "infeasible"
    assert solution.explanation is not None
    return solution.explanation


def elements(explanation: Explanation) -> set[tuple[str, str]]:
    return {(e.type, e.id) for e in explanation.conflict}


def way_out_checks(s: Scenario, explanation: Explanation) -> Solution:
    """The first way out applied to the scenario (as `forcepack.solver.renegotiate` does): a plan
    exists, and the checker passes it."""
    assert explanation.relaxations
    dropped = [Element(c.type, c.id, c.nation) for c in explanation.relaxations[0].changes]
    relaxed = relax(s, dropped)
    solution = solve(relaxed, PARAMS)
    assert solution.status == "optimal"
    assert check(relaxed, solution) == []
    return solution


def test_phased_explain_names_a_node_and_the_week_it_cannot_carry() -> None:
    """Kerem Shalom carries 40 personnel a day, 280 a week; both engineer units (360) must land in
    the first week: the cause names the node, its daily figures and the week, and lifting the node's
    limit (the way out) leaves a plan the checker passes."""
    s = scenario(WEEKS, **{"phasing.nodes.0.personnel_per_day": 40})
    explanation = explained(s)
    assert elements(explanation) == {("node", "kerem-shalom"), ("requirement", "rafah-eng")}
    node = next(e for e in explanation.conflict if e.type == "node")
    assert node.nation is None
    assert node.text.startswith("Kerem Shalom (`kerem-shalom`) carries 40 personnel and 300 t a day")
    assert node.figures is not None
    assert "at least 80 personnel more" in node.figures
    assert "week 1 (2026-03-02 .. 2026-03-08) brings 360 personnel against 280" in node.figures
    assert node.figures.endswith("(no unit arrives sooner than its relief before its line needs it)")
    assert "cannot be met in time, given Kerem Shalom" in explanation.summary
    assert [(c.type, c.id) for c in explanation.relaxations[0].changes] == [("node", "kerem-shalom")]
    way_out_checks(s, explanation)
    # The way out runs as a what-if: the node's limits lifted, the same plan as the relaxation's.
    patch = explanation.relaxations[0].patch
    assert patch is not None
    assert patch["ops"] == [{"op": "set_node_capacity", "node": "kerem-shalom", "unlimited": True}]
    patched = apply_patch(s, Patch.model_validate(patch))
    node = patched.phasing.nodes[0] if patched.phasing is not None else None
    assert node is not None and node.personnel_per_day is None and node.tons_per_day is None
    solution = solve(patched, PARAMS)
    assert solution.status == "optimal" and check(patched, solution) == []


def test_phased_explain_a_node_that_carries_the_force_is_no_cause() -> None:
    """The same scenario with Kerem Shalom carrying 60 a day (420 a week) has a plan: the node, not
    something else, was the reason above."""
    solution = solve(scenario(WEEKS), PARAMS)
    assert solution.status == "optimal"
    assert solution.explanation is None


def test_phased_explain_names_a_units_tours() -> None:
    """Indonesia offers its one engineer unit for a single 3-month tour; the line runs 6 months: the
    cause names the unit's tours (length and rotations), and dropping them leaves a checked plan."""
    s = scenario(MONTHS)
    explanation = explained(s)
    assert elements(explanation) == {("tour", "idn-eng"), ("requirement", "rafah-eng")}
    tour = next(e for e in explanation.conflict if e.type == "tour")
    assert tour.nation == "IDN"
    assert tour.text == (
        "unit `idn-eng` (IDN) serves tours of 3 months, and its nation offers 1 rotation of it (1 tour in all)"
    )
    assert "cannot be met in time, given unit `idn-eng` (IDN) serves tours of 3 months" in explanation.summary
    assert [(c.type, c.id) for c in explanation.relaxations[0].changes] == [("tour", "idn-eng")]
    plan = way_out_checks(s, explanation).plan
    assert plan is not None and [(t.arrival, t.last) for t in plan.tours] == [(0, 5)]


RELIEF_AT_THE_START: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "relief-at-the-start",
    "name": "Relief at the start",
    "horizon": {"start": "2026-01-05", "end": "2026-06-28"},
    "phasing": {"bucket": "week"},
    "sectors": [{"id": "north", "control": "secure"}],
    "requirements": [{"id": "n-inf", "sector": "north", "capability": "infantry", "quantity": 1}],
    "nations": [{"code": "AAA"}],
    "offers": [
        {
            "nation": "AAA",
            "units": [{"id": "a-inf", "capability": "infantry", "count": 2, "personnel": 500, "relief_days": 14,
                       "monthly_cost_usd": 1000}],
        }
    ],
}  # fmt: skip


def test_phased_explain_a_node_short_of_personnel_and_tons_says_each() -> None:
    """Kerem Shalom carries 40 personnel and 10 t a day (280 and 70 a week); both engineer units
    (360 personnel, 200 t) must land in the first week: the figures say each overload in its own
    unit, never personnel and tons added up."""
    s = scenario(WEEKS, **{"phasing.nodes.0.personnel_per_day": 40, "phasing.nodes.0.tons_per_day": 10})
    explanation = explained(s)
    node = next(e for e in explanation.conflict if e.type == "node")
    assert node.figures is not None and "together" not in node.figures
    assert node.figures.startswith(
        "the rest of the conflict needs more through it than it carries (80 personnel and 130 t beyond its capacity "
        "in the closest plan, over its buckets)"
    )
    assert "brings 360 personnel against 280" in node.figures and "brings 200 t against 70" in node.figures


def test_phased_explain_names_a_relief_no_plan_fits_in() -> None:
    """The line is needed from the horizon's first week and its only unit takes over for 14 days
    before it fills: weeks 1-2 cannot be filled. The cause names the unit's relief (its tour
    element), and giving it up leaves a checked plan filling from the first week."""
    s = scenario(RELIEF_AT_THE_START)
    explanation = explained(s)
    assert elements(explanation) == {("tour", "a-inf"), ("requirement", "n-inf")}
    tour = next(e for e in explanation.conflict if e.type == "tour")
    assert tour.text == (
        "unit `a-inf` (AAA) stays as long as its line needs it, the first 14 days of each stay a relief in place "
        "(not filling it)"
    )
    assert "cannot be met in time, given unit `a-inf` (AAA)" in explanation.summary
    # No what-if operation changes one unit's tours: the way out says so in a phrase, not the element's sentence.
    assert explanation.relaxations[0].unpatchable == ["tours of unit `a-inf` (AAA): no what-if operation changes it"]
    plan = way_out_checks(s, explanation).plan
    assert plan is not None and min(t.fills_from for t in plan.tours) == 0


CONDITION_FROM_MAY: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "condition-from-may",
    "name": "Condition from May",
    "horizon": {"start": "2026-01-01", "end": "2026-10-31"},
    "mandate": {"ceasefire": True},
    "phasing": {"bucket": "month", "conditions": [{"condition": "ceasefire", "holds_from": "2026-05-01"}]},
    "sectors": [{"id": "north", "control": "secure"}],
    "requirements": [{"id": "n-inf", "sector": "north", "capability": "infantry", "quantity": 2}],
    "nations": [{"code": "AAA"}, {"code": "BBB"}, {"code": "CCC"}],
    "offers": [
        {
            "nation": "AAA",
            "units": [{"id": "a-inf", "capability": "infantry", "count": 2, "personnel": 500,
                       "monthly_cost_usd": 1000}],
            "red_lines": [{"id": "a-mandate", "kind": "requires_mandate", "conditions": ["ceasefire"]}],
        },
        {
            "nation": "BBB",
            "units": [{"id": "b-inf", "capability": "infantry", "count": 1, "personnel": 500,
                       "monthly_cost_usd": 1000}],
        },
        {
            "nation": "CCC",
            "units": [{"id": "c-inf", "capability": "infantry", "count": 1, "personnel": 500, "monthly_cost_usd": 1000,
                       "available_until": "2026-02-28"}],
        },
    ],
}  # fmt: skip


def test_phased_supply_counts_units_kept_out_part_of_the_time_apart() -> None:
    """AAA's two units wait for a condition that holds from May, CCC's one leaves at the end of
    February: both can fill the line in some months, so neither is "kept out" (which would leave
    only BBB's unit to fill it); they are kept out part of the time, with the months, and the line
    could be filled by 1 to 3 a month, short in the months only BBB's unit can fill it. The cause reads
    that way too."""
    s = scenario(CONDITION_FROM_MAY)
    explanation = explained(s)
    line = next(e for e in explanation.conflict if e.type == "requirement")
    assert line.supply is not None
    assert (line.supply.offered, line.supply.kept_out, line.supply.kept_out_part) == (4, 0, 3)
    rows = {r.nation: r for r in line.supply.nations}
    assert rows["AAA"].part_when == "4 months (month 1 .. month 4, 2026-01-01 .. 2026-04-30)"
    assert rows["CCC"].part_when == "8 months (month 3 .. month 10, 2026-03-01 .. 2026-10-31)"
    assert rows["BBB"].kept_out_part == 0 and rows["BBB"].part_when is None
    assert "3 kept out part of the time: AAA's 2 in 4 months (month 1 .. month 4" in (line.figures or "")
    # Months 1-2: BBB's and CCC's; 3-4: BBB's alone; 5-10: AAA's two and BBB's.
    assert (line.supply.open_least, line.supply.open_most, line.supply.short_most) == (1, 3, 1)
    assert (line.figures or "").endswith(
        "could fill it: 1 to 3 a month, short in 2 months (month 3 .. month 4, 2026-03-01 .. 2026-04-30) (by up to 1)"
    )
    assert "kept out part of the time by mandate condition `ceasefire`, which does not hold before 2026-05-01" in (
        explanation.summary
    )
    # A delegate of BBB reads the others together: their part-time units still apart.
    seen = redact_explanation(explanation, Principal("t1", Role.DELEGATE, "BBB"))
    redacted = next(e for e in seen.conflict if e.type == "requirement")
    assert redacted.supply is not None
    others = next(r for r in redacted.supply.nations if r.nation is None)
    assert (others.offered, others.kept_out, others.kept_out_part) == (3, 0, 3)
    assert "3 kept out part of the time: other nations' 3; could fill it: 1 to 3 a month" in (redacted.figures or "")
    # An observer reads AAA, kept out by its red line (and the condition), among the other nations:
    # its row with its months would tie a condition the observer may not read to AAA and its dates.
    watched = redact_explanation(explanation, Principal("o1", Role.OBSERVER))
    row_of = next(e for e in watched.conflict if e.type == "requirement")
    assert row_of.supply is not None
    named = {r.nation: r for r in row_of.supply.nations}
    assert "AAA" not in named and named[None].kept_out_part == 2
    assert named["CCC"].part_when == "8 months (month 3 .. month 10, 2026-03-01 .. 2026-10-31)"
    assert "AAA" not in (row_of.figures or "") and "AAA's 2" not in watched.summary


def test_why_not_a_line_names_a_units_own_time_that_keeps_it_out_part_of_the_time() -> None:
    """With the line at one unit the plan exists; asked why-not for the line, CCC's unit, which leaves
    at the end of February, is kept out from March by its own availability (said with the months),
    and AAA's by the condition until May: neither is said to be kept out throughout."""
    from forcepack.solver.why_not import why_not

    data = copy.deepcopy(CONDITION_FROM_MAY)
    data["requirements"][0]["quantity"] = 1
    answer = why_not(scenario(data), "n-inf", PARAMS)
    rows = {r.nation: r for r in answer.supply}
    assert rows["BBB"].kept_out_by == []
    (ccc,) = rows["CCC"].kept_out_by
    assert ccc.startswith("unit `c-inf` (CCC) is ready on 2026-01-01")
    assert ccc.endswith("(in 8 months (month 3 .. month 10, 2026-03-01 .. 2026-10-31))")
    (aaa,) = rows["AAA"].kept_out_by
    assert aaa.endswith("(in 4 months (month 1 .. month 4, 2026-01-01 .. 2026-04-30))")
    assert "kept out for part of the time" in answer.summary


# A desirable line of two engineers from week 3; AAA's two are ready in time, BBB's one is ready in
# week 11 and serves 2-month tours with 8 days of relief: with BBB in, the package costs more, for its
# tour and for its ready day, each on its own.
TWO_PRICES: dict[str, Any] = {
    "schema": "forcepack.scenario/1",
    "id": "two-prices",
    "name": "A price with two causes",
    "horizon": {"start": "2026-03-02", "end": "2026-08-30"},
    "cost": {"personnel_rate_usd": 1000},
    "phasing": {"bucket": "week", "requested": "2026-01-05", "front_loaded": False,
                "nodes": [{"id": "air", "personnel_per_day": 100}]},
    "sectors": [{"id": "alpha", "control": "secure", "opens": "2026-03-20"}],
    "requirements": [{"id": "a-eng", "sector": "alpha", "capability": "engineer", "quantity": 2,
                      "priority": "desirable"}],
    "nations": [{"code": "AAA"}, {"code": "BBB"}],
    "offers": [
        {"nation": "AAA", "units": [{"id": "a-eng", "capability": "engineer", "count": 2, "personnel": 150,
                                     "self_funded": True, "readiness": "rapid", "transit_days": 10}]},
        {"nation": "BBB", "units": [{"id": "b-eng", "capability": "engineer", "count": 1, "personnel": 150,
                                     "self_funded": True, "readiness": "verified", "tour_months": 2,
                                     "relief_days": 8}]},
    ],
    "objective": ["shortfall", "cost", "nations"],
}  # fmt: skip


def test_why_not_a_price_with_two_causes_names_both() -> None:
    """BBB's price has two causes, its tour and its ready day, each enough alone: both are named (was:
    the tour alone, though a BBB without its tour costs the same)."""
    from forcepack.solver.why_not import why_not

    s = scenario(TWO_PRICES)
    answer = why_not(s, "BBB", PARAMS)
    said = answer.summary
    assert "cannot hold beside any of these causes, each enough alone (ease one element of each): (1) " in said
    assert "serves tours of 2 months" in said and "is ready on 2026-05-05" in said
    # Each named alone is not enough: without the tour, BBB still costs (its ready day remains).
    untoured = copy.deepcopy(TWO_PRICES)
    del untoured["offers"][1]["units"][0]["tour_months"], untoured["offers"][1]["units"][0]["relief_days"]
    again = why_not(scenario(untoured), "BBB", PARAMS)
    assert "can be had at a price" in again.summary and "is ready on 2026-05-05" in again.summary

    # Asked about the line, BBB's unit is kept out by its ready day and by its tour, each said once with
    # its weeks (was: three entries, each sentence repeated, for the week where both keep it out).
    row = next(r for r in why_not(s, "a-eng", PARAMS).supply if r.nation == "BBB")
    assert len(row.kept_out_by) == 2
    ready, tour = row.kept_out_by
    assert ready.startswith("unit `b-eng` (BBB) is ready on 2026-05-05") and ready.endswith(
        "(in 10 weeks (week 3 .. week 12, 2026-03-16 .. 2026-05-24))"
    )
    assert tour.startswith("unit `b-eng` (BBB) serves tours of 2 months") and "week 3, 2026-03-16" in tour


def test_phased_explain_a_second_rotation_is_no_cause() -> None:
    """With two rotations the unit relays itself (two 3-month tours): a plan exists, so the rotations
    were the reason above."""
    solution = solve(scenario(MONTHS, **{"offers.0.units.0.rotations": 2}), PARAMS)
    assert solution.status == "optimal"
    assert solution.plan is not None and sorted((t.arrival, t.last) for t in solution.plan.tours) == [(0, 2), (3, 5)]


def test_phased_explain_names_the_tour_length_without_rotations() -> None:
    """Two-month tours, each beginning with two weeks of relief (a month's bucket), of a single unit:
    it can never relieve itself (the newcomer and the old tour would be present together), so the
    tour length alone is the cause."""
    s = scenario(
        MONTHS,
        **{
            "offers.0.units.0.tour_months": 2,
            "offers.0.units.0.rotations": None,
            "offers.0.units.0.relief_days": 14,
            "requirements.0.needed_from": "2026-02-01",
        },
    )
    explanation = explained(s)
    assert ("tour", "idn-eng") in elements(explanation)
    tour = next(e for e in explanation.conflict if e.type == "tour")
    assert "the first 14 days of each a relief in place" in tour.text
    way_out_checks(s, explanation)


@pytest.mark.parametrize(
    ("changes", "ready", "words"),
    [
        pytest.param(
            {"offers.0.units.0.available_from": "2026-03-30"},
            "2026-03-30",
            "is ready on 2026-03-30 (available from 2026-03-30): it arrives in week 5 (2026-03-30 .. 2026-04-05)",
            id="available-late",
        ),
        pytest.param(
            {"phasing.requested": "2026-01-01", "offers.0.units.0.readiness": "mou"},
            "2026-04-01",
            "is ready on 2026-04-01 (readiness mou: 90 days after the request of 2026-01-01): it arrives in week 6",
            id="readiness-after-request",
        ),
        pytest.param(
            {"phasing.requested": "2026-01-01", "offers.0.units.0.readiness": "verified"},
            "2026-05-01",
            "is ready on 2026-05-01 (readiness verified: 120 days after the request of 2026-01-01): it cannot "
            "arrive within the horizon",
            id="never-in-time",
        ),
    ],
)
def test_phased_explain_names_a_ready_date(changes: dict[str, Any], ready: str, words: str) -> None:
    """Indonesia's engineers are ready only weeks after Rafah needs them (their window, or their
    readiness counted from the request): the cause names the unit's ready day, its first week and the
    week the line is needed from; easing it (the way out) leaves a checked plan."""
    s = scenario(WEEKS, **changes)
    explanation = explained(s)
    assert elements(explanation) == {("availability", "idn-eng"), ("requirement", "rafah-eng")}
    unit = next(e for e in explanation.conflict if e.type == "availability")
    assert f"unit `idn-eng` (IDN) {words}" in unit.text
    assert "`rafah-eng` is needed from week 1 (2026-03-02 .. 2026-03-08)" in unit.text
    assert "cannot be met in time, given unit `idn-eng` (IDN) is ready on " + ready in explanation.summary
    assert [(c.type, c.id) for c in explanation.relaxations[0].changes] == [("availability", "idn-eng")]
    way_out_checks(s, explanation)


def _least_shortfall(s: Scenario, *, relaxable: bool, given_up: tuple[Element, ...] = ()) -> int:
    """The least shortfall of the scenario's model, built relaxable or not; in a relaxable build every
    element is held but those `given_up`."""
    builder = model_builder(s, relaxable=relaxable)
    built = builder.build()
    expression, _ = built.criteria["shortfall"]
    built.model.add_assumptions([lit for e, lit in built.vars.enforce.items() if e not in given_up])
    built.model.minimize(expression)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    return round(solver.objective_value)


@pytest.mark.parametrize(
    ("base", "changes", "eased"),
    [
        pytest.param(
            WEEKS,
            {"offers.0.units.0.available_from": "2026-03-30"},
            Element("availability", "idn-eng", "IDN"),
            id="ready-date",
        ),
        pytest.param(
            MONTHS,
            {
                "offers.0.units.0.tour_months": 2,
                "offers.0.units.0.rotations": None,
                "offers.0.units.0.relief_days": 14,
                "requirements.0.needed_from": "2026-02-01",
            },
            Element("tour", "idn-eng", "IDN"),
            id="tour-length",
        ),
    ],
)
def test_phased_relaxable_model_holds_eased_tours_only_once_given_up(
    base: dict[str, Any], changes: dict[str, Any], eased: Element
) -> None:
    """With the line desirable, the relaxable model with every element held has the scenario's own
    least shortfall (the earlier or longer tours it also holds stay closed), and with the unit's ready
    day or tour length given up it has the relaxed scenario's, lower."""
    s = scenario(base, **{"requirements.0.priority": "desirable", **changes})
    own = _least_shortfall(s, relaxable=False)
    assert own > 0
    assert _least_shortfall(s, relaxable=True) == own
    relaxed = relax(s, [eased])
    assert _least_shortfall(s, relaxable=True, given_up=(eased,)) == _least_shortfall(relaxed, relaxable=False) < own


def test_phased_plain_model_holds_only_the_units_own_tours() -> None:
    """A solve's model (not relaxable) holds no element literal and only the tours the scenario's own
    arithmetic allows: no tour before the unit's ready day, none longer than its tour length."""
    late = scenario(WEEKS, **{"offers.0.units.0.available_from": "2026-03-30"})
    built = model_builder(late).build()
    assert not built.vars.enforce and not built.two_sided
    assert built.tours and min(arrival for _, _, arrival, _ in built.tours) == 4
    short = scenario(MONTHS)
    built = model_builder(short).build()
    assert sorted((arrival, last) for _, _, arrival, last in built.tours) == [
        (0, 2),
        (1, 3),
        (2, 4),
        (3, 5),
        (4, 5),
        (5, 5),
    ]
    relaxable = model_builder(short, relaxable=True).build()
    assert (0, 5) in {(arrival, last) for _, _, arrival, last in relaxable.tours}
    assert Element("tour", "idn-eng", "IDN") in relaxable.two_sided


def test_phased_explain_a_static_cause_keeps_its_words() -> None:
    """A static scenario's cause naming a unit's availability still reads "cannot be met: ... kept out
    by", not "in time": only a phased scenario's timing elements are said that way."""
    data = copy.deepcopy(WEEKS)
    del data["phasing"]
    data["offers"][0]["units"][0].pop("lift_tons")
    data["offers"][0]["units"][0]["available_from"] = "2026-03-30"
    explanation = explained(Scenario.model_validate(data))
    assert elements(explanation) == {("availability", "idn-eng"), ("requirement", "rafah-eng")}
    assert "cannot be met: the units that could fill it are kept out by unit `idn-eng`" in explanation.summary
    assert "in time" not in explanation.summary


def test_phased_explain_every_conflict_type_has_its_words() -> None:
    """The brief and the page word every conflict type, `node` and `tour` included."""
    types = set(typing.get_args(ConflictType))
    assert {"node", "tour"} <= types
    assert set(CONFLICT_WORDS) == types
    page = Path(__file__).parents[1] / "api" / "web" / "static" / "package.js"
    block = re.search(r"const CONFLICT_WORDS = \{(.*?)\};", page.read_text(), re.S)
    assert block is not None
    assert set(re.findall(r"^\s*(\w+):", block.group(1), re.M)) == types


def test_phased_explain_a_delegate_reads_another_nations_tours_as_its_offer() -> None:
    """A tour is a nation's offer, read like its availability: another nation's delegate reads
    "another nation's offer"; the unit's own nation reads it; a node of entry is the scenario's, read
    by every delegate."""
    tour = ConflictElement(
        type="tour", id="idn-eng", nation="IDN", text="unit `idn-eng` (IDN) serves tours of 3 months"
    )
    node = ConflictElement(type="node", id="kerem-shalom", text="Kerem Shalom (`kerem-shalom`) carries 40 personnel")
    explanation = Explanation(minimal=True, conflict=[tour, node], summary="cannot be met in time")
    mar = redact_explanation(explanation, Principal("t1", Role.DELEGATE, "MAR"))
    assert mar.conflict[0].id == ANOTHER_NATIONS_OFFER and mar.conflict[0].text == ANOTHER_NATIONS_OFFER
    assert mar.conflict[1] == node
    idn = redact_explanation(explanation, Principal("t2", Role.DELEGATE, "IDN"))
    assert idn.conflict == [tour, node]


def _decide(s: Scenario, *, force: bool = False) -> Solution:
    """The scenario's best plan by cost alone (the objective never changes which plans exist), with
    someone deployed when `force`; a plan found passes the checker."""
    decision = s.model_copy(update={"objective": [ObjectiveTerm(criterion="cost")]})
    search = Search(decision)
    if force:
        search.builder.model.add(search.builder.total_personnel() >= 1)
    solution = search.run(PARAMS)
    assert solution.status in ("optimal", "feasible", "infeasible")
    assert check(decision, solution) == []
    return solution


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(tiny_phased_scenarios())
def test_phased_explain_claims_hold_in_the_relaxed_scenarios(s: Scenario) -> None:
    """On generated infeasible phased scenarios (tours, rotations, relief, transit, nodes, ready days
    from the request), every claim is re-decided on the relaxed scenarios, not on the relaxable model:
    each cause has no plan with everything else given up, each element of a minimal cause is needed,
    and each way out leaves a plan with someone deployed that the checker passes."""
    note(s.canonical_json())
    assume(not _decide(s).has_package)
    explanation = solve(s, PARAMS).explanation
    assert explanation is not None
    everything = set(model_builder(s, relaxable=True).build().vars.enforce)
    for cause in explanation.conflicts:
        conflict = {Element(e.type, e.id, e.nation) for e in cause.elements}
        assert conflict <= everything
        assert not _decide(relax(s, everything - conflict)).has_package
        if cause.minimal:
            for e in conflict:
                assert _decide(relax(s, (everything - conflict) | {e})).has_package, f"{e} is not needed"
    for way in explanation.relaxations:
        relaxed = relax(s, [Element(c.type, c.id, c.nation) for c in way.changes])
        solution = _decide(relaxed, force=True)
        assert solution.has_package and solution.totals.personnel > 0


def test_phased_explain_requires_partner_figures_say_when_the_partner_is_not_there() -> None:
    """AAA's infantry, needed from May, may deploy only beside BBB, whose medical unit leaves at the
    end of March: over the plan BBB contributes, but in no month AAA's units are there. The figures
    say that, not "at most 1 of its 1"."""
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "partner-at-another-time",
        "name": "Partner at another time",
        "horizon": {"start": "2026-01-01", "end": "2026-10-31"},
        "phasing": {"bucket": "month"},
        "sectors": [{"id": "north", "control": "secure"}],
        "requirements": [
            {"id": "n-inf", "sector": "north", "capability": "infantry", "quantity": 1, "needed_from": "2026-05-01"},
            {"id": "n-med", "sector": "north", "capability": "medical_role2", "quantity": 1, "priority": "desirable"},
        ],
        "nations": [{"code": "AAA"}, {"code": "BBB"}],
        "offers": [
            {
                "nation": "AAA",
                "units": [{"id": "a-inf", "capability": "infantry", "count": 1, "personnel": 500}],
                "red_lines": [{"id": "a-partner", "kind": "requires_partner", "nations": ["BBB"], "min": 1}],
            },
            {
                "nation": "BBB",
                "units": [{"id": "b-med", "capability": "medical_role2", "count": 1, "personnel": 50,
                           "available_until": "2026-03-31"}],
            },
        ],
    }  # fmt: skip
    explanation = explained(scenario(data))
    element = next(e for e in explanation.conflict if e.id == "a-partner")
    assert element.text == "red line `a-partner`: AAA takes part only if BBB also contributes units"
    assert element.figures == (
        "AAA needs BBB contributing units; the rest of the conflict lets BBB contribute over the plan, but not in any "
        "month AAA's units are there"
    )


def test_phased_relaxable_model_never_gives_up_a_held_units_own_time() -> None:
    """A unit with a tour kept as it was (`arrive:`) holds its availability and tour elements: their
    enforcement literals, wherever a rule or a block's case reads them, cannot be 0, so no way out can
    give up the time of a unit whose past is history; another element's can."""
    s = scenario(WEEKS, **{"requirements.0.priority": "desirable", "offers.0.units.0.available_from": "2026-03-30"})
    builder = model_builder(s, relaxable=True, include=["arrive:IDN/idn-eng@rafah-eng#4=1"])
    built = builder.build()
    held = {Element("availability", "idn-eng", "IDN"), Element("tour", "idn-eng", "IDN")}
    assert held <= builder.held  # type: ignore[attr-defined]

    def can_give_up(element: Element) -> bool:
        literal = builder.enforce(element)  # (made now if no rule read it)
        model = built.model.clone()
        model.add(model.get_bool_var_from_proto_index(literal.index) == 0)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    assert not any(can_give_up(e) for e in held)
    assert can_give_up(Element("node", "kerem-shalom"))
