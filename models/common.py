"""Shared vocabulary: identifiers, ladders and the base model every scenario part uses."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from decimal import Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

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


class Boolean(str):
    """A `true` or `false` written where a number belongs, held as text so that it fails as one
    (`count: true` is not 1): `describe_error` words it."""

    __slots__ = ()


def _numeric(annotation: Any) -> bool | None:
    """Whether a field's type takes numbers (int, float, an IntEnum) and not booleans; None when it
    takes booleans."""
    if annotation is bool:
        return None
    if isinstance(annotation, type) and issubclass(annotation, int | float):
        return True
    found = False
    for arg in get_args(annotation):
        inner = _numeric(arg)
        if inner is None:
            return None
        found = found or inner
    return found


class NotBoolean(str):
    """A number written where `true` or `false` belongs (`ceasefire_holding: 0` is not false), held as
    text no boolean reads: `describe_error` words it with the number as written."""

    written: str

    def __new__(cls, value: object) -> NotBoolean:
        marker = super().__new__(cls, "not a boolean")
        marker.written = str(value)
        return marker


def _boolean_only(annotation: Any) -> bool:
    """The field takes booleans and no numbers (`bool`, `bool | None`, `dict[str, bool]`, ...)."""
    if annotation is bool:
        return True
    origin = get_origin(annotation)
    if origin is Annotated or origin is list:
        return _boolean_only(get_args(annotation)[0])
    if origin is dict:
        return _boolean_only(get_args(annotation)[1])
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return bool(members) and all(_boolean_only(a) for a in members)
    return False


def _swapped(value: Any, swap: Callable[[Any], Any]) -> Any:
    """The value with `swap` applied to each of its leaves (in lists and mappings too)."""
    if isinstance(value, list):
        return [_swapped(v, swap) for v in value]
    if isinstance(value, dict):
        return {k: _swapped(v, swap) for k, v in value.items()}
    return swap(value)


def _marked_boolean(value: Any) -> Any:
    return Boolean(str(value).lower()) if isinstance(value, bool) else value


def _marked_number(value: Any) -> Any:
    return NotBoolean(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class NumbersNotBooleans(BaseModel):
    """A model whose number fields refuse `true` and `false` (pydantic takes them as 1 and 0)."""

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        names = _NUMERIC_FIELDS.get(cls)
        if names is None:
            names = _NUMERIC_FIELDS[cls] = frozenset(
                key
                for name, field in cls.model_fields.items()
                if _numeric(field.annotation)
                for key in {name, field.alias or name}
            )
            _BOOLEAN_FIELDS[cls] = frozenset(
                key
                for name, field in cls.model_fields.items()
                if _boolean_only(field.annotation)
                for key in {name, field.alias or name}
            )
        changed = {
            name: marked
            for fields, mark in ((names, _marked_boolean), (_BOOLEAN_FIELDS[cls], _marked_number))
            for name in fields
            if name in data and (marked := _swapped(data[name], mark)) != data[name]
        }
        return {**data, **changed} if changed else data


_NUMERIC_FIELDS: dict[type, frozenset[str]] = {}
_BOOLEAN_FIELDS: dict[type, frozenset[str]] = {}


class Frozen(NumbersNotBooleans):
    """Base of every scenario part: immutable, unknown fields are errors, and a number field refuses
    `true` and `false`."""

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


def _a_day(value: Any) -> Any:
    """A day is written as a day (YYYY-MM-DD): a number is refused, never read as seconds since 1970
    (pydantic's lax reading turns `1767225600` into 2026-01-01 and `12345` into an error about time)."""
    if isinstance(value, int | float | Decimal):
        raise ValueError("expected a day as YYYY-MM-DD, not a number")
    return value


Day = Annotated[dt.date, BeforeValidator(_a_day)]
"""A day of the calendar, as a scenario, an offer or a patch writes it (YYYY-MM-DD)."""
