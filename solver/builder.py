"""Build one CP-SAT model of a scenario: variables named after their entities, one call per rule.

`build(scenario)` returns a `BuiltModel`: the model and a `PackageVariables` container with a
named handle for every decision (units assigned, nations contributing and participating, sectors
held, money flowing, shortfall per line) and, when built `relaxable`, one enforcement literal per
scenario element, so explanations can switch elements off and ask which ones clash.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from forcepack.models.common import Measure
from forcepack.models.scenario import FundingPledge, Requirement, Scenario, UnitOffer, key_parts, offer_key
from forcepack.solver.criteria import criterion
from forcepack.solver.elements import Block, Element
from forcepack.solver.eligibility import Candidate, candidates, participation_blocks
from forcepack.solver.rules import BUILD_ORDER, funding
from forcepack.solver.rules.base import STATIC, Arrivals

CHECK_EVERY = 1000
"""Pairs built between two looks at the cancel event (about a millisecond of work)."""

Pair = tuple[str, str]
"""(offered unit line's key `NATION/id`, requirement id)"""

INCLUSION_KINDS = ("units", "money", "pledge", "line", "keep", "arrive", "history")
"""The prefixes of what a model can be asked to include (`include`), each a string:
`NATION` (the nation takes part, with units or money), `NATION/id` (the unit line deploys),
`units:NATION` (some of its units deploy), `money:NATION` (some of its money is drawn),
`pledge:NATION/id` (that pledge is drawn), `line:ID` (the requirement line is met in full),
`keep:NATION/id@LINE=N` (at least N units of that unit line stay on that line: a placement kept; in
a phased model `keep:NATION/id@LINE#A-L=N`, at least N units on that tour, arriving in bucket A and
serving to bucket L);
in a phased model, `arrive:NATION/id@LINE#A=N` (N units of that unit line arrive for that line in
bucket A) and `history:B` (no other arrival before bucket B: the plan before it is history)."""


def inclusion_words(name: str) -> str:
    """What an inclusion asks, in a planner's words (`INCLUSION_KINDS`)."""
    kind, _, subject = name.partition(":")
    words = {
        "units": f"{subject}'s units",
        "money": f"{subject}'s money",
        "pledge": f"pledge {subject}",
        "keep": f"{subject.partition('@')[0]} kept where it is",
        "arrive": f"{subject.partition('@')[0]}'s arrival kept",
        "history": "the plan before the change kept as deployed",
    }
    if kind == "line":
        return f"`{subject}` in full"
    return words.get(kind, name)


LinearExpr = cp_model.LinearExprT
BoolVar = cp_model.IntVar


@dataclass
class PackageVariables:
    """Every decision of a package, by the entity it concerns."""

    units: dict[Pair, cp_model.IntVar] = field(default_factory=dict)
    """How many units of an offered unit line fill a requirement line."""
    deployed: dict[str, cp_model.IntVar] = field(default_factory=dict)
    """How many units of an offered unit line are assigned, over every line they fill."""
    unit_months: dict[str, cp_model.IntVar] = field(default_factory=dict)
    """Unit-months an offered unit line serves: its units on each line times the line's months."""
    contributes: dict[str, BoolVar] = field(default_factory=dict)
    """Nation deploys at least one unit."""
    participates: dict[str, BoolVar] = field(default_factory=dict)
    """Nation deploys units or its money is used."""
    in_sector: dict[tuple[str, str], BoolVar] = field(default_factory=dict)
    """Nation has units in a sector."""
    shortfall: dict[str, cp_model.IntVar] = field(default_factory=dict)
    """Uncovered quantity of a desirable line, in its measure."""
    pledge_used: dict[str, BoolVar] = field(default_factory=dict)
    """Money of a pledge is drawn."""
    flows: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    """USD from a pledge to a capability's pooled cost."""
    drawn: dict[str, cp_model.IntVar] = field(default_factory=dict)
    """USD drawn from a pledge (its flows together)."""
    enforce: dict[Element, BoolVar] = field(default_factory=dict)
    """One literal per scenario element (relaxable builds only): true = the element holds."""

    def all_variables(self) -> list[cp_model.IntVar]:
        """Every decision variable, for hints and fixing."""
        out: list[cp_model.IntVar] = []
        for group in (
            self.units,
            self.deployed,
            self.unit_months,
            self.contributes,
            self.participates,
            self.in_sector,
            self.shortfall,
            self.pledge_used,
            self.flows,
            self.drawn,
        ):
            out.extend(group.values())
        return out


@dataclass
class BuiltModel:
    """A scenario's CP-SAT model with its named variables and objective expressions."""

    scenario: Scenario
    model: cp_model.CpModel
    vars: PackageVariables
    candidates: list[Candidate]
    """The pairs in the model (open ones, and closed ones too in a relaxable build)."""
    closed: list[Candidate]
    """Capability-matching pairs left out (or held at zero) and why."""
    criteria: dict[str, tuple[LinearExpr, int]]
    """Per criterion: its integer expression, minimised, and the factor from domain units to it."""
    relaxable: bool
    tours: dict[tuple[str, str, int, int], cp_model.IntVar] = field(default_factory=dict)
    """A phased model's units per tour (unit key, line, arrival bucket, last bucket)."""
    node_flows: dict[tuple[str, str, int], tuple[cp_model.IntVar, cp_model.IntVar]] = field(default_factory=dict)
    """A phased model's arriving (personnel, tons) per (nation, node, bucket)."""
    two_sided: set[Element] = field(default_factory=set)
    """Elements whose literal, held, also allows something giving them up does not (a relaxable phased
    model: a tour cut short by a dated block, a tour of a unit as it stands before its ready day or
    tour length is eased). An explanation gives them up where it does not hold them, rather than
    leave them free."""


class BuildCancelled(Exception):
    """The cancel event was set while the model was being built: the build stopped where it was."""


class ModelBuilder:
    """Compiles a scenario into a CP-SAT model, rule by rule.

    With a `cancel` event the build looks at it between its steps and every CHECK_EVERY pairs
    within them (a 500-nation build takes a second or two of Python), and stops with
    `BuildCancelled` once it is set."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        relaxable: bool = False,
        include: Sequence[str] = (),
        baseline: Mapping[Any, int] | None = None,
        model: cp_model.CpModel | None = None,
        prefix: str = "",
        cancel: threading.Event | None = None,
        guard: BoolVar | None = None,
    ) -> None:
        self.scenario = scenario
        self.guard = guard
        """A literal every rule's constraint is enforced by (None: they always hold): a copy of a
        scenario inside a larger model, which the larger model may switch off (resilience's
        fallbacks). The rows added outside `add` (what defines the package's variables, a unit's
        count present at once, a nation arriving by no node) hold either way: all zeros meet them."""
        self.cancel = cancel
        self.checks = 0
        """How often the build looked at the cancel event (tests)."""
        self.relaxable = relaxable
        self.include = tuple(include)
        self.baseline = baseline
        self.prefix = prefix
        self.model = model if model is not None else cp_model.CpModel()
        if model is None:
            self.model.name = f"forcepack:{scenario.id}"
        self.vars = PackageVariables()
        self._pairs_of_nation: dict[str, list[Candidate]] = defaultdict(list)
        self._pairs_of_unit: dict[str, list[Candidate]] = defaultdict(list)
        self._pairs_of_requirement: dict[str, list[Candidate]] = defaultdict(list)
        self._sectors_of: dict[str, set[str]] = defaultdict(set)
        self._usable_pledges: list[tuple[str, FundingPledge]] = []
        self.criteria: dict[str, tuple[LinearExpr, int]] = {}
        self._total_personnel: cp_model.IntVar | None = None
        self._floors: dict[int, list[tuple[int, list[tuple[int, int]]]]] = defaultdict(list)
        """By variable index, the rows `var >= constant + sum(coefficient x variable)` of the
        variables added with `at_least`."""

    # -- the steps ---------------------------------------------------------------------

    def build(self) -> BuiltModel:
        """Compile the scenario, step by step (BuildCancelled when the cancel event is set meanwhile):

        1. the options every eligibility rule leaves open (and, relaxable, the closed ones);
        2. the package's variables: units per option, units deployed per unit line, who
           contributes, the money each usable pledge may pay (`funding.payers`);
        3. every rule's constraints, in `forcepack.solver.rules.BUILD_ORDER` (requirements, red
           lines, targets, funding), each through this builder's `ModelView` face only;
        4. what a why-not question asks to include;
        5. the objective's criteria as expressions.
        """
        all_pairs = candidates(self.scenario, stop=self.check_cancelled)
        kept = [c for c in all_pairs if c.eligible or self.relaxable]
        closed = [c for c in all_pairs if not c.eligible]
        self._assignment_variables(kept)
        self.check_cancelled()
        self._contributions()
        self.check_cancelled()
        self._money_variables()
        for rule in BUILD_ORDER:
            self.check_cancelled()
            rule.constrain(self)
        self.check_cancelled()
        self._inclusions()
        self._criteria()
        return BuiltModel(self.scenario, self.model, self.vars, kept, closed, self.criteria, self.relaxable)

    def check_cancelled(self) -> None:
        """Stop the build (BuildCancelled) if the cancel event is set."""
        self.checks += 1
        if self.cancel is not None and self.cancel.is_set():
            raise BuildCancelled

    def _assignment_variables(self, kept: list[Candidate]) -> None:
        for i, c in enumerate(kept):
            if i % CHECK_EVERY == 0:
                self.check_cancelled()
            pair = (c.key, c.requirement.id)
            var = self.model.new_int_var(0, c.unit.count, f"{self.prefix}units[{pair[0]},{pair[1]}]")
            self.vars.units[pair] = var
            self._pairs_of_nation[c.nation].append(c)
            self._pairs_of_unit[c.key].append(c)
            self._pairs_of_requirement[c.requirement.id].append(c)
            self._sectors_of[c.nation].add(c.requirement.sector)
            for block in c.blocks:  # only in relaxable builds
                self.add(var == 0, None, only_if=self.block_literals(block))

    def _contributions(self) -> None:
        """contributes[n] <=> some unit of n is assigned; also caps each unit line at its count.

        Each unit line's units deployed over all its lines are one variable (`deployed`), so the
        nation's personnel is a sum over its unit lines, not over every line they could fill: the
        model's largest sums are then the scenario's own figures (`models.limits`), whatever the
        number of lines."""
        for nation, pairs in self._pairs_of_nation.items():
            flag = self.model.new_bool_var(f"{self.prefix}contributes[{nation}]")
            self.vars.contributes[nation] = flag
            by_unit: dict[str, list[Candidate]] = defaultdict(list)
            for c in pairs:
                by_unit[c.key].append(c)
            for key, unit_pairs in by_unit.items():
                count = unit_pairs[0].unit.count
                deployed = self.model.new_int_var(0, count, f"{self.prefix}deployed[{key}]")
                self.model.add(deployed == sum(self.units(c) for c in unit_pairs))
                self.model.add(deployed <= count * flag).with_name(f"capacity[{key}]")
                self.vars.deployed[key] = deployed
            self.model.add(sum(self.vars.deployed[u] for u in by_unit) >= flag)

    def _money_variables(self) -> None:
        """Per usable pledge (`funding.payers`): whether it is drawn, how much, and its flow to each
        capability it may pay for. Its flows add up to what is drawn, at most what it can pay, and
        drawing means at least a dollar flows. Every sum counts a pledge once, never once per
        capability it may pay for (`models.limits`)."""
        ceilings = {cap: self.pooled_cost_ceiling(cap) for cap in self.pooled_capabilities()}
        if not ceilings:
            return
        for payer in funding.payers(self.scenario, ceilings, self.nation_blocks, relaxable=self.relaxable):
            key, pledge = payer.key, payer.pledge
            used = self.model.new_bool_var(f"{self.prefix}pledge_used[{key}]")
            drawn = self.model.new_int_var(0, payer.most, f"{self.prefix}drawn[{key}]")
            flows = []
            for cap in payer.capabilities:
                flow = self.model.new_int_var(
                    0, min(pledge.amount_usd, ceilings[cap]), f"{self.prefix}flow[{key},{cap}]"
                )
                self.vars.flows[(key, cap)] = flow
                flows.append(flow)
            self.model.add(drawn == sum(flows))
            self.model.add(drawn <= payer.most * used)
            self.model.add(drawn >= used)
            for block in payer.blocks:  # relaxable builds only
                self.add(used == 0, None, only_if=self.block_literals(block))
            self.vars.pledge_used[key] = used
            self.vars.drawn[key] = drawn
            self._usable_pledges.append((payer.nation, pledge))

    def _inclusions(self) -> None:
        """What a why-not question asks to include (the forms of `INCLUSION_KINDS`)."""
        for name in self.include:
            kind, _, subject = name.partition(":") if name.split(":", 1)[0] in INCLUSION_KINDS else ("", "", name)
            if kind == "units":
                self.add(self.contributes(subject) >= 1, None)
            elif kind == "money":
                drawn = [used for key, used in self.vars.pledge_used.items() if key_parts(key)[0] == subject]
                self.add(sum(drawn) >= 1, None)
            elif kind == "pledge":
                self.add(self.vars.pledge_used.get(subject, 0) >= 1, None)
            elif kind == "keep":
                key, _, rest = subject.partition("@")
                line, _, count = rest.partition("=")
                var = self.vars.units.get((key, line))
                self.add((var if var is not None else 0) >= int(count or 1), None)
            elif kind == "line":
                requirement = next(r for r in self.scenario.requirements if r.id == subject)
                per_unit = (lambda c: c.unit.personnel) if requirement.measure == Measure.PERSONNEL else (lambda c: 1)
                options = self._pairs_of_requirement.get(subject, [])
                self.add(sum(per_unit(c) * self.units(c) for c in options) >= requirement.quantity, None)
            elif subject in self.scenario.nation_by_code:
                self.add(self.participates(subject) >= 1, None)
            else:
                pairs = self._pairs_of_unit.get(subject, [])
                self.add(sum(self.units(c) for c in pairs) >= 1, None)

    def _criteria(self) -> None:
        names: list[str] = [t.criterion for t in self.scenario.objective]
        if self.baseline is not None:
            names.insert(0, "churn")
        for name in names:
            self.criteria[name] = criterion(name).expression(self)

    # -- handles rules use -------------------------------------------------------------

    timing = STATIC

    def binds(self, element: Element) -> bool:
        """A static model: every element binds."""
        return True

    def required(self, requirement: Requirement) -> int | None:
        """The quantity the line asks for (None where it is not needed: a phased bucket's)."""
        return requirement.quantity

    def provided(self, requirement: Requirement) -> LinearExpr:
        """What the line receives, in its measure."""
        per_unit = (lambda c: c.unit.personnel) if requirement.measure == Measure.PERSONNEL else (lambda c: 1)
        return sum(per_unit(c) * self.units(c) for c in self.options_of_requirement(requirement.id))

    def enforce(self, element: Element) -> BoolVar:
        """The element's enforcement literal (relaxable builds)."""
        literal = self.vars.enforce.get(element)
        if literal is None:
            literal = self.model.new_bool_var(
                f"{self.prefix}enforce[{element.type}:{element.id}:{element.nation or ''}]"
            )
            self.vars.enforce[element] = literal
        return literal

    def is_held(self, element: Element) -> bool:
        """Whether the element is never given up in this build (a phased what-if's history holds some:
        `PhasedBuilder.is_held`); none in a static build."""
        return False

    def block_literals(self, block: Block) -> list[BoolVar]:
        """Literals under which a block holds: every alternative element still enforced."""
        return [self.enforce(e) for e in block]

    def add(
        self,
        constraint: Any,
        element: Element | None,
        only_if: Sequence[BoolVar | int] = (),
    ) -> None:
        """Add a rule's constraint, enforced by the element's literal in a relaxable build.

        `constraint` is a linear constraint, or a plain bool when an expression folded to a
        constant (e.g. an essential line no unit can reach: `0 >= 2`). `only_if` literals that
        are the constant 0 make the constraint vacuous; constant 1 drops out.
        """
        if any(isinstance(lit, int) and not lit for lit in only_if):
            return
        literals: list[BoolVar] = [lit for lit in only_if if not isinstance(lit, int)]
        if self.guard is not None:
            literals.append(self.guard)
        if self.relaxable and element is not None:
            literals.append(self.enforce(element))
        if isinstance(constraint, bool | np.bool_):
            if not constraint:
                # cannot hold: infeasible as stated, or whenever the literals are all true
                self.model.add_bool_or([lit.Not() for lit in literals])
            return
        ct = self.model.add(constraint)
        if literals:
            ct.only_enforce_if(literals)

    def at_least(self, var: cp_model.IntVar, constant: int, terms: Sequence[tuple[int, cp_model.IntVar]]) -> None:
        """var >= constant + sum(coefficient x term), for a variable whose only other use is to
        bound a minimised criterion from above (a desirable line's shortfall, a pair's churn).

        A search may leave such a variable above the least value its row allows; `tightened`
        brings it down, so a package's criteria are its own and not a loose upper bound of them.
        """
        self.model.add(var >= constant + sum(c * t for c, t in terms))
        self._floors[var.index].append((constant, [(c, t.index) for c, t in terms]))

    def tightened(self, values: Sequence[int]) -> list[int]:
        """The same package (a value for every model variable) with each variable added by
        `at_least` at the least value its rows and domain allow: still a solution of the model,
        and no criterion worse."""
        out = list(values)
        variables = self.model.proto.variables
        for index, rows in self._floors.items():
            least = max(
                variables[index].domain[0],
                *(constant + sum(c * out[i] for c, i in terms) for constant, terms in rows),
            )
            out[index] = min(out[index], least)
        return out

    def units(self, c: Candidate) -> cp_model.IntVar:
        return self.vars.units[(c.key, c.requirement.id)]

    def options_of_nation(self, nation: str) -> list[Candidate]:
        """The nation's options in the model."""
        return self._pairs_of_nation.get(nation, [])

    def options_of_requirement(self, requirement_id: str) -> list[Candidate]:
        """The options that can fill the requirement line."""
        return self._pairs_of_requirement.get(requirement_id, [])

    def shortfall(self, requirement: Requirement) -> cp_model.IntVar:
        """The desirable line's uncovered quantity, at least `quantity - provided` (`at_least`)."""
        short = self.vars.shortfall.get(requirement.id)
        if short is None:
            short = self.model.new_int_var(0, requirement.quantity, f"{self.prefix}shortfall[{requirement.id}]")
            per_unit = requirement.measure == "personnel"
            terms = [
                (-(c.unit.personnel if per_unit else 1), self.units(c))
                for c in self.options_of_requirement(requirement.id)
            ]
            self.at_least(short, requirement.quantity, terms)
            self.vars.shortfall[requirement.id] = short
        return short

    def pooled_capabilities(self) -> list[str]:
        """Capabilities some unit line that is not self-funded can fill a line of, in order met."""
        return list(dict.fromkeys(u.capability for u in self.unit_lines().values() if not u.self_funded))

    def pooled_cost(self, capability: str) -> LinearExpr:
        """USD of the capability's assigned units that are not self-funded."""
        return sum(
            self.unit_cost(key)
            for key, u in self.unit_lines().items()
            if u.capability == capability and not u.self_funded
        )

    def pooled_cost_ceiling(self, capability: str) -> int:
        """The most the capability's units that are not self-funded can cost."""
        return sum(
            self.most_unit_cost(key)
            for key, u in self.unit_lines().items()
            if u.capability == capability and not u.self_funded
        )

    def flows_into(self, capability: str) -> list[cp_model.IntVar]:
        """USD from each usable pledge into the capability's pooled cost."""
        return [flow for (_, cap), flow in self.vars.flows.items() if cap == capability]

    def drawn(self) -> list[cp_model.IntVar]:
        """USD drawn from each usable pledge."""
        return list(self.vars.drawn.values())

    def new_int(self, lo: int, hi: int, name: str) -> cp_model.IntVar:
        """A rule's helper variable."""
        return self.model.new_int_var(lo, hi, f"{self.prefix}{name}")

    def arrivals(self, node: str) -> list[Arrivals]:
        """A static package has no arrivals (a phased plan's builder has: `PhasedBuilder`)."""
        return []

    def toured(self, option: Candidate) -> list[cp_model.IntVar]:
        """A static package has no tours (a phased plan's builder has: `PhasedBuilder`)."""
        return []

    def pairs(self) -> Iterable[Candidate]:
        for pairs in self._pairs_of_unit.values():
            yield from pairs

    def nations(self) -> list[str]:
        """Every nation that could contribute units."""
        return list(self.vars.contributes)

    def shortfalls(self) -> Mapping[str, cp_model.IntVar]:
        """Each desirable line's shortfall variable, by line id."""
        return self.vars.shortfall

    def foc_waiting(self) -> LinearExpr:
        """A static package has no time to full operational capability (`foc` is refused there)."""
        return 0

    def churn_items(self) -> Iterable[tuple[tuple[Any, ...], cp_model.IntVar, int]]:
        """Units per (unit line's key, line), with the line's count: what churn counts."""
        for c in self.pairs():
            yield (c.key, c.requirement.id), self.units(c), c.unit.count

    def pair_variables(self) -> Mapping[Pair, cp_model.IntVar]:
        """Units per option, by (unit key, line id)."""
        return self.vars.units

    def sectors_of(self, nation: str) -> set[str]:
        """Sectors the nation's units could reach."""
        return self._sectors_of.get(nation, set())

    def usable_pledges(self) -> list[tuple[str, FundingPledge]]:
        """(nation, pledge) of every pledge in the model."""
        return self._usable_pledges

    def contributes(self, nation: str) -> BoolVar | int:
        """Nation deploys units (0 when none of its units can be placed)."""
        return self.vars.contributes.get(nation, 0)

    def participates(self, nation: str) -> BoolVar | int:
        """Nation deploys units or its money is drawn."""
        flag = self.vars.participates.get(nation)
        if flag is not None:
            return flag
        used = [self.vars.pledge_used[offer_key(n, p.id)] for n, p in self._usable_pledges if n == nation]
        if not used:
            return self.contributes(nation)
        flag = self.model.new_bool_var(f"{self.prefix}participates[{nation}]")
        parts = [*used, self.contributes(nation)]
        for part in parts:
            self.model.add(flag >= part)
        self.model.add(flag <= sum(parts))
        self.vars.participates[nation] = flag
        return flag

    def in_sector(self, nation: str, sector: str) -> BoolVar | int:
        """Nation has units in the sector."""
        key = (nation, sector)
        flag = self.vars.in_sector.get(key)
        if flag is not None:
            return flag
        pairs = [c for c in self.options_of_nation(nation) if c.requirement.sector == sector]
        if not pairs:
            return 0
        flag = self.model.new_bool_var(f"{self.prefix}in_sector[{nation},{sector}]")
        by_unit: dict[str, list[Candidate]] = defaultdict(list)
        for c in pairs:
            by_unit[c.key].append(c)
        for unit_pairs in by_unit.values():
            # (at most its count at once; a phased unit line's units are summed over its tours, so
            # the bound is what its variables can hold)
            most = unit_pairs[0].unit.count
            if self.scenario.phasing is not None:
                most = sum(max(self.units(c).proto.domain) for c in unit_pairs)
            self.model.add(sum(self.units(c) for c in unit_pairs) <= most * flag)
        self.model.add(sum(self.units(c) for c in pairs) >= flag)
        self.vars.in_sector[key] = flag
        return flag

    def personnel(self, nation: str) -> LinearExpr:
        """Personnel the nation deploys."""
        units = {c.key: c.unit for c in self.options_of_nation(nation)}
        return sum(unit.personnel * self.vars.deployed[key] for key, unit in units.items())

    def total_personnel(self) -> cp_model.IntVar:
        """Personnel of the whole package, one variable shared by every rule that reads it
        (a share ceiling per nation would otherwise copy the whole sum once per nation)."""
        if self._total_personnel is None:
            units = {c.key: c.unit for c in self.pairs()}
            most = sum(unit.personnel * unit.count for unit in units.values())
            self._total_personnel = self.model.new_int_var(0, most, f"{self.prefix}total_personnel")
            self.model.add(
                self._total_personnel
                == cp_model.LinearExpr.weighted_sum(
                    [self.vars.deployed[u] for u in units], [unit.personnel for unit in units.values()]
                )
            )
        return self._total_personnel

    def served_months(self, key: str) -> cp_model.IntVar:
        """Unit-months the offered unit line `key` serves (each of its units times its line's months).

        Its cost is this times the unit's monthly cost: one term per unit line, where a sum over
        every (unit, line) pair would count each unit's money once per line it could fill."""
        var = self.vars.unit_months.get(key)
        if var is None:
            pairs = self._pairs_of_unit[key]
            months = [self.scenario.months_of(c.requirement) for c in pairs]
            unit = pairs[0].unit
            var = self.model.new_int_var(0, unit.count * max(months), f"{self.prefix}unit_months[{key}]")
            self.model.add(var == cp_model.LinearExpr.weighted_sum([self.units(c) for c in pairs], months))
            self.vars.unit_months[key] = var
        return var

    def unit_lines(self) -> dict[str, UnitOffer]:
        """The offered unit lines in the model (those that can fill some line) by key, in scenario order."""
        return {key: pairs[0].unit for key, pairs in self._pairs_of_unit.items()}

    def unit_cost(self, key: str) -> LinearExpr:
        """USD the offered unit line's assigned units cost over their lines' windows."""
        return self.scenario.monthly_cost_of(self._pairs_of_unit[key][0].unit) * self.served_months(key)

    def most_unit_cost(self, key: str) -> int:
        """The most the offered unit line can cost: all its units on its longest line."""
        pairs = self._pairs_of_unit[key]
        unit = pairs[0].unit
        months = max(self.scenario.months_of(c.requirement) for c in pairs)
        return self.scenario.monthly_cost_of(unit) * unit.count * months

    def total_cost(self) -> LinearExpr:
        """USD of every assigned unit over its line's window, self-funded ones included."""
        return sum(self.unit_cost(key) for key in self.unit_lines())

    def cost_coefficient(self, unit: UnitOffer, requirement: Requirement) -> int:
        """USD one unit costs on one line: monthly cost x months of the line's window."""
        return self.scenario.monthly_cost_of(unit) * self.scenario.months_of(requirement)

    def nation_blocks(self, nation: str) -> list[Block]:
        return participation_blocks(self.scenario, nation)


def build(
    scenario: Scenario,
    *,
    relaxable: bool = False,
    include: Sequence[str] = (),
    baseline: Mapping[Pair, int] | None = None,
    cancel: threading.Event | None = None,
) -> BuiltModel:
    """Compile a scenario into a CP-SAT model.

    Parameters
    ----------
    scenario
        A validated scenario.
    relaxable
        Put every scenario element behind an enforcement literal (`vars.enforce`) and keep the
        pairs eligibility closes, held at zero while the elements closing them are enforced.
    include
        Nation codes that must take part and offered unit ids that must deploy (why-not
        questions); each must name a nation or unit of the scenario.
    baseline
        A package (units per (unit, requirement)) to stay close to: adds the `churn` criterion,
        the units moved, added or removed against it.
    """
    return ModelBuilder(scenario, relaxable=relaxable, include=include, baseline=baseline, cancel=cancel).build()
