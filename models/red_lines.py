"""National red lines (caveats), one model per kind, joined as a union discriminated on `kind`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from forcepack.models.common import (
    AlongsideScope,
    ControlStatus,
    Day,
    Engagement,
    Frozen,
    Identifier,
    NationCode,
    RelaxCost,
    Text,
)
from forcepack.models.limits import MAX_COUNT_FIGURE, MAX_NAMES, MAX_PERSONNEL_FIGURE, MAX_SECTOR_COUNT


class _RedLineBase(Frozen):
    id: Identifier = Field(
        description="Unique in the nation's offer (each nation names its own); conflicts and explanations name it."
    )
    note: Text | None = Field(default=None, description="The nation's own wording of the caveat, for the record.")
    relax_cost: RelaxCost | None = Field(
        default=None, description="How hard this red line is to renegotiate (relaxations prefer low costs)."
    )
    active_from: Day | None = Field(
        default=None,
        description="Phased scenarios: first day the red line binds (default: the horizon's start).",
    )
    active_until: Day | None = Field(
        default=None,
        description="Phased scenarios: last day the red line binds (a suspension that ends; default: the horizon's "
        "end).",
    )


class MaxEngagement(_RedLineBase):
    """Its units only fill lines whose engagement level is at most `level`."""

    kind: Literal["max_engagement"]
    level: Engagement = Field(description="Highest engagement level accepted: 0 support .. 3 enforcement.")


class AllowedControl(_RedLineBase):
    """Its units only go to sectors of these control statuses."""

    kind: Literal["allowed_control"]
    statuses: list[ControlStatus] = Field(
        min_length=1, max_length=MAX_NAMES, description="Control statuses its units may deploy to, e.g. `[secure]`."
    )


class Sectors(_RedLineBase):
    """Geographic caveat: only these sectors, or anywhere but these."""

    kind: Literal["sectors"]
    only: list[Identifier] | None = Field(
        default=None, min_length=1, max_length=MAX_NAMES, description="Sectors allowed."
    )
    exclude: list[Identifier] | None = Field(
        default=None, min_length=1, max_length=MAX_NAMES, description="Sectors refused."
    )

    @model_validator(mode="after")
    def _exactly_one_of_only_exclude(self) -> Sectors:
        if (self.only is None) == (self.exclude is None):
            raise ValueError("a `sectors` red line takes exactly one of `only` or `exclude`")
        return self


class NotAlongside(_RedLineBase):
    """It and these nations never both take part (`force`) or never share a sector (`sector`)."""

    kind: Literal["not_alongside"]
    nations: list[NationCode] = Field(
        min_length=1, max_length=MAX_NAMES, description="Nations it refuses to serve with."
    )
    scope: AlongsideScope = Field(
        default=AlongsideScope.FORCE,
        description="`force`: never both participate (money included); `sector`: no shared sector.",
    )


class RequiresPartner(_RedLineBase):
    """Takes part only if at least `min` of these nations (or group members) contribute units."""

    kind: Literal["requires_partner"]
    nations: list[NationCode] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_NAMES,
        description="Partner nations, any `min` of which must contribute units.",
    )
    group: Identifier | None = Field(default=None, description="A nation group whose members count as partners.")
    min: int = Field(default=1, ge=1, le=MAX_COUNT_FIGURE, description="How many partners must contribute units.")

    @model_validator(mode="after")
    def _exactly_one_of_nations_group(self) -> RequiresPartner:
        if (self.nations is None) == (self.group is None):
            raise ValueError("a `requires_partner` red line takes exactly one of `nations` or `group`")
        return self


class RequiresMandate(_RedLineBase):
    """Takes part only if each named mandate condition is true."""

    kind: Literal["requires_mandate"]
    conditions: list[Identifier] = Field(
        min_length=1, max_length=MAX_NAMES, description="Mandate conditions that must all hold."
    )


class MaxPersonnel(_RedLineBase):
    """National ceiling on deployed personnel."""

    kind: Literal["max_personnel"]
    limit: int = Field(ge=0, le=MAX_PERSONNEL_FIGURE, description="Most personnel the nation deploys in total.")


class MinContingent(_RedLineBase):
    """Sends at least this many personnel, or nobody."""

    kind: Literal["min_contingent"]
    personnel: int = Field(ge=1, le=MAX_PERSONNEL_FIGURE, description="Smallest contingent the nation accepts to send.")


class MaxSectors(_RedLineBase):
    """Its units are kept together in at most `count` sectors (1 = a national sector)."""

    kind: Literal["max_sectors"]
    count: int = Field(ge=1, le=MAX_SECTOR_COUNT, description="Most sectors its units spread over.")


RedLine = Annotated[
    MaxEngagement
    | AllowedControl
    | Sectors
    | NotAlongside
    | RequiresPartner
    | RequiresMandate
    | MaxPersonnel
    | MinContingent
    | MaxSectors,
    Field(discriminator="kind"),
]
"""Any red line; its `kind` picks the model."""

RED_LINE_KINDS: tuple[str, ...] = (
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
