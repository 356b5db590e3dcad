"""A first plan by construction, for phased scenarios: tours placed bucket by bucket as a force
generation planner would, then completed and checked by CP-SAT.

On a phased model CP-SAT's search can run for tens of seconds before its first plan (a generated
25-nation, 96-week scenario: none in 60 s on one worker): every essential line must be filled in
every bucket it is needed in, through nodes of entry that carry only so much a week, with the money
paid per tour. A planner's order finds one in a second or two, so this module follows it:

1. essential lines first, in the order they are first needed (then the scarcest), desirable lines
   after them by the weight of their shortfall; each line walked bucket by bucket, and where it is
   short, one unit at a time, the tour that fills it longest from that bucket (then the one arriving
   latest, the cheapest per month, from the nation with the fewest personnel-buckets so far);
2. a tour is placed only where the unit line has a unit free over its whole stay (relief included)
   and rotations left, its nation a node of entry with room for its personnel and cargo in the
   arrival bucket, and the nation's and the force's personnel ceilings hold in every bucket of it;
   nations whose caveats couple them to others (`not_alongside`, `requires_partner`,
   `min_contingent`) and nations kept to a number of sectors are left to the search;
3. `min_nations` and group minimums: one tour of a missing nation's smallest unit, on any line;
4. the tours are fixed and CP-SAT finds every other variable (money, flows, flags, shortfalls): a
   plan that breaks any rule, the money included, is dropped; the construction without its
   desirable lines is tried next; None when neither completes.

The result is a complete, feasible hint, so the search starts from a plan instead of looking for one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from fractions import Fraction

from forcepack.models import phases
from forcepack.models.common import Measure, Priority
from forcepack.models.red_lines import MaxPersonnel, MaxSectors, MinContingent, NotAlongside, RequiresPartner
from forcepack.models.scenario import Requirement
from forcepack.solver.construct import Construction, solve_fixed
from forcepack.solver.document import Package
from forcepack.solver.eligibility import Candidate
from forcepack.solver.phased import PhasedBuilder
from forcepack.solver.plan import TourKey
from forcepack.solver.rules.requirements import shortfall_terms

logger = logging.getLogger(__name__)

ORDER_PASSES = 10
"""Most passes over the essential lines looking for an order that leaves none short (`_essential_order`)."""

COUPLING = (NotAlongside, RequiresPartner, MinContingent)
"""Caveats that tie a nation's tours to other nations' or to each other: such a nation fills an
essential line only when no other can, and its caveats are then repaired (`_caveats`)."""


class _Plan:
    """Tours placed so far and the running figures the rules read, bucket by bucket."""

    def __init__(self, b: PhasedBuilder) -> None:
        self.b = b
        self.scenario = s = b.scenario
        n = len(b.buckets)
        self.tours: Counter[TourKey] = Counter()
        self.present: dict[str, list[int]] = defaultdict(lambda: [0] * n)
        self.served: Counter[str] = Counter()  # tours' units per unit line (rotations)
        self.fill: dict[str, list[int]] = defaultdict(lambda: [0] * n)
        self.personnel: dict[str, list[int]] = defaultdict(lambda: [0] * n)
        self.force = [0] * n
        self.weight: Counter[str] = Counter()  # personnel-buckets per nation
        phasing = s.phasing
        assert phasing is not None
        self.node_room: dict[str, list[tuple[float, float]]] = {
            node.id: [
                (
                    node.personnel_per_day * bucket.days if node.personnel_per_day is not None else float("inf"),
                    node.tons_per_day * bucket.days if node.tons_per_day is not None else float("inf"),
                )
                for bucket in b.buckets
            ]
            for node in phasing.nodes
        }
        self.entry = {o.nation: (list(o.entry) if o.entry is not None else list(self.node_room)) for o in s.offers}
        self.ceiling: dict[str, int] = {}
        self.most_sectors: dict[str, int] = {}
        self.sectors: dict[str, set[str]] = defaultdict(set)
        self.coupled: set[str] = set()
        self.contingent: dict[str, int] = {}
        self.partners: dict[str, list[set[str]]] = defaultdict(list)
        members: dict[str, set[str]] = defaultdict(set)
        for nation in s.nations:
            for group in nation.groups:
                members[group].add(nation.code)
        for offer in s.offers:
            for line in offer.red_lines:
                if isinstance(line, MaxPersonnel):
                    self.ceiling[offer.nation] = min(line.limit, self.ceiling.get(offer.nation, line.limit))
                elif isinstance(line, MaxSectors):
                    self.most_sectors[offer.nation] = min(line.count, self.most_sectors.get(offer.nation, line.count))
                elif isinstance(line, MinContingent):
                    self.contingent[offer.nation] = max(line.personnel, self.contingent.get(offer.nation, 0))
                elif isinstance(line, RequiresPartner):
                    named = set(line.nations or ()) | (members[line.group] if line.group is not None else set())
                    self.partners[offer.nation].append(named - {offer.nation})
                if isinstance(line, COUPLING):
                    self.coupled.add(offer.nation)
        self.force_ceiling = s.targets.max_personnel if s.targets is not None else None

    def fits(self, c: Candidate, tour: phases.Tour) -> bool:
        """One more unit of the option on this tour honours the rules the construction keeps."""
        unit, nation = c.unit, c.nation
        span = range(tour.arrival, tour.last + 1)
        present = self.present[c.key]
        if any(present[t] >= unit.count for t in span):
            return False
        if unit.rotations is not None and self.served[c.key] >= unit.count * unit.rotations:
            return False
        most = self.most_sectors.get(nation)
        if most is not None and len(self.sectors[nation] | {c.requirement.sector}) > most:
            return False
        ceiling = self.ceiling.get(nation)
        mine = self.personnel[nation]
        if ceiling is not None and any(mine[t] + unit.personnel > ceiling for t in span):
            return False
        if self.force_ceiling is not None and any(self.force[t] + unit.personnel > self.force_ceiling for t in span):
            return False
        return self._lift(nation, tour.arrival, unit.personnel, unit.lift_tons or 0, take=False)

    def _lift(self, nation: str, t: int, people: int, tons: int, *, take: bool) -> bool:
        if not self.node_room:
            return True
        nodes = self.entry[nation]
        if sum(self.node_room[n][t][0] for n in nodes) < people or sum(self.node_room[n][t][1] for n in nodes) < tons:
            return False
        if take:
            for n in nodes:
                room_p, room_t = self.node_room[n][t]
                used_p, used_t = min(room_p, people), min(room_t, tons)
                self.node_room[n][t] = (room_p - used_p, room_t - used_t)
                people -= int(used_p)
                tons -= int(used_t)
        return True

    def place(self, c: Candidate, tour: phases.Tour) -> None:
        unit, nation = c.unit, c.nation
        self.tours[(c.key, c.requirement.id, tour.arrival, tour.last)] += 1
        self.served[c.key] += 1
        self.sectors[nation].add(c.requirement.sector)
        per = unit.personnel if c.requirement.measure == Measure.PERSONNEL else 1
        for t in range(tour.arrival, tour.last + 1):
            self.present[c.key][t] += 1
            self.personnel[nation][t] += unit.personnel
            self.force[t] += unit.personnel
            if tour.fills(t):
                self.fill[c.requirement.id][t] += per
        self.weight[nation] += unit.personnel * (tour.last - tour.arrival + 1)
        self._lift(nation, tour.arrival, unit.personnel, unit.lift_tons or 0, take=True)

    def nations(self) -> set[str]:
        return {key.split("/", 1)[0] for key, _, _, _ in self.tours}


def _fill(plan: _Plan, requirement: Requirement, options: list[Candidate], stop: threading.Event | None) -> None:
    """Walk the line's buckets in order; where it is short, place the tour that fills it longest."""
    scenario = plan.scenario
    need = phases.needs(scenario, requirement)
    per_unit = requirement.measure == Measure.PERSONNEL
    essential = requirement.priority == Priority.ESSENTIAL
    free = [c for c in options if c.nation not in plan.coupled]
    for t in sorted(need):
        if stop is not None and stop.is_set():
            return
        usable = free
        while plan.fill[requirement.id][t] < need[t]:
            best: tuple[tuple[int, int, Fraction, int], Candidate, phases.Tour] | None = None
            for c in usable:
                for tour, _ in plan.b.spans_of(c):
                    if not tour.fills(t) or not plan.fits(c, tour):
                        continue
                    cost = Fraction(scenario.monthly_cost_of(c.unit), c.unit.personnel if per_unit else 1)
                    rank = (-tour.last, -tour.arrival, cost, plan.weight[c.nation])
                    if best is None or rank < best[0]:
                        best = (rank, c, tour)
            if best is None:
                if essential and usable is free and len(free) < len(options):
                    usable = (
                        options  # an essential line only a coupled nation can fill: its caveats are the completion's
                    )
                    continue
                break  # short here: the next bucket may still be filled
            plan.place(best[1], best[2])


def _targets(plan: _Plan) -> None:
    """One tour of the smallest unit of each nation a group minimum or `min_nations` still lacks."""
    s = plan.scenario
    targets = s.targets
    if targets is None:
        return
    by_nation: dict[str, list[Candidate]] = defaultdict(list)
    for c in plan.b.pairs():
        if c.nation not in plan.coupled:
            by_nation[c.nation].append(c)
    groups = {n.code: set(n.groups) for n in s.nations}

    def add_one(nations: Iterable[str]) -> bool:
        for nation in sorted(nations, key=lambda n: min((c.unit.personnel for c in by_nation[n]), default=0)):
            for c in sorted(by_nation[nation], key=lambda c: c.unit.personnel):
                for tour, _ in plan.b.spans_of(c):
                    if plan.fits(c, tour):
                        plan.place(c, tour)
                        return True
        return False

    for group, count in (targets.group_minimums or {}).items():
        while sum(1 for n in plan.nations() if group in groups.get(n, ())) < count:
            if not add_one(n for n in by_nation if group in groups.get(n, ()) and n not in plan.nations()):
                break
    while targets.min_nations is not None and len(plan.nations()) < targets.min_nations:
        if not add_one(n for n in by_nation if n not in plan.nations()):
            break


def _longest(plan: _Plan, options: Iterable[Candidate], t: int) -> tuple[Candidate, phases.Tour] | None:
    """Among the options' tours present in bucket t that fit, the one staying longest after it."""
    best: tuple[tuple[int, int], Candidate, phases.Tour] | None = None
    for c in options:
        for tour, _ in plan.b.spans_of(c):
            if tour.present(t) and plan.fits(c, tour):
                rank = (-tour.last, -tour.arrival)
                if best is None or rank < best[0]:
                    best = (rank, c, tour)
    return None if best is None else (best[1], best[2])


def _caveats(plan: _Plan) -> None:
    """Repair the caveats of coupled nations the construction used: a minimum contingent made up in
    every bucket the nation is present in, from its own units; a partner sent to every such bucket,
    from partners without caveats of their own."""
    by_nation: dict[str, list[Candidate]] = defaultdict(list)
    for c in plan.b.pairs():
        by_nation[c.nation].append(c)
    for nation in sorted(plan.nations() & plan.coupled):
        least = plan.contingent.get(nation)
        mine = plan.personnel[nation]
        for t in range(len(mine)):
            while least is not None and 0 < mine[t] < least:
                found = _longest(plan, by_nation[nation], t)
                if found is None:
                    break
                plan.place(*found)
            if mine[t] == 0:
                continue
            for partners in plan.partners.get(nation, []):
                if any(plan.personnel[p][t] > 0 for p in partners):
                    continue
                found = _longest(plan, (c for p in sorted(partners - plan.coupled) for c in by_nation[p]), t)
                if found is not None:
                    plan.place(*found)


def complete_plan(
    b: PhasedBuilder, tours: Mapping[TourKey, int], time_limit_s: float, cancel: threading.Event | None = None
) -> Construction | None:
    """The plan with these tours (tours the model lacks left out), every other variable found by
    CP-SAT with the tours fixed; None when no such plan honours every rule."""
    start = time.perf_counter()
    fixed = {var.index: tours.get(key, 0) for key, var in b.tours.items()}
    solver = solve_fixed(b.model, fixed, time_limit_s, 1, cancel)
    if solver is None:
        return None
    values = list(solver.response_proto.solution)
    v = b.vars
    package = Package.of(
        {pair: values[var.index] for pair, var in v.units.items()},
        {key: values[var.index] for key, var in v.flows.items()},
        {key: values[var.index] for key, var in b.tours.items()},
        {key: (values[p.index], values[t.index]) for key, (p, t) in b.node_flows.items()},
    )
    return Construction(package, values, time.perf_counter() - start, solver)


def construct_plan(b: PhasedBuilder, time_limit_s: float, cancel: threading.Event | None = None) -> Construction | None:
    """A first plan by construction (the module's steps), completed by CP-SAT, or None."""
    start = time.perf_counter()
    s = scenario = b.scenario
    terms = shortfall_terms(scenario)
    weight: dict[str, Fraction] = defaultdict(Fraction)
    for key, (w, _) in terms.items():
        line = key.split("@", 1)[0]
        weight[line] = max(weight[line], w)
    essential = [r for r in s.requirements if r.priority == Priority.ESSENTIAL and phases.needs(s, r)]
    desirable = [r for r in s.requirements if r.priority != Priority.ESSENTIAL and phases.needs(s, r)]

    def first_need(r: Requirement) -> int:
        return min(phases.needs(s, r))

    def supply(r: Requirement) -> int:
        return sum(c.unit.count for c in b.options_of_requirement(r.id))

    essential.sort(key=lambda r: (first_need(r), supply(r), r.id))
    desirable.sort(key=lambda r: (-weight[r.id], first_need(r), r.id))
    order = _essential_order(b, essential, start + time_limit_s / 2, cancel)
    if order is None:
        return None
    for lines in (order + desirable, order):
        plan = _Plan(b)
        for r in lines:
            _fill(plan, r, b.options_of_requirement(r.id), cancel)
        _targets(plan)
        _caveats(plan)
        left = time_limit_s - (time.perf_counter() - start)
        if left <= 0 or (cancel is not None and cancel.is_set()):
            return None
        done = complete_plan(b, plan.tours, left, cancel)
        if done is not None:
            logger.debug("a first plan by construction in %.2fs", time.perf_counter() - start)
            return done
        if not desirable:
            break
    return None


def _short(plan: _Plan, lines: Iterable[Requirement]) -> list[Requirement]:
    """The lines left short in some bucket they are needed in."""
    s = plan.scenario
    return [r for r in lines if any(plan.fill[r.id][t] < q for t, q in phases.needs(s, r).items())]


def _essential_order(
    b: PhasedBuilder, essential: list[Requirement], deadline: float, cancel: threading.Event | None
) -> list[Requirement] | None:
    """The order to fill the essential lines in: the planner's (first needed, then scarcest), with
    the lines a pass leaves short moved ahead for the next, the more passes they were short in the
    further (at most `ORDER_PASSES` passes; "squeaky wheel"): a line short because earlier lines took
    the units, the room at the nodes or a nation's sectors it needed is then served first. The order
    of the pass that left the fewest lines short (passes stop at `deadline`, on `time.perf_counter`'s
    clock); None when cancelled."""
    rank = {id(r): i for i, r in enumerate(essential)}
    squeaks: Counter[int] = Counter()
    order = list(essential)
    best: tuple[int, list[Requirement]] | None = None
    for _ in range(ORDER_PASSES):
        plan = _Plan(b)
        for r in order:
            _fill(plan, r, b.options_of_requirement(r.id), cancel)
        if cancel is not None and cancel.is_set():
            return None
        short = _short(plan, order)
        if best is None or len(short) < best[0]:
            best = (len(short), list(order))
        if not short or time.perf_counter() > deadline:
            break
        squeaks.update(id(r) for r in short)
        order = sorted(essential, key=lambda r: (-squeaks[id(r)], rank[id(r)]))
    assert best is not None
    return best[1]
