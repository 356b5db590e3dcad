"""What every rule home holds, and the narrow view of the model a rule builds through.

A scenario's elements come in families, one per conflict type (`requirement`, `red_line`, `veto`,
`target`, `mandate`, `funding`, `availability`, and in a phased scenario `node` and `tour`). Each
family's home (a module of this package) holds all of its faces:

- **eligibility**: which (unit, line) options it closes (`Rule.blocks`) and which nations it bars
  altogether (`Rule.bars`), each closure naming the elements behind it;
- **constraint**: what it adds to the CP-SAT model (`Rule.constrain`), through `ModelView` only;
- **verdict**: how the independent checker finds it broken (`Rule.verdict`), from the scenario
  and the document alone (`forcepack.solver.checking`), sharing no code with the constraint; and
  how it finds it broken in a phased plan (`Rule.phased_verdict`, on `forcepack.solver.checked_plan`:
  in every bucket's snapshot where it binds, or over the plan as a whole);
- **sentence**: the element in a planner's words (`Family.describe`);
- **relaxation**: how it is given up, in the scenario's document (`Family.relax`), and how hard
  that is when the scenario does not say (`Family.default_relax_cost`);
- **patch**: the same change as `forcepack.patch/1` operations, so a way out runs as a what-if
  in one step (`Family.patch`; None where no operation expresses it);
- **figures**: for a rule that couples decisions, the numbers it clashes on in a conflict
  (`Family.clash`: what to optimise with the rest of the conflict held, and the sentence);
- **easing** (a family whose element sets when and how long a unit can serve: `availability`,
  `tour`): the unit as the relaxation leaves it (`Easing.ease`), so that a relaxable phased model
  holds the tours the relaxed unit could serve, each behind the element.

This module, like every rule home, imports only the standard library, `forcepack.models` and the
checker's view: no OR-Tools (a test imports the homes with OR-Tools made unimportable), so the
verdicts can be read and run without the solver.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from forcepack.models import phases
from forcepack.models.patch import Operation
from forcepack.models.scenario import FundingPledge, Requirement, Scenario, UnitOffer, offer_key
from forcepack.models.solution import ConflictType
from forcepack.solver.checked_plan import CheckedPlan
from forcepack.solver.checking import CheckedDocument, Violation
from forcepack.solver.elements import Block, Element

Expr = Any
"""A CP-SAT linear expression or variable (typed loosely here: the homes never import OR-Tools)."""
Literal = Any
"""A CP-SAT Boolean variable, or the constant 0 or 1 where the model knows the answer already."""


@dataclass(frozen=True)
class Arrivals:
    """What a node of entry carries in one bucket of a phased model: the personnel and tons of the
    arrivals routed through it (the builder's flows), and the most they can come to."""

    node: str
    bucket: int
    days: int
    """Days of the bucket (a node carries its daily figures times these)."""
    personnel: Expr
    tons: Expr
    most_personnel: int
    most_tons: int


@dataclass(frozen=True)
class Candidate:
    """An option: an offered unit line and a requirement line of the same capability."""

    unit: UnitOffer
    nation: str
    requirement: Requirement
    blocks: tuple[Block, ...]
    """Why the option is closed; empty when it is open. Relaxing one element of every block opens it."""

    @property
    def eligible(self) -> bool:
        return not self.blocks

    @property
    def key(self) -> str:
        """The unit line's key, `NATION/id` (`models.scenario.offer_key`)."""
        return offer_key(self.nation, self.unit.id)


class ModelView(Protocol):
    """What a rule may ask of the model being built, and add to it. Rules hold no variables of
    their own: they read the package's variables through these handles and add constraints."""

    @property
    def scenario(self) -> Scenario: ...

    @property
    def relaxable(self) -> bool: ...

    @property
    def timing(self) -> str:
        """`static` (a static scenario's model: every rule once), `plan` (a phased model's whole
        plan) or `bucket` (one bucket of it): `applies` reads it."""

    def binds(self, element: Element) -> bool:
        """The element binds where this view looks (a dated element, outside its dates, does not)."""

    def required(self, requirement: Requirement) -> int | None:
        """The quantity the line asks for here (None where it is not needed)."""

    def provided(self, requirement: Requirement) -> Expr:
        """What the line receives here, in its measure."""

    def add(self, constraint: Any, element: Element | None, only_if: Sequence[Literal] = ()) -> None:
        """Add a constraint, enforced by the element's literal in a relaxable build (and only if
        every `only_if` literal holds)."""

    def units(self, option: Candidate) -> Expr:
        """Units of the option's unit line on its requirement line."""

    def options_of_requirement(self, requirement_id: str) -> list[Candidate]: ...

    def options_of_nation(self, nation: str) -> list[Candidate]: ...

    def shortfall(self, requirement: Requirement) -> Expr:
        """The desirable line's uncovered quantity (a variable the model keeps at least at
        `quantity - provided`, and no higher than a package's own, `ModelBuilder.tightened`)."""

    def contributes(self, nation: str) -> Literal: ...

    def participates(self, nation: str) -> Literal: ...

    def in_sector(self, nation: str, sector: str) -> Literal: ...

    def sectors_of(self, nation: str) -> set[str]:
        """Sectors the nation's units could reach."""

    def personnel(self, nation: str) -> Expr: ...

    def total_personnel(self) -> Expr: ...

    def pooled_cost(self, capability: str) -> Expr:
        """USD of the capability's assigned units that are not self-funded."""

    def pooled_cost_ceiling(self, capability: str) -> int:
        """The most the capability's units that are not self-funded can cost."""

    def pooled_capabilities(self) -> list[str]:
        """Capabilities some unit line that is not self-funded can fill a line of."""

    def flows_into(self, capability: str) -> list[Expr]:
        """USD flowing from each usable pledge into the capability's pooled cost."""

    def drawn(self) -> list[Expr]:
        """USD drawn from each usable pledge."""

    def new_int(self, lo: int, hi: int, name: str) -> Expr:
        """A helper variable of the rule's (named after what it counts)."""

    def toured(self, option: Candidate) -> list[Expr]:
        """The units of each of the option's tours (a phased plan's view; a static model has none)."""

    def arrivals(self, node: str) -> list[Arrivals]:
        """What the node of entry carries where this view looks: in each bucket some arrival may pass
        through it (the plan's view), in this bucket (a bucket's view); none in a static model."""


@dataclass(frozen=True)
class Clash:
    """The numbers a coupling rule clashes on in a conflict.

    With the rest of the conflict held (and everything else relaxed), `objective` is optimised
    (maximised when `maximise`); since the conflict is minimal, its best value breaks the rule,
    and `words(best, reads)` says by how much: `best` is the proven bound (so "at most" and "at
    least" stay true even when the search was cut short), `reads` the value of each expression
    of `reads` in the package found (the closest package, for a rule whose figure is a ratio).
    """

    objective: Expr
    maximise: bool
    words: Callable[[int, Mapping[str, int]], str]
    reads: Mapping[str, Expr] = field(default_factory=dict)


STATIC, PLAN, BUCKET = "static", "plan", "bucket"
"""The timings of a view (`ModelView.timing`)."""


def applies(view: ModelView, *timings: str) -> bool:
    """Does a rule that holds at these timings (`plan`: over the whole plan; `bucket`: in every
    bucket) constrain through this view? A static model holds every rule once."""
    return view.timing == STATIC or view.timing in timings


OptionFilter = Callable[[UnitOffer, Requirement], list[Block]]
"""Why a rule closes one option (a unit line on a requirement line) of a nation: its blocks."""


class Easing(Protocol):
    """A family whose element, given up, changes the tours a unit can serve (its ready day and
    window, its tour length): a relaxable phased model also holds the tours of the unit as the
    relaxation leaves it (`ease`), each allowed only when the elements eased are exactly those that
    make it a tour, so a way out found in the model is one in the relaxed scenario."""

    def element(self, unit: UnitOffer, nation: str) -> Element:
        """The unit's element of this family."""

    def eases(self, scenario: Scenario, unit: UnitOffer) -> bool:
        """Giving the element up changes the unit's tours."""

    def ease(self, unit: UnitOffer) -> UnitOffer:
        """The unit as the relaxation leaves it (what `Family.relax` does to its document)."""

    def keeps_out(self, scenario: Scenario, unit: UnitOffer, requirement: Requirement) -> bool:
        """Held, the element closes the option for more than the tours it decides (which the model's
        tours of the eased unit say exactly): availability, when the line asks for a readiness the
        unit lacks."""


class Family(ABC):
    """One conflict type's faces in words and in the scenario: its sentence and its relaxation."""

    type: ClassVar[ConflictType]
    default_relax_cost: ClassVar[int]
    """How hard an element of this family is to give up, when the scenario does not say."""

    @abstractmethod
    def describe(self, scenario: Scenario, element: Element) -> str:
        """The element in a planner's words (explanations quote it)."""

    @abstractmethod
    def relax(self, document: dict[str, Any], element: Element) -> None:
        """Give the element up in a scenario's document (the form of a scenario file), as its
        enforcement literal does in a relaxable model."""

    @abstractmethod
    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        """The relaxation as patch operations (`forcepack.models.patch`), applying to the scenario
        what `relax` does to its document; None when no operation can express it."""

    def unpatchable(self, scenario: Scenario, element: Element) -> str | None:
        """Why no patch operation gives the element up, in words, where `patch` gives None for a
        reason of the family's own (None: no operation for it, said the common way)."""
        return None

    def binds(self, scenario: Scenario, element: Element) -> list[int]:
        """The time face: the buckets of a phased scenario the element binds in (every one, unless
        the family dates its elements)."""
        return list(range(len(phases.buckets(scenario))))

    def clash(self, view: ModelView, element: Element) -> Clash | None:
        """The numbers the element clashes on in a conflict (`Clash`); None for a rule that only
        filters or has no figure to give."""
        return None

    def given_relax_cost(self, scenario: Scenario, element: Element) -> int | None:
        """The element's own `relax_cost` in the scenario, where it can have one."""
        return None

    def relax_cost(self, scenario: Scenario, element: Element) -> int:
        """The element's `relax_cost` where the scenario gives one, else the family's default."""
        given = self.given_relax_cost(scenario, element)
        return self.default_relax_cost if given is None else given


class Rule(ABC):
    """A rule of the domain reference: its model faces and its verdict.

    A rule closes options (`blocks`), bars nations (`bars`), constrains the model (`constrain`),
    or several of these; the registry test requires each rule to have at least one model face and
    a verdict.
    """

    name: ClassVar[str]
    """The rule's key: a red-line kind, a target key, `veto`, `requirement`, ..."""
    family: ClassVar[ConflictType]
    placement: ClassVar[bool] = False
    """Its verdict judges each placement alone (engagement, control, sectors, vetoes, mandate
    conditions): in a phased plan it closes a line to a unit in the buckets it binds in, which ends
    a tour there (the checker cuts tours with these verdicts)."""

    def blocks(self, scenario: Scenario, nation: str) -> OptionFilter | None:
        """The rule's filter of the nation's options: given a unit line and a requirement line, why
        the rule closes that option (no block: open). None when it closes none of the nation's.
        (Made once per nation, so what the filter needs is looked up once.)"""
        return None

    def bars(self, scenario: Scenario, nation: str) -> list[Block]:
        """Why the rule keeps the nation out altogether (units and money)."""
        return []

    def bars_units(self, scenario: Scenario, nation: str) -> list[Block]:
        """Why the rule keeps every unit of the nation out (its money still welcome)."""
        return []

    def constrain(self, view: ModelView) -> None:  # noqa: B027 (a rule may only filter)
        """Add the rule's constraints to the model."""

    @abstractmethod
    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """The violations of the rule in a solution document (the checker's face)."""

    @abstractmethod
    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """The violations of the rule in a phased plan: in each bucket where it binds
        (`checked_plan.in_each_bucket`), or over the plan as a whole (the checker's face in time)."""


def faces(rule: Rule) -> set[str]:
    """The model faces a rule defines (overrides): `blocks`, `bars`, `bars_units`, `constrain`."""
    return {
        name
        for name in ("blocks", "bars", "bars_units", "constrain")
        if getattr(type(rule), name) is not getattr(Rule, name)
    }


def relax_in_offer(document: dict[str, Any], nation: str | None, part: str, ident: str, change: Any) -> None:
    """Apply `change(item)` to the item of id `ident` in the nation's offer part (`units`,
    `red_lines`): ids are each nation's own."""
    for offer in document.get("offers", []):
        if offer["nation"] == nation:
            for item in offer.get(part, []):
                if item["id"] == ident:
                    change(item)


def pledge_of(scenario: Scenario, nation: str, pledge_id: str) -> FundingPledge | None:
    """The nation's pledge of that id."""
    offer = scenario.offer_by_nation.get(nation)
    return next((p for p in offer.funding if p.id == pledge_id), None) if offer else None


def first(items: Iterable[Any]) -> Any:
    """The first item (the element a family describes must exist in the scenario)."""
    return next(iter(items))
