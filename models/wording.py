"""Figures in a planner's words: money as money, counts with their noun in the right number.

Every sentence the project writes (the solver's explanations, the checker's violations, the command
line's summaries) words its figures through these, so that no amount is ever shown as `2.76254e+08`
and no count as "1 nations".
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "USD"
"""The currency of every amount: a scenario's money is in whole US dollars."""

_IRREGULAR = {"personnel": "personnel", "capability": "capabilities", "party": "parties"}


def plural(count: int | float, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is exactly one: `1 nation`,
    `2 nations`, `1,200 personnel`. `many` gives a plural the rule (an `s`) and the few irregular
    nouns known here do not."""
    return f"{figure(count)} {noun if count == 1 else many or _IRREGULAR.get(noun, noun + 's')}"


def agrees(count: int | float, one: str, many: str) -> str:
    """The form of a word that agrees with a count: `one` for exactly one, else `many`."""
    return one if count == 1 else many


def figure(value: float, digits: int = 4) -> str:
    """A number as a person reads it: whole numbers in full with thousands separators, others with
    at most `digits` significant digits, never in exponent notation (`1,234`, `0.0125`, `12.35`)."""
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return f"{int(value):,}"
    magnitude = math.floor(math.log10(abs(value))) + 1
    decimals = max(0, digits - magnitude)
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(value: float, digits: int = 4) -> str:
    """A change, with its sign: `+2.5`, `-400`, `+0`."""
    return ("-" if value < 0 else "+") + figure(abs(value), digits)


def money(amount: int | float) -> str:
    """An amount in full, in whole dollars: `USD 276,254,000`."""
    return f"{CURRENCY} {round(amount):,}"


def money_change(delta: int | float) -> str:
    """A change of an amount, with its sign: `USD +1,500`, `USD -7,100,000`."""
    rounded = round(delta)
    return f"{CURRENCY} {'-' if rounded < 0 else '+'}{abs(rounded):,}"


def millions(amount: int | float) -> str:
    """An amount in millions, one decimal, the unit planners brief in: `276.3M` (the currency is
    said once, beside it). An amount that would read `0.0M` is written in full (`6,000`, and nothing
    as `0`): a small price is still a price, and a column of amounts reads one way."""
    if abs(amount) < 50_000:
        return f"{round(amount):,}"
    # Half up on the exact amount (a float's 1.95 is 1.9499..., which would make USD 1,950,000 read
    # `1.9M` beside `0.1M more` than 1.8M).
    tenths = (Decimal(str(amount)) / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{tenths:,.1f}M"


def millions_change(delta: int | float) -> str:
    """A change of an amount in millions, with its sign: `+1.5M`, `-0.3M`, `+4,500` (`millions`)."""
    return ("-" if delta < 0 else "+") + millions(abs(delta))


def suggestion(name: str, known: Iterable[str]) -> str:
    """` (did you mean `x`?)` with the known name closest to `name`, or nothing when none is close."""
    names = list(known)
    same = [k for k in names if k.casefold() == name.casefold()]  # (`idn` for `IDN`)
    close = same or difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
