"""Shared vocabulary: identifiers, ladders and the base model every scenario part uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from forcepack.models.limits import MAX_PLEDGE_USD, MAX_RELAX_COST

Identifier = Annotated[
    str,
    StringConstraints(
        strip_whitespace=False,
        min_length=1,
        max_length=80,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
    ),
]
"""An id a person can type and find again: letters, digits, `_ . : -`."""

NationCode = Annotated[
    str,
    StringConstraints(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$"),
]
"""A nation's code, usually ISO 3166 alpha-3 (`IDN`, `MAR`)."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]

Usd = Annotated[int, Field(ge=0, le=MAX_PLEDGE_USD)]
"""Whole US dollars."""


def _as_written(value: object) -> object:
    """A decimal read from a file or request (`models.loading` reads them exactly) as the float that
    holds exactly the decimal written; one that no float holds (1.0700000000000000001) is refused
    rather than silently rounded."""
    if isinstance(value, Decimal) and value.is_finite():
        number = float(value)
        if Fraction(str(number)) != Fraction(value):
            raise ValueError(f"{value} has more digits than are taken exactly: write at most 15 significant digits")
        return number
    return value


ExactFloat = Annotated[float, BeforeValidator(_as_written)]
"""A fraction or weight, taken exactly as the decimal written."""

RelaxCost = Annotated[int, Field(ge=0, le=MAX_RELAX_COST)]
"""How hard an element is to renegotiate or give up (relaxations prefer low costs)."""


class Frozen(BaseModel):
    """Base of every scenario part: immutable, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ControlStatus(StrEnum):
    """Who holds a sector: the force or host (`secure`), nobody (`contested`), an armed group (`hostile`)."""

    SECURE = "secure"
    CONTESTED = "contested"
    HOSTILE = "hostile"


class Engagement(IntEnum):
    """The engagement ladder of a task, from UNSCR 2803's list of tasks."""

    SUPPORT = 0
    PRESENCE = 1
    CONTROL = 2
    ENFORCEMENT = 3


ENGAGEMENT_NAMES = {0: "support", 1: "presence", 2: "control", 3: "enforcement"}


class Readiness(StrEnum):
    """The UN's readiness ladder of an offered unit, lowest first."""

    PLEDGED = "pledged"
    VERIFIED = "verified"
    MOU = "mou"
    RAPID = "rapid"

    @property
    def rank(self) -> int:
        """0 for `pledged` up to 3 for `rapid`."""
        return _READINESS_ORDER.index(self)


_READINESS_ORDER = [Readiness.PLEDGED, Readiness.VERIFIED, Readiness.MOU, Readiness.RAPID]


class Measure(StrEnum):
    """How a requirement line counts what it receives."""

    UNITS = "units"
    PERSONNEL = "personnel"


class Priority(StrEnum):
    """`essential` lines must be met; `desirable` ones may fall short, at a weighted penalty."""

    ESSENTIAL = "essential"
    DESIRABLE = "desirable"


class VetoScope(StrEnum):
    """`units`: no units of the nation deploy; `all`: no participation at all."""

    UNITS = "units"
    ALL = "all"


class AlongsideScope(StrEnum):
    """`force`: never both in the force; `sector`: never both in one sector."""

    FORCE = "force"
    SECTOR = "sector"


def months_between(start: dt.date, until: dt.date) -> int:
    """Months of a window, both ends included: days / 30.4375 rounded half up, at least 1.

    1 March to 31 December is 10 months.
    """
    days = (until - start).days + 1
    return max(1, (32 * days + 487) // 974)


BUILTIN_CAPABILITIES: tuple[str, ...] = (
    "infantry",
    "quick_reaction_force",
    "military_police",
    "formed_police_unit",
    "engineer",
    "eod",
    "medical_role2",
    "logistics",
    "utility_helicopter",
    "isr",
    "signals",
    "hq_staff",
    "police_trainers",
    "civil_military",
)
"""Capabilities every scenario knows; a scenario declares more under `capabilities`."""

DEFAULT_PERSONNEL_RATE_USD = 1428
"""UN reimbursement rate per person per month since 1 July 2018."""
