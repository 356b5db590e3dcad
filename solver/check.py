"""The independent checker: does a solution document honour the contract of the domain reference?

Every figure of the package is recomputed from the scenario alone (offers, requirement lines,
red lines, vetoes, targets) and compared with what the document states; every rule the
package breaks is listed as a `Violation`. An empty list is the project's proof that an
answer is right.

The checker imports only the standard library and `models`, never the solver, so that it
stays an executable statement of the rules that the solver is tested against. Each rule is
one small function below, named after the rule and listed in `RULES`; a document that can
be parsed never makes it raise: unknown ids, impossible counts and wrong figures are
violations, not exceptions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from forcepack.models import (
    AllowedControl,
    AlongsideScope,
    Assignment,
    FundingPledge,
    MaxEngagement,
    MaxPersonnel,
    MaxSectors,
    Measure,
    MinContingent,
    NotAlongside,
    Priority,
    Requirement,
    RequiresMandate,
    RequiresPartner,
    Scenario,
    Sector,
    Sectors,
    Solution,
    UnitOffer,
    Veto,
    VetoScope,
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


class Package:
    """A solution's package as the scenario sees it, with every figure recomputed.

    Rows naming an unknown unit or requirement line, or fewer than one unit, are not part of
    the package (they are reported by their own rules); the rest are `placements`.
    """

    def __init__(self, scenario: Scenario, solution: Solution) -> None:
        self.scenario = scenario
        self.solution = solution
        self.placements: list[Placement] = []
        for row in solution.assignments:
            placement = _resolve(scenario, row)
            if placement is not None:
                self.placements.append(placement)

        self.personnel_of: Counter[str] = Counter()
        self.units_of: Counter[str] = Counter()
        self.cost_of: Counter[str] = Counter()
        self.sectors_of: dict[str, set[str]] = {}
        self.provided: Counter[str] = Counter()
        self.pooled_by_capability: Counter[str] = Counter()
        self.self_funded_cost = 0
        for p in self.placements:
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

        # Zero flows may be listed but count for nothing.
        self.drawn: Counter[tuple[str, str]] = Counter()
        """USD drawn per (nation, pledge id)."""
        self.used_of: Counter[str] = Counter()
        self.flows_into: Counter[str] = Counter()
        self.used_total = 0
        for flow in solution.funding.flows:
            if flow.amount_usd <= 0:
                continue
            self.used_total += flow.amount_usd
            self.flows_into[flow.capability] += flow.amount_usd
            found = _pledge(scenario, flow.nation, flow.pledge)
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


def _unit(scenario: Scenario, nation: str, unit_id: str) -> tuple[str, UnitOffer] | None:
    """(nation, unit line) a row names: the nation's own unit of that id (ids are unique within an
    offer); failing that, the one unit of that id in the scenario, whose nation the row then misstates."""
    offer = scenario.offer_by_nation.get(nation)
    for unit in offer.units if offer else []:
        if unit.id == unit_id:
            return nation, unit
    owners = [(o.nation, u) for o in scenario.offers for u in o.units if u.id == unit_id]
    return owners[0] if len(owners) == 1 else None


def _pledge(scenario: Scenario, nation: str, pledge_id: str) -> tuple[str, FundingPledge] | None:
    """(nation, pledge) a flow names, read as `_unit` reads a unit."""
    offer = scenario.offer_by_nation.get(nation)
    for pledge in offer.funding if offer else []:
        if pledge.id == pledge_id:
            return nation, pledge
    owners = [(o.nation, p) for o in scenario.offers for p in o.funding if p.id == pledge_id]
    return owners[0] if len(owners) == 1 else None


def _resolve(scenario: Scenario, row: Assignment) -> Placement | None:
    found = _unit(scenario, row.nation, row.unit)
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
    """True when the nation may not take part at all: a veto of scope `all` or an unmet mandate condition."""
    return bool(vetoes_against(scenario, nation, [VetoScope.ALL]) or unmet_mandate_lines(scenario, nation))


def usable_pledged(scenario: Scenario) -> int:
    """Sum of every pledge in the scenario whose nation is not barred from taking part."""
    return sum(p.amount_usd for o in scenario.offers if not money_barred(scenario, o.nation) for p in o.funding)


def _usd(amount: float) -> str:
    return f"USD {amount:,.0f}"


def _names(ids: Iterable[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=FIGURE_TOLERANCE, abs_tol=FIGURE_TOLERANCE)


def _fills(p: Placement) -> str:
    return f"unit `{p.unit.id}` ({p.nation}) fills `{p.requirement.id}`"


# -- the document ------------------------------------------------------------------------


def check_document(pkg: Package) -> Iterator[Violation]:
    """The document answers this scenario: same id, name and sha256 of the canonical JSON."""
    ref, scenario = pkg.solution.scenario, pkg.scenario
    if ref.id != scenario.id:
        yield Violation("document", f"the solution answers scenario `{ref.id}`, not `{scenario.id}`")
    if ref.name != scenario.name:
        yield Violation("document", f"the solution names the scenario {ref.name!r}, not {scenario.name!r}")
    expected = scenario.sha256()
    if ref.sha256 != expected:
        yield Violation(
            "document",
            f"the solution was computed for another version of scenario `{scenario.id}` "
            f"(sha256 {ref.sha256[:12]}..., this one is {expected[:12]}...)",
        )


def check_status(pkg: Package) -> Iterator[Violation]:
    """An `infeasible` or `unknown` answer holds no package: no assignment at all."""
    solution = pkg.solution
    if not solution.has_package and solution.assignments:
        yield Violation(
            "document",
            f"status `{solution.status}` holds no package, yet the document lists "
            f"{len(solution.assignments)} assignment(s)",
        )


# -- assignment rows ---------------------------------------------------------------------


def check_assignment_references(pkg: Package) -> Iterator[Violation]:
    """Every assignment names an offered unit and a requirement line of the scenario."""
    for row in pkg.solution.assignments:
        known = _unit(pkg.scenario, row.nation, row.unit) is not None
        if not known:
            yield Violation(
                "assignment.reference",
                f"assignment to `{row.requirement}`: unit `{row.unit}` of {row.nation} is not offered in this scenario",
            )
        if row.requirement not in pkg.scenario.requirement_by_id:
            yield Violation(
                "assignment.reference",
                f"assignment of unit `{row.unit}`: `{row.requirement}` is not a requirement line of this scenario",
                row.unit if known else None,
            )


def check_assignment_units(pkg: Package) -> Iterator[Violation]:
    """An assignment places at least one whole unit."""
    for row in pkg.solution.assignments:
        if row.units < 1:
            yield Violation(
                "assignment.units",
                f"assignment of unit `{row.unit}` to `{row.requirement}` places {row.units} units (at least 1)",
                row.unit if _unit(pkg.scenario, row.nation, row.unit) is not None else None,
            )


def check_assignment_fields(pkg: Package) -> Iterator[Violation]:
    """An assignment states the nation, capability, funding and sector the scenario gives its unit and line."""
    for p in pkg.placements:
        stated = {
            "nation": (p.row.nation, p.nation),
            "capability": (p.row.capability, p.unit.capability),
            "sector": (p.row.sector, p.requirement.sector),
            "self_funded": (p.row.self_funded, p.unit.self_funded),
        }
        wrong = [f"{name} {got!r} (scenario: {want!r})" for name, (got, want) in stated.items() if got != want]
        if wrong:
            yield Violation(
                "assignment.fields",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}`: " + "; ".join(wrong),
                p.unit.id,
            )


def check_assignment_personnel(pkg: Package) -> Iterator[Violation]:
    """An assignment's personnel is its units times the unit's personnel."""
    for p in pkg.placements:
        if p.row.personnel != p.personnel:
            yield Violation(
                "assignment.personnel",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}` states {p.row.personnel} personnel; "
                f"{p.units} x {p.unit.personnel} = {p.personnel}",
                p.unit.id,
            )


def check_assignment_cost(pkg: Package) -> Iterator[Violation]:
    """An assignment costs units x monthly cost x months of its line's window; the monthly cost is the unit's."""
    for p in pkg.placements:
        if p.row.monthly_cost_usd != p.monthly_cost_usd:
            yield Violation(
                "assignment.cost",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}` states a monthly cost of "
                f"{_usd(p.row.monthly_cost_usd)}; the unit costs {_usd(p.monthly_cost_usd)} a month",
                p.unit.id,
            )
        if p.row.cost_usd != p.cost_usd:
            months = pkg.scenario.months_of(p.requirement)
            yield Violation(
                "assignment.cost",
                f"assignment of `{p.unit.id}` to `{p.requirement.id}` states a cost of {_usd(p.row.cost_usd)}; "
                f"{p.units} units x {_usd(p.monthly_cost_usd)} x {months} months = {_usd(p.cost_usd)}",
                p.unit.id,
            )


def check_duplicate_assignments(pkg: Package) -> Iterator[Violation]:
    """One row per (offered unit, requirement line)."""
    counts = Counter((row.nation, row.unit, row.requirement) for row in pkg.solution.assignments)
    for (nation, unit, requirement), n in counts.items():
        if n > 1:
            yield Violation(
                "assignment.duplicate",
                f"unit `{unit}` is assigned to `{requirement}` in {n} rows (one row each)",
                unit if _unit(pkg.scenario, nation, unit) is not None else None,
            )


def check_capacity(pkg: Package) -> Iterator[Violation]:
    """The units assigned from one offer line add up to at most its `count`: no unit serves two lines."""
    assigned: Counter[tuple[str, str]] = Counter()
    units: dict[tuple[str, str], UnitOffer] = {}
    for p in pkg.placements:
        assigned[(p.nation, p.unit.id)] += p.units
        units[(p.nation, p.unit.id)] = p.unit
    for (nation, unit_id), n in assigned.items():
        unit = units[(nation, unit_id)]
        if n > unit.count:
            yield Violation(
                "capacity",
                f"unit `{unit_id}` ({nation}) is assigned {n} times; only {unit.count} are offered",
                unit_id,
            )


# -- eligibility of every placement ------------------------------------------------------


def check_capability(pkg: Package) -> Iterator[Violation]:
    """A unit fills only lines of its own capability."""
    for p in pkg.placements:
        if p.unit.capability != p.requirement.capability:
            yield Violation(
                "eligibility.capability",
                f"{_fills(p)}, but the unit is `{p.unit.capability}` and the line needs `{p.requirement.capability}`",
                p.unit.id,
            )


def check_time_window(pkg: Package) -> Iterator[Violation]:
    """A unit is available over the whole window of the line it fills."""
    for p in pkg.placements:
        available_from, available_until = pkg.scenario.availability_of(p.unit)
        needed_from, needed_until = pkg.scenario.window_of(p.requirement)
        if available_from > needed_from or available_until < needed_until:
            yield Violation(
                "eligibility.window",
                f"{_fills(p)} needed {needed_from} .. {needed_until}, "
                f"but the unit is available {available_from} .. {available_until}",
                p.unit.id,
            )


def check_readiness(pkg: Package) -> Iterator[Violation]:
    """A unit's readiness is at least the line's `min_readiness`, where set."""
    for p in pkg.placements:
        wanted = p.requirement.min_readiness
        if wanted is not None and p.unit.readiness.rank < wanted.rank:
            yield Violation(
                "eligibility.readiness",
                f"{_fills(p)}, which needs readiness `{wanted}`; the unit is `{p.unit.readiness}`",
                p.unit.id,
            )


def check_max_engagement(pkg: Package) -> Iterator[Violation]:
    """Red line `max_engagement`: the nation's units only fill lines of engagement <= level."""
    for p in pkg.placements:
        for line in pkg.scenario.red_lines_of(p.nation):
            if isinstance(line, MaxEngagement) and p.requirement.engagement > line.level:
                yield Violation(
                    "red_line.max_engagement",
                    f"red line `{line.id}` ({p.nation}, max_engagement {int(line.level)}): unit `{p.unit.id}` "
                    f"fills `{p.requirement.id}` of engagement {int(p.requirement.engagement)}",
                    line.id,
                )


def check_allowed_control(pkg: Package) -> Iterator[Violation]:
    """Red line `allowed_control`: the nation's units only go to sectors of the listed control statuses."""
    for p in pkg.placements:
        for line in pkg.scenario.red_lines_of(p.nation):
            if isinstance(line, AllowedControl) and p.sector.control not in line.statuses:
                allowed = ", ".join(str(s) for s in line.statuses)
                yield Violation(
                    "red_line.allowed_control",
                    f"red line `{line.id}` ({p.nation}, allowed_control [{allowed}]): unit `{p.unit.id}` "
                    f"fills `{p.requirement.id}` in sector `{p.sector.id}`, which is {p.sector.control}",
                    line.id,
                )


def check_sectors(pkg: Package) -> Iterator[Violation]:
    """Red line `sectors`: the nation's units go only to the sectors of `only`, never to those of `exclude`."""
    for p in pkg.placements:
        for line in pkg.scenario.red_lines_of(p.nation):
            if not isinstance(line, Sectors):
                continue
            if line.only is not None and p.sector.id not in line.only:
                yield Violation(
                    "red_line.sectors",
                    f"red line `{line.id}` ({p.nation}, only {_names(line.only)}): unit `{p.unit.id}` "
                    f"fills `{p.requirement.id}` in sector `{p.sector.id}`",
                    line.id,
                )
            if line.exclude is not None and p.sector.id in line.exclude:
                yield Violation(
                    "red_line.sectors",
                    f"red line `{line.id}` ({p.nation}, exclude {_names(line.exclude)}): unit `{p.unit.id}` "
                    f"fills `{p.requirement.id}` in sector `{p.sector.id}`",
                    line.id,
                )


def check_vetoes(pkg: Package) -> Iterator[Violation]:
    """Veto: scope `units` or `all` keeps the nation's units out; scope `all` keeps its money out too."""
    for p in pkg.placements:
        for veto in vetoes_against(pkg.scenario, p.nation, [VetoScope.UNITS, VetoScope.ALL]):
            yield Violation(
                "veto",
                f"veto `{veto.id}` by {veto.by} against {p.nation} (scope {veto.scope}): {_fills(p)}",
                veto.id,
            )
    for nation in sorted(pkg.used_of):
        for veto in vetoes_against(pkg.scenario, nation, [VetoScope.ALL]):
            for pledge in pkg.drawn_pledges_of(nation):
                yield Violation(
                    "veto",
                    f"veto `{veto.id}` by {veto.by} against {nation} (scope all): money is drawn from "
                    f"pledge `{pledge}` ({_usd(pkg.drawn[(nation, pledge)])})",
                    veto.id,
                )


def check_mandate(pkg: Package) -> Iterator[Violation]:
    """Red line `requires_mandate`: the nation takes part (units or money) only if each named condition holds."""
    for p in pkg.placements:
        for line, false in unmet_mandate_lines(pkg.scenario, p.nation):
            yield Violation(
                "mandate",
                f"red line `{line.id}` ({p.nation}, requires_mandate): {_fills(p)}, "
                f"but mandate condition(s) {_names(false)} do not hold",
                line.id,
            )
    for nation in sorted(pkg.used_of):
        for line, false in unmet_mandate_lines(pkg.scenario, nation):
            for pledge in pkg.drawn_pledges_of(nation):
                yield Violation(
                    "mandate",
                    f"red line `{line.id}` ({nation}, requires_mandate): money is drawn from pledge `{pledge}`, "
                    f"but mandate condition(s) {_names(false)} do not hold",
                    line.id,
                )


# -- coupling red lines ------------------------------------------------------------------


def check_not_alongside(pkg: Package) -> Iterator[Violation]:
    """Red line `not_alongside`: `force`, never both take part (money included); `sector`, never in one sector."""
    for offer in pkg.scenario.offers:
        nation = offer.nation
        for line in offer.red_lines:
            if not isinstance(line, NotAlongside):
                continue
            for other in line.nations:
                if line.scope == AlongsideScope.FORCE:
                    if nation in pkg.participating and other in pkg.participating:
                        yield Violation(
                            "red_line.not_alongside",
                            f"red line `{line.id}` ({nation}, not alongside {other} in the force): "
                            f"both {nation} and {other} take part",
                            line.id,
                        )
                    continue
                shared = pkg.sectors_of.get(nation, set()) & pkg.sectors_of.get(other, set())
                for sector in sorted(shared):
                    yield Violation(
                        "red_line.not_alongside",
                        f"red line `{line.id}` ({nation}, not alongside {other} in a sector): "
                        f"both have units in sector `{sector}`",
                        line.id,
                    )


def check_requires_partner(pkg: Package) -> Iterator[Violation]:
    """Red line `requires_partner`: the nation takes part only if `min` partners, itself excluded, contribute units."""
    for offer in pkg.scenario.offers:
        nation = offer.nation
        if nation not in pkg.participating:
            continue
        for line in offer.red_lines:
            if not isinstance(line, RequiresPartner):
                continue
            if line.nations is not None:
                partners, named = line.nations, f"of {', '.join(line.nations)}"
            else:
                group = line.group or ""
                partners, named = pkg.scenario.group_members.get(group, []), f"of group `{group}`"
            present = sorted({n for n in partners if n != nation and n in pkg.contributing})
            if len(present) < line.min:
                yield Violation(
                    "red_line.requires_partner",
                    f"red line `{line.id}` ({nation}, requires at least {line.min} partner(s) {named}): "
                    f"{nation} takes part with {len(present)} partner(s) contributing units"
                    + (f" ({', '.join(present)})" if present else ""),
                    line.id,
                )


def check_max_personnel_red_line(pkg: Package) -> Iterator[Violation]:
    """Red line `max_personnel`: the nation deploys at most `limit` personnel in total."""
    for offer in pkg.scenario.offers:
        for line in offer.red_lines:
            if isinstance(line, MaxPersonnel) and pkg.personnel_of[offer.nation] > line.limit:
                yield Violation(
                    "red_line.max_personnel",
                    f"red line `{line.id}` ({offer.nation}, max_personnel {line.limit}): "
                    f"{offer.nation} deploys {pkg.personnel_of[offer.nation]} personnel",
                    line.id,
                )


def check_min_contingent(pkg: Package) -> Iterator[Violation]:
    """Red line `min_contingent`: a nation that contributes units sends at least `personnel` in total."""
    for offer in pkg.scenario.offers:
        if offer.nation not in pkg.contributing:
            continue
        for line in offer.red_lines:
            if isinstance(line, MinContingent) and pkg.personnel_of[offer.nation] < line.personnel:
                yield Violation(
                    "red_line.min_contingent",
                    f"red line `{line.id}` ({offer.nation}, min_contingent {line.personnel}): "
                    f"{offer.nation} deploys only {pkg.personnel_of[offer.nation]} personnel",
                    line.id,
                )


def check_max_sectors(pkg: Package) -> Iterator[Violation]:
    """Red line `max_sectors`: the nation's units are kept together in at most `count` sectors."""
    for offer in pkg.scenario.offers:
        sectors = sorted(pkg.sectors_of.get(offer.nation, set()))
        for line in offer.red_lines:
            if isinstance(line, MaxSectors) and len(sectors) > line.count:
                yield Violation(
                    "red_line.max_sectors",
                    f"red line `{line.id}` ({offer.nation}, max_sectors {line.count}): "
                    f"{offer.nation} has units in {len(sectors)} sectors ({_names(sectors)})",
                    line.id,
                )


# -- coverage and targets ----------------------------------------------------------------


def check_essential_coverage(pkg: Package) -> Iterator[Violation]:
    """Every essential requirement line is covered: provided >= quantity, in its measure."""
    for r in pkg.scenario.requirements:
        if r.priority == Priority.ESSENTIAL and pkg.provided[r.id] < r.quantity:
            yield Violation(
                "coverage.essential",
                f"essential line `{r.id}` ({r.capability} in `{r.sector}`) needs {r.quantity} {r.measure}; "
                f"the package provides {pkg.provided[r.id]}",
                r.id,
            )


def check_targets_max_personnel(pkg: Package) -> Iterator[Violation]:
    """Target `max_personnel`: the force's total personnel stays within the ceiling."""
    limit = pkg.scenario.targets.max_personnel
    if limit is not None and pkg.total_personnel > limit:
        yield Violation(
            "target.max_personnel",
            f"target max_personnel {limit}: the package deploys {pkg.total_personnel} personnel",
            "max_personnel",
        )


def check_targets_min_nations(pkg: Package) -> Iterator[Violation]:
    """Target `min_nations`: at least this many nations contribute units."""
    least = pkg.scenario.targets.min_nations
    if least is not None and len(pkg.contributing) < least:
        yield Violation(
            "target.min_nations",
            f"target min_nations {least}: {len(pkg.contributing)} nation(s) contribute units"
            + (f" ({', '.join(sorted(pkg.contributing))})" if pkg.contributing else ""),
            "min_nations",
        )


def check_targets_group_minimums(pkg: Package) -> Iterator[Violation]:
    """Target `group_minimums`: per group, at least this many member nations contribute units."""
    for group, least in pkg.scenario.targets.group_minimums.items():
        members = sorted(n for n in pkg.scenario.group_members.get(group, []) if n in pkg.contributing)
        if len(members) < least:
            yield Violation(
                "target.group_minimums",
                f"target group_minimums.{group} {least}: {len(members)} member(s) of `{group}` contribute units"
                + (f" ({', '.join(members)})" if members else ""),
                f"group_minimums.{group}",
            )


def check_targets_max_nation_share(pkg: Package) -> Iterator[Violation]:
    """Target `max_nation_share`: no nation holds more than this share of the force's personnel."""
    share = pkg.scenario.targets.max_nation_share
    total = pkg.total_personnel
    if share is None or total == 0:
        return
    for nation in sorted(pkg.personnel_of):
        if pkg.personnel_of[nation] - share * total > SHARE_TOLERANCE * total:
            yield Violation(
                "target.max_nation_share",
                f"target max_nation_share {share:g}: {nation} holds {pkg.personnel_of[nation]} of {total} "
                f"personnel ({pkg.share_of(nation):.1%})",
                "max_nation_share",
            )


# -- funding -----------------------------------------------------------------------------


def check_funding_flows(pkg: Package) -> Iterator[Violation]:
    """Every flow names a pledge of the scenario and the nation that made it, and moves no negative amount."""
    for flow in pkg.solution.funding.flows:
        found = _pledge(pkg.scenario, flow.nation, flow.pledge)
        owner = found[0] if found is not None else None
        if owner is None:
            yield Violation(
                "funding.flow",
                f"flow of {_usd(flow.amount_usd)} names pledge `{flow.pledge}`, which is not in this scenario",
            )
        elif owner != flow.nation:
            yield Violation(
                "funding.flow",
                f"flow from pledge `{flow.pledge}` names nation {flow.nation}; the pledge is {owner}'s",
                flow.pledge,
            )
        if flow.amount_usd < 0:
            yield Violation(
                "funding.flow",
                f"flow from pledge `{flow.pledge}` to `{flow.capability}` moves a negative amount ({flow.amount_usd})",
                flow.pledge if owner is not None else None,
            )


def check_funding_pledge_amount(pkg: Package) -> Iterator[Violation]:
    """A pledge pays at most its amount."""
    for (nation, pledge_id), drawn in pkg.drawn.items():
        found = _pledge(pkg.scenario, nation, pledge_id)
        assert found is not None  # drawn counts only pledges of the scenario
        pledge = found[1]
        if drawn > pledge.amount_usd:
            yield Violation(
                "funding.pledge_amount",
                f"pledge `{pledge_id}` ({nation}) pays {_usd(drawn)}; it pledges {_usd(pledge.amount_usd)}",
                pledge_id,
            )


def check_funding_earmark(pkg: Package) -> Iterator[Violation]:
    """A pledge pays only for the capabilities of its earmark (any capability when it has none)."""
    for flow in pkg.solution.funding.flows:
        found = _pledge(pkg.scenario, flow.nation, flow.pledge)
        if found is None:
            continue
        owner, pledge = found
        if flow.amount_usd <= 0 or pledge.earmark is None:
            continue
        if flow.capability not in pledge.earmark:
            yield Violation(
                "funding.earmark",
                f"pledge `{pledge.id}` ({owner}) pays {_usd(flow.amount_usd)} "
                f"for `{flow.capability}`; it is earmarked for {_names(pledge.earmark)}",
                pledge.id,
            )


def check_funding_capability_cost(pkg: Package) -> Iterator[Violation]:
    """No capability receives more money than the pooled (not self-funded) cost of its assigned units."""
    for capability, received in sorted(pkg.flows_into.items()):
        pooled = pkg.pooled_by_capability[capability]
        if received > pooled:
            yield Violation(
                "funding.capability_cost",
                f"capability `{capability}` receives {_usd(received)} from pledges; "
                f"the pooled cost of its units is {_usd(pooled)}",
                capability,
            )


def check_funding_coverage(pkg: Package) -> Iterator[Violation]:
    """Target `funding_coverage`: pledges pay at least this fraction of the pooled cost (no condition when absent)."""
    coverage = pkg.scenario.targets.funding_coverage
    if coverage is None:
        return
    needed = coverage * pkg.pooled_cost
    if pkg.used_total + FIGURE_TOLERANCE * max(1.0, needed) < needed:
        yield Violation(
            "funding.coverage",
            f"target funding_coverage {coverage:g}: pledges pay {_usd(pkg.used_total)} of a pooled cost of "
            f"{_usd(pkg.pooled_cost)} (at least {_usd(math.ceil(needed - FIGURE_TOLERANCE))} needed)",
            "funding_coverage",
        )


# -- figures the document states ---------------------------------------------------------


def check_figures_coverage(pkg: Package) -> Iterator[Violation]:
    """One coverage row per requirement line, each matching the recomputed coverage."""
    rows: dict[str, int] = Counter(row.requirement for row in pkg.solution.coverage)
    for requirement, n in rows.items():
        if requirement not in pkg.scenario.requirement_by_id:
            yield Violation("figures.coverage", f"coverage row for `{requirement}`, which is not a requirement line")
        elif n > 1:
            yield Violation("figures.coverage", f"{n} coverage rows for `{requirement}` (one each)", requirement)
    for line in pkg.scenario.requirements:
        if line.id not in rows:
            yield Violation("figures.coverage", f"no coverage row for requirement line `{line.id}`", line.id)
    for row in pkg.solution.coverage:
        r = pkg.scenario.requirement_by_id.get(row.requirement)
        if r is None:
            continue
        provided = pkg.provided[r.id]
        expected: dict[str, object] = {
            "sector": r.sector,
            "capability": r.capability,
            "priority": str(r.priority),
            "measure": str(r.measure),
            "required": r.quantity,
            "provided": provided,
            "shortfall": max(0, r.quantity - provided),
        }
        wrong = [f"{k} {getattr(row, k)!r} (expected {v!r})" for k, v in expected.items() if getattr(row, k) != v]
        if wrong:
            yield Violation("figures.coverage", f"coverage of `{r.id}`: " + "; ".join(wrong), r.id)


def check_figures_totals(pkg: Package) -> Iterator[Violation]:
    """The totals are the package's personnel, units, nations contributing units and nations taking part."""
    totals = pkg.solution.totals
    expected = {
        "personnel": pkg.total_personnel,
        "units": pkg.total_units,
        "nations_contributing": len(pkg.contributing),
        "nations_participating": len(pkg.participating),
    }
    for name, value in expected.items():
        stated = getattr(totals, name)
        if stated != value:
            yield Violation("figures.totals", f"totals.{name} is {stated}; the package has {value}")


def check_figures_nations(pkg: Package) -> Iterator[Violation]:
    """One row per participating nation, each with its personnel, share, units, sectors, cost and money."""
    rows = Counter(row.nation for row in pkg.solution.nations)
    for nation, n in sorted(rows.items()):
        if nation not in pkg.participating:
            yield Violation("figures.nations", f"a nations row for {nation}, which does not take part", nation)
        elif n > 1:
            yield Violation("figures.nations", f"{n} nations rows for {nation} (one each)", nation)
    for nation in sorted(pkg.participating - set(rows)):
        yield Violation("figures.nations", f"no nations row for {nation}, which takes part", nation)
    for row in pkg.solution.nations:
        nation = row.nation
        if nation not in pkg.participating:
            continue
        offer = pkg.scenario.offer_by_nation.get(nation)
        expected: dict[str, object] = {
            "personnel": pkg.personnel_of[nation],
            "units": pkg.units_of[nation],
            "sectors": sorted(pkg.sectors_of.get(nation, set())),
            "cost_usd": pkg.cost_of[nation],
            "funding_pledged_usd": sum(p.amount_usd for p in offer.funding) if offer else 0,
            "funding_used_usd": pkg.used_of[nation],
        }
        wrong = [f"{k} {getattr(row, k)!r} (expected {v!r})" for k, v in expected.items() if getattr(row, k) != v]
        if not _close(row.share, pkg.share_of(nation)):
            wrong.append(f"share {row.share!r} (expected {pkg.share_of(nation)!r})")
        if wrong:
            yield Violation("figures.nations", f"figures of {nation}: " + "; ".join(wrong), nation)


def check_figures_funding(pkg: Package) -> Iterator[Violation]:
    """The funding balance: total, self-funded and pooled cost, usable pledges, money used and the gap."""
    funding = pkg.solution.funding
    expected = {
        "total_cost_usd": pkg.total_cost,
        "self_funded_usd": pkg.self_funded_cost,
        "pooled_cost_usd": pkg.pooled_cost,
        "pledged_usd": usable_pledged(pkg.scenario),
        "used_usd": pkg.used_total,
        "gap_usd": max(0, pkg.pooled_cost - pkg.used_total),
    }
    for name, value in expected.items():
        stated = getattr(funding, name)
        if stated != value:
            yield Violation("figures.funding", f"funding.{name} is {_usd(stated)}; the package gives {_usd(value)}")


# -- objective ---------------------------------------------------------------------------


def shortfall_value(pkg: Package) -> float:
    """Sum over desirable lines of weight x uncovered fraction."""
    return sum(
        r.weight * max(0, r.quantity - pkg.provided[r.id]) / r.quantity
        for r in pkg.scenario.requirements
        if r.priority == Priority.DESIRABLE
    )


def cost_value(pkg: Package) -> float:
    """Total cost of every assigned unit, self-funded ones included."""
    return float(pkg.total_cost)


def nations_value(pkg: Package) -> float:
    """Number of nations contributing units."""
    return float(len(pkg.contributing))


def max_share_value(pkg: Package) -> float:
    """The largest nation's share of personnel (0 without personnel)."""
    return max((pkg.share_of(n) for n in pkg.personnel_of), default=0.0)


def readiness_value(pkg: Package) -> float:
    """Sum over assigned units of their readiness rank, `pledged` 0 to `rapid` 3."""
    return float(sum(p.units * p.unit.readiness.rank for p in pkg.placements))


CRITERION_VALUES: dict[str, Callable[[Package], float]] = {
    "shortfall": shortfall_value,
    "cost": cost_value,
    "nations": nations_value,
    "max_share": max_share_value,
    "readiness": readiness_value,
}
"""How each objective criterion is computed from a package; `churn` needs a baseline and is not checked."""


def check_objective_criteria(pkg: Package) -> Iterator[Violation]:
    """Every criterion of the scenario's objective is reported once, in the order optimised."""
    reported = [o.criterion for o in pkg.solution.objective]
    for criterion, n in Counter(reported).items():
        if n > 1:
            yield Violation("objective.criteria", f"criterion `{criterion}` is reported {n} times in the objective")
    wanted = [t.criterion for t in pkg.scenario.objective]
    # Criteria outside the scenario's objective (a repair's `churn`) may come in between.
    if [c for c in dict.fromkeys(reported) if c in wanted] != wanted:
        yield Violation(
            "objective.criteria",
            f"the objective reports [{', '.join(reported)}]; "
            f"the scenario optimises [{', '.join(wanted)}], in that order",
        )


def check_objective(pkg: Package) -> Iterator[Violation]:
    """Each reported criterion has the value recomputed from the package."""
    for item in pkg.solution.objective:
        compute = CRITERION_VALUES.get(item.criterion)
        if compute is None:
            continue
        value = compute(pkg)
        if not _close(item.value, value):
            yield Violation(
                f"objective.{item.criterion}",
                f"objective `{item.criterion}` is reported as {item.value!r}; the package gives {value!r}",
            )


# -- registry ----------------------------------------------------------------------------

Rule = Callable[[Package], Iterable[Violation]]
"""A rule: given a package, the violations of that rule."""

DOCUMENT_RULES: tuple[Rule, ...] = (check_document, check_status)
"""Rules every document obeys, with or without a package."""

PACKAGE_RULES: tuple[Rule, ...] = (
    check_assignment_references,
    check_assignment_units,
    check_assignment_fields,
    check_assignment_personnel,
    check_assignment_cost,
    check_duplicate_assignments,
    check_capacity,
    check_capability,
    check_time_window,
    check_readiness,
    check_max_engagement,
    check_allowed_control,
    check_sectors,
    check_vetoes,
    check_mandate,
    check_not_alongside,
    check_requires_partner,
    check_max_personnel_red_line,
    check_min_contingent,
    check_max_sectors,
    check_essential_coverage,
    check_targets_max_personnel,
    check_targets_min_nations,
    check_targets_group_minimums,
    check_targets_max_nation_share,
    check_funding_flows,
    check_funding_pledge_amount,
    check_funding_earmark,
    check_funding_capability_cost,
    check_funding_coverage,
    check_figures_coverage,
    check_figures_totals,
    check_figures_nations,
    check_figures_funding,
    check_objective_criteria,
    check_objective,
)
"""Rules a package (status `optimal` or `feasible`) obeys."""

RULES: tuple[Rule, ...] = DOCUMENT_RULES + PACKAGE_RULES
"""Every rule of the checker, in the order they are reported."""


def check(scenario: Scenario, solution: Solution) -> list[Violation]:
    """Every way the solution breaks the contract of the domain reference; empty when it honours it.

    Parameters
    ----------
    scenario
        The scenario the solution claims to answer.
    solution
        The solution document, from any interface.

    Returns
    -------
    list[Violation]
        Violations in the order of `RULES`. A document of status `infeasible` or `unknown` is
        only checked to answer this scenario and to hold no assignment.
    """
    package = Package(scenario, solution)
    violations = [v for rule in DOCUMENT_RULES for v in rule(package)]
    if solution.has_package:
        violations.extend(v for rule in PACKAGE_RULES for v in rule(package))
    return violations
