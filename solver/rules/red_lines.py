"""Red lines: one class per kind, each the home of that caveat's faces.

- `blocks(...)`: the eligibility face, for caveats that close (unit, requirement) pairs before the
  model is built (engagement, control status, sectors);
- `bars(...)`: caveats that close a nation's whole participation (an unmet mandate condition);
- `constrain(...)`: the model face, for caveats that couple decisions (not alongside, partners,
  ceilings, contingents, sectors count);
- `describe(...)`: the sentence naming it in an explanation.

Adding a kind: a model in `models/red_lines.py`, a class here registered in `RED_LINE_RULES`, a test.
The independent checker (`solver/check.py`) re-verifies every kind on its own, apart from this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from forcepack.models.common import ENGAGEMENT_NAMES, AlongsideScope
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
from forcepack.models.scenario import Requirement, Scenario
from forcepack.solver.elements import Block, Element

if TYPE_CHECKING:
    from forcepack.solver.build import ModelBuilder

L = TypeVar("L", bound=RedLine)


def element_of(line: RedLine, nation: str) -> Element:
    """The scenario element a red line is, for conflicts and enforcement."""
    return Element("red_line", line.id, nation)


class RedLineRule(Generic[L]):
    """Base: a caveat that neither filters nor constrains (subclasses override what applies)."""

    kind: ClassVar[str]

    def blocks(self, line: L, scenario: Scenario, requirement: Requirement) -> bool:
        """True when the caveat forbids the nation's units on this requirement line."""
        return False

    def bars(self, line: L, scenario: Scenario, nation: str) -> list[Block]:
        """Reasons the caveat bars the nation altogether (units and money)."""
        return []

    def constrain(self, line: L, nation: str, b: ModelBuilder) -> None:
        """Add the caveat's coupling constraints to the model."""

    def describe(self, line: L, scenario: Scenario, nation: str) -> str:
        raise NotImplementedError


class MaxEngagementRule(RedLineRule[MaxEngagement]):
    kind = "max_engagement"

    def blocks(self, line: MaxEngagement, scenario: Scenario, requirement: Requirement) -> bool:
        return requirement.engagement > line.level

    def describe(self, line: MaxEngagement, scenario: Scenario, nation: str) -> str:
        level = int(line.level)
        return f"{nation} only accepts tasks up to engagement level {level} ({ENGAGEMENT_NAMES[level]})"


class AllowedControlRule(RedLineRule[AllowedControl]):
    kind = "allowed_control"

    def blocks(self, line: AllowedControl, scenario: Scenario, requirement: Requirement) -> bool:
        return scenario.sector_by_id[requirement.sector].control not in line.statuses

    def describe(self, line: AllowedControl, scenario: Scenario, nation: str) -> str:
        statuses = " or ".join(str(s) for s in line.statuses)
        return f"{nation} only deploys to {statuses} sectors"


class SectorsRule(RedLineRule[Sectors]):
    kind = "sectors"

    def blocks(self, line: Sectors, scenario: Scenario, requirement: Requirement) -> bool:
        if line.only is not None:
            return requirement.sector not in line.only
        return requirement.sector in (line.exclude or [])

    def describe(self, line: Sectors, scenario: Scenario, nation: str) -> str:
        if line.only is not None:
            return f"{nation} only deploys to {', '.join(line.only)}"
        return f"{nation} does not deploy to {', '.join(line.exclude or [])}"


class NotAlongsideRule(RedLineRule[NotAlongside]):
    kind = "not_alongside"

    def constrain(self, line: NotAlongside, nation: str, b: ModelBuilder) -> None:
        element = element_of(line, nation)
        for other in line.nations:
            if line.scope == AlongsideScope.FORCE:
                b.add(b.participates(nation) + b.participates(other) <= 1, element)
                continue
            for sector in b.sectors_of(nation) & b.sectors_of(other):
                b.add(b.in_sector(nation, sector) + b.in_sector(other, sector) <= 1, element)

    def describe(self, line: NotAlongside, scenario: Scenario, nation: str) -> str:
        others = ", ".join(line.nations)
        if line.scope == AlongsideScope.FORCE:
            return f"{nation} does not take part in a force that includes {others}"
        return f"{nation} does not share a sector with {others}"


class RequiresPartnerRule(RedLineRule[RequiresPartner]):
    kind = "requires_partner"

    @staticmethod
    def partners(line: RequiresPartner, scenario: Scenario, nation: str) -> list[str]:
        """The nations that count as partners (never the nation itself)."""
        pool = line.nations if line.nations is not None else scenario.group_members.get(line.group or "", [])
        return [code for code in pool if code != nation]

    def constrain(self, line: RequiresPartner, nation: str, b: ModelBuilder) -> None:
        partners = self.partners(line, b.scenario, nation)
        count = sum(b.contributes(code) for code in partners)
        b.add(count >= line.min, element_of(line, nation), only_if=[b.participates(nation)])

    def describe(self, line: RequiresPartner, scenario: Scenario, nation: str) -> str:
        pool = ", ".join(line.nations) if line.nations is not None else f"group {line.group}"
        return f"{nation} takes part only if at least {line.min} of {pool} also contribute units"


class RequiresMandateRule(RedLineRule[RequiresMandate]):
    kind = "requires_mandate"

    def bars(self, line: RequiresMandate, scenario: Scenario, nation: str) -> list[Block]:
        return [
            (element_of(line, nation), Element("mandate", condition))
            for condition in line.conditions
            if not scenario.mandate.get(condition, False)
        ]

    def describe(self, line: RequiresMandate, scenario: Scenario, nation: str) -> str:
        verb = "holds" if len(line.conditions) == 1 else "hold"
        return f"{nation} takes part only if {', '.join(line.conditions)} {verb}"


class MaxPersonnelRule(RedLineRule[MaxPersonnel]):
    kind = "max_personnel"

    def constrain(self, line: MaxPersonnel, nation: str, b: ModelBuilder) -> None:
        b.add(b.personnel(nation) <= line.limit, element_of(line, nation))

    def describe(self, line: MaxPersonnel, scenario: Scenario, nation: str) -> str:
        return f"{nation} deploys at most {line.limit:,} personnel"


class MinContingentRule(RedLineRule[MinContingent]):
    kind = "min_contingent"

    def constrain(self, line: MinContingent, nation: str, b: ModelBuilder) -> None:
        b.add(
            b.personnel(nation) >= line.personnel,
            element_of(line, nation),
            only_if=[b.contributes(nation)],
        )

    def describe(self, line: MinContingent, scenario: Scenario, nation: str) -> str:
        return f"{nation} sends at least {line.personnel:,} personnel or none"


class MaxSectorsRule(RedLineRule[MaxSectors]):
    kind = "max_sectors"

    def constrain(self, line: MaxSectors, nation: str, b: ModelBuilder) -> None:
        sectors = sorted(b.sectors_of(nation))
        if len(sectors) > line.count:
            b.add(sum(b.in_sector(nation, s) for s in sectors) <= line.count, element_of(line, nation))

    def describe(self, line: MaxSectors, scenario: Scenario, nation: str) -> str:
        return f"{nation} keeps its units in at most {line.count} sector{'s' if line.count != 1 else ''}"


RED_LINE_RULES: dict[str, RedLineRule] = {  # type: ignore[type-arg]
    rule.kind: rule
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


def rule_for(line: RedLine) -> RedLineRule:  # type: ignore[type-arg]
    """The rule of a red line's kind."""
    return RED_LINE_RULES[line.kind]


def describe(line: RedLine, scenario: Scenario, nation: str) -> str:
    """A red line in a planner's words."""
    return rule_for(line).describe(line, scenario, nation)
