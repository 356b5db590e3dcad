"""Red lines (national caveats): one class per kind, each the home of all of that caveat's faces.

Per kind: `line_blocks` (the options a caveat closes before the model is built: engagement,
control status, sectors), `line_bars` (a nation's whole participation closed: an unmet mandate
condition), `line_constrain` (caveats that couple decisions: not alongside, partners, ceilings,
contingents, sector counts), `verdict` (the checker's face, from the document alone) and
`describe_line` (its sentence). The family (`RedLineFamily`) gives every kind the same
relaxation: the nation withdraws the caveat.

Adding a kind: its model in `models/red_lines.py` (the union), a class here listed in
`RED_LINE_RULES`, and a test; `tests/solver/test_registry.py` fails until every face is there.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from forcepack.models import phases
from forcepack.models.common import ENGAGEMENT_NAMES, AlongsideScope
from forcepack.models.patch import DropRedLine, Operation
from forcepack.models.red_lines import (
    AllowedControl,
    MaxEngagement,
    MaxPersonnel,
    MaxSectors,
    MinContingent,
    NotAlongside,
    RedLine,
    RequiresMandate,
    RequiresPartner,
    Sectors,
)
from forcepack.models.scenario import Requirement, Scenario, UnitOffer
from forcepack.models.wording import plural
from forcepack.solver.checked_plan import CheckedPlan, in_each_bucket
from forcepack.solver.checking import CheckedDocument, Violation, conditions, fills, names
from forcepack.solver.elements import Block, Element
from forcepack.solver.rules.base import BUCKET, PLAN, Clash, Expr, Family, ModelView, OptionFilter, Rule, applies

L = TypeVar("L", bound=RedLine)


def element_of(line: RedLine, nation: str) -> Element:
    """The scenario element a red line is, for conflicts and enforcement."""
    return Element("red_line", line.id, nation)


class RedLineRule(Rule, Generic[L]):
    """A red-line kind: its faces per line, and the rule-level faces built from them."""

    family = "red_line"
    model: ClassVar[type[RedLine]]

    def lines(self, scenario: Scenario, nation: str) -> list[L]:
        """The nation's red lines of this kind."""
        return [line for line in scenario.red_lines_of(nation) if isinstance(line, self.model)]  # type: ignore[misc]

    # -- the faces of one line (a kind overrides those it has) --------------------------------

    def line_blocks(self, line: L, scenario: Scenario, requirement: Requirement) -> bool:
        """True when the caveat forbids the nation's units on this requirement line."""
        return False

    def line_bars(self, line: L, scenario: Scenario, nation: str) -> list[Block]:
        """Reasons the caveat bars the nation altogether (units and money)."""
        return []

    def line_constrain(self, line: L, nation: str, view: ModelView) -> None:
        """Add the caveat's coupling constraints to the model."""

    def line_clash(self, line: L, nation: str, view: ModelView) -> Clash | None:
        """The numbers the caveat clashes on in a conflict (`Clash`), for a kind that couples."""
        return None

    @abstractmethod
    def describe_line(self, line: L, scenario: Scenario, nation: str) -> str:
        """The caveat in a planner's words."""

    # -- the rule-level faces ------------------------------------------------------------------

    def blocks(self, scenario: Scenario, nation: str) -> OptionFilter | None:
        lines = self.lines(scenario, nation)
        if not lines or "line_blocks" not in line_faces(self):
            return None

        def closed(unit: UnitOffer, requirement: Requirement) -> list[Block]:
            return [(element_of(line, nation),) for line in lines if self.line_blocks(line, scenario, requirement)]

        return closed

    def bars(self, scenario: Scenario, nation: str) -> list[Block]:
        return [block for line in self.lines(scenario, nation) for block in self.line_bars(line, scenario, nation)]

    def constrain(self, view: ModelView) -> None:
        for offer in view.scenario.offers:
            for line in self.lines(view.scenario, offer.nation):
                if applies(view, *self.line_timings(line)) and view.binds(element_of(line, offer.nation)):
                    self.line_constrain(line, offer.nation, view)

    def line_timings(self, line: L) -> tuple[str, ...]:
        """Where a caveat that couples decisions holds in a phased plan: in every bucket (the units
        present there) unless its kind says over the whole plan too, or instead."""
        return (BUCKET,)


def line_faces(rule: RedLineRule[Any]) -> set[str]:
    """The per-line model faces a kind defines (overrides)."""
    return {
        name
        for name in ("line_blocks", "line_bars", "line_constrain")
        if getattr(type(rule), name) is not getattr(RedLineRule, name)
    }


class MaxEngagementRule(RedLineRule[MaxEngagement]):
    name = "max_engagement"
    model = MaxEngagement
    placement = True

    def line_blocks(self, line: MaxEngagement, scenario: Scenario, requirement: Requirement) -> bool:
        return requirement.engagement > line.level

    def describe_line(self, line: MaxEngagement, scenario: Scenario, nation: str) -> str:
        level = int(line.level)
        return f"{nation} only accepts tasks up to engagement level {level} ({ENGAGEMENT_NAMES[level]})"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `max_engagement`: the nation's units only fill lines of engagement <= level."""
        for p in pkg.placements:
            for line in pkg.scenario.red_lines_of(p.nation):
                if isinstance(line, MaxEngagement) and p.requirement.engagement > line.level and pkg.binds(line):
                    yield Violation(
                        "red_line.max_engagement",
                        f"red line `{line.id}` ({p.nation}, max_engagement {int(line.level)}): unit `{p.unit.id}` "
                        f"fills `{p.requirement.id}` of engagement {int(p.requirement.engagement)}",
                        line.id,
                    )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in, no unit of the nation is present on a line above its level."""
        yield from in_each_bucket(plan, self.verdict)


class AllowedControlRule(RedLineRule[AllowedControl]):
    name = "allowed_control"
    model = AllowedControl
    placement = True

    def line_blocks(self, line: AllowedControl, scenario: Scenario, requirement: Requirement) -> bool:
        return scenario.sector_by_id[requirement.sector].control not in line.statuses

    def describe_line(self, line: AllowedControl, scenario: Scenario, nation: str) -> str:
        statuses = " or ".join(str(status) for status in line.statuses)
        return f"{nation} only deploys to {statuses} sectors"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `allowed_control`: the nation's units only go to sectors of the listed control statuses."""
        for p in pkg.placements:
            for line in pkg.scenario.red_lines_of(p.nation):
                if isinstance(line, AllowedControl) and p.sector.control not in line.statuses and pkg.binds(line):
                    allowed = ", ".join(str(status) for status in line.statuses)
                    yield Violation(
                        "red_line.allowed_control",
                        f"red line `{line.id}` ({p.nation}, allowed_control [{allowed}]): unit `{p.unit.id}` "
                        f"fills `{p.requirement.id}` in sector `{p.sector.id}`, which is {p.sector.control}",
                        line.id,
                    )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in, no unit of the nation is present in a sector of another status."""
        yield from in_each_bucket(plan, self.verdict)


class SectorsRule(RedLineRule[Sectors]):
    name = "sectors"
    model = Sectors
    placement = True

    def line_blocks(self, line: Sectors, scenario: Scenario, requirement: Requirement) -> bool:
        if line.only is not None:
            return requirement.sector not in line.only
        return requirement.sector in (line.exclude or [])

    def describe_line(self, line: Sectors, scenario: Scenario, nation: str) -> str:
        if line.only is not None:
            return f"{nation} only deploys to {', '.join(line.only)}"
        return f"{nation} does not deploy to {', '.join(line.exclude or [])}"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `sectors`: the nation's units go only to the sectors of `only`, never to those of `exclude`."""
        for p in pkg.placements:
            for line in pkg.scenario.red_lines_of(p.nation):
                if not isinstance(line, Sectors) or not pkg.binds(line):
                    continue
                if line.only is not None and p.sector.id not in line.only:
                    yield Violation(
                        "red_line.sectors",
                        f"red line `{line.id}` ({p.nation}, only {names(line.only)}): unit `{p.unit.id}` "
                        f"fills `{p.requirement.id}` in sector `{p.sector.id}`",
                        line.id,
                    )
                if line.exclude is not None and p.sector.id in line.exclude:
                    yield Violation(
                        "red_line.sectors",
                        f"red line `{line.id}` ({p.nation}, exclude {names(line.exclude)}): unit `{p.unit.id}` "
                        f"fills `{p.requirement.id}` in sector `{p.sector.id}`",
                        line.id,
                    )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in, no unit of the nation is present in a sector it excludes."""
        yield from in_each_bucket(plan, self.verdict)


class NotAlongsideRule(RedLineRule[NotAlongside]):
    name = "not_alongside"
    model = NotAlongside

    def line_timings(self, line: NotAlongside) -> tuple[str, ...]:
        """`force`: never both take part over the plan; `sector`: no sector shared in a bucket."""
        return (PLAN,) if line.scope == AlongsideScope.FORCE else (BUCKET,)

    def line_constrain(self, line: NotAlongside, nation: str, view: ModelView) -> None:
        element = element_of(line, nation)
        for other in line.nations:
            if line.scope == AlongsideScope.FORCE:
                view.add(view.participates(nation) + view.participates(other) <= 1, element)
                continue
            for sector in sorted(view.sectors_of(nation) & view.sectors_of(other)):
                view.add(view.in_sector(nation, sector) + view.in_sector(other, sector) <= 1, element)

    def line_clash(self, line: NotAlongside, nation: str, view: ModelView) -> Clash | None:
        others = ", ".join(line.nations)

        def both(a: Expr, b: Expr, name: str) -> Expr:
            """1 where both hold (least, minimised: at least a + b - 1, never below 0)."""
            pair = view.new_int(0, 1, f"clash_both[{line.id}:{nation}:{name}]")
            view.add(pair >= a + b - 1, None)
            return pair

        if line.scope == AlongsideScope.FORCE:
            together = [both(view.participates(nation), view.participates(o), o) for o in line.nations]

            def in_force(best: int, reads: Mapping[str, int]) -> str:
                return (
                    f"{nation} will not serve in a force with {others}; the rest of the conflict needs "
                    f"{nation} with at least {best} of them"
                )

            return Clash(sum(together), False, in_force)
        shared = [
            both(view.in_sector(nation, sector), view.in_sector(other, sector), f"{other}:{sector}")
            for other in line.nations
            for sector in sorted(view.sectors_of(nation) & view.sectors_of(other))
        ]
        if not shared:
            return None

        def in_sector(best: int, reads: Mapping[str, int]) -> str:
            return (
                f"{nation} will not share a sector with {others}; the rest of the conflict needs them "
                f"together in at least {plural(best, 'sector')}"
            )

        return Clash(sum(shared), False, in_sector)

    def describe_line(self, line: NotAlongside, scenario: Scenario, nation: str) -> str:
        others = ", ".join(line.nations)
        if line.scope == AlongsideScope.FORCE:
            return f"{nation} does not take part in a force that includes {others}"
        return f"{nation} does not share a sector with {others}"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `not_alongside`: `force`, never both take part (money included); `sector`, never in one sector."""
        yield from self._force(pkg)
        yield from self._sector(pkg)

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """`force`: over the whole plan, never both take part (a tour or money); `sector`: in every bucket
        it binds in, no sector holds units of both."""
        yield from self._force(plan)
        yield from in_each_bucket(plan, self._sector)

    @staticmethod
    def _lines(pkg: CheckedDocument, scope: AlongsideScope) -> Iterator[tuple[str, NotAlongside]]:
        for offer in pkg.scenario.offers:
            for line in offer.red_lines:
                if isinstance(line, NotAlongside) and line.scope == scope and pkg.binds(line):
                    yield offer.nation, line

    def _force(self, pkg: CheckedDocument) -> Iterator[Violation]:
        for nation, line in self._lines(pkg, AlongsideScope.FORCE):
            for other in line.nations:
                if nation in pkg.participating and other in pkg.participating:
                    yield Violation(
                        "red_line.not_alongside",
                        f"red line `{line.id}` ({nation}, not alongside {other} in the force): "
                        f"both {nation} and {other} take part",
                        line.id,
                    )

    def _sector(self, pkg: CheckedDocument) -> Iterator[Violation]:
        for nation, line in self._lines(pkg, AlongsideScope.SECTOR):
            for other in line.nations:
                shared = pkg.sectors_of.get(nation, set()) & pkg.sectors_of.get(other, set())
                for sector in sorted(shared):
                    yield Violation(
                        "red_line.not_alongside",
                        f"red line `{line.id}` ({nation}, not alongside {other} in a sector): "
                        f"both have units in sector `{sector}`",
                        line.id,
                    )


class RequiresPartnerRule(RedLineRule[RequiresPartner]):
    name = "requires_partner"
    model = RequiresPartner

    @staticmethod
    def partners(line: RequiresPartner, scenario: Scenario, nation: str) -> list[str]:
        """The nations that count as partners (never the nation itself)."""
        pool = line.nations if line.nations is not None else scenario.group_members.get(line.group or "", [])
        return [code for code in pool if code != nation]

    def line_timings(self, line: RequiresPartner) -> tuple[str, ...]:
        """Partners present in every bucket the nation is, and contributing when its money is used."""
        return (PLAN, BUCKET)

    def line_constrain(self, line: RequiresPartner, nation: str, view: ModelView) -> None:
        count = sum(view.contributes(code) for code in self.partners(line, view.scenario, nation))
        only_if = [view.participates(nation)]
        if view.timing == PLAN:
            # Over the whole plan it binds only a nation taking part by its money alone: units are
            # held bucket by bucket, where the line binds (a nation whose line ends in January may
            # deploy alone from February).
            contributes = view.contributes(nation)
            if isinstance(contributes, int):  # (a nation with no unit that could serve: 0)
                if contributes:
                    return
            else:
                only_if.append(contributes.Not())
        view.add(count >= line.min, element_of(line, nation), only_if=only_if)

    def line_clash(self, line: RequiresPartner, nation: str, view: ModelView) -> Clash | None:
        partners = self.partners(line, view.scenario, nation)
        pool = ", ".join(partners) if line.nations is not None else f"group {line.group}"

        phasing = view.scenario.phasing

        def words(best: int, reads: Mapping[str, int]) -> str:
            needs = partners[0] if line.min == 1 and len(partners) == 1 and line.nations is not None else None
            head = (
                f"{nation} needs {needs} contributing units; "
                if needs
                else f"{nation} needs at least {plural(line.min, 'partner')} of {pool} contributing units; "
            )
            some = partners[0] if len(partners) == 1 else ("all of them" if best >= len(partners) else f"{best}")
            if best >= line.min and phasing is not None:
                # Enough partners over the plan: they cannot be there in the buckets its units are.
                at_once = "" if line.min == 1 else f" {line.min} at once"
                return head + (
                    f"the rest of the conflict lets {some} contribute over the plan, but not{at_once} in any "
                    f"{phasing.bucket} {nation}'s units are there"
                )
            if best >= len(partners):
                besides = plural(len(partners), "nation") if partners else "no nation"
                return (
                    head + f"{pool} has {besides} besides {nation}, and the rest of the conflict lets {some} contribute"
                )
            return head + f"the rest of the conflict lets at most {best} of its {len(partners)} contribute"

        return Clash(sum(view.contributes(code) for code in partners), True, words)

    def describe_line(self, line: RequiresPartner, scenario: Scenario, nation: str) -> str:
        pool = ", ".join(line.nations) if line.nations is not None else f"group {line.group}"
        if line.min == 1 and line.nations is not None and len(line.nations) == 1:
            return f"{nation} takes part only if {line.nations[0]} also contributes units"
        return f"{nation} takes part only if at least {line.min} of {pool} also contribute units"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `requires_partner`: the nation takes part only if `min` partners, itself excluded,
        contribute units."""
        yield from self._partners(pkg, pkg.participating)

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in where the nation's units are present, `min` partners have units
        present too; a nation taking part by its money alone (no tour) needs `min` partners with a tour."""
        yield from in_each_bucket(plan, self.verdict)
        yield from self._partners(plan, plan.participating - plan.contributing)

    @staticmethod
    def _partners(pkg: CheckedDocument, nations: frozenset[str]) -> Iterator[Violation]:
        for offer in pkg.scenario.offers:
            nation = offer.nation
            if nation not in nations:
                continue
            for line in offer.red_lines:
                if not isinstance(line, RequiresPartner) or not pkg.binds(line):
                    continue
                if line.nations is not None:
                    pool, named = line.nations, f"of {', '.join(line.nations)}"
                else:
                    group = line.group or ""
                    pool, named = pkg.scenario.group_members.get(group, []), f"of group `{group}`"
                present = sorted({n for n in pool if n != nation and n in pkg.contributing})
                if len(present) < line.min:
                    yield Violation(
                        "red_line.requires_partner",
                        f"red line `{line.id}` ({nation}, requires at least {plural(line.min, 'partner')} {named}): "
                        f"{nation} takes part with {plural(len(present), 'partner')} contributing units"
                        + (f" ({', '.join(present)})" if present else ""),
                        line.id,
                    )


class RequiresMandateRule(RedLineRule[RequiresMandate]):
    name = "requires_mandate"
    model = RequiresMandate
    placement = True

    def line_bars(self, line: RequiresMandate, scenario: Scenario, nation: str) -> list[Block]:
        # The caveat and the condition it waits for are alternatives: relaxing either opens it. In a
        # phased plan it bars only where the line binds in a bucket the condition does not hold in
        # (a line dated inside the condition's period bars nothing, its nation's money included).
        if scenario.phasing is not None:
            binding = set(phases.in_force(scenario, line.active_from, line.active_until))
            return [
                (element_of(line, nation), Element("mandate", condition))
                for condition in line.conditions
                if not binding <= set(phases.condition_buckets(scenario, condition))
            ]
        return [
            (element_of(line, nation), Element("mandate", condition))
            for condition in line.conditions
            if not scenario.mandate.get(condition, False)
        ]

    def describe_line(self, line: RequiresMandate, scenario: Scenario, nation: str) -> str:
        verb = "holds" if len(line.conditions) == 1 else "hold"
        return f"{nation} takes part only if {', '.join(line.conditions)} {verb}"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `requires_mandate`: the nation takes part (units or money) only if each named condition holds."""
        yield from self._units(pkg)
        yield from self._money(pkg)

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in, the nation's units are present only while each named condition
        holds there; its money is drawn only if the conditions hold in every bucket it binds in."""
        yield from in_each_bucket(plan, self._units)
        yield from self._money(plan)

    @staticmethod
    def _units(pkg: CheckedDocument) -> Iterator[Violation]:
        for p in pkg.placements:
            for line, false in pkg.unmet_mandate_lines(p.nation):
                yield Violation(
                    "mandate",
                    f"red line `{line.id}` ({p.nation}, requires_mandate): {fills(p)}, but {conditions(false)}",
                    line.id,
                )

    @staticmethod
    def _money(pkg: CheckedDocument) -> Iterator[Violation]:
        for nation in sorted(pkg.used_of):
            for line, false in pkg.unmet_mandate_lines(nation):
                for pledge in pkg.drawn_pledges_of(nation):
                    yield Violation(
                        "mandate",
                        f"red line `{line.id}` ({nation}, requires_mandate): money is drawn from pledge `{pledge}`, "
                        f"but {conditions(false)}",
                        line.id,
                    )


class MaxPersonnelRule(RedLineRule[MaxPersonnel]):
    name = "max_personnel"
    model = MaxPersonnel

    def line_constrain(self, line: MaxPersonnel, nation: str, view: ModelView) -> None:
        view.add(view.personnel(nation) <= line.limit, element_of(line, nation))

    def line_clash(self, line: MaxPersonnel, nation: str, view: ModelView) -> Clash | None:
        def words(best: int, reads: Mapping[str, int]) -> str:
            return (
                f"the rest of the conflict needs at least {best:,} of {nation}'s personnel; "
                f"its ceiling is {line.limit:,}"
            )

        return Clash(view.personnel(nation), False, words)

    def describe_line(self, line: MaxPersonnel, scenario: Scenario, nation: str) -> str:
        return f"{nation} deploys at most {line.limit:,} personnel"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `max_personnel`: the nation deploys at most `limit` personnel in total."""
        for offer in pkg.scenario.offers:
            for line in offer.red_lines:
                if isinstance(line, MaxPersonnel) and pkg.personnel_of[offer.nation] > line.limit and pkg.binds(line):
                    yield Violation(
                        "red_line.max_personnel",
                        f"red line `{line.id}` ({offer.nation}, max_personnel {line.limit}): "
                        f"{offer.nation} deploys {pkg.personnel_of[offer.nation]} personnel",
                        line.id,
                    )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in, the nation's personnel present stays within the limit."""
        yield from in_each_bucket(plan, self.verdict)


class MinContingentRule(RedLineRule[MinContingent]):
    name = "min_contingent"
    model = MinContingent

    def line_constrain(self, line: MinContingent, nation: str, view: ModelView) -> None:
        view.add(view.personnel(nation) >= line.personnel, element_of(line, nation), only_if=[view.contributes(nation)])

    def line_clash(self, line: MinContingent, nation: str, view: ModelView) -> Clash | None:
        def words(best: int, reads: Mapping[str, int]) -> str:
            return (
                f"{nation} sends at least {line.personnel:,} personnel or none; the rest of the conflict leaves "
                f"room for at most {best:,}"
            )

        return Clash(view.personnel(nation), True, words)

    def describe_line(self, line: MinContingent, scenario: Scenario, nation: str) -> str:
        return f"{nation} sends at least {line.personnel:,} personnel or none"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `min_contingent`: a nation that contributes units sends at least `personnel` in total."""
        for offer in pkg.scenario.offers:
            if offer.nation not in pkg.contributing:
                continue
            for line in offer.red_lines:
                if (
                    isinstance(line, MinContingent)
                    and pkg.personnel_of[offer.nation] < line.personnel
                    and pkg.binds(line)
                ):
                    yield Violation(
                        "red_line.min_contingent",
                        f"red line `{line.id}` ({offer.nation}, min_contingent {line.personnel}): "
                        f"{offer.nation} deploys only {pkg.personnel_of[offer.nation]} personnel",
                        line.id,
                    )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in where the nation's units are present, at least `personnel` are."""
        yield from in_each_bucket(plan, self.verdict)


class MaxSectorsRule(RedLineRule[MaxSectors]):
    name = "max_sectors"
    model = MaxSectors

    def line_constrain(self, line: MaxSectors, nation: str, view: ModelView) -> None:
        sectors = sorted(view.sectors_of(nation))
        if len(sectors) > line.count:
            view.add(sum(view.in_sector(nation, s) for s in sectors) <= line.count, element_of(line, nation))

    def line_clash(self, line: MaxSectors, nation: str, view: ModelView) -> Clash | None:
        def words(best: int, reads: Mapping[str, int]) -> str:
            return (
                f"the rest of the conflict needs {nation}'s units in at least {plural(best, 'sector')}; "
                f"at most {line.count}"
            )

        return Clash(sum(view.in_sector(nation, s) for s in sorted(view.sectors_of(nation))), False, words)

    def describe_line(self, line: MaxSectors, scenario: Scenario, nation: str) -> str:
        return f"{nation} keeps its units in at most {plural(line.count, 'sector')}"

    def verdict(self, pkg: CheckedDocument) -> Iterator[Violation]:
        """Red line `max_sectors`: the nation's units are kept together in at most `count` sectors."""
        for offer in pkg.scenario.offers:
            sectors = sorted(pkg.sectors_of.get(offer.nation, set()))
            for line in offer.red_lines:
                if isinstance(line, MaxSectors) and len(sectors) > line.count and pkg.binds(line):
                    yield Violation(
                        "red_line.max_sectors",
                        f"red line `{line.id}` ({offer.nation}, max_sectors {line.count}): "
                        f"{offer.nation} has units in {plural(len(sectors), 'sector')} ({names(sectors)})",
                        line.id,
                    )

    def phased_verdict(self, plan: CheckedPlan) -> Iterator[Violation]:
        """In every bucket it binds in, the nation's units present are in at most `count` sectors."""
        yield from in_each_bucket(plan, self.verdict)


RED_LINE_RULES: dict[str, RedLineRule[Any]] = {
    rule.name: rule
    for rule in (
        MaxEngagementRule(),
        AllowedControlRule(),
        SectorsRule(),
        NotAlongsideRule(),
        RequiresPartnerRule(),
        RequiresMandateRule(),
        MaxPersonnelRule(),
        MinContingentRule(),
        MaxSectorsRule(),
    )
}
"""Every red-line kind and its rule."""


def rule_for(line: RedLine) -> RedLineRule[Any]:
    """The rule of a red line's kind."""
    return RED_LINE_RULES[line.kind]


def describe(line: RedLine, scenario: Scenario, nation: str) -> str:
    """A red line in a planner's words."""
    return rule_for(line).describe_line(line, scenario, nation)


class RedLineFamily(Family):
    """Red lines as elements: named by their kind's sentence, given up by the nation withdrawing them."""

    type = "red_line"
    default_relax_cost = 10

    def line(self, scenario: Scenario, element: Element) -> RedLine:
        return next(r for r in scenario.red_lines_of(element.nation or "") if r.id == element.id)

    def describe(self, scenario: Scenario, element: Element) -> str:
        line = self.line(scenario, element)
        return f"red line `{element.id}`: {describe(line, scenario, element.nation or '')}"

    def relax(self, document: dict[str, Any], element: Element) -> None:
        for offer in document["offers"]:
            if offer["nation"] == element.nation:  # red-line ids are each nation's own
                offer["red_lines"] = [r for r in offer["red_lines"] if r["id"] != element.id]

    def patch(self, scenario: Scenario, element: Element) -> list[Operation] | None:
        return [DropRedLine(op="drop_red_line", nation=element.nation or "", id=element.id)]

    def clash(self, view: ModelView, element: Element) -> Clash | None:
        line = self.line(view.scenario, element)
        return rule_for(line).line_clash(line, element.nation or "", view)

    def given_relax_cost(self, scenario: Scenario, element: Element) -> int | None:
        return self.line(scenario, element).relax_cost

    def binds(self, scenario: Scenario, element: Element) -> list[int]:
        """The buckets some day of which lies in the line's dates (`active_from`, `active_until`)."""
        line = self.line(scenario, element)
        return phases.in_force(scenario, line.active_from, line.active_until)


FAMILY = RedLineFamily()
