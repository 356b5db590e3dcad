"""Hypothesis strategies that generate valid scenarios.

`tiny_scenarios()` stay small enough for `tests.brute.brute_force`; `small_scenarios()` are
larger, for solver-against-checker property tests. Both draw every red-line kind, vetoes,
targets and objectives, and are biased towards feasible scenarios (few essential lines,
plentiful offers) while still producing infeasible ones. With `edges=True` they draw the
numbers where exact arithmetic matters: objective tolerances such as 0.29 (whose float times 100
is 28.999...), personnel and quantities that are large primes (so shortfall fractions and
shares have large, coprime denominators), decimal weights, and costs on which a tolerance lands
exactly on a whole dollar.

Every scenario is built as the plain data a file would hold and validated through
`models.parse_scenario`, so a strategy bug shows up as a validation error, never silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from forcepack.models import CRITERIA, Scenario, parse_scenario

YEAR = 2026
HORIZON = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
CUSTOM_CAPABILITY = "drone_cell"
CAPABILITY_POOL = ("engineer", "medical_role2", CUSTOM_CAPABILITY)
GROUP_POOL = ("oic", "arab_league", "asean")
CONTROL_STATUSES = ("secure", "contested", "hostile")
READINESS = ("pledged", "verified", "mou", "rapid")
PERSONNEL = (50, 100, 150)
MONTHLY_COSTS = (100_000, 200_000, 300_000)
PLEDGE_AMOUNTS = (1_000_000, 3_000_000, 10_000_000)
PARTIES = ("Israel", "Egypt", "Host")
TOLERANCES = (0.29, 0.07, 0.35, 0.5)
"""Tolerances whose binary floats miss the decimal: 0.29 x 100 and 0.35 x 180 fall just short."""
PRIMES = (5987, 6007, 7919, 7907, 12007)
RED_LINE_KINDS = (
    "max_engagement",
    "allowed_control",
    "sectors",
    "not_alongside",
    "requires_partner",
    "requires_mandate",
    "max_personnel",
    "min_contingent",
    "max_sectors",
)


@dataclass(frozen=True)
class Numbers:
    """The numbers one family of generated scenarios draws from."""

    personnel: tuple[int, ...]  # per unit
    personnel_quantities: tuple[int, ...]  # of lines measured in personnel
    weights: tuple[float, ...]  # of desirable lines
    monthly_costs: tuple[int, ...]  # stated per unit
    personnel_limits: tuple[int, ...]  # `max_personnel` red lines
    contingents: tuple[int, ...]  # `min_contingent` red lines
    force_ceilings: tuple[int, ...]  # the `max_personnel` target
    tolerance_percent: int  # chance that an objective term has a tolerance
    january_percent: int  # chance that a line is needed in January only (its cost one month's)


PLAIN = Numbers(
    personnel=PERSONNEL,
    personnel_quantities=(50, 100, 150, 200, 300),
    weights=(1, 2, 3),
    monthly_costs=MONTHLY_COSTS,
    personnel_limits=(0, 100, 200, 300),
    contingents=(50, 100, 200, 300),
    force_ceilings=(200, 400, 800),
    tolerance_percent=0,
    january_percent=0,
)
EDGES = Numbers(
    personnel=(*PRIMES[:3], 100),
    personnel_quantities=PRIMES,
    weights=(1, 3, 0.35, 2.5, 1.07),
    monthly_costs=(100, 129, 135, 200_000),  # 129 = 100 + 0.29 x 100, 258 = 200 + 0.29 x 200
    personnel_limits=(0, 6007, 12000, 20000),
    contingents=(5987, 6007, 12000, 14000),
    force_ceilings=(6007, 14000, 24000),
    tolerance_percent=40,
    january_percent=50,
)


@dataclass(frozen=True)
class Sizes:
    """Bounds of one family of generated scenarios."""

    sectors: int
    requirements: int
    min_nations: int
    nations: int
    unit_lines: int  # per nation
    count: int  # per unit line
    red_lines: int  # per nation
    vetoes: int
    essential_percent: int  # chance that a requirement line is essential
    budget: int | None  # cap on the product over (unit line, same-capability line) pairs of (count + 1)


TINY = Sizes(
    sectors=3,
    requirements=3,
    min_nations=2,
    nations=4,
    unit_lines=2,
    count=2,
    red_lines=2,
    vetoes=1,
    essential_percent=35,
    budget=5_000,
)
SMALL = Sizes(
    sectors=4,
    requirements=6,
    min_nations=2,
    nations=6,
    unit_lines=3,
    count=3,
    red_lines=2,
    vetoes=2,
    essential_percent=20,
    budget=None,
)


def _sometimes(draw: st.DrawFn, percent: int) -> bool:
    """True `percent` % of the time; shrinks to False."""
    return draw(st.integers(0, 99)) >= 100 - percent


def _size(draw: st.DrawFn, low: int, high: int) -> int:
    """A size drawn evenly in low..high (integers() favours the low end); shrinks to `low`."""
    return draw(st.sampled_from(range(low, high + 1)))


def _month_window(draw: st.DrawFn) -> tuple[str, str]:
    """A window inside the horizon, from a first of month to a last of month."""
    first = draw(st.integers(1, 12))
    last = draw(st.integers(first, 12))
    end_day = calendar.monthrange(YEAR, last)[1]
    return dt.date(YEAR, first, 1).isoformat(), dt.date(YEAR, last, end_day).isoformat()


def _subset(draw: st.DrawFn, items: list[str] | tuple[str, ...], *, min_size: int = 1) -> list[str]:
    return draw(st.lists(st.sampled_from(items), min_size=min_size, max_size=len(items), unique=True))


def _requirement(
    draw: st.DrawFn, index: int, sectors: list[str], capabilities: list[str], essential_percent: int, numbers: Numbers
) -> dict[str, Any]:
    req: dict[str, Any] = {
        "id": f"r{index}",
        "sector": draw(st.sampled_from(sectors)),
        "capability": draw(st.sampled_from(capabilities)),
        "engagement": draw(st.integers(0, 3)),
    }
    if _sometimes(draw, 40):
        req["measure"] = "personnel"
        req["quantity"] = draw(st.sampled_from(numbers.personnel_quantities))
    else:
        req["quantity"] = draw(st.integers(1, 2))
    if _sometimes(draw, essential_percent):
        req["priority"] = "essential"
    else:
        req["priority"] = "desirable"
        req["weight"] = draw(st.sampled_from(numbers.weights))
    if numbers.january_percent and _sometimes(draw, numbers.january_percent):
        req["needed_from"], req["needed_until"] = f"{YEAR}-01-01", f"{YEAR}-01-31"
    elif _sometimes(draw, 25):
        req["needed_from"], req["needed_until"] = _month_window(draw)
    if _sometimes(draw, 15):
        req["min_readiness"] = draw(st.sampled_from(READINESS[1:]))
    return req


def _unit(
    draw: st.DrawFn, uid: str, capabilities: list[str], wanted: list[str], sizes: Sizes, numbers: Numbers
) -> dict[str, Any]:
    # Mostly what the requirements ask for, so that offers are plentiful.
    pool = capabilities if _sometimes(draw, 20) else wanted
    unit: dict[str, Any] = {
        "id": uid,
        "capability": draw(st.sampled_from(pool)),
        "count": draw(st.integers(1, sizes.count)),
        "personnel": draw(st.sampled_from(numbers.personnel)),
    }
    if _sometimes(draw, 30):
        unit["monthly_cost_usd"] = draw(st.sampled_from(numbers.monthly_costs))
    if _sometimes(draw, 20):
        unit["self_funded"] = True
    if _sometimes(draw, 15):
        unit["available_from"], unit["available_until"] = _month_window(draw)
    if _sometimes(draw, 70):
        unit["readiness"] = draw(st.sampled_from(READINESS))
    return unit


def _red_line(
    draw: st.DrawFn,
    rid: str,
    others: list[str],
    sectors: list[str],
    groups: list[str],
    mandate: list[str],
    numbers: Numbers,
) -> dict[str, Any]:
    kind = draw(st.sampled_from(RED_LINE_KINDS))
    line: dict[str, Any] = {"id": rid, "kind": kind}
    if kind == "max_engagement":
        line["level"] = draw(st.integers(0, 3))
    elif kind == "allowed_control":
        line["statuses"] = _subset(draw, CONTROL_STATUSES)
    elif kind == "sectors":
        line["only" if draw(st.booleans()) else "exclude"] = _subset(draw, sectors)
    elif kind == "not_alongside":
        line["nations"] = _subset(draw, others)
        line["scope"] = draw(st.sampled_from(("force", "sector")))
    elif kind == "requires_partner":
        by_group = draw(st.booleans())
        if groups and by_group:
            line["group"] = draw(st.sampled_from(groups))
        else:
            line["nations"] = _subset(draw, others)
        line["min"] = draw(st.integers(1, 2))
    elif kind == "requires_mandate":
        line["conditions"] = _subset(draw, mandate)
    elif kind == "max_personnel":
        line["limit"] = draw(st.sampled_from(numbers.personnel_limits))
    elif kind == "min_contingent":
        line["personnel"] = draw(st.sampled_from(numbers.contingents))
    else:
        line["count"] = draw(st.integers(1, 2))
    return line


def _targets(draw: st.DrawFn, groups: list[str], nations: int, numbers: Numbers) -> dict[str, Any]:
    targets: dict[str, Any] = {}
    if _sometimes(draw, 25):
        targets["max_personnel"] = draw(st.sampled_from(numbers.force_ceilings))
    if _sometimes(draw, 25):
        targets["min_nations"] = draw(st.integers(1, min(2, nations)))
    if groups and _sometimes(draw, 20):
        targets["group_minimums"] = {g: draw(st.integers(0, 1)) for g in _subset(draw, groups)}
    if _sometimes(draw, 20):
        targets["max_nation_share"] = draw(st.sampled_from((0.5, 0.75, 1.0)))
    coverage = draw(st.sampled_from((None, None, 0.5, 1.0)))
    if coverage is not None:
        targets["funding_coverage"] = coverage
    return targets


def _lines_per_capability(data: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for req in data["requirements"]:
        counts[req["capability"]] = counts.get(req["capability"], 0) + 1
    return counts


def _search_bound(data: dict[str, Any]) -> int:
    """Product over (unit line, requirement line of its capability) pairs of (count + 1).

    An upper bound of what exhaustive search enumerates (the other eligibility rules only cut it).
    """
    lines = _lines_per_capability(data)
    return math.prod((u["count"] + 1) ** lines.get(u["capability"], 0) for o in data["offers"] for u in o["units"])


def _trim_to_budget(data: dict[str, Any], budget: int) -> None:
    """Lower counts, then drop unit lines, largest contribution first, until the bound fits."""
    lines = _lines_per_capability(data)
    while _search_bound(data) > budget:
        offer, unit = max(
            ((o, u) for o in data["offers"] for u in o["units"]),
            key=lambda ou: (ou[1]["count"] + 1) ** lines.get(ou[1]["capability"], 0),
        )
        if unit["count"] > 1:
            unit["count"] -= 1
        else:
            offer["units"].remove(unit)


@st.composite
def _scenarios(draw: st.DrawFn, sizes: Sizes, numbers: Numbers) -> Scenario:
    sectors = [f"s{i}" for i in range(1, _size(draw, 1, sizes.sectors) + 1)]
    # Two capabilities most of the time, so that a unit line often matches several lines.
    capabilities = _subset(draw, CAPABILITY_POOL, min_size=2)
    if len(capabilities) > 2 and not _sometimes(draw, 30):
        capabilities = capabilities[:2]
    mandate = {"resolution": True, "ceasefire": draw(st.booleans()), "consent": _sometimes(draw, 30)}
    nation_codes = [f"N{i}" for i in range(1, _size(draw, sizes.min_nations, sizes.nations) + 1)]
    nations = [
        {"code": code, "groups": draw(st.lists(st.sampled_from(GROUP_POOL), max_size=2, unique=True))}
        for code in nation_codes
    ]
    groups = sorted({g for n in nations for g in n["groups"]})

    requirements = [
        _requirement(draw, i, sectors, capabilities, sizes.essential_percent, numbers)
        for i in range(1, _size(draw, 1, sizes.requirements) + 1)
    ]
    wanted = sorted({r["capability"] for r in requirements})
    offers = []
    # Ids are each nation's own: often every nation names its units, pledges and red lines alike.
    shared_ids = _sometimes(draw, 50)
    for code in nation_codes:
        prefix = "x" if shared_ids else code.lower()
        others = [c for c in nation_codes if c != code]
        units = [
            _unit(draw, f"{prefix}-u{j}", capabilities, wanted, sizes, numbers)
            for j in range(1, (0 if _sometimes(draw, 20) else _size(draw, 1, sizes.unit_lines)) + 1)
        ]
        funding = []
        if _sometimes(draw, 40):
            pledge: dict[str, Any] = {"id": f"{prefix}-p1", "amount_usd": draw(st.sampled_from(PLEDGE_AMOUNTS))}
            if _sometimes(draw, 30):
                pledge["earmark"] = _subset(draw, capabilities)
            funding.append(pledge)
        red_lines = [
            _red_line(draw, f"{prefix}-rl{j}", others, sectors, groups, list(mandate), numbers)
            for j in range(1, _size(draw, 0, sizes.red_lines) + 1)
        ]
        offers.append({"nation": code, "units": units, "funding": funding, "red_lines": red_lines})

    veto_count = draw(st.integers(1, sizes.vetoes)) if _sometimes(draw, 35) else 0
    vetoes = [
        {
            "id": f"v{i}",
            "by": draw(st.sampled_from(PARTIES)),
            "against": _subset(draw, nation_codes),
            "scope": draw(st.sampled_from(("units", "all"))),
        }
        for i in range(1, veto_count + 1)
    ]
    static = [c for c in CRITERIA if c != "foc"]  # (a phased criterion)
    order = draw(st.permutations(static))
    objective: list[Any] = list(order[: draw(st.integers(1, len(static)))])
    for i, criterion in enumerate(objective):
        if numbers.tolerance_percent and _sometimes(draw, numbers.tolerance_percent):
            objective[i] = {"criterion": criterion, "tolerance": draw(st.sampled_from(TOLERANCES))}

    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "generated",
        "name": "Generated scenario",
        "illustrative": True,
        "horizon": HORIZON,
        "mandate": mandate,
        "sectors": [{"id": s, "control": draw(st.sampled_from(CONTROL_STATUSES))} for s in sectors],
        "requirements": requirements,
        "nations": nations,
        "offers": offers,
        "vetoes": vetoes,
        "targets": _targets(draw, groups, len(nation_codes), numbers),
        "objective": objective,
    }
    if CUSTOM_CAPABILITY in capabilities:
        data["capabilities"] = [{"id": CUSTOM_CAPABILITY, "name": "Drone cell"}]
    if sizes.budget is not None:
        _trim_to_budget(data, sizes.budget)
    return parse_scenario(data, source="hypothesis")


def tiny_scenarios(*, edges: bool = False) -> st.SearchStrategy[Scenario]:
    """Valid scenarios small enough for exhaustive search (usually under 5,000 assignments).

    1-3 sectors, 1-3 requirement lines over 2-3 capabilities, 2-4 nations with 0-2 unit lines
    each (count 1-2), occasional pledges, up to 2 red lines per nation of any kind, an
    occasional veto, optional targets, and a random non-empty ordering of the criteria; with
    `edges`, the numbers of `EDGES` (tolerances, large primes, decimal weights).
    """
    return _scenarios(TINY, EDGES if edges else PLAIN)


def small_scenarios(*, edges: bool = False) -> st.SearchStrategy[Scenario]:
    """Valid scenarios of the same shape as `tiny_scenarios`, larger: up to 6 nations and 6 lines.

    Too large for exhaustive search; meant for solver-against-checker property tests.
    """
    return _scenarios(SMALL, EDGES if edges else PLAIN)


# -- tiny phased scenarios ------------------------------------------------------------------------

PHASED_STARTS = ("2026-01-01", "2026-02-01", "2026-02-15", "2026-03-01")
"""Days a dated element, an opening or a ramp step may fall on: month starts, and one mid-month."""
PHASED_ENDS = ("2026-01-31", "2026-02-14", "2026-02-28", "2026-03-31")


def _dated(draw: st.DrawFn, item: dict[str, Any], percent: int = 50) -> dict[str, Any]:
    """Give an element `active_from` and/or `active_until` some of the time."""
    if _sometimes(draw, percent):
        if draw(st.booleans()):
            item["active_from"] = draw(st.sampled_from(PHASED_STARTS[1:]))
        else:
            item["active_until"] = draw(st.sampled_from(PHASED_ENDS[:-1]))
    return item


@st.composite
def _phased_scenarios(draw: st.DrawFn) -> Scenario:
    months = _size(draw, 3, 4)
    end = dt.date(YEAR, months, calendar.monthrange(YEAR, months)[1]).isoformat()
    sectors: list[dict[str, Any]] = [{"id": "s1", "control": draw(st.sampled_from(CONTROL_STATUSES[:2]))}]
    if _sometimes(draw, 40):
        sector: dict[str, Any] = {"id": "s2", "control": draw(st.sampled_from(CONTROL_STATUSES[:2]))}
        if _sometimes(draw, 60):
            sector["opens"] = draw(st.sampled_from(PHASED_STARTS[1:]))
        sectors.append(sector)
    capabilities = list(CAPABILITY_POOL[:2]) if _sometimes(draw, 30) else [CAPABILITY_POOL[0]]
    requirements = []
    for i in range(1, _size(draw, 1, 2) + 1):
        req: dict[str, Any] = {
            "id": f"r{i}",
            "sector": draw(st.sampled_from([s["id"] for s in sectors])),
            "capability": draw(st.sampled_from(capabilities)),
            "engagement": draw(st.integers(0, 2)),
        }
        if _sometimes(draw, 30):
            req["measure"] = "personnel"
            req["quantity"] = draw(st.sampled_from((100, 200)))
            step = draw(st.sampled_from((100, 300)))
        else:
            req["quantity"] = draw(st.integers(1, 2))
            step = draw(st.integers(1, 2))
        if _sometimes(draw, 30):
            req["priority"] = "essential"
        else:
            req["priority"] = "desirable"
            req["weight"] = draw(st.sampled_from((1, 2, 0.5)))
        if _sometimes(draw, 25):
            req["needed_from"] = "2026-02-01"
        if _sometimes(draw, 25):
            req["ramp"] = [{"starting": draw(st.sampled_from(PHASED_STARTS[2:])), "quantity": step}]
        if _sometimes(draw, 10):
            req["min_readiness"] = "verified"
        requirements.append(req)

    node = _sometimes(draw, 40)
    mandate = {"resolution": True, "ceasefire": True}
    codes = [f"N{i}" for i in range(1, _size(draw, 2, 3) + 1)]
    offers = []
    for code in codes:
        units = []
        if not _sometimes(draw, 20):
            unit: dict[str, Any] = {
                "id": f"{code.lower()}-u",
                "capability": draw(st.sampled_from(capabilities)),
                "count": draw(st.integers(1, 2)),
                "personnel": draw(st.sampled_from((50, 100, 150))),
                "readiness": draw(st.sampled_from(READINESS)),
            }
            if _sometimes(draw, 30):
                unit["monthly_cost_usd"] = draw(st.sampled_from(MONTHLY_COSTS))
            if _sometimes(draw, 15):
                unit["self_funded"] = True
            if _sometimes(draw, 30):
                unit["tour_months"] = draw(st.integers(1, 2))
            if _sometimes(draw, 20):
                unit["rotations"] = 1
            if _sometimes(draw, 25):
                unit["relief_days"] = draw(st.sampled_from((10, 20)))
            if _sometimes(draw, 20):
                unit["transit_days"] = draw(st.sampled_from((20, 45)))
            if node and _sometimes(draw, 40):
                unit["lift_tons"] = draw(st.sampled_from((20, 50)))
            if _sometimes(draw, 15):
                unit["available_until"] = draw(st.sampled_from(PHASED_ENDS[1:3]))
            units.append(unit)
        funding = []
        if _sometimes(draw, 35):
            funding.append({"id": f"{code.lower()}-p", "amount_usd": draw(st.sampled_from(PLEDGE_AMOUNTS))})
        red_lines = []
        if _sometimes(draw, 50):
            kind = draw(
                st.sampled_from(
                    (
                        "max_engagement",
                        "sectors",
                        "requires_mandate",
                        "not_alongside",
                        "requires_partner",
                        "max_personnel",
                    )
                )
            )
            line: dict[str, Any] = {"id": f"{code.lower()}-rl", "kind": kind}
            others = [c for c in codes if c != code]
            if kind == "max_engagement":
                line["level"] = draw(st.integers(0, 1))
            elif kind == "sectors":
                line["exclude"] = [draw(st.sampled_from([s["id"] for s in sectors]))]
            elif kind == "requires_mandate":
                line["conditions"] = ["ceasefire"]
            elif kind == "not_alongside":
                line["nations"] = [draw(st.sampled_from(others))]
                line["scope"] = draw(st.sampled_from(("force", "sector")))
            elif kind == "requires_partner":
                line["nations"] = [draw(st.sampled_from(others))]
                line["min"] = 1
            else:
                line["limit"] = draw(st.sampled_from((100, 200)))
            red_lines.append(_dated(draw, line))
        offer: dict[str, Any] = {"nation": code, "units": units, "funding": funding, "red_lines": red_lines}
        offers.append(offer)

    phasing: dict[str, Any] = {"bucket": "month", "front_loaded": draw(st.booleans())}
    if _sometimes(draw, 40):
        phasing["requested"] = draw(st.sampled_from(("2025-10-01", "2025-11-01")))
    if node:
        phasing["nodes"] = [
            {
                "id": "gate",
                "personnel_per_day": draw(st.sampled_from((4, 7, 10))),
                "tons_per_day": draw(st.sampled_from((2, 5))),
            }
        ]
    if _sometimes(draw, 30):
        phasing["conditions"] = [
            {"condition": "ceasefire"}
            | draw(st.sampled_from(({"holds_until": "2026-02-28"}, {"holds_from": "2026-02-01"})))
        ]
    vetoes = []
    if _sometimes(draw, 25):
        vetoes.append(
            _dated(
                draw,
                {
                    "id": "v1",
                    "by": draw(st.sampled_from(PARTIES)),
                    "against": [draw(st.sampled_from(codes))],
                    "scope": draw(st.sampled_from(("units", "all"))),
                },
                80,
            )
        )
    targets: dict[str, Any] = {}
    if _sometimes(draw, 20):
        targets["max_personnel"] = draw(st.sampled_from((200, 300)))
    if _sometimes(draw, 15):
        targets["min_nations"] = 2
    if _sometimes(draw, 15):
        targets["max_nation_share"] = 0.75
    if _sometimes(draw, 25):
        targets["funding_coverage"] = draw(st.sampled_from((0.5, 1.0)))
    order = draw(st.permutations(CRITERIA))
    data: dict[str, Any] = {
        "schema": "forcepack.scenario/1",
        "id": "generated-phased",
        "name": "Generated phased scenario",
        "illustrative": True,
        "horizon": {"start": f"{YEAR}-01-01", "end": end},
        "mandate": mandate,
        "phasing": phasing,
        "sectors": sectors,
        "requirements": requirements,
        "nations": [{"code": c, "groups": []} for c in codes],
        "offers": offers,
        "vetoes": vetoes,
        "targets": targets,
        "objective": [c for c in order[: draw(st.integers(1, len(CRITERIA)))] if c != "max_share"] or ["shortfall"],
    }
    return parse_scenario(data, source="hypothesis")


def tiny_phased_scenarios() -> st.SearchStrategy[Scenario]:
    """Valid phased scenarios small enough for `tests.brute_phased`: 3-4 monthly buckets from January
    2026, 1-2 sectors (the second often opening later), 1-2 lines of 1-2 capabilities (ramps, late
    needs, essential or desirable), 2-3 nations with at most one unit line each (count 1-2, with
    tours, rotations, relief, transit, lift, an end of availability), occasional pledges, at most one
    red line per nation (often dated), an occasional dated veto, a condition holding part of the time,
    no node or one, the request day setting readiness, optional targets and any objective."""
    return _phased_scenarios()
