"""The figures a scenario may hold (`models.limits`): a figure past its limit is refused with its
path, and a scenario at the limits builds a model CP-SAT accepts and gets an answer, never an
overflow."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forcepack.cli.main import app
from forcepack.models import ScenarioInputError, Solution, parse_scenario
from forcepack.models import limits as L
from forcepack.solver import SolveParams, build, solve
from forcepack.solver.check import check

HORIZON_100_YEARS = {"start": "2000-01-01", "end": "2099-12-31"}
MONTHS_100_YEARS = 1200


def _base() -> dict[str, Any]:
    return {
        "schema": "forcepack.scenario/1",
        "id": "limits",
        "name": "At the limits",
        "horizon": {"start": "2026-01-01", "end": "2026-12-31"},
        "cost": {"personnel_rate_usd": 1428},
        "sectors": [{"id": "s1", "control": "secure"}],
        "requirements": [{"id": "r1", "sector": "s1", "capability": "engineer", "quantity": 1}],
        "targets": {},
        "nations": [{"code": "AAA"}, {"code": "BBB"}],
        "offers": [
            {
                "nation": "AAA",
                "units": [{"id": "a1", "capability": "engineer", "count": 1, "personnel": 10}],
                "funding": [{"id": "a-fund", "amount_usd": 1000}],
                "red_lines": [{"id": "a-rl", "kind": "max_engagement", "level": 1}],
            },
            {"nation": "BBB", "units": [{"id": "b1", "capability": "engineer", "count": 1, "personnel": 10}]},
        ],
    }


PAST_THE_LIMIT: list[tuple[str, Any, str]] = [
    ("offers.0.units.0.count", L.MAX_UNIT_COUNT + 1, "offers[0].units[0].count"),
    ("offers.0.units.0.personnel", L.MAX_UNIT_PERSONNEL + 1, "offers[0].units[0].personnel"),
    ("offers.0.units.0.monthly_cost_usd", L.MAX_MONTHLY_COST_USD + 1, "offers[0].units[0].monthly_cost_usd"),
    ("offers.0.funding.0.amount_usd", L.MAX_PLEDGE_USD + 1, "offers[0].funding[0].amount_usd"),
    ("requirements.0.quantity", L.MAX_QUANTITY + 1, "requirements[0].quantity"),
    ("requirements.0.relax_cost", L.MAX_RELAX_COST + 1, "requirements[0].relax_cost"),
    ("cost.personnel_rate_usd", L.MAX_RATE_USD + 1, "cost.personnel_rate_usd"),
    ("targets.max_personnel", L.MAX_PERSONNEL_FIGURE + 1, "targets.max_personnel"),
    ("targets.min_nations", L.MAX_COUNT_FIGURE + 1, "targets.min_nations"),
    ("targets.max_nation_share", 0.3333333333, "targets.max_nation_share"),
    ("targets.funding_coverage", 0.9999995, "targets.funding_coverage"),
    ("offers.0.red_lines.0", {"id": "x", "kind": "max_personnel", "limit": 10**29}, "offers[0].red_lines[0].limit"),
    (
        "offers.0.red_lines.0",
        {"id": "x", "kind": "min_contingent", "personnel": L.MAX_PERSONNEL_FIGURE + 1},
        "offers[0].red_lines[0].personnel",
    ),
    (
        "offers.0.red_lines.0",
        {"id": "x", "kind": "requires_partner", "nations": ["BBB"], "min": 10**29},
        "offers[0].red_lines[0].min",
    ),
    ("offers.0.red_lines.0", {"id": "x", "kind": "max_sectors", "count": 10**12}, "offers[0].red_lines[0].count"),
    ("offers.0.red_lines.0.relax_cost", 10**29, "offers[0].red_lines[0].relax_cost"),
    ("horizon", {"start": "2000-01-01", "end": "2100-01-02"}, "horizon"),
    ("sectors", [{"id": f"s{i}", "control": "secure"} for i in range(L.MAX_SECTORS + 1)], "sectors"),
]


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


@pytest.mark.parametrize(("path", "value", "named"), PAST_THE_LIMIT, ids=[p[0] for p in PAST_THE_LIMIT])
def test_limits_figure_past_its_limit_is_refused_with_its_path(path: str, value: Any, named: str) -> None:
    """Each figure one past its limit is a validation error that names the field."""
    data = _base()
    parse_scenario(copy.deepcopy(data))  # the base is valid
    _set(data, path, value)
    with pytest.raises(ScenarioInputError) as raised:
        parse_scenario(data)
    assert any(p.startswith(named + ":") for p in raised.value.problems), raised.value.problems


def test_limits_offer_personnel_in_all_is_refused_naming_its_largest_line() -> None:
    """Unit lines each within their own limits, whose personnel together pass the offer's limit."""
    data = _base()
    data["offers"][0]["units"] = [
        {"id": f"a{i}", "capability": "engineer", "count": 10_000, "personnel": 40 + i} for i in range(3)
    ]
    with pytest.raises(ScenarioInputError) as raised:
        parse_scenario(data)
    (problem,) = raised.value.problems
    assert problem.startswith("offers[0].units: the offer holds 1,230,000 personnel in all")
    assert "units[2] `a2`" in problem


def test_limits_offer_cost_over_the_horizon_is_refused() -> None:
    """Five lines of 10,000 units at USD 1e10 a month (the overflow a delegate once caused) are refused."""
    data = _base()
    data["offers"][0]["units"] = [
        {"id": f"a{i}", "capability": "engineer", "count": 10_000, "personnel": 1, "monthly_cost_usd": 10**10}
        for i in range(5)
    ]
    with pytest.raises(ScenarioInputError) as raised:
        parse_scenario(data)
    assert [p.split(":")[0] for p in raised.value.problems] == ["offers[0].units"]
    assert "at most USD 1,000,000,000,000" in raised.value.problems[0]


def test_limits_offer_pledges_in_all_are_refused() -> None:
    """Two pledges each within the limit of one pledge, together past an offer's."""
    data = _base()
    data["offers"][0]["funding"] = [{"id": f"f{i}", "amount_usd": L.MAX_PLEDGE_USD} for i in range(2)]
    with pytest.raises(ScenarioInputError) as raised:
        parse_scenario(data)
    assert [p.split(":")[0] for p in raised.value.problems] == ["offers[0].funding"]


def _fit(count: int, per_unit: int, budget: int) -> int:
    """The largest figure up to `per_unit` for which count x figure stays within budget."""
    return max(0, min(per_unit, budget // count))


@st.composite
def extreme_scenarios(draw: st.DrawFn, nations: int = 3) -> dict[str, Any]:
    """Scenarios whose figures sit at or near every limit (the simplest example hypothesis draws is
    the most extreme one): a century's horizon, offers at their
    personnel, cost and pledge limits, lines of millions of personnel, nine- and six-decimal
    fractions, red-line figures at their maximum, every criterion with a tolerance."""
    lines_per_capability = draw(st.integers(1, 6).map(lambda n: 7 - n))
    capabilities = ["engineer", "infantry"]
    requirements = []
    for cap in capabilities:
        for k in range(lines_per_capability):
            requirements.append(
                {
                    "id": f"{cap}-{k}",
                    "sector": f"s{k % 2}",
                    "capability": cap,
                    "quantity": draw(st.sampled_from([L.MAX_QUANTITY, 999_983, 1])),
                    "measure": draw(st.sampled_from(["units", "personnel"])),
                    "priority": draw(st.sampled_from(["essential", "desirable", "desirable"])),
                    "weight": draw(st.sampled_from([float(L.MAX_WEIGHT), 0.0001, 1.0])),
                    "relax_cost": L.MAX_RELAX_COST,
                }
            )
    codes = [f"N{i:03d}" for i in range(nations)]
    offers = []
    for i, code in enumerate(codes):
        units = []
        lines = draw(st.integers(1, 3).map(lambda n: 4 - n))
        people_left, money_left = L.MAX_OFFER_PERSONNEL, L.MAX_OFFER_COST_USD
        for j in range(lines):
            count = draw(st.sampled_from([L.MAX_UNIT_COUNT, 1, 7]))
            personnel = max(1, _fit(count, L.MAX_UNIT_PERSONNEL, people_left // (lines - j)))
            monthly = _fit(count * MONTHS_100_YEARS, L.MAX_MONTHLY_COST_USD, money_left // (lines - j))
            people_left -= count * personnel
            money_left -= count * monthly * MONTHS_100_YEARS
            units.append(
                {
                    "id": f"{code.lower()}-u{j}",
                    "capability": draw(st.sampled_from(capabilities)),
                    "count": count,
                    "personnel": personnel,
                    "monthly_cost_usd": monthly,
                    "self_funded": draw(st.booleans()),
                    "readiness": draw(st.sampled_from(["pledged", "rapid"])),
                }
            )
        red_lines = [
            {"id": f"{code}-max", "kind": "max_personnel", "limit": L.MAX_PERSONNEL_FIGURE, "relax_cost": 10**6},
            {"id": f"{code}-min", "kind": "min_contingent", "personnel": draw(st.sampled_from([10**9, 1]))},
            {"id": f"{code}-sectors", "kind": "max_sectors", "count": L.MAX_SECTOR_COUNT},
        ]
        if i > 0:
            red_lines.append({"id": f"{code}-partner", "kind": "requires_partner", "nations": [codes[0]], "min": 1})
        offers.append(
            {
                "nation": code,
                "units": units,
                "funding": [{"id": f"{code}-fund", "amount_usd": L.MAX_OFFER_PLEDGES_USD}],
                "red_lines": red_lines,
            }
        )
    criteria = draw(st.permutations(["shortfall", "cost", "nations", "max_share", "readiness"]))
    return {
        "schema": "forcepack.scenario/1",
        "id": "extreme",
        "name": "Figures at the limits",
        "horizon": HORIZON_100_YEARS,
        "cost": {"personnel_rate_usd": L.MAX_RATE_USD},
        "sectors": [{"id": "s0", "control": "secure"}, {"id": "s1", "control": "contested"}],
        "requirements": requirements,
        "nations": [{"code": c, "groups": ["all"]} for c in codes],
        "offers": offers,
        "targets": {
            "max_personnel": L.MAX_PERSONNEL_FIGURE,
            "min_nations": 1,
            "group_minimums": {"all": 1},
            "max_nation_share": draw(st.sampled_from([0.333333334, 0.999999999, 1.0])),
            "funding_coverage": draw(st.sampled_from([0.999999, 0.000001, 1.0])),
        },
        "objective": [
            {"criterion": c, "tolerance": draw(st.sampled_from([0.29, 0.000001, 0.0]))} for c in criteria[:3]
        ],
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extreme_scenarios())
def test_limits_extreme_scenarios_build_valid_models_and_solve(data: dict[str, Any]) -> None:
    """At the limits every model CP-SAT is given (plain, relaxable) is valid, and solving answers
    with a document: a package the checker accepts, infeasible, or unknown; never an overflow."""
    scenario = parse_scenario(data)
    for relaxable in (False, True):
        built = build(scenario, relaxable=relaxable)
        assert built.model.validate() == ""
    solution = solve(scenario, SolveParams(time_limit_s=2, deterministic=True))
    assert solution.status in ("optimal", "feasible", "infeasible", "unknown")
    if solution.has_package:
        assert check(scenario, solution) == []


@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(extreme_scenarios(nations=L.MAX_NATIONS))
def test_limits_a_thousand_nations_at_their_limits_build_a_valid_model(data: dict[str, Any]) -> None:
    """The most nations a scenario lists, each offer at its personnel, cost and pledge limits: the
    sums of the whole force stay within CP-SAT's integers."""
    scenario = parse_scenario(data)
    for relaxable in (False, True):
        assert build(scenario, relaxable=relaxable).model.validate() == ""


def test_limits_cli_answers_a_document_at_the_limits(tmp_path: Path) -> None:
    """`forcepack solve --json` on a file at the limits (the figures that once overflowed and
    printed a traceback) prints a solution document the checker accepts, and a package is found."""
    data = _base()
    data["horizon"] = HORIZON_100_YEARS
    data["offers"][0]["units"] = [
        {
            "id": "a1",
            "capability": "engineer",
            "count": L.MAX_UNIT_COUNT,
            "personnel": L.MAX_OFFER_PERSONNEL // L.MAX_UNIT_COUNT,
            "monthly_cost_usd": L.MAX_OFFER_COST_USD // (L.MAX_UNIT_COUNT * MONTHS_100_YEARS),
        }
    ]
    data["offers"][0]["funding"] = [{"id": "a-fund", "amount_usd": L.MAX_OFFER_PLEDGES_USD}]
    data["targets"] = {"funding_coverage": 0.999999, "max_personnel": L.MAX_PERSONNEL_FIGURE}
    path = tmp_path / "limits.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["solve", str(path), "--json", "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    solution = Solution.model_validate_json(result.stdout)
    assert solution.has_package
    assert check(parse_scenario(data), solution) == []
