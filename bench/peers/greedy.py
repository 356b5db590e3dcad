"""Greedy peer: the fill a planner does by hand on a spreadsheet, for the benchmark.

Essential lines first (in the scenario's order), then the desirable ones, heaviest weight first; on
each line, the cheapest eligible unit first (USD per unit of the line's measure: per unit on a
`units` line, per person on a `personnel` line, over the line's window), one unit at a time until
the line is covered or nothing more fits; then down the sheet again for the lines still short (a
nation that waited for its partners may join now), until a pass places nothing. A unit is placed
only when every rule that can be checked from what is already placed allows it:

- eligibility, shared with the product (`solver.eligibility.eligible`): capability, windows,
  readiness, engagement, control status, sector caveats, vetoes of both scopes, unmet mandates;
- `max_personnel` and `max_sectors` red lines; the `max_personnel` target;
- `not_alongside`, both scopes and both directions, against every nation already taking part
  (units, or money drawn);
- `requires_partner`: a nation joins only once enough of its partners already contribute units
  (no look-ahead: a nation whose partners never join before the passes end stays out);
- funding: a unit that is not self-funded is placed only if pledges can then still pay
  `funding_coverage` of the pooled cost (an exact maximum flow from the pledges already drawn, then
  from new donors allowed to take part, earmarked ones first); a donor's own `not_alongside` and
  `requires_partner` are checked before its money is drawn.

NON_LOCAL_RULES lists what is not checked, because no single placement decides it: `min_contingent`, `max_nation_share`,
`min_nations` and `group_minimums`, and an essential line left short. The package is returned as
found, status `feasible`, and the independent checker reports whatever it breaks. It never raises
on a valid scenario.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping

from bench.peers.money import FundingNetwork, may_pay
from forcepack.models.common import AlongsideScope, Measure, Priority
from forcepack.models.red_lines import MaxPersonnel, MaxSectors, NotAlongside, RequiresPartner
from forcepack.models.scenario import FundingPledge, Requirement, Scenario, key_parts, offer_key
from forcepack.models.solution import RunInfo, Solution
from forcepack.solver.document import Package, solution_document
from forcepack.solver.eligibility import Candidate, eligible, participation_blocks
from forcepack.solver.rules.red_lines import RequiresPartnerRule
from forcepack.solver.rules.targets import ratio

__all__ = ["NON_LOCAL_RULES", "SOLVER_NAME", "SOLVER_VERSION", "excess", "solve_greedy"]

SOLVER_NAME = "greedy"
SOLVER_VERSION = "1"

Pair = tuple[str, str]

NON_LOCAL_RULES = frozenset(
    {
        "red_line.min_contingent",
        "target.max_nation_share",
        "target.min_nations",
        "target.group_minimums",
        "coverage.essential",
    }
)
"""Checker rules (`solver.check`) the greedy may break: every other rule it respects by construction."""

MAX_PASSES = 5
"""Passes down the requirement lines at most (each after the first only fills what is still short)."""


class _Fill:
    """The package as it grows, and the local checks on one more unit."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.assignment: dict[Pair, int] = defaultdict(int)
        self.left: dict[str, int] = {offer_key(o.nation, u.id): u.count for o in scenario.offers for u in o.units}
        self.personnel: dict[str, int] = defaultdict(int)
        self.sectors: dict[str, set[str]] = defaultdict(set)
        self.in_sector: dict[str, set[str]] = defaultdict(set)  # sector -> nations with units there
        self.total = 0
        self.pooled: dict[str, int] = defaultdict(int)
        self.network = FundingNetwork()
        self.donors: set[str] = set()  # nations whose money is drawn
        coverage = scenario.targets.funding_coverage
        self.coverage = ratio(coverage, round_up=True, max_denominator=10**6) if coverage else None
        self.refusals: dict[str, set[str]] = defaultdict(set)  # not_alongside, force scope, both directions
        self.sector_refusals: dict[str, set[str]] = defaultdict(set)
        for offer in scenario.offers:
            for line in offer.red_lines:
                if isinstance(line, NotAlongside):
                    target = self.refusals if line.scope == AlongsideScope.FORCE else self.sector_refusals
                    for other in line.nations:
                        target[offer.nation].add(other)
                        target[other].add(offer.nation)

    # -- who takes part --------------------------------------------------------------------

    def contributors(self) -> set[str]:
        return {n for n, units in self._units_of().items() if units > 0}

    def _units_of(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (unit_key, _), count in self.assignment.items():
            out[key_parts(unit_key)[0]] += count
        return out

    def participants(self) -> set[str]:
        return self.contributors() | self.donors

    def may_join(self, nation: str, *, with_units: bool) -> bool:
        """The nation may start taking part: no refusal either way, its partners already contribute."""
        participants = self.participants()
        if nation in participants and (not with_units or nation in self.contributors()):
            return True
        if self.refusals[nation] & (participants - {nation}):
            return False
        contributors = self.contributors()
        for line in self.scenario.red_lines_of(nation):
            if isinstance(line, RequiresPartner):
                partners = RequiresPartnerRule.partners(line, self.scenario, nation)
                if sum(1 for p in partners if p in contributors) < line.min:
                    return False
        return True

    # -- one more unit ---------------------------------------------------------------------

    def fits(self, c: Candidate) -> bool:
        """Every locally checkable rule allows one more unit of `c` on its line."""
        nation, unit, sector = c.nation, c.unit, c.requirement.sector
        if self.left[c.key] <= 0:
            return False
        limit = self.scenario.targets.max_personnel
        if limit is not None and self.total + unit.personnel > limit:
            return False
        for line in self.scenario.red_lines_of(nation):
            if isinstance(line, MaxPersonnel) and self.personnel[nation] + unit.personnel > line.limit:
                return False
            new_sector = sector not in self.sectors[nation]
            if isinstance(line, MaxSectors) and new_sector and len(self.sectors[nation]) + 1 > line.count:
                return False
        if self.sector_refusals[nation] & (self.in_sector[sector] - {nation}):
            return False
        return self.may_join(nation, with_units=True)

    def place(self, c: Candidate) -> bool:
        """Place one unit of `c` if it fits and can be paid for; False (nothing changed) if not."""
        if not self.fits(c):
            return False
        cost = self.scenario.monthly_cost_of(c.unit) * self.scenario.months_of(c.requirement)
        if not c.unit.self_funded and not self._fund(c, cost):
            return False
        self.assignment[(c.key, c.requirement.id)] += 1
        self.left[c.key] -= 1
        self.personnel[c.nation] += c.unit.personnel
        self.total += c.unit.personnel
        self.sectors[c.nation].add(c.requirement.sector)
        self.in_sector[c.requirement.sector].add(c.nation)
        return True

    def _fund(self, c: Candidate, cost: int) -> bool:
        """Raise the capability's pooled cost by `cost` and draw money until coverage holds (or give up)."""
        capability = c.unit.capability
        trial = self.network.copy()
        trial.set_pooled(capability, self.pooled[capability] + cost)
        drawn = trial.augment()
        pooled_total = sum(self.pooled.values()) + cost
        new_donors: set[str] = set()
        for nation, pledge in self._candidate_pledges(capability, trial, c.nation):
            if self._covered(drawn, pooled_total):
                break
            if nation not in self.donors and nation not in new_donors:
                if not self.may_join(nation, with_units=False) or self.refusals[nation] & new_donors:
                    continue
                if nation != c.nation and c.nation in self.refusals[nation]:
                    continue
            attempt = trial.copy()  # a pledge stays in the network only if money flows from it
            attempt.add_pledge(offer_key(nation, pledge.id), pledge)
            after = attempt.augment()
            if after > drawn:
                trial, drawn = attempt, after
                new_donors.add(nation)
        if not self._covered(drawn, pooled_total):
            return False
        self.network = trial
        self.pooled[capability] += cost
        self.donors |= {n for n in new_donors if any(trial.drawn(offer_key(n, p.id)) > 0 for p in self._pledges_of(n))}
        return True

    def _covered(self, drawn: int, pooled_total: int) -> bool:
        if self.coverage is None:
            return True
        num, den = self.coverage
        return den * drawn >= num * pooled_total

    def _pledges_of(self, nation: str) -> list[FundingPledge]:
        offer = self.scenario.offer_by_nation.get(nation)
        return list(offer.funding) if offer else []

    def _candidate_pledges(
        self, capability: str, network: FundingNetwork, placing: str
    ) -> list[tuple[str, FundingPledge]]:
        """Pledges not yet in the network that may pay for the capability: earmarked first, then largest."""
        out: list[tuple[str, FundingPledge]] = []
        for offer in self.scenario.offers:
            if participation_blocks(self.scenario, offer.nation):
                continue
            for pledge in offer.funding:
                key = offer_key(offer.nation, pledge.id)
                if pledge.amount_usd > 0 and key not in network.pledges and may_pay(pledge, capability):
                    out.append((offer.nation, pledge))
        out.sort(key=lambda item: (item[1].earmark is None, -item[1].amount_usd, item[1].id))
        return out

    def top_up(self) -> None:
        """With no coverage target, still draw the money donors allowed to take part can give."""
        for nation, pledge in self._candidate_pledges_any():
            if nation not in self.donors and not self.may_join(nation, with_units=False):
                continue
            attempt = self.network.copy()
            attempt.add_pledge(offer_key(nation, pledge.id), pledge)
            if attempt.augment() > self.network.total():
                self.network = attempt
                self.donors.add(nation)

    def _candidate_pledges_any(self) -> list[tuple[str, FundingPledge]]:
        out: list[tuple[str, FundingPledge]] = []
        for offer in self.scenario.offers:
            if participation_blocks(self.scenario, offer.nation):
                continue
            for pledge in offer.funding:
                if pledge.amount_usd > 0 and offer_key(offer.nation, pledge.id) not in self.network.pledges:
                    out.append((offer.nation, pledge))
        out.sort(key=lambda item: (item[1].earmark is None, -item[1].amount_usd, item[1].id))
        return out


def _unit_cost(scenario: Scenario, c: Candidate) -> float:
    """USD per unit of the line's measure: what a planner sorts the offers by."""
    cost = scenario.monthly_cost_of(c.unit) * scenario.months_of(c.requirement)
    if c.requirement.measure == Measure.PERSONNEL:
        return cost / c.unit.personnel if c.unit.personnel else float(cost)
    return float(cost)


def _line_order(scenario: Scenario) -> list[Requirement]:
    essential = [r for r in scenario.requirements if r.priority == Priority.ESSENTIAL]
    desirable = [r for r in scenario.requirements if r.priority == Priority.DESIRABLE]
    desirable.sort(key=lambda r: -r.weight)  # stable: scenario order among equal weights
    return essential + desirable


def _provides(c: Candidate) -> int:
    return c.unit.personnel if c.requirement.measure == Measure.PERSONNEL else 1


def _trivial_bounds(scenario: Scenario, pairs: list[Candidate]) -> dict[str, float | None]:
    """Bounds every package meets: the greedy proves nothing better."""
    units = {c.key: c.unit for c in pairs}
    return {
        "shortfall": 0.0,
        "cost": 0.0,
        "nations": float(len({c.nation for c in pairs})),
        "readiness": float(sum(u.readiness.rank * u.count for u in units.values())),
        "max_share": 0.0,
    }


def solve_greedy(scenario: Scenario, *, seed: int = 0) -> Solution:
    """Fill the requirement lines greedily (see the module notes); status `feasible`, never proven.

    Parameters
    ----------
    scenario
        A validated scenario.
    seed
        Recorded in the run information only: the fill is deterministic.

    Returns
    -------
    Solution
        The product's solution document for the package found; `solver.check.check` tells which
        rules it breaks.
    """
    start = time.perf_counter()
    pairs = eligible(scenario)
    by_line: dict[str, list[Candidate]] = defaultdict(list)
    for c in pairs:
        by_line[c.requirement.id].append(c)
    fill = _Fill(scenario)
    order = _line_order(scenario)
    offers = {r.id: sorted(by_line.get(r.id, []), key=lambda c: (_unit_cost(scenario, c), c.key)) for r in order}
    provided: dict[str, int] = defaultdict(int)
    # Passes over the lines still short until one places nothing: a nation waiting for partners
    # may join once they have (the planner goes down the sheet again).
    for _ in range(MAX_PASSES):
        placed = False
        for requirement in order:
            for c in offers[requirement.id]:
                while provided[requirement.id] < requirement.quantity and fill.place(c):
                    provided[requirement.id] += _provides(c)
                    placed = True
                if provided[requirement.id] >= requirement.quantity:
                    break
        if not placed:
            break
    if fill.coverage is None:
        fill.top_up()
    package = Package.of(dict(fill.assignment), fill.network.flows())
    run = RunInfo(
        solver=SOLVER_NAME,
        solver_version=SOLVER_VERSION,
        workers=1,
        seed=seed,
        time_limit_s=0.0,
        wall_s=round(time.perf_counter() - start, 3),
    )
    bounds = _trivial_bounds(scenario, pairs)
    document = solution_document(scenario, package, status="feasible", run=run, bounds=bounds)
    first = document.objective[0] if document.objective else None
    if first is None:
        return document
    gap = abs(first.value - first.bound) / max(1.0, abs(first.value))
    return document.model_copy(update={"gap": gap})


def excess(solution: Solution, reference: Mapping[str, float] | Solution) -> dict[str, float]:
    """Per criterion, how much worse `solution` is than `reference` (the optimum), in the domain's units.

    Positive is worse whatever the direction: more shortfall, more cost, fewer nations.
    """
    if isinstance(reference, Solution):
        reference = {o.criterion: o.value for o in reference.objective}
    out: dict[str, float] = {}
    for item in solution.objective:
        if item.criterion in reference:
            difference = item.value - reference[item.criterion]
            out[item.criterion] = -difference if item.criterion in ("nations", "readiness") else difference
    return out
