"""Time phases: the arithmetic of `models.phases` on hand-worked cases, the validation of a phased
scenario, and the checker on phased plans (a valid plan accepted, each single corruption of it
rejected with the rule it breaks).

The plan scenario (`plan_data`) runs January to June 2026 in monthly buckets (0 = January), at USD
1,000 per person per month, so one engineer unit (100 people) costs USD 100,000 a month:
- `n-eng` (north, essential) asks 1 engineer to March, 2 from April (a ramp);
- `s-inf` (south, desirable, 200 personnel) from March, when the south opens;
- AAA's engineers serve 3-month tours (two rotations); BBB's infantry takes one month to relieve
  (20 days) and carries 50 tons a unit; CCC's engineer is ready only from 28 January (pledged, 180
  days after the request of 1 August 2025), is vetoed in February, arrives through the port only,
  and suspends its deployment in the north from May (its tour is cut there);
- the plan: AAA 1 engineer January-March, 2 April-June; BBB 2 infantry from February (filling
  from March); CCC 1 engineer March-April; DDD's pledge pays the USD 1,000,000 of engineers.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forcepack.models import ScenarioInputError, Solution, load_scenario, parse_scenario, phases
from forcepack.models.scenario import Scenario
from forcepack.solver.check import PHASED_RULES, check
from tests.solutions import build_plan_solution, build_solution

D = dt.date


# -- the arithmetic -----------------------------------------------------------------------------


def _phased(horizon: tuple[str, str], bucket: str = "month", **fields: Any) -> dict[str, Any]:
    """A one-line phased scenario's data: engineers in one sector, one offered unit line."""
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "arithmetic",
        "name": "Arithmetic",
        "horizon": {"start": horizon[0], "end": horizon[1]},
        "mandate": {"resolution": True},
        "phasing": {"bucket": bucket},
        "sectors": [{"id": "s1", "control": "secure"}],
        "requirements": [{"id": "r1", "sector": "s1", "capability": "engineer", "quantity": 2}],
        "nations": [{"code": "AAA"}],
        "offers": [{"nation": "AAA", "units": [{"id": "u1", "capability": "engineer", "count": 2, "personnel": 100}]}],
    }
    for path, value in fields.items():
        target = data
        *parts, last = path.split(".")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return data


def _scenario(horizon: tuple[str, str], bucket: str = "month", **fields: Any) -> Scenario:
    return parse_scenario(_phased(horizon, bucket, **fields))


def test_phases_weekly_buckets_run_seven_days_from_the_start_the_last_cut_by_the_horizon() -> None:
    """From Thursday 1 January to 20 January: weeks 1-7, 8-14 and 15-20 (the last six days)."""
    scenario = _scenario(("2026-01-01", "2026-01-20"), "week")
    spans = [(b.index, b.start, b.end, b.days) for b in phases.buckets(scenario)]
    assert spans == [
        (0, D(2026, 1, 1), D(2026, 1, 7), 7),
        (1, D(2026, 1, 8), D(2026, 1, 14), 7),
        (2, D(2026, 1, 15), D(2026, 1, 20), 6),
    ]


def test_phases_monthly_buckets_are_calendar_months_cut_by_the_horizon() -> None:
    """From 15 January to 10 March: 15-31 January, February (28 days), 1-10 March."""
    scenario = _scenario(("2026-01-15", "2026-03-10"))
    spans = [(b.start, b.end) for b in phases.buckets(scenario)]
    assert spans == [(D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 10))]
    assert phases.buckets(scenario)[1].days == 28


def test_phases_a_static_scenario_has_no_buckets() -> None:
    """Without `phasing`, none of the arithmetic applies: no buckets, every bucket weight 1."""
    data = _phased(("2026-01-01", "2026-06-30"))
    del data["phasing"]
    scenario = parse_scenario(data)
    assert phases.buckets(scenario) == ()
    assert phases.bucket_weight(scenario, 0) == 1


def test_phases_a_ramp_step_mid_bucket_counts_for_the_whole_bucket() -> None:
    """2 units, 4 from 15 March, 1 from 10 May: March and May ask for the larger figure in force on any
    of their days (4 and 4), June for 1."""
    scenario = _scenario(
        ("2026-01-01", "2026-06-30"),
        **{
            "requirements.0.ramp": [
                {"starting": "2026-03-15", "quantity": 4},
                {"starting": "2026-05-10", "quantity": 1},
            ]
        },
    )
    assert phases.needs(scenario, scenario.requirements[0]) == {0: 2, 1: 2, 2: 4, 3: 4, 4: 4, 5: 1}


def test_phases_a_weekly_ramp_step_mid_week_counts_for_that_week() -> None:
    """Weeks from Thursday 1 January; a step to 3 on Monday 12 January (week 1, 8-14) counts from week 1."""
    scenario = _scenario(
        ("2026-01-01", "2026-01-28"), "week", **{"requirements.0.ramp": [{"starting": "2026-01-12", "quantity": 3}]}
    )
    assert phases.needs(scenario, scenario.requirements[0]) == {0: 2, 1: 3, 2: 3, 3: 3}


def test_phases_a_line_is_needed_from_its_sector_opening_inside_its_window() -> None:
    """A sector opening on 10 February, a line needed to 30 April: needed February (from the 10th),
    March and April; a ramp step before the opening already holds on the opening day."""
    scenario = _scenario(
        ("2026-01-01", "2026-06-30"),
        **{
            "sectors.0.opens": "2026-02-10",
            "requirements.0.needed_until": "2026-04-30",
            "requirements.0.ramp": [{"starting": "2026-02-05", "quantity": 3}],
        },
    )
    line = scenario.requirements[0]
    assert phases.need_window(scenario, line) == (D(2026, 2, 10), D(2026, 4, 30))
    assert phases.needs(scenario, line) == {1: 3, 2: 3, 3: 3}


def test_phases_a_sector_opening_after_the_window_needs_nothing() -> None:
    """A line needed to March in a sector opening in May is needed in no bucket: no tour serves it."""
    scenario = _scenario(
        ("2026-01-01", "2026-06-30"), **{"sectors.0.opens": "2026-05-01", "requirements.0.needed_until": "2026-03-31"}
    )
    line = scenario.requirements[0]
    assert phases.needs(scenario, line) == {}
    assert phases.tours(scenario, scenario.offers[0].units[0], line) == []


@pytest.mark.parametrize(
    ("unit", "requested", "ready", "first_arrival"),
    [
        pytest.param({}, None, D(2026, 1, 1), 0, id="defaults"),
        pytest.param({"available_from": "2026-02-01", "transit_days": 10}, None, D(2026, 2, 11), 2, id="transit"),
        pytest.param(
            {"readiness": "rapid", "available_from": "2026-02-01"}, "2026-01-01", D(2026, 3, 2), 3, id="rapid"
        ),
        pytest.param({"readiness": "mou"}, "2025-12-01", D(2026, 3, 1), 2, id="mou-on-the-first"),
        pytest.param({"readiness": "verified", "transit_days": 5}, "2025-12-01", D(2026, 4, 5), 4, id="verified"),
        pytest.param({}, "2025-12-01", D(2026, 5, 30), 5, id="pledged"),
        pytest.param({"transit_days": 10}, None, D(2026, 1, 11), 1, id="transit-from-the-start"),
        pytest.param(
            {"readiness": "rapid", "transit_days": 10}, "2025-10-01", D(2026, 1, 1), 0, id="set-off-before-the-horizon"
        ),
        pytest.param(
            {"readiness": "rapid", "transit_days": 10}, "2025-11-15", D(2026, 1, 24), 1, id="through-after-the-start"
        ),
        pytest.param(
            {"readiness": "rapid", "transit_days": 10, "available_from": "2026-01-01"},
            "2025-10-01",
            D(2026, 1, 11),
            1,
            id="available-on-the-first-day-then-travels",
        ),
    ],
)
def test_phases_ready_day_and_first_arrival(
    unit: dict[str, Any], requested: str | None, ready: dt.date, first_arrival: int
) -> None:
    """The ready day is the availability, no sooner than the request plus the readiness' days (rapid 60,
    mou 90, verified 120, pledged 180), plus transit; a unit arrives on the first day of a month no
    earlier (1 December + 90 days is 1 March: it arrives in March itself). Requested in October, a
    rapid unit with no `available_from` is ready and through its transit before the horizon: it is
    there on its first day; one available only from the horizon's first day still travels."""
    fields: dict[str, Any] = {f"offers.0.units.0.{k}": v for k, v in unit.items()}
    if requested is not None:
        fields["phasing.requested"] = requested
    scenario = _scenario(("2026-01-01", "2026-06-30"), **fields)
    offered, line = scenario.offers[0].units[0], scenario.requirements[0]
    assert phases.ready_day(scenario, offered) == ready
    assert next(t.arrival for t in phases.tours(scenario, offered, line)) == first_arrival
    if first_arrival:
        assert phases.tour(scenario, offered, line, first_arrival - 1) is None


@pytest.mark.parametrize(
    ("bucket", "days", "buckets"),
    [
        ("month", 0, 0),
        ("month", 1, 1),
        ("month", 30, 1),  # 30 / 30.4375 rounds up to 1
        ("month", 31, 2),
        ("week", 7, 1),
        ("week", 8, 2),
        ("week", 14, 2),
    ],
)
def test_phases_relief_rounds_up_to_whole_buckets(bucket: str, days: int, buckets: int) -> None:
    """Relief days become whole buckets, rounded up: 7 days a week, 30.4375 a month."""
    scenario = _scenario(("2026-01-01", "2026-12-31"), bucket, **{"offers.0.units.0.relief_days": days})
    assert phases.relief_buckets(scenario, scenario.offers[0].units[0]) == buckets


@pytest.mark.parametrize(("bucket", "months", "buckets"), [("month", 6, 6), ("week", 6, 26), ("week", 1, 4)])
def test_phases_tour_length_in_whole_buckets(bucket: str, months: int, buckets: int) -> None:
    """A tour of 6 months is 6 monthly buckets, or 26 weeks (6 x 30.4375 = 182.6 days); 1 month is 4 weeks."""
    scenario = _scenario(("2026-01-01", "2026-12-31"), bucket, **{"offers.0.units.0.tour_months": months})
    assert phases.tour_buckets(scenario, scenario.offers[0].units[0]) == buckets


@pytest.mark.parametrize(
    ("fields", "arrival", "expected"),
    [
        pytest.param({}, 1, (1, 1, 5), id="to-the-end"),
        pytest.param({"offers.0.units.0.tour_months": 2}, 1, (1, 1, 2), id="tour-length"),
        pytest.param({"offers.0.units.0.available_until": "2026-04-15"}, 0, (0, 0, 2), id="availability"),
        pytest.param({"requirements.0.needed_until": "2026-03-31"}, 1, (1, 1, 2), id="need-ends"),
        pytest.param({"offers.0.units.0.relief_days": 20}, 1, (1, 2, 5), id="relief"),
        pytest.param(
            {"offers.0.units.0.relief_days": 20, "requirements.0.needed_from": "2026-03-01"},
            1,
            (1, 2, 5),
            id="early-by-relief",
        ),
        pytest.param(
            {"offers.0.units.0.relief_days": 20, "requirements.0.needed_from": "2026-03-01"}, 0, None, id="too-early"
        ),
        pytest.param(
            {"offers.0.units.0.relief_days": 20, "offers.0.units.0.tour_months": 2}, 4, (4, 5, 5), id="relief-then-end"
        ),
        pytest.param({"offers.0.units.0.relief_days": 20}, 5, None, id="fills-no-bucket"),
    ],
)
def test_phases_tour_ends_at_the_first_of_its_limits(
    fields: dict[str, Any], arrival: int, expected: tuple[int, int, int] | None
) -> None:
    """A tour fills its line after its relief and leaves at the first of its tour length, its availability
    (the last month ending by 15 April is March) and its line's last need; it may arrive at most its relief
    before the line is needed, and must fill the line in some bucket."""
    scenario = _scenario(("2026-01-01", "2026-06-30"), **fields)
    got = phases.tour(scenario, scenario.offers[0].units[0], scenario.requirements[0], arrival)
    assert (None if got is None else (got.arrival, got.effective, got.last)) == expected


@pytest.mark.parametrize(
    ("bucket", "arrival", "last", "months"),
    [
        ("month", 0, 5, 6),  # 1 Jan .. 30 Jun: 181 days
        ("month", 1, 2, 2),  # 1 Feb .. 31 Mar: 59 days
        ("month", 3, 3, 1),  # April: 30 days
        ("week", 0, 25, 6),  # 182 days
        ("week", 0, 2, 1),  # 21 days
        ("week", 0, 5, 1),  # 42 days: 1.38 months
        ("week", 0, 6, 2),  # 49 days: 1.61 months
    ],
)
def test_phases_months_paid_from_arrival_to_the_last_day_of_the_last_bucket(
    bucket: str, arrival: int, last: int, months: int
) -> None:
    """A tour is paid its days / 30.4375, rounded half up, at least 1, relief included."""
    scenario = _scenario(("2026-01-01", "2026-12-31"), bucket)
    assert phases.tour_months(scenario, phases.Tour(arrival, arrival, last)) == months


def test_phases_dated_elements_bind_in_buckets_they_touch_conditions_hold_in_buckets_they_cover() -> None:
    """A red line from 15 March binds from March; until 15 March, to March. A condition holding from
    15 March holds from April (every day of March is not covered); a false condition holds nowhere."""
    scenario = _scenario(
        ("2026-01-01", "2026-06-30"),
        **{
            "mandate": {"resolution": True, "ceasefire": True, "consent": False},
            "phasing.conditions": [{"condition": "ceasefire", "holds_from": "2026-03-15"}],
        },
    )
    assert phases.in_force(scenario, D(2026, 3, 15), None) == [2, 3, 4, 5]
    assert phases.in_force(scenario, None, D(2026, 3, 15)) == [0, 1, 2]
    assert phases.condition_buckets(scenario, "ceasefire") == [3, 4, 5]
    assert phases.condition_buckets(scenario, "resolution") == [0, 1, 2, 3, 4, 5]
    assert phases.condition_buckets(scenario, "consent") == []


def test_phases_bucket_weights_front_load_the_shortfall() -> None:
    """Of 6 buckets, the first weighs 6 and the last 1; without `front_loaded` each weighs 1."""
    scenario = _scenario(("2026-01-01", "2026-06-30"))
    assert [phases.bucket_weight(scenario, i) for i in range(6)] == [6, 5, 4, 3, 2, 1]
    flat = _scenario(("2026-01-01", "2026-06-30"), **{"phasing.front_loaded": False})
    assert {phases.bucket_weight(flat, i) for i in range(6)} == {1}


# -- validation ----------------------------------------------------------------------------------


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioInputError) as info:
        parse_scenario(data)
    return info.value.problems


def _condition_period(bucket: str, **period: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """An edit giving the scenario buckets of `bucket` and the condition `resolution` this period."""
    return lambda d: d | {"phasing": {"bucket": bucket, "conditions": [{"condition": "resolution", **period}]}}


def _without_phasing(data: dict[str, Any]) -> dict[str, Any]:
    del data["phasing"]
    return data


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        pytest.param(
            lambda d: _without_phasing(d) | {"sectors": [{"id": "s1", "control": "secure", "opens": "2026-02-01"}]},
            "sectors[0].opens",
            "needs `phasing`",
            id="time-field-without-phasing",
        ),
        pytest.param(
            lambda d: d | {"horizon": {"start": "2026-01-01", "end": "2036-12-31"}, "phasing": {"bucket": "week"}},
            "phasing.bucket",
            "at most 520 buckets",
            id="too-many-buckets",
        ),
        pytest.param(
            lambda d: d | {"phasing": {"bucket": "month", "requested": "2024-01-01"}},
            "phasing.requested",
            "outside the horizon",
            id="requested",
        ),
        pytest.param(
            lambda d: d | {"phasing": {"bucket": "month", "nodes": [{"id": "n"}, {"id": "n"}]}},
            "phasing.nodes[1].id",
            "defined twice",
            id="node-twice",
        ),
        pytest.param(
            lambda d: d | {"phasing": {"bucket": "month", "conditions": [{"condition": "ceasfire"}]}},
            "phasing.conditions[0].condition",
            "not declared under `mandate`",
            id="condition-undeclared",
        ),
        pytest.param(
            _condition_period("month", holds_from="2027-01-01"),
            "phasing.conditions[0].holds_from",
            "outside the horizon",
            id="condition-outside",
        ),
        pytest.param(
            _condition_period("month", holds_from="2026-05-01", holds_until="2026-04-01"),
            "phasing.conditions[0]",
            "is before holds_from",
            id="condition-backwards",
        ),
        pytest.param(
            _condition_period("month", holds_from="2026-03-03", holds_until="2026-04-20"),
            "phasing.conditions[0]",
            "holds 2026-03-03 .. 2026-04-20, which contains no whole month of the horizon",
            id="condition-in-no-month",
        ),
        pytest.param(
            _condition_period("week", holds_until="2026-01-05"),
            "phasing.conditions[0]",
            "so this one would hold in none",
            id="condition-in-no-week",
        ),
        pytest.param(
            lambda d: d | {"sectors": [{"id": "s1", "control": "secure", "opens": "2027-02-01"}]},
            "sectors[0].opens",
            "outside the horizon",
            id="opens-outside",
        ),
        pytest.param(
            lambda d: (
                d
                | {
                    "requirements": [
                        {
                            "id": "r1",
                            "sector": "s1",
                            "capability": "engineer",
                            "quantity": 2,
                            "ramp": [
                                {"starting": "2026-04-01", "quantity": 3},
                                {"starting": "2026-03-01", "quantity": 1},
                            ],
                        }
                    ]
                }
            ),
            "requirements[0].ramp[1].starting",
            "not after the step before it",
            id="ramp-order",
        ),
        pytest.param(
            lambda d: (
                d
                | {
                    "requirements": [
                        {
                            "id": "r1",
                            "sector": "s1",
                            "capability": "engineer",
                            "quantity": 2,
                            "needed_until": "2026-03-31",
                            "ramp": [{"starting": "2026-05-01", "quantity": 3}],
                        }
                    ]
                }
            ),
            "requirements[0].ramp[0].starting",
            "not inside the line's window",
            id="ramp-outside-window",
        ),
        pytest.param(
            lambda d: (
                d
                | {"phasing": {"bucket": "month", "nodes": [{"id": "gate"}]}}
                | {"offers": [{"nation": "AAA", "entry": ["gait"]}]}
            ),
            "offers[0].entry[0]",
            "did you mean `gate`",
            id="entry-dangling",
        ),
        pytest.param(
            lambda d: (
                d
                | {
                    "offers": [
                        {
                            "nation": "AAA",
                            "units": [
                                {
                                    "id": "u1",
                                    "capability": "engineer",
                                    "count": 1,
                                    "personnel": 10,
                                    "tour_months": 1,
                                    "relief_days": 30,
                                }
                            ],
                        }
                    ]
                }
            ),
            "offers[0].units[0].relief_days",
            "leave no time in a tour",
            id="relief-outlasts-tour",
        ),
        pytest.param(
            lambda d: (
                d
                | {
                    "offers": [
                        {
                            "nation": "AAA",
                            "red_lines": [
                                {"id": "x", "kind": "max_personnel", "limit": 1, "active_from": "2025-01-01"}
                            ],
                        }
                    ]
                }
            ),
            "offers[0].red_lines[0].active_from",
            "outside the horizon",
            id="red-line-dates",
        ),
        pytest.param(
            lambda d: (
                d
                | {
                    "vetoes": [
                        {
                            "id": "v",
                            "by": "Host",
                            "against": ["AAA"],
                            "active_from": "2026-05-01",
                            "active_until": "2026-04-01",
                        }
                    ]
                }
            ),
            "vetoes[0]",
            "active_until (2026-04-01) is before active_from (2026-05-01)",
            id="veto-dates",
        ),
    ],
)
def test_check_phasing_names_the_field(
    edit: Callable[[dict[str, Any]], dict[str, Any]], field: str, words: str
) -> None:
    """Each problem of a phased scenario's time fields is refused with the path of its field first."""
    problems = _problems(edit(_phased(("2026-01-01", "2026-12-31"))))
    assert any(p.startswith(f"{field}: ") and words in p for p in problems), problems


# -- the checker on a phased plan ------------------------------------------------------------------


def plan_data() -> dict[str, Any]:
    """The plan scenario (see the module's docstring), as a file would give it."""
    return {
        "schema": "forcepack.scenario/1",
        "id": "plan-test",
        "name": "Plan test",
        "horizon": {"start": "2026-01-01", "end": "2026-06-30"},
        "cost": {"personnel_rate_usd": 1000},
        "mandate": {"resolution": True, "ceasefire": True},
        "phasing": {
            "bucket": "month",
            "requested": "2025-08-01",
            "nodes": [
                {"id": "gate", "personnel_per_day": 10, "tons_per_day": 5},
                {"id": "port", "personnel_per_day": 5},
            ],
            "conditions": [{"condition": "ceasefire", "holds_until": "2026-04-30"}],
        },
        "sectors": [
            {"id": "north", "control": "secure"},
            {"id": "south", "control": "contested", "opens": "2026-03-01"},
        ],
        "requirements": [
            {
                "id": "n-eng",
                "sector": "north",
                "capability": "engineer",
                "quantity": 1,
                "ramp": [{"starting": "2026-04-01", "quantity": 2}],
            },
            {
                "id": "s-inf",
                "sector": "south",
                "capability": "infantry",
                "quantity": 200,
                "measure": "personnel",
                "priority": "desirable",
                "weight": 2,
                "engagement": 2,
            },
        ],
        "nations": [{"code": c, "groups": ["g"] if c != "DDD" else []} for c in ("AAA", "BBB", "CCC", "DDD")],
        "offers": [
            {
                "nation": "AAA",
                "units": [
                    {
                        "id": "a-eng",
                        "capability": "engineer",
                        "count": 2,
                        "personnel": 100,
                        "readiness": "verified",
                        "tour_months": 3,
                        "rotations": 2,
                    }
                ],
                "red_lines": [
                    {
                        "id": "a-not-c",
                        "kind": "not_alongside",
                        "nations": ["CCC"],
                        "scope": "sector",
                        "active_from": "2026-05-01",
                    }
                ],
            },
            {
                "nation": "BBB",
                "units": [
                    {
                        "id": "b-inf",
                        "capability": "infantry",
                        "count": 2,
                        "personnel": 100,
                        "self_funded": True,
                        "readiness": "mou",
                        "relief_days": 20,
                        "lift_tons": 50,
                    }
                ],
                "red_lines": [{"id": "b-with-a", "kind": "requires_partner", "nations": ["AAA"], "min": 1}],
            },
            {
                "nation": "CCC",
                "entry": ["port"],
                "units": [{"id": "c-eng", "capability": "engineer", "count": 1, "personnel": 50}],
                "red_lines": [
                    {"id": "c-suspension", "kind": "sectors", "exclude": ["north"], "active_from": "2026-05-01"}
                ],
            },
            {"nation": "DDD", "funding": [{"id": "d-fund", "amount_usd": 10_000_000, "earmark": ["engineer"]}]},
        ],
        "vetoes": [
            {"id": "v-ccc", "by": "Host", "against": ["CCC"], "active_from": "2026-02-01", "active_until": "2026-02-28"}
        ],
        "targets": {"max_personnel": 500, "min_nations": 3, "group_minimums": {"g": 3}, "funding_coverage": 1.0},
        "objective": ["shortfall", "cost", "nations", "readiness"],
    }


TOURS: list[Any] = [
    ("a-eng", "n-eng", 1, 0),
    ("a-eng", "n-eng", 2, 3),
    ("b-inf", "s-inf", 2, 1),
    ("c-eng", "n-eng", 1, 2, 3),  # cut by CCC's suspension from May
]
MONEY = [("d-fund", "engineer", 1_000_000)]


def plan_scenario(edit: Callable[[dict[str, Any]], object] | None = None) -> Scenario:
    data = plan_data()
    if edit is not None:
        edit(data)
    return parse_scenario(data)


def rules(found: list[Any]) -> set[str]:
    return {v.rule for v in found}


def test_check_accepts_a_valid_plan_with_every_figure() -> None:
    """The hand-worked plan honours every rule in every bucket, and its figures are as worked by hand:
    cost USD 2,000,000 (AAA 300,000 + 600,000, BBB 1,000,000 self-funded, CCC 100,000 for March-April),
    most present at once 450 (April), BBB's share that of its personnel-buckets."""
    scenario = plan_scenario()
    solution = build_plan_solution(scenario, TOURS, MONEY)
    assert check(scenario, solution) == []
    assert solution.funding.total_cost_usd == 2_000_000 and solution.funding.pooled_cost_usd == 1_000_000
    assert solution.totals.personnel == 450
    assert solution.plan is not None
    assert [(t.arrival, t.fills_from, t.last, t.months) for t in solution.plan.tours] == [
        (0, 0, 2, 3),
        (3, 3, 5, 3),
        (1, 2, 5, 5),
        (2, 2, 3, 2),
    ]
    buckets = {t.nation: 0 for t in solution.plan.tours}
    for t in solution.plan.tours:
        buckets[t.nation] += t.personnel * (t.last - t.arrival + 1)
    share = buckets["BBB"] / sum(buckets.values())  # of the personnel-buckets
    assert 0 < share < 1 and {n.nation: round(n.share, 4) for n in solution.nations}["BBB"] == round(share, 4)
    assert {s.sector: s.full_from for s in solution.plan.sectors} == {"north": 0, "south": 2}
    assert solution.objective_value("readiness") == 1 + 2 + 2 * 2 + 0  # verified 1, mou 2, pledged 0


def test_check_accepts_a_weekly_plan() -> None:
    """The same kind of plan in weeks: a 1-month tour is 4 weeks, relieved by the second rotation."""
    data = _phased(("2026-01-01", "2026-02-25"), "week")  # 8 weeks
    data["requirements"][0]["quantity"] = 1
    data["offers"][0]["units"][0] |= {"tour_months": 1, "rotations": 2}
    scenario = parse_scenario(data)
    solution = build_plan_solution(scenario, [("u1", "r1", 1, 0), ("u1", "r1", 1, 4)])
    assert check(scenario, solution) == []
    assert solution.plan is not None
    assert [(t.last, t.months) for t in solution.plan.tours] == [(3, 1), (7, 1)]


def test_check_a_phased_plan_never_raises_on_garbled_tours() -> None:
    """Tours naming unknown units, lines and buckets give violations, not an exception."""
    scenario = plan_scenario()
    solution = build_plan_solution(scenario, TOURS, MONEY)
    assert solution.plan is not None
    garbled = [
        t.model_copy(update={"unit": "x", "requirement": "y", "units": -1, "arrival": 40, "last": -3})
        for t in solution.plan.tours
    ]
    found = check(scenario, solution.model_copy(update={"plan": solution.plan.model_copy(update={"tours": garbled})}))
    assert {"tour.reference", "tour.units", "tour.span", "coverage.essential"} <= rules(found)


def _plan(solution: Solution) -> Any:
    assert solution.plan is not None
    return solution.plan


def _with_plan(solution: Solution, **update: Any) -> Solution:
    return solution.model_copy(update={"plan": _plan(solution).model_copy(update=update)})


def _tour(solution: Solution, index: int, **update: Any) -> Solution:
    tours = list(_plan(solution).tours)
    tours[index] = tours[index].model_copy(update=update)
    return _with_plan(solution, tours=tours)


def _edit(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit of the scenario data setting one field (`a.0.b` indexes lists)."""

    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        *parts, last = path.split(".")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return edit


def _add(path: str, item: Any) -> Callable[[dict[str, Any]], None]:
    """An edit of the scenario data appending an item to a list."""

    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        *parts, last = path.split(".")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        target.setdefault(last, []).append(copy.deepcopy(item))

    return edit


def _replace(tours: list[Any], index: int, tour: Any) -> list[Any]:
    out = list(tours)
    out[index] = tour
    return out


Corruption = Callable[[], tuple[Scenario, Solution]]


def _doc(
    tours: list[Any] | None = None,
    money: list[Any] | None = None,
    edit: Callable[[dict[str, Any]], object] | None = None,
    then: Callable[[Solution], Solution] | None = None,
    **options: Any,
) -> Corruption:
    """A corruption: the plan (or other tours) written faithfully for the scenario (or an edit of it),
    then `then` applied to the document."""

    def make() -> tuple[Scenario, Solution]:
        scenario = plan_scenario(edit)
        solution = build_plan_solution(
            scenario, TOURS if tours is None else tours, MONEY if money is None else money, **options
        )
        return scenario, (then(solution) if then is not None else solution)

    return make


CORRUPTIONS: list[Any] = [
    # a tour's arithmetic
    pytest.param(
        _doc(_replace(TOURS, 3, ("c-eng", "n-eng", 1, 0, 0))), "eligibility.arrival", id="arrives-before-ready"
    ),
    pytest.param(
        _doc(_replace(TOURS, 2, ("b-inf", "s-inf", 2, 0, 5))),
        "eligibility.arrival",
        id="arrives-before-need-and-relief",
    ),
    pytest.param(
        _doc(
            _replace(TOURS, 2, ("b-inf", "s-inf", 2, 1, 5)),
            edit=_edit("offers.1.units.0.available_until", "2026-05-20"),
        ),
        "eligibility.window",
        id="past-availability",
    ),
    pytest.param(
        _doc(edit=_edit("requirements.0.min_readiness", "mou")), "eligibility.readiness", id="readiness-below-line"
    ),
    pytest.param(_doc(then=lambda s: _tour(s, 2, fills_from=1)), "tour.span", id="fills-during-relief"),
    pytest.param(_doc(_replace(TOURS, 0, ("a-eng", "n-eng", 1, 0, 1))), "tour.span", id="leaves-early"),
    pytest.param(_doc(_replace(TOURS, 3, ("c-eng", "n-eng", 1, 2, 5))), "red_line.sectors", id="suspension-ignored"),
    pytest.param(_doc(_replace(TOURS, 3, ("c-eng", "n-eng", 1, 2, 5))), "tour.span", id="suspension-not-cut"),
    pytest.param(_doc(then=lambda s: _tour(s, 1, cost_usd=500_000)), "tour.cost", id="wrong-cost"),
    pytest.param(_doc(then=lambda s: _tour(s, 1, months=2)), "tour.cost", id="wrong-months"),
    pytest.param(_doc(then=lambda s: _tour(s, 1, personnel=150)), "tour.fields", id="wrong-personnel"),
    pytest.param(_doc(then=lambda s: _tour(s, 1, unit="z-eng")), "tour.reference", id="unknown-unit"),
    pytest.param(_doc(then=lambda s: _tour(s, 1, last=9)), "tour.span", id="last-beyond-horizon"),
    pytest.param(_doc(_replace(TOURS, 3, ("c-eng", "s-inf", 1, 2))), "eligibility.capability", id="wrong-capability"),
    pytest.param(_doc([*TOURS, ("a-eng", "n-eng", 1, 1)]), "capacity", id="presence-over-count"),
    pytest.param(_doc(edit=_edit("offers.0.units.0.rotations", 1)), "capacity.rotations", id="over-rotations"),
    # every rule in every bucket
    pytest.param(_doc(_replace(TOURS, 3, ("c-eng", "n-eng", 1, 1, 3))), "veto", id="dated-veto-in-its-bucket"),
    pytest.param(
        _doc(_replace(TOURS, 1, ("a-eng", "n-eng", 1, 3))), "coverage.essential", id="essential-short-in-ramp"
    ),
    pytest.param(
        _doc(edit=_add("offers.0.red_lines", {"id": "a-cf", "kind": "requires_mandate", "conditions": ["ceasefire"]})),
        "mandate",
        id="condition-lapses",
    ),
    pytest.param(
        _doc(
            edit=_add(
                "offers.1.red_lines",
                {"id": "b-cap", "kind": "max_personnel", "limit": 150, "active_from": "2026-06-01"},
            )
        ),
        "red_line.max_personnel",
        id="dated-ceiling",
    ),
    pytest.param(
        _doc(edit=_add("offers.0.red_lines", {"id": "a-min", "kind": "min_contingent", "personnel": 150})),
        "red_line.min_contingent",
        id="contingent-per-bucket",
    ),
    pytest.param(
        _doc(edit=_edit("offers.0.red_lines.0.active_from", "2026-04-01")),
        "red_line.not_alongside",
        id="not-alongside-in-a-sector",
    ),
    pytest.param(
        _doc(edit=_edit("offers.1.red_lines.0.nations", ["CCC"])),
        "red_line.requires_partner",
        id="partner-absent-in-bucket",
    ),
    pytest.param(
        _doc(
            edit=_add(
                "offers.1.red_lines", {"id": "b-eng", "kind": "max_engagement", "level": 1, "active_from": "2026-06-01"}
            )
        ),
        "red_line.max_engagement",
        id="dated-engagement",
    ),
    pytest.param(
        _doc(
            edit=_add(
                "offers.2.red_lines",
                {"id": "c-sec", "kind": "allowed_control", "statuses": ["contested"], "active_until": "2026-03-31"},
            )
        ),
        "red_line.allowed_control",
        id="dated-control",
    ),
    pytest.param(
        _doc(
            edit=_add(
                "offers.3.red_lines",
                {
                    "id": "d-not-c",
                    "kind": "not_alongside",
                    "nations": ["CCC"],
                    "scope": "force",
                    "active_until": "2026-01-31",
                },
            )
        ),
        "red_line.not_alongside",
        id="not-alongside-over-the-plan",
    ),
    pytest.param(
        _doc(edit=_edit("targets.max_personnel", 400)), "target.max_personnel", id="force-ceiling-in-a-bucket"
    ),
    pytest.param(_doc(edit=_edit("targets.max_nation_share", 0.45)), "target.max_nation_share", id="share-of-the-plan"),
    pytest.param(_doc(edit=_edit("targets.min_nations", 4)), "target.min_nations", id="min-nations"),
    pytest.param(
        _doc(
            edit=_add(
                "vetoes", {"id": "v-ddd", "by": "Host", "against": ["DDD"], "scope": "all", "active_from": "2026-06-01"}
            )
        ),
        "veto",
        id="money-of-a-nation-vetoed-later",
    ),
    pytest.param(_doc(money=[("d-fund", "engineer", 900_000)]), "funding.coverage", id="tours-not-paid"),
    # nodes of entry
    pytest.param(_doc(edit=_edit("phasing.nodes.0.personnel_per_day", 5)), "node.capacity", id="node-over-capacity"),
    pytest.param(_doc(edit=_edit("phasing.nodes.0.tons_per_day", 3)), "node.capacity", id="node-over-tons"),
    pytest.param(
        _doc(
            node_flows=[
                ("gate", "AAA", 0, 100, 0),
                ("gate", "BBB", 1, 200, 100),
                ("gate", "CCC", 2, 50, 0),
                ("gate", "AAA", 3, 200, 0),
            ]
        ),
        "node.entry",
        id="node-not-the-nations",
    ),
    pytest.param(
        _doc(
            node_flows=[
                ("gate", "AAA", 0, 100, 0),
                ("gate", "BBB", 1, 200, 90),
                ("port", "CCC", 2, 50, 0),
                ("gate", "AAA", 3, 200, 0),
            ]
        ),
        "node.flow",
        id="cargo-short",
    ),
    pytest.param(_doc(then=lambda s: _with_plan(s, flows=[])), "node.flow", id="no-flows"),
    # figures
    pytest.param(
        _doc(then=lambda s: _with_plan(s, sectors=[r.model_copy(update={"full_from": 3}) for r in _plan(s).sectors])),
        "figures.plan.sectors",
        id="wrong-full-from",
    ),
    pytest.param(
        _doc(then=lambda s: _with_plan(s, coverage=_plan(s).coverage[1:])),
        "figures.plan.coverage",
        id="plan-coverage-row-missing",
    ),
    pytest.param(
        _doc(
            then=lambda s: _with_plan(
                s, nodes=[n.model_copy(update={"personnel_capacity": None}) for n in _plan(s).nodes]
            )
        ),
        "figures.plan.nodes",
        id="node-capacity-figure",
    ),
    pytest.param(
        _doc(then=lambda s: _with_plan(s, buckets=_plan(s).buckets[:-1])), "plan.buckets", id="a-bucket-missing"
    ),
    pytest.param(
        _doc(
            then=lambda s: s.model_copy(
                update={"assignments": [a.model_copy(update={"units": 3}) for a in s.assignments]}
            )
        ),
        "figures.assignments",
        id="assignment-not-most-at-once",
    ),
    pytest.param(
        _doc(
            then=lambda s: s.model_copy(update={"coverage": [c.model_copy(update={"required": 1}) for c in s.coverage]})
        ),
        "figures.coverage",
        id="coverage-not-worst-bucket",
    ),
    pytest.param(
        _doc(then=lambda s: s.model_copy(update={"totals": s.totals.model_copy(update={"personnel": 550})})),
        "figures.totals",
        id="personnel-not-most-at-once",
    ),
    pytest.param(
        _doc(then=lambda s: s.model_copy(update={"nations": [n.model_copy(update={"share": 0.5}) for n in s.nations]})),
        "figures.nations",
        id="share-not-largest",
    ),
    pytest.param(
        _doc(
            _replace(TOURS, 2, ("b-inf", "s-inf", 1, 1)),
            then=lambda s: s.model_copy(
                update={
                    "objective": [
                        o.model_copy(update={"value": 0.0}) if o.criterion == "shortfall" else o for o in s.objective
                    ]
                }
            ),
        ),
        "objective.shortfall",
        id="shortfall-unweighted",
    ),
    pytest.param(_doc(then=lambda s: s.model_copy(update={"plan": None})), "plan", id="package-without-plan"),
]


@pytest.mark.parametrize(("corrupt", "rule"), CORRUPTIONS)
def test_check_rejects_each_corruption_of_a_plan(corrupt: Corruption, rule: str) -> None:
    """Each single corruption of the valid plan (a tour, its arithmetic, a rule in one bucket, a node, a
    figure) is rejected, and by the rule it breaks."""
    scenario, solution = corrupt()
    found = check(scenario, solution)
    assert rule in rules(found), found


def test_check_a_tour_cut_by_a_suspension_names_the_rule() -> None:
    """A tour that stays through a suspension is told where it should have ended, and why."""
    scenario, solution = _doc(_replace(TOURS, 3, ("c-eng", "n-eng", 1, 2, 5)))()
    spans = [v.message for v in check(scenario, solution) if v.rule == "tour.span"]
    assert len(spans) == 1
    assert "; it leaves after month 4 (" in spans[0] and "c-suspension" in spans[0]


def test_check_shortfall_is_weighted_by_bucket() -> None:
    """One of BBB's two infantry units on `s-inf` (200 personnel, weight 2) leaves it half short in March
    to June (buckets 2-5 of 6, weights 4, 3, 2, 1): shortfall 2 x 0.5 x (4 + 3 + 2 + 1) = 10."""
    scenario = plan_scenario()
    solution = build_plan_solution(scenario, _replace(TOURS, 2, ("b-inf", "s-inf", 1, 1)), MONEY)
    assert check(scenario, solution) == []
    assert solution.objective_value("shortfall") == pytest.approx(10.0)
    assert {c.requirement: (c.required, c.provided) for c in solution.coverage}["s-inf"] == (200, 100)


def test_check_money_of_a_nation_barred_in_one_bucket_is_not_usable() -> None:
    """A donor whose mandate condition lapses in May may not pay: its pledge leaves `pledged_usd`."""
    scenario = plan_scenario(
        _add("offers.3.red_lines", {"id": "d-cf", "kind": "requires_mandate", "conditions": ["ceasefire"]})
    )
    solution = build_plan_solution(scenario, TOURS, [])
    assert solution.funding.pledged_usd == 0
    assert rules(check(scenario, solution)) == {"funding.coverage"}


def test_check_a_static_answer_with_a_plan_is_refused() -> None:
    """A static scenario's answer carrying a plan breaks the contract."""
    data = plan_data()
    static = parse_scenario(
        {k: v for k, v in data.items() if k not in ("phasing", "sectors", "requirements", "offers", "vetoes")}
        | {
            "sectors": [{"id": "north", "control": "secure"}],
            "requirements": [{"id": "n-eng", "sector": "north", "capability": "engineer", "quantity": 1}],
            "offers": [
                {"nation": "AAA", "units": [{"id": "a-eng", "capability": "engineer", "count": 1, "personnel": 100}]}
            ],
            "targets": {},
        }
    )
    solution = build_solution(static, [("a-eng", "n-eng", 1)])
    assert check(static, solution) == []
    plan = _plan(build_plan_solution(plan_scenario(), TOURS, MONEY))
    assert "plan" in rules(check(static, solution.model_copy(update={"plan": plan})))


def test_check_an_infeasible_phased_answer_holds_no_tour() -> None:
    """An infeasible answer may carry its buckets but no tour."""
    scenario = plan_scenario()
    empty = build_plan_solution(scenario, [], [], status="infeasible")
    assert check(scenario, empty) == []
    full = build_plan_solution(scenario, TOURS, MONEY)
    found = check(scenario, empty.model_copy(update={"plan": full.plan}))
    assert rules(found) == {"document"}


def test_phased_rules_each_have_a_docstring_and_a_unique_name() -> None:
    """Every rule the checker runs on a phased plan says in domain words what it checks."""
    names = [rule.name for rule in PHASED_RULES]
    assert len(names) == len(set(names))
    assert all(rule.doc.strip() for rule in PHASED_RULES)


def _gaza_plan(extra: list[Any]) -> tuple[Scenario, Solution]:
    """examples/gaza-phased.yaml with a hand-made plan filling its essential lines in every week: US and
    Italian staff in four rotations, Egypt's border guards relieved by its second battalion, Pakistan's
    battalion from the October ramp, Egypt's engineers and logistics and Kazakhstan's hospital; the
    pooled cost paid by Saudi Arabia's pledge."""
    scenario = load_scenario(Path(__file__).resolve().parent.parent / "examples" / "gaza-phased.yaml")
    tours: list[Any] = []
    for a in (7, 33, 59, 85):
        tours += [("USA/usa-hq", "cmcc-hq", 3, a), ("ITA/ita-hq", "cmcc-liaison", 1, a)]
    tours += [("EGY/egy-inf", "rafah-inf", 1, a) for a in (16, 40, 64, 88)]
    tours += [("PAK/pak-inf", "rafah-inf", 1, a) for a in (29, 53, 77)]
    for a in (17, 42, 67, 92):
        tours += [
            ("EGY/egy-eng", "rafah-eng", 2, a),
            ("KAZ/kaz-med", "rafah-med", 1, a),
            ("EGY/egy-log", "cross-log", 1, a),
        ]
    tours += extra
    pooled: dict[str, int] = {}
    for t in _plan(build_plan_solution(scenario, tours)).tours:
        if not t.self_funded:
            capability = scenario.unit_by_key[f"{t.nation}/{t.unit}"].capability
            pooled[capability] = pooled.get(capability, 0) + t.cost_usd
    return scenario, build_plan_solution(scenario, tours, [("SAU/sau-fund", c, a) for c, a in pooled.items()])


def test_check_accepts_a_plan_of_the_phased_gaza_example() -> None:
    """The phased Gaza example admits a plan: 96 weeks, every essential line filled in every week it is
    needed, from the coordination centre's opening on 20 April 2026 (week 7) to the end of 2027."""
    scenario, solution = _gaza_plan([])
    assert len(_plan(solution).buckets) == 96
    assert check(scenario, solution) == []


def test_check_the_gaza_example_refuses_indonesian_units_after_the_suspension() -> None:
    """Indonesia's suspension from 17 March 2026 binds from week 2: an Indonesian engineer company in
    Rafah breaks it there (and its tour should have ended before it arrived)."""
    scenario, solution = _gaza_plan([("IDN/idn-eng", "rafah-eng", 1, 17, 42)])
    found = check(scenario, solution)
    assert {"red_line.sectors", "tour.span"} <= rules(found)
    assert any(v.element == "idn-suspension" and v.message.startswith("week 18 (2026-06-29") for v in found)


@pytest.mark.parametrize(
    ("until", "usable"),
    [("2026-04-30", True), ("2026-05-31", False)],
    ids=["inside-the-condition", "past-the-condition"],
)
def test_dated_requires_mandate_bars_money_only_where_it_binds_without_its_condition(until: str, usable: bool) -> None:
    """A pledging nation's `requires_mandate` red line dated inside its condition's period (the
    ceasefire holds to 30 April) bars nothing: its pledge is usable and counted; dated past it, the
    pledge is barred. The solver, the document and the checker agree (`figures.funding`)."""
    from forcepack.solver import SolveParams, solve

    def edit(d: dict[str, Any]) -> None:
        d["offers"][3]["red_lines"] = [
            {"id": "d-ceasefire", "kind": "requires_mandate", "conditions": ["ceasefire"], "active_until": until}
        ]

    scenario = plan_scenario(edit)
    solution = solve(scenario, SolveParams(time_limit_s=20, workers=1, seed=0, deterministic=True))
    assert check(scenario, solution) == []
    assert solution.funding.pledged_usd == (10_000_000 if usable else 0)
    if solution.has_package:
        drawn = sum(n.funding_used_usd for n in solution.nations if n.nation == "DDD")
        assert (drawn > 0) == usable


@pytest.mark.parametrize(
    ("period", "said"),
    [
        ({"holds_until": "2026-04-30"}, "does not hold after 2026-04-30"),
        ({"holds_from": "2026-03-01"}, "does not hold before 2026-03-01"),
        (
            {"holds_from": "2026-03-01", "holds_until": "2026-04-30"},
            "does not hold before 2026-03-01 or after 2026-04-30",
        ),
        ({"holds_from": "2026-01-01", "holds_until": "2026-06-30"}, "does not hold"),
    ],
    ids=["until", "from", "between", "throughout"],
)
def test_a_condition_holding_part_of_the_time_is_said_with_the_days_it_does_not(
    period: dict[str, str], said: str
) -> None:
    """A mandate condition as an element (what bars the nations waiting for it) says when it does not
    hold: "does not hold" alone would read as never, beside a red line waiting for it."""
    from forcepack.solver.elements import Element
    from forcepack.solver.rules import family

    def edit(d: dict[str, Any]) -> None:
        d["phasing"]["conditions"] = [{"condition": "ceasefire", **period}]

    text = family("mandate").describe(plan_scenario(edit), Element("mandate", "ceasefire"))
    assert text == f"mandate condition `ceasefire`, which {said}"
    plain = family("mandate").describe(plan_scenario(), Element("mandate", "resolution"))
    assert plain.endswith("`resolution`, which does not hold")


def test_set_mandate_makes_a_condition_hold_over_the_whole_horizon() -> None:
    """A condition set true by a patch (the way out an explanation offers for a condition holding part
    of the time) holds throughout: its period is dropped, as the relaxation drops it."""
    from forcepack.models.patch import Patch, apply_patch
    from forcepack.solver.elements import Element
    from forcepack.solver.rules import family

    scenario = plan_scenario()
    assert phases.condition_buckets(scenario, "ceasefire") != [b.index for b in phases.buckets(scenario)]
    ops = family("mandate").patch(scenario, Element("mandate", "ceasefire"))
    assert ops is not None
    patched = apply_patch(scenario, Patch(ops=ops))
    assert patched.phasing is not None and patched.phasing.conditions == []
    assert phases.condition_buckets(patched, "ceasefire") == [b.index for b in phases.buckets(patched)]


def test_buckets_are_said_run_by_run() -> None:
    """Buckets that are not consecutive are said run by run, each with its dates (not "between month
    1 and month 6", which reads as every month between)."""
    s = plan_scenario()
    assert s.phasing is not None and s.phasing.bucket == "month"
    assert phases.buckets_words(s, [2]) == "month 3 (2026-03-01 .. 2026-03-31)"
    assert phases.buckets_words(s, [3, 4, 5]) == "3 months (month 4 .. month 6, 2026-04-01 .. 2026-06-30)"
    assert phases.buckets_words(s, [0, 1, 4, 5]) == (
        "4 months (month 1 .. month 2, 2026-01-01 .. 2026-02-28; month 5 .. month 6, 2026-05-01 .. 2026-06-30)"
    )
    assert (
        phases.buckets_words(s, [0, 5])
        == "2 months (month 1, 2026-01-01 .. 2026-01-31; month 6, 2026-06-01 .. 2026-06-30)"
    )
    assert phases.buckets_words(s, []) == "no month of the horizon"


def test_phases_a_node_listed_twice_in_an_offers_entry_is_refused() -> None:
    """`entry: [port, port]` names one node twice: said at the second (was: accepted as written)."""
    data = _phased(
        ("2026-01-01", "2026-12-31"), **{"phasing.nodes": [{"id": "port"}], "offers.0.entry": ["port", "port"]}
    )
    assert _problems(data) == ["offers[0].entry[1]: node `port` is listed twice"]
