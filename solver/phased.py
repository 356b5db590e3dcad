"""Build the CP-SAT model of a phased scenario: tours chosen by arrival bucket, every rule in every
bucket (docs/domain.md, "Time phases").

The decisions are time-indexed by arrival: for each option (a unit line and a requirement line it
may fill) and each bucket its units can arrive in, how many arrive (`tours`). A tour's span is
fixed by its arrival (`models.phases.tour`, cut before a dated rule closes the line), so presence,
filling, cost and lift are linear in these integers, and no variable is needed per unit and
bucket. Each rule home constrains the model through views of it: the whole plan
(`PhasedBuilder` itself, timing `plan`) and one `BucketView` per bucket (timing `bucket`), which
reads the units present (or filling a line) in that bucket; a rule says which it holds in
(`solver.rules.base.applies`) and whether its element binds there (`binds`).

`model_builder(scenario, ...)` picks this builder for a phased scenario, the static one otherwise.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ortools.sat.python import cp_model

from forcepack.models import phases
from forcepack.models.common import Measure, months_between
from forcepack.models.scenario import Requirement, Scenario
from forcepack.solver.builder import BoolVar, BuiltModel, LinearExpr, ModelBuilder, Pair
from forcepack.solver.elements import Block, Element
from forcepack.solver.eligibility import Candidate, candidates
from forcepack.solver.plan import FlowKey, TourKey
from forcepack.solver.rules import BUILD_ORDER, EASINGS, FAMILIES
from forcepack.solver.rules.availability import FAMILY as AVAILABILITY
from forcepack.solver.rules.base import BUCKET, PLAN, Arrivals

Case = tuple[tuple[Element, bool], ...]
"""A case in which a tour may not serve (relaxable builds): while each element is held (True) or
given up (False)."""
Span = tuple[phases.Tour, list[Case], bool]
"""A tour an option may serve, the cases in which it may not (none: it always may), and whether it is
open as the scenario stands (one of the unit's own tours that no block binding in it forbids)."""


def model_builder(
    scenario: Scenario,
    *,
    relaxable: bool = False,
    include: Sequence[str] = (),
    baseline: Mapping[Any, int] | None = None,
    model: cp_model.CpModel | None = None,
    prefix: str = "",
    cancel: threading.Event | None = None,
    guard: BoolVar | None = None,
) -> ModelBuilder:
    """The builder of the scenario's model: phased when it has `phasing`, static otherwise."""
    kind = PhasedBuilder if scenario.phasing is not None else ModelBuilder
    return kind(
        scenario,
        relaxable=relaxable,
        include=include,
        baseline=baseline,
        model=model,
        prefix=prefix,
        cancel=cancel,
        guard=guard,
    )


def element_buckets(scenario: Scenario, element: Element) -> frozenset[int]:
    """The buckets an element binds in, as its family says (`Family.binds`)."""
    return frozenset(FAMILIES[element.type].binds(scenario, element))


def block_buckets(
    scenario: Scenario, block: Block, binds: Callable[[Element], frozenset[int]] | None = None
) -> frozenset[int]:
    """The buckets a block binds in: those every element of it binds in (`binds`: an element's
    buckets, `element_buckets` unless the caller keeps them)."""
    of = binds or (lambda element: element_buckets(scenario, element))
    out: frozenset[int] | None = None
    for element in block:
        out = of(element) if out is None else out & of(element)
    return out if out is not None else frozenset()


def keeping_out(scenario: Scenario, c: Candidate) -> tuple[frozenset[int], list[tuple[Block, frozenset[int]]]]:
    """The buckets an option's line is needed in, and what keeps the option off the line in some of
    them, with those buckets: each of its blocks binding in some (`block_buckets`), and the unit's own
    time (its ready day and window, its relief, `rules.EASINGS`) where none of its tours fills the
    line there but one would with that element given up (with all of them given up together, when
    it takes them all). Buckets no tour reaches even so are kept out by the unit's ready day (its
    availability element, though giving it up does not reach them: `rapid` is the readiness it eases
    to), or by no element when it is ready at the horizon's start: an empty block."""
    needed = frozenset(phases.needs(scenario, c.requirement))
    out: list[tuple[Block, frozenset[int]]] = []
    for block in c.blocks:
        at = needed & block_buckets(scenario, block)
        if at:
            out.append((block, at))

    def filled(unit: Any) -> frozenset[int]:
        return frozenset(
            t for tour in phases.tours(scenario, unit, c.requirement) for t in range(tour.effective, tour.last + 1)
        )

    missing = needed - filled(c.unit)
    if missing:
        easings = [easing for easing in EASINGS if easing.eases(scenario, c.unit)]
        gained: set[int] = set()
        for easing in easings:
            at = missing & filled(easing.ease(c.unit))
            if at:
                out.append(((easing.element(c.unit, c.nation),), at))
                gained |= at
        rest = missing - gained
        if rest and len(easings) > 1:
            unit = c.unit
            for easing in easings:
                unit = easing.ease(unit)
            at = rest & filled(unit)
            if at:
                out.append((tuple(easing.element(c.unit, c.nation) for easing in easings), at))
                rest -= at
        if rest:
            # No element given up reaches them: the unit's ready day (its readiness after the request,
            # its transit) says why when it is after the horizon's start.
            late = phases.ready_day(scenario, c.unit) > scenario.horizon.start
            out.append(((AVAILABILITY.element(c.unit, c.nation),) if late else (), frozenset(rest)))
    return needed, out


def _cases(elements: list[Element], by_eased: Mapping[frozenset[Element], list[Case]]) -> list[Case]:
    """The cases in which a tour may not serve, given for each set of easing elements given up under
    which it is a tour the cases that still forbid it there: where those given up are not such a set,
    and where they are, its own cases. Cases that differ in one element's state alone are merged."""
    cases: set[Case] = set()
    for mask in range(1 << len(elements)):
        eased = frozenset(e for i, e in enumerate(elements) if mask >> i & 1)
        match = tuple((e, e not in eased) for e in elements)
        own = by_eased.get(eased)
        for case in [()] if own is None else own:
            merged = dict(match)
            if any(merged.get(e, held) != held for e, held in case):
                continue  # an element both held and given up: never the case
            merged.update(case)
            cases.add(tuple(sorted(merged.items())))
    merging = True
    while merging:
        merging = False
        for a in sorted(cases):
            for e, held in a:
                twin = tuple(sorted({**dict(a), e: not held}.items()))
                if twin in cases and twin != a:
                    cases -= {a, twin}
                    cases.add(tuple(x for x in a if x[0] != e))
                    merging = True
                    break
            if merging:
                break
    if () in cases:
        return [()]
    return sorted(cases)


class _Series:
    """One option's tours indexed by bucket, for `PhasedBuilder.on`: the tours starting (arriving,
    or filling with `filling`) and ending in each bucket, and how many are there in the buckets
    walked so far."""

    def __init__(self, spans: list[tuple[phases.Tour, cp_model.IntVar]], filling: bool) -> None:
        self.spans = spans
        self.firsts = [tour.effective if filling else tour.arrival for tour, _ in spans]
        self.starts: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        self.ends: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for first, (tour, var) in zip(self.firsts, spans, strict=True):
            self.starts[first].append(var)
            self.ends[tour.last].append(var)
        self.first = max(0, min(self.firsts, default=0))
        self.walked = self.first - 1
        self.count = 0

    def next_bucket(self) -> int:
        """The first bucket not walked yet."""
        return self.walked + 1

    def step(self, u: int) -> int:
        """Walk to bucket `u` (the one after the last walked): the tours there."""
        assert u == self.walked + 1
        self.count += len(self.starts.get(u, ())) - len(self.ends.get(u - 1, ()))
        self.walked = u
        return self.count

    def active(self, u: int) -> list[cp_model.IntVar]:
        """The tours' variables there in bucket `u`."""
        return [var for first, (tour, var) in zip(self.firsts, self.spans, strict=True) if first <= u <= tour.last]


class PhasedBuilder(ModelBuilder):
    """Compiles a phased scenario: the static builder's steps, with tours for assignments, presence
    per bucket for capacity, and the rules run on the plan and on each bucket."""

    timing = PLAN

    def __init__(self, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(scenario, **kwargs)
        self.buckets = phases.buckets(scenario)
        self.tours: dict[TourKey, cp_model.IntVar] = {}
        self.node_flows: dict[FlowKey, tuple[cp_model.IntVar, cp_model.IntVar]] = {}
        self._spans: dict[Pair, list[tuple[phases.Tour, cp_model.IntVar]]] = defaultdict(list)
        self._binds: dict[Element, frozenset[int]] = {}
        self._present: dict[tuple[str, int], BoolVar | int] = {}
        self._bucket_personnel: dict[int, cp_model.IntVar] = {}
        self._bucket_sector: dict[tuple[str, str, int], BoolVar | int] = {}
        self._bucket_short: dict[str, cp_model.IntVar] = {}
        self._on: dict[tuple[Pair, int, bool], cp_model.IntVar | None] = {}
        self._series: dict[tuple[Pair, bool], _Series] = {}
        self._carried: dict[str, list[Arrivals]] = defaultdict(list)
        self.two_sided: set[Element] = set()
        # A unit with tours kept as they were (`arrive:`, `keep:...#`): its time is history, and its
        # tour and availability elements are held, never given up (given up, the relaxed unit's
        # arithmetic could not serve the kept tours: without its relief it arrives later).
        pinned = {
            name.partition(":")[2].partition("@")[0]
            for name in self.include
            if name.partition(":")[0] in ("arrive", "keep") and "#" in name
        }
        self.held: frozenset[Element] = frozenset(
            easing.element(scenario.unit_by_key[key], key.split("/", 1)[0])
            for key in pinned
            if key in scenario.unit_by_key
            for easing in EASINGS
        )
        # With the plan before a bucket kept as deployed (`history:B`), an element binding only before
        # it is history too: given up, it would lengthen kept tours it cut (a suspension in July and
        # August, say), clashing with the arrivals kept after it; it can change nothing from B on.
        self.history: int | None = next(
            (int(name.partition(":")[2]) for name in self.include if name.partition(":")[0] == "history"), None
        )

    # -- the steps ---------------------------------------------------------------------

    def build(self) -> BuiltModel:
        """Compile the scenario: the options with their tours, the tours' variables, presence and
        rotations, who contributes, the money, the lift through the nodes of entry, then every rule
        on the plan and on each bucket (`BUILD_ORDER`), the inclusions and the criteria."""
        all_pairs = candidates(self.scenario, stop=self.check_cancelled)
        kept: list[Candidate] = []
        closed: list[Candidate] = []
        spans: dict[Pair, list[Span]] = {}
        for c in all_pairs:
            options = self._options(c)
            if options:
                kept.append(c)
                spans[(c.key, c.requirement.id)] = options
            if not c.eligible and not any(open_ for _, _, open_ in options):
                closed.append(c)
        self._tour_variables(kept, spans)
        self.check_cancelled()
        self._contributions()
        self._presence()
        self.check_cancelled()
        self._money_variables()
        self._lift()
        views = [BucketView(self, b.index) for b in self.buckets]
        for rule in BUILD_ORDER:
            self.check_cancelled()
            rule.constrain(self)
            for view in views:
                rule.constrain(view)
        self.check_cancelled()
        self._inclusions()
        self._criteria()
        return BuiltModel(
            self.scenario,
            self.model,
            self.vars,
            kept,
            closed,
            self.criteria,
            self.relaxable,
            tours=self.tours,
            node_flows=self.node_flows,
            two_sided=self.two_sided,
        )

    def _options(self, c: Candidate) -> list[Span]:
        """The tours the option may serve: each tour the arithmetic allows, cut before the first
        bucket a block of the option binds in (none if it binds at the arrival); in a relaxable
        build also the uncut tour, forbidden while a block binding in its span holds, and the tours
        the unit could serve were its availability or its tour length given up (`rules.EASINGS`),
        each allowed only when the elements given up are those that make it a tour (`_cases`)."""
        blocks = c.blocks
        if self.relaxable:
            # A block of the unit's own availability that only says it has no tours is said exactly
            # by the tours of the eased unit below: it closes nothing more.
            own = {easing.element(c.unit, c.nation): easing for easing in EASINGS}
            blocks = tuple(
                block
                for block in blocks
                if not (len(block) == 1 and block[0] in own)
                or own[block[0]].keeps_out(self.scenario, c.unit, c.requirement)
            )
        binding = [(block, self.block_buckets(block)) for block in blocks]
        closed_at = frozenset().union(*(buckets for _, buckets in binding))
        easings = [
            (easing.element(c.unit, c.nation), easing)
            for easing in (EASINGS if self.relaxable else ())
            if easing.eases(self.scenario, c.unit) and not self.is_held(easing.element(c.unit, c.nation))
        ]
        found: dict[tuple[int, int, int], dict[frozenset[Element], list[Case]]] = defaultdict(dict)
        tours: dict[tuple[int, int, int], phases.Tour] = {}
        for mask in range(1 << len(easings)):
            unit = c.unit
            eased: set[Element] = set()
            for i, (element, easing) in enumerate(easings):
                if mask >> i & 1:
                    unit = easing.ease(unit)
                    eased.add(element)
            for tour in phases.tours(self.scenario, unit, c.requirement):
                for served, cases in self._cut(tour, binding, closed_at):
                    key = (served.arrival, served.effective, served.last)
                    tours[key] = served
                    found[key][frozenset(eased)] = cases
        elements = [element for element, _ in easings]
        out: list[Span] = []
        for key, by_eased in found.items():
            open_ = by_eased.get(frozenset()) == []
            out.append((tours[key], _cases(elements, by_eased), open_))
        return out

    def _cut(
        self, tour: phases.Tour, binding: list[tuple[Block, frozenset[int]]], closed_at: frozenset[int]
    ) -> list[tuple[phases.Tour, list[Case]]]:
        """A tour as the option's blocks leave it: whole where none binds in its span; else cut before
        the first bucket one binds in. In a relaxable build, every way the blocks held can cut it: cut
        before the first bucket of some block's in its span (serving only while a block first binding
        there holds, and no block binding earlier in its span), and whole (while no block binding in
        its span holds)."""
        a, last = tour.arrival, tour.last
        span = set(range(a, last + 1))
        if not closed_at & span:
            return [(tour, [])]
        firsts = sorted({min(buckets & span) for _, buckets in binding if buckets & span})
        if not self.relaxable:
            firsts = firsts[:1]  # every block holds: the first closure cuts it
        out: list[tuple[phases.Tour, list[Case]]] = []
        for p in firsts:
            if p == a or tour.effective > p - 1:
                continue  # closed at its arrival, or cut before it fills its line
            if not self.relaxable:
                out.append((phases.Tour(a, tour.effective, p - 1), []))
                continue
            before = [block for block, buckets in binding if any(a <= t < p for t in buckets)]
            at = [block for block, buckets in binding if p in buckets and block not in before]
            cases: list[Case] = [tuple((e, True) for e in block) for block in before]
            cases += [tuple((e, False) for e in choice) for choice in itertools.product(*at)]
            out.append((phases.Tour(a, tour.effective, p - 1), cases))
        if self.relaxable:
            forbid = [block for block, buckets in binding if buckets & span]
            out.append((tour, [tuple((element, True) for element in block) for block in forbid]))
        return out

    def block_buckets(self, block: Block) -> frozenset[int]:
        """The buckets a block binds in (`block_buckets`), each element's read once per build."""
        return block_buckets(self.scenario, block, self._element_buckets)

    def _element_buckets(self, element: Element) -> frozenset[int]:
        buckets = self._binds.get(element)
        if buckets is None:
            buckets = self._binds[element] = element_buckets(self.scenario, element)
        return buckets

    def _tour_variables(self, kept: list[Candidate], spans: Mapping[Pair, list[Span]]) -> None:
        """A variable per tour: the units arriving in its first bucket and leaving after its last
        (`tours`, by `TourKey`). In a relaxable build a tour may fill its line from different buckets
        as elements are held or given up (a relief in place eased: `rules.tours`): its units are then
        split into a part per way it fills, each with its own cases, the tour's variable their sum."""
        for i, c in enumerate(kept):
            if i % 100 == 0:
                self.check_cancelled()
            pair = (c.key, c.requirement.id)
            count = c.unit.count
            by_key: dict[TourKey, list[tuple[phases.Tour, list[Case]]]] = defaultdict(list)
            for tour, cases, _ in spans[pair]:
                by_key[(c.key, c.requirement.id, tour.arrival, tour.last)].append((tour, cases))
            variables = []
            for key, ways in by_key.items():
                name = f"{self.prefix}tour[{c.key},{c.requirement.id},{key[2]}-{key[3]}]"
                var = self.model.new_int_var(0, count, name)
                self.tours[key] = var
                variables.append(var)
                if len(ways) == 1:
                    parts = [(ways[0][0], ways[0][1], var)]
                else:
                    parts = [
                        (tour, cases, self.model.new_int_var(0, count, f"{name}@{tour.effective}"))
                        for tour, cases in sorted(ways, key=lambda way: way[0].effective)
                    ]
                    self.model.add(var == sum(part for _, _, part in parts))
                for tour, cases, part in parts:
                    self._spans[pair].append((tour, part))
                    for case in cases:  # relaxable builds only
                        literals = [self.enforce(e) if held else self.enforce(e).Not() for e, held in case]
                        self.model.add(part == 0).only_enforce_if(literals)
                        self.two_sided.update(e for e, held in case if not held and not self.is_held(e))
            total = self.model.new_int_var(
                0, count * max(1, len(variables)), f"{self.prefix}units[{pair[0]},{pair[1]}]"
            )
            self.model.add(total == sum(variables))
            self.vars.units[pair] = total
            self._pairs_of_nation[c.nation].append(c)
            self._pairs_of_unit[c.key].append(c)
            self._pairs_of_requirement[c.requirement.id].append(c)
            self._sectors_of[c.nation].add(c.requirement.sector)

    def _contributions(self) -> None:
        """contributes[n] <=> the nation has a tour; `deployed` counts each unit line's units over
        its tours (capacity is per bucket: `_presence`)."""
        for nation, pairs in self._pairs_of_nation.items():
            flag = self.model.new_bool_var(f"{self.prefix}contributes[{nation}]")
            self.vars.contributes[nation] = flag
            by_unit: dict[str, list[Candidate]] = defaultdict(list)
            for c in pairs:
                by_unit[c.key].append(c)
            for key, unit_pairs in by_unit.items():
                totals = [self.units(c) for c in unit_pairs]
                deployed = self.model.new_int_var(
                    0, sum(v.domain.max() for v in totals), f"{self.prefix}deployed[{key}]"
                )
                self.model.add(deployed == sum(totals))
                self.vars.deployed[key] = deployed
            for c in pairs:
                for _, var in self.spans_of(c):
                    self.model.add(var <= var.domain.max() * flag)
            self.model.add(sum(self.vars.deployed[u] for u in by_unit) >= flag)

    def _presence(self) -> None:
        """In each bucket a unit line's units present on every line together are at most its count
        (relief included). (Its rotations over the plan are the tour rule's: `rules.tours`.)"""
        for pairs in self._pairs_of_unit.values():
            unit = pairs[0].unit
            for b in self.buckets:
                present = [x for c in pairs if (x := self.on(c, b.index)) is not None]
                if len(present) > 1:
                    self.model.add(sum(present) <= unit.count)

    def _lift(self) -> None:
        """Arrivals through the nodes of entry: per nation and bucket, its arriving personnel and
        cargo split over the nodes it may use (a nation with none deploys no units). What each node
        carries is kept for the node capacity rule (`arrivals`, `rules.nodes`)."""
        phasing = self.scenario.phasing
        if phasing is None or not phasing.nodes:
            return
        arriving: dict[tuple[str, int], list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
        for (key, _, arrival, _), var in self.tours.items():
            unit = self.scenario.unit_by_key[key]
            nation = key.split("/", 1)[0]
            arriving[(nation, arrival)].append((unit.personnel, unit.lift_tons or 0, var))
        carried: dict[tuple[str, int], tuple[list[cp_model.IntVar], list[cp_model.IntVar]]] = defaultdict(
            lambda: ([], [])
        )
        all_nodes = [n.id for n in phasing.nodes]
        for (nation, t), parts in arriving.items():
            offer = self.scenario.offer_by_nation[nation]
            nodes = list(offer.entry) if offer.entry is not None else all_nodes
            people = sum(p * var for p, _, var in parts)
            tons = sum(w * var for _, w, var in parts)
            if not nodes:
                self.model.add(people == 0)
                continue
            most_people = sum(p * var.domain.max() for p, _, var in parts)
            most_tons = sum(w * var.domain.max() for _, w, var in parts)
            flows_p, flows_t = [], []
            for node in nodes:
                fp = self.model.new_int_var(0, most_people, f"{self.prefix}lift_personnel[{nation},{node},{t}]")
                ft = self.model.new_int_var(0, most_tons, f"{self.prefix}lift_tons[{nation},{node},{t}]")
                self.node_flows[(nation, node, t)] = (fp, ft)
                flows_p.append(fp)
                flows_t.append(ft)
                carried[(node, t)][0].append(fp)
                carried[(node, t)][1].append(ft)
            self.model.add(sum(flows_p) == people)
            self.model.add(sum(flows_t) == tons)
        for entry in phasing.nodes:
            for b in self.buckets:
                people_flows, tons_flows = carried.get((entry.id, b.index), ([], []))
                if people_flows:
                    self._carried[entry.id].append(
                        Arrivals(
                            node=entry.id,
                            bucket=b.index,
                            days=b.days,
                            personnel=sum(people_flows),
                            tons=sum(tons_flows),
                            most_personnel=sum(v.domain.max() for v in people_flows),
                            most_tons=sum(v.domain.max() for v in tons_flows),
                        )
                    )

    def arrivals(self, node: str) -> list[Arrivals]:
        """On the plan, what the node carries in each bucket some arrival may pass through it."""
        return self._carried.get(node, [])

    def toured(self, option: Candidate) -> list[cp_model.IntVar]:
        """The units of each of the option's tours."""
        return [var for _, var in self.spans_of(option)]

    def _inclusions(self) -> None:
        """The static inclusions, and the phased ones: `arrive:` and `history:` (`INCLUSION_KINDS`); a
        line asked in full (`line:`) is filled in every bucket it is needed in."""
        history: int | None = None
        arrivals: dict[tuple[str, str, int], int] = {}
        rest = []
        for name in self.include:
            kind, _, subject = name.partition(":")
            if kind == "history":
                history = int(subject)
            elif kind == "line":
                # In full in every bucket it is needed in (the static form reads units over the window).
                requirement = self.scenario.requirement_by_id[subject]
                for t, quantity in phases.needs(self.scenario, requirement).items():
                    self.add(self.filling(requirement, t) >= quantity, None)
            elif kind == "keep" and "#" in subject:
                # A tour kept: at least N units on that very tour (`keep:NATION/id@LINE#A-L=N`).
                key, _, rest_ = subject.partition("@")
                line, _, rest_ = rest_.partition("#")
                span, _, count = rest_.partition("=")
                arrival, _, last = span.partition("-")
                var = self.tours.get((key, line, int(arrival), int(last)))
                self.add((var if var is not None else 0) >= int(count or 1), None)
            elif kind == "arrive":
                key, _, rest_ = subject.partition("@")
                line, _, rest_ = rest_.partition("#")
                bucket, _, count = rest_.partition("=")
                arrivals[(key, line, int(bucket))] = int(count or 1)
            else:
                rest.append(name)
        self.include = tuple(rest)
        super()._inclusions()
        by_arrival: dict[tuple[str, str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (unit_key, rid, first, _), var in self.tours.items():
            by_arrival[(unit_key, rid, first)].append(var)
        for start, units in arrivals.items():
            self.add(sum(by_arrival.get(start, [])) == units, None)
        if history is not None:
            for start, variables in by_arrival.items():
                if start[2] < history and start not in arrivals:
                    self.add(sum(variables) == 0, None)

    def add(self, constraint: Any, element: Element | None, only_if: Sequence[BoolVar | int] = ()) -> None:
        """As the static builder's, but an element held (`is_held`) binds always."""
        super().add(constraint, None if element is not None and self.is_held(element) else element, only_if)

    def enforce(self, element: Element) -> BoolVar:
        """As the static builder's, but an element held is enforced always: no block's case (a
        readiness below a line's minimum, say) can give it up either."""
        fresh = element not in self.vars.enforce
        literal = super().enforce(element)
        if fresh and self.is_held(element):
            self.model.add(literal == 1)
        return literal

    def is_held(self, element: Element) -> bool:
        """An element never given up: a kept unit's own time (`held`), or one binding only before the
        plan's history ends (`history`)."""
        if not hasattr(self, "held"):  # (the static builder's own set-up, before this one's)
            return False
        if element in self.held:
            return True
        if self.history is None:
            return False
        at = self._element_buckets(element)
        return bool(at) and max(at) < self.history

    # -- handles: the whole plan ---------------------------------------------------------

    def binds(self, element: Element) -> bool:
        """On the plan, an element binds when it binds in some bucket."""
        buckets = self._binds.get(element)
        if buckets is None:
            buckets = self._binds[element] = element_buckets(self.scenario, element)
        return bool(buckets)

    def required(self, requirement: Requirement) -> int | None:
        return None  # lines are filled bucket by bucket (`BucketView`)

    def personnel(self, nation: str) -> LinearExpr:
        """On the plan, the nation's personnel-buckets: its personnel present, bucket by bucket, summed."""
        return sum(
            c.unit.personnel * (tour.last - tour.arrival + 1) * var
            for c in self.options_of_nation(nation)
            for tour, var in self.spans_of(c)
        )

    def total_personnel(self) -> cp_model.IntVar:
        """On the plan, the force's personnel-buckets (one variable, shared by the rules that read it)."""
        if self._total_personnel is None:
            terms = [
                (c.unit.personnel * (tour.last - tour.arrival + 1), v)
                for c in self.pairs()
                for tour, v in self.spans_of(c)
            ]
            most = sum(p * v.domain.max() for p, v in terms)
            self._total_personnel = self.model.new_int_var(0, most, f"{self.prefix}personnel_buckets")
            self.model.add(self._total_personnel == sum(p * v for p, v in terms))
        return self._total_personnel

    def churn_items(self) -> Iterable[tuple[tuple[Any, ...], cp_model.IntVar, int]]:
        """Units per tour, with the unit line's count: what churn counts in a phased model."""
        for key, var in self.tours.items():
            yield key, var, self.scenario.unit_by_key[key[0]].count

    def spans_of(self, c: Candidate) -> list[tuple[phases.Tour, cp_model.IntVar]]:
        """The option's tours and their variables."""
        return self._spans.get((c.key, c.requirement.id), [])

    def served_months(self, key: str) -> cp_model.IntVar:
        """Unit-months the unit line's tours are paid for (units x each tour's months)."""
        var = self.vars.unit_months.get(key)
        if var is None:
            pairs = self._pairs_of_unit[key]
            terms = [(var_, phases.tour_months(self.scenario, tour)) for c in pairs for tour, var_ in self.spans_of(c)]
            var = self.model.new_int_var(0, self._most_months(key), f"{self.prefix}unit_months[{key}]")
            self.model.add(var == sum(months * v for v, months in terms))
            self.vars.unit_months[key] = var
        return var

    def _most_months(self, key: str) -> int:
        """The most unit-months a unit line can be paid for: at most its count present in each
        bucket, each tour rounded up by at most a month."""
        unit = self._pairs_of_unit[key][0].unit
        horizon = months_between(self.scenario.horizon.start, self.scenario.horizon.end)
        return unit.count * (horizon + len(self.buckets))

    def most_unit_cost(self, key: str) -> int:
        unit = self._pairs_of_unit[key][0].unit
        return self.scenario.monthly_cost_of(unit) * self._most_months(key)

    def cost_coefficient(self, unit: Any, requirement: Requirement) -> int:
        raise NotImplementedError("a phased package's cost is per tour (`served_months`)")

    # -- what the bucket views read ------------------------------------------------------

    def on(self, c: Candidate, t: int, *, filling: bool = False) -> cp_model.IntVar | None:
        """The option's units present in the bucket (filling its line, with `filling`), as one
        variable, or None when none of its tours can be: a tour's own variable when only one can,
        otherwise a variable in 0..count defined from the bucket before, `X[t] = X[t-1] + starts(t)
        - ends(t-1)`, whenever that is shorter than the sum of the tours there. Every rule that
        reads a bucket reads these, so each tour's variable appears in a few rows, not in one row
        per bucket of its span (docs/decisions.md, "A phased model's presence")."""
        pair = (c.key, c.requirement.id)
        key = (pair, t, filling)
        if key in self._on:
            return self._on[key]
        series = self._series.get((pair, filling))
        if series is None:
            series = self._series[(pair, filling)] = _Series(self.spans_of(c), filling)
        # Walk from the last bucket walked (or the option's first) up to t, so the recursion never
        # goes deeper than one step, and each bucket is walked once.
        for u in range(series.next_bucket(), t + 1):
            count = series.step(u)
            k = (pair, u, filling)
            if count == 0:
                self._on[k] = None
            elif count == 1:
                self._on[k] = series.active(u)[0]
            else:
                starts, ends = series.starts.get(u, ()), series.ends.get(u - 1, ())
                before = self._on.get((pair, u - 1, filling))
                var = self.model.new_int_var(
                    0, c.unit.count, f"{self.prefix}{'fill' if filling else 'on'}[{c.key},{c.requirement.id},{u}]"
                )
                if before is not None and 2 + len(starts) + len(ends) < count:
                    self.model.add(var == before + sum(starts) - sum(ends))
                else:
                    self.model.add(var == sum(series.active(u)))
                self._on[k] = var
        out = self._on.get(key)
        if key not in self._on:
            self._on[key] = None
        return out

    def present_in(self, nation: str, t: int) -> BoolVar | int:
        """The nation has units present in the bucket."""
        key = (nation, t)
        flag = self._present.get(key)
        if flag is not None:
            return flag
        present = [x for c in self.options_of_nation(nation) if (x := self.on(c, t)) is not None]
        if not present:
            self._present[key] = 0
            return 0
        flag = self.model.new_bool_var(f"{self.prefix}present[{nation},{t}]")
        for var in present:
            self.model.add(var <= var.domain.max() * flag)
        self.model.add(sum(present) >= flag)
        self._present[key] = flag
        return flag

    def sector_in(self, nation: str, sector: str, t: int) -> BoolVar | int:
        """The nation has units present in the sector in the bucket."""
        key = (nation, sector, t)
        flag = self._bucket_sector.get(key)
        if flag is not None:
            return flag
        present = [
            x
            for c in self.options_of_nation(nation)
            if c.requirement.sector == sector and (x := self.on(c, t)) is not None
        ]
        if not present:
            self._bucket_sector[key] = 0
            return 0
        flag = self.model.new_bool_var(f"{self.prefix}in_sector[{nation},{sector},{t}]")
        for var in present:
            self.model.add(var <= var.domain.max() * flag)
        self.model.add(sum(present) >= flag)
        self._bucket_sector[key] = flag
        return flag

    def personnel_at(self, nation: str, t: int) -> LinearExpr:
        return sum(c.unit.personnel * x for c in self.options_of_nation(nation) if (x := self.on(c, t)) is not None)

    def total_personnel_at(self, t: int) -> cp_model.IntVar:
        var = self._bucket_personnel.get(t)
        if var is None:
            terms = [(c.unit.personnel, x) for c in self.pairs() if (x := self.on(c, t)) is not None]
            most = sum(p * v.domain.max() for p, v in terms)
            var = self.model.new_int_var(0, most, f"{self.prefix}personnel[{t}]")
            self.model.add(var == sum(p * v for p, v in terms))
            self._bucket_personnel[t] = var
        return var

    def filling(self, requirement: Requirement, t: int) -> LinearExpr:
        """What the line receives in the bucket, in its measure: its tours past their relief."""
        per_unit = requirement.measure == Measure.PERSONNEL
        return sum(
            (c.unit.personnel if per_unit else 1) * x
            for c in self.options_of_requirement(requirement.id)
            if (x := self.on(c, t, filling=True)) is not None
        )

    def foc_waiting(self) -> LinearExpr:
        """Over the sectors, the buckets each needs something in before its full operational capability,
        summed: per sector and bucket it needs something in, a literal `full` (every line needed there
        filled in full) that implies the next bucket's, so the literals true are the trailing run of
        full buckets and the rest of the sector's buckets wait (`solver.plan`'s `foc`)."""
        waiting: list[LinearExpr] = []
        for sector in self.scenario.sectors:
            needs: dict[int, list[tuple[Requirement, int]]] = defaultdict(list)
            for r in self.scenario.requirements:
                if r.sector == sector.id:
                    for t, required in phases.needs(self.scenario, r).items():
                        if required:  # (a bucket asking for nothing is no step towards it)
                            needs[t].append((r, required))
            later: BoolVar | None = None
            for t in sorted(needs, reverse=True):
                full = self.model.new_bool_var(f"{self.prefix}full[{sector.id}@{t}]")
                for r, required in needs[t]:
                    self.model.add(self.filling(r, t) >= required).only_enforce_if(full)
                if later is not None:
                    self.model.add_implication(full, later)
                later = full
                waiting.append(1 - full)
        return sum(waiting)

    def bucket_shortfall(self, requirement: Requirement, t: int, required: int) -> cp_model.IntVar:
        """The line's uncovered quantity in the bucket (`at_least`), keyed `line@bucket`."""
        key = f"{requirement.id}@{t}"
        short = self.vars.shortfall.get(key)
        if short is None:
            short = self.model.new_int_var(0, required, f"{self.prefix}shortfall[{key}]")
            per_unit = requirement.measure == Measure.PERSONNEL
            terms = [
                (-(c.unit.personnel if per_unit else 1), x)
                for c in self.options_of_requirement(requirement.id)
                if (x := self.on(c, t, filling=True)) is not None
            ]
            self.at_least(short, required, terms)
            self.vars.shortfall[key] = short
        return short

    def element_binds_at(self, element: Element, t: int) -> bool:
        buckets = self._binds.get(element)
        if buckets is None:
            buckets = self._binds[element] = element_buckets(self.scenario, element)
        return t in buckets


class BucketView:
    """The model as one bucket sees it: the units present in it (those filling a line, for the
    line's coverage), the nations present, the personnel present. Rules that hold in every bucket
    constrain through it; the money and the plan-wide counts are the builder's."""

    timing = BUCKET

    def __init__(self, builder: PhasedBuilder, t: int) -> None:
        self.b = builder
        self.t = t

    @property
    def scenario(self) -> Scenario:
        return self.b.scenario

    @property
    def relaxable(self) -> bool:
        return self.b.relaxable

    def add(self, constraint: Any, element: Element | None, only_if: Sequence[Any] = ()) -> None:
        self.b.add(constraint, element, only_if)

    def binds(self, element: Element) -> bool:
        return self.b.element_binds_at(element, self.t)

    def required(self, requirement: Requirement) -> int | None:
        return phases.needs(self.scenario, requirement).get(self.t)

    def provided(self, requirement: Requirement) -> LinearExpr:
        return self.b.filling(requirement, self.t)

    def units(self, option: Candidate) -> LinearExpr:
        present = self.b.on(option, self.t)
        return 0 if present is None else present

    def options_of_requirement(self, requirement_id: str) -> list[Candidate]:
        return [c for c in self.b.options_of_requirement(requirement_id) if self._present(c)]

    def options_of_nation(self, nation: str) -> list[Candidate]:
        return [c for c in self.b.options_of_nation(nation) if self._present(c)]

    def _present(self, c: Candidate) -> bool:
        return any(tour.present(self.t) for tour, _ in self.b.spans_of(c))

    def shortfall(self, requirement: Requirement) -> LinearExpr:
        required = self.required(requirement)
        return self.b.bucket_shortfall(requirement, self.t, required) if required else 0

    def contributes(self, nation: str) -> BoolVar | int:
        return self.b.present_in(nation, self.t)

    def participates(self, nation: str) -> BoolVar | int:
        return self.b.present_in(nation, self.t)

    def in_sector(self, nation: str, sector: str) -> BoolVar | int:
        return self.b.sector_in(nation, sector, self.t)

    def sectors_of(self, nation: str) -> set[str]:
        return {c.requirement.sector for c in self.options_of_nation(nation)}

    def personnel(self, nation: str) -> LinearExpr:
        return self.b.personnel_at(nation, self.t)

    def total_personnel(self) -> LinearExpr:
        return self.b.total_personnel_at(self.t)

    def pooled_cost(self, capability: str) -> LinearExpr:
        return self.b.pooled_cost(capability)

    def pooled_cost_ceiling(self, capability: str) -> int:
        return self.b.pooled_cost_ceiling(capability)

    def pooled_capabilities(self) -> list[str]:
        return self.b.pooled_capabilities()

    def flows_into(self, capability: str) -> list[Any]:
        return self.b.flows_into(capability)

    def drawn(self) -> list[Any]:
        return self.b.drawn()

    def new_int(self, lo: int, hi: int, name: str) -> Any:
        return self.b.new_int(lo, hi, f"{name}@{self.t}")

    def arrivals(self, node: str) -> list[Arrivals]:
        return [load for load in self.b.arrivals(node) if load.bucket == self.t]

    def toured(self, option: Candidate) -> list[Any]:
        return [var for tour, var in self.b.spans_of(option) if tour.present(self.t)]
