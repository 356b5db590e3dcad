"""The checker's view of a solution document: its package resolved against the scenario, with every
figure recomputed, and the facts of the scenario that several rules read.

The checker (`forcepack.solver.check` and the verdict face of each rule in `forcepack.solver.rules`)
is the executable statement of the domain reference that the solver is tested against, so it
shares no code with the solver's model: this module, like every verdict, imports only the standard
library and `forcepack.models`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from forcepack.models import (
    Assignment,
    FundingFlow,
    FundingPledge,
    Measure,
    RedLine,
    Requirement,
    RequiresMandate,
    Scenario,
    Sector,
    Solution,
    UnitOffer,
    Veto,
    VetoScope,
    phases,
)

SHARE_TOLERANCE = 1e-9
"""Slack allowed on `max_nation_share`, relative to total personnel."""

FIGURE_TOLERANCE = 1e-6
"""Relative and absolute tolerance on reported fractions and objective values."""


@dataclass(frozen=True)
class Violation:
    """One way a solution document breaks the contract.

    Parameters
    ----------
    rule
        Short machine key of the rule broken, e.g. ``"capacity"`` or ``"red_line.max_engagement"``.
    message
        The problem in a planner's words, naming the elements concerned.
    element
        Id of the scenario element concerned (unit, requirement, red line, veto, pledge,
        nation, target key), where there is one.
    """

    rule: str
    message: str
    element: str | None = None


@dataclass(frozen=True)
class Placement:
    """One assignment row resolved against the scenario: some units of an offer on a requirement line.

    Every figure here comes from the scenario, not from the row.
    """

    row: Assignment
    unit: UnitOffer
    nation: str
    requirement: Requirement
    sector: Sector
    units: int
    personnel: int
    monthly_cost_usd: int
    cost_usd: int

    @property
    def provided(self) -> int:
        """What this placement gives its requirement line, in the line's measure."""
        return self.units if self.requirement.measure == Measure.UNITS else self.personnel


class Timeline:
    """A phased scenario's buckets and the buckets its dated elements bind in, each computed once for
    a check (`models.phases` is the arithmetic)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.buckets = phases.buckets(scenario)
        self._in_force: dict[tuple[dt.date | None, dt.date | None], frozenset[int]] = {}
        self._holds: dict[str, frozenset[int]] = {}
        self._needs: dict[str, dict[int, int]] = {}

    def in_force(self, start: dt.date | None, end: dt.date | None) -> frozenset[int]:
        """The buckets an element dated `start` .. `end` binds in (`phases.in_force`)."""
        key = (start, end)
        if key not in self._in_force:
            self._in_force[key] = frozenset(phases.in_force(self.scenario, start, end))
        return self._in_force[key]

    def holds(self, condition: str) -> frozenset[int]:
        """The buckets a mandate condition holds in (`phases.condition_buckets`)."""
        if condition not in self._holds:
            self._holds[condition] = frozenset(phases.condition_buckets(self.scenario, condition))
        return self._holds[condition]

    def needs(self, requirement: Requirement) -> dict[int, int]:
        """What the line asks for in each bucket it is needed in (`phases.needs`)."""
        if requirement.id not in self._needs:
            self._needs[requirement.id] = phases.needs(self.scenario, requirement)
        return self._needs[requirement.id]

    def words(self, index: int) -> str:
        """A bucket in words, counted from 1 as every sentence counts them: `month 4 (2026-04-01 ..
        2026-04-30)`."""
        return phases.bucket_words(self.scenario, index)


class CheckedDocument:
    """A solution's package as the scenario sees it, with every figure recomputed.

    Rows naming an unknown unit or requirement line, or fewer than one unit, are not part of
    the package (they are reported by their own rules); the rest are `placements`.

    The same view serves a phased plan bucket by bucket (`snapshot`): the units present in one
    bucket as its placements, what fills each line there as `provided`, and no money (money is
    not phased). `binds` and `unmet_mandate_lines` say which dated elements hold in the view.
    """

    bucket: int | None
    """The bucket a snapshot of a phased plan shows; None for a static package or a plan as a whole."""
    timeline: Timeline | None
    """The phased scenario's buckets; None for a static scenario."""

    def __init__(self, scenario: Scenario, solution: Solution) -> None:
        self.scenario = scenario
        self.solution = solution
        self.bucket = None
        self.timeline = None
        self.placements = [p for p in (resolve(scenario, row) for row in solution.assignments) if p is not None]
        self._tally(self.placements)
        self._draw(solution.funding.flows)

    @classmethod
    def snapshot(
        cls,
        scenario: Scenario,
        solution: Solution,
        timeline: Timeline,
        bucket: int,
        placements: Sequence[Placement],
        provided: Counter[str],
    ) -> CheckedDocument:
        """One bucket of a phased plan: `placements` the units present in it (relief included),
        `provided` what fills each line in it, no money drawn."""
        view = cls.__new__(cls)
        view.scenario = scenario
        view.solution = solution
        view.bucket = bucket
        view.timeline = timeline
        view.placements = list(placements)
        view._tally(view.placements)
        view.provided = provided
        view._draw([])
        return view

    def _tally(self, placements: Sequence[Placement]) -> None:
        """The package's figures from its placements."""
        self.personnel_of: Counter[str] = Counter()
        self.units_of: Counter[str] = Counter()
        self.cost_of: Counter[str] = Counter()
        self.sectors_of: dict[str, set[str]] = {}
        self.provided: Counter[str] = Counter()
        self.pooled_by_capability: Counter[str] = Counter()
        self.self_funded_cost = 0
        for p in placements:
            self.personnel_of[p.nation] += p.personnel
            self.units_of[p.nation] += p.units
            self.cost_of[p.nation] += p.cost_usd
            self.sectors_of.setdefault(p.nation, set()).add(p.sector.id)
            self.provided[p.requirement.id] += p.provided
            if p.unit.self_funded:
                self.self_funded_cost += p.cost_usd
            else:
                self.pooled_by_capability[p.unit.capability] += p.cost_usd
        self.total_personnel = sum(self.personnel_of.values())
        self.total_units = sum(self.units_of.values())
        self.total_cost = sum(self.cost_of.values())
        self.pooled_cost = self.total_cost - self.self_funded_cost
        self.contributing = frozenset(n for n, units in self.units_of.items() if units > 0)

    def _draw(self, flows: Iterable[FundingFlow]) -> None:
        """The money drawn, and so the nations taking part."""
        # Zero flows may be listed but count for nothing.
        self.drawn: Counter[tuple[str, str]] = Counter()
        """USD drawn per (nation, pledge id)."""
        self.used_of: Counter[str] = Counter()
        self.flows_into: Counter[str] = Counter()
        self.used_total = 0
        for flow in flows:
            if flow.amount_usd <= 0:
                continue
            self.used_total += flow.amount_usd
            self.flows_into[flow.capability] += flow.amount_usd
            found = pledge_named(self.scenario, flow.nation, flow.pledge)
            if found is not None:
                owner = found[0]
                self.drawn[(owner, flow.pledge)] += flow.amount_usd
                self.used_of[owner] += flow.amount_usd
        self.participating = self.contributing | {n for n, used in self.used_of.items() if used > 0}

    def share_of(self, nation: str) -> float:
        """The nation's share of the package's personnel (0 when the package has none)."""
        return self.personnel_of[nation] / self.total_personnel if self.total_personnel else 0.0

    def drawn_pledges_of(self, nation: str) -> list[str]:
        """Ids of the nation's pledges from which money is drawn, in scenario order."""
        offer = self.scenario.offer_by_nation.get(nation)
        return [p.id for p in offer.funding if self.drawn[(nation, p.id)] > 0] if offer else []

    # -- dated elements ------------------------------------------------------------------------

    def _in_force(self, element: RedLine | Veto) -> frozenset[int]:
        assert self.timeline is not None
        return self.timeline.in_force(element.active_from, element.active_until)

    def binds(self, element: RedLine | Veto) -> bool:
        """Whether a red line or veto binds in this view: always in a static package; in a snapshot,
        when its dates reach the bucket; for a plan as a whole, when they reach some bucket."""
        if self.timeline is None:
            return True
        buckets = self._in_force(element)
        return self.bucket in buckets if self.bucket is not None else bool(buckets)

    def vetoes_against(self, nation: str, scopes: Iterable[VetoScope]) -> list[Veto]:
        """Vetoes with one of these scopes against the nation that bind in this view."""
        return [v for v in vetoes_against(self.scenario, nation, scopes) if self.binds(v)]

    def unmet_mandate_lines(self, nation: str) -> list[tuple[RequiresMandate, list[str]]]:
        """The nation's `requires_mandate` red lines that bind in this view and wait for a condition
        that does not hold there, each with those conditions: in a static package the conditions
        false under `mandate`; in a snapshot those that do not hold in its bucket; for a plan as a
        whole those that fail in some bucket where the line binds (money is not phased)."""
        if self.timeline is None:
            return unmet_mandate_lines(self.scenario, nation)
        timeline = self.timeline
        unmet = []
        for line in self.scenario.red_lines_of(nation):
            if not isinstance(line, RequiresMandate) or not self.binds(line):
                continue
            where = {self.bucket} if self.bucket is not None else self._in_force(line)
            false = [c for c in line.conditions if not where <= timeline.holds(c)]
            if false:
                unmet.append((line, false))
        return unmet


def unit_named(scenario: Scenario, nation: str, unit_id: str) -> tuple[str, UnitOffer] | None:
    """(nation, unit line) a row names: the nation's own unit of that id (ids are unique within an
    offer); failing that, the one unit of that id in the scenario, whose nation the row then misstates."""
    offer = scenario.offer_by_nation.get(nation)
    for unit in offer.units if offer else []:
        if unit.id == unit_id:
            return nation, unit
    owners = [(o.nation, u) for o in scenario.offers for u in o.units if u.id == unit_id]
    return owners[0] if len(owners) == 1 else None


def pledge_named(scenario: Scenario, nation: str, pledge_id: str) -> tuple[str, FundingPledge] | None:
    """(nation, pledge) a flow names, read as `unit_named` reads a unit."""
    offer = scenario.offer_by_nation.get(nation)
    for pledge in offer.funding if offer else []:
        if pledge.id == pledge_id:
            return nation, pledge
    owners = [(o.nation, p) for o in scenario.offers for p in o.funding if p.id == pledge_id]
    return owners[0] if len(owners) == 1 else None


def resolve(scenario: Scenario, row: Assignment) -> Placement | None:
    found = unit_named(scenario, row.nation, row.unit)
    requirement = scenario.requirement_by_id.get(row.requirement)
    if found is None or requirement is None or row.units < 1:
        return None
    nation, unit = found
    monthly = scenario.monthly_cost_of(unit)
    return Placement(
        row=row,
        unit=unit,
        nation=nation,
        requirement=requirement,
        sector=scenario.sector_by_id[requirement.sector],
        units=row.units,
        personnel=row.units * unit.personnel,
        monthly_cost_usd=monthly,
        cost_usd=row.units * monthly * scenario.months_of(requirement),
    )


# -- scenario facts every rule shares ----------------------------------------------------


def vetoes_against(scenario: Scenario, nation: str, scopes: Iterable[VetoScope]) -> list[Veto]:
    """Vetoes in force against the nation with one of these scopes."""
    wanted = set(scopes)
    return [v for v in scenario.vetoes if nation in v.against and v.scope in wanted]


def unmet_mandate_lines(scenario: Scenario, nation: str) -> list[tuple[RequiresMandate, list[str]]]:
    """The nation's `requires_mandate` red lines that do not hold, each with its false conditions."""
    unmet = []
    for line in scenario.red_lines_of(nation):
        if isinstance(line, RequiresMandate):
            false = [c for c in line.conditions if not scenario.mandate.get(c, False)]
            if false:
                unmet.append((line, false))
    return unmet


def money_barred(scenario: Scenario, nation: str) -> bool:
    """True when the nation may not take part at all: a veto of scope `all` or an unmet mandate condition.
    In a phased scenario, money is not phased: barred when such a rule binds in any bucket."""
    if scenario.phasing is None:
        return bool(vetoes_against(scenario, nation, [VetoScope.ALL]) or unmet_mandate_lines(scenario, nation))
    timeline = Timeline(scenario)
    if any(timeline.in_force(v.active_from, v.active_until) for v in vetoes_against(scenario, nation, [VetoScope.ALL])):
        return True
    for line in scenario.red_lines_of(nation):
        if isinstance(line, RequiresMandate):
            binding = timeline.in_force(line.active_from, line.active_until)
            if any(not binding <= timeline.holds(c) for c in line.conditions):
                return True
    return False


def usable_pledged(scenario: Scenario) -> int:
    """Sum of every pledge in the scenario whose nation is not barred from taking part."""
    return sum(p.amount_usd for o in scenario.offers if not money_barred(scenario, o.nation) for p in o.funding)


def usd(amount: float) -> str:
    """An amount of money in words."""
    return f"USD {amount:,.0f}"


def names(ids: Iterable[str]) -> str:
    """Ids in words: `a`, `b`."""
    return ", ".join(f"`{i}`" for i in ids)


def conditions(false: Sequence[str]) -> str:
    """Mandate conditions that do not hold, in words: condition `a` does not hold, conditions `a`, `b` do not."""
    if len(false) == 1:
        return f"mandate condition {names(false)} does not hold"
    return f"mandate conditions {names(false)} do not hold"


def close(a: float, b: float) -> bool:
    """Two figures agree within FIGURE_TOLERANCE."""
    return math.isclose(a, b, rel_tol=FIGURE_TOLERANCE, abs_tol=FIGURE_TOLERANCE)


def fills(p: Placement) -> str:
    """A placement in words: unit `x` (NATION) fills `line`."""
    return f"unit `{p.unit.id}` ({p.nation}) fills `{p.requirement.id}`"


Verdict = Callable[[CheckedDocument], Iterable[Violation]]
"""A rule's verdict: given a package, the violations of that rule."""

__all__ = [
    "FIGURE_TOLERANCE",
    "SHARE_TOLERANCE",
    "CheckedDocument",
    "Placement",
    "Timeline",
    "Verdict",
    "Violation",
    "close",
    "fills",
    "money_barred",
    "names",
    "pledge_named",
    "resolve",
    "unit_named",
    "unmet_mandate_lines",
    "usable_pledged",
    "usd",
    "vetoes_against",
]
