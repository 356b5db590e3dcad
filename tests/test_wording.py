"""Figures in a planner's words: money never in exponent notation, counts with their noun in the right number."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forcepack.models.wording import agrees, figure, millions, money, money_change, plural, signed

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("models", "solver", "api", "cli") for p in (ROOT / folder).rglob("*.py"))

COUNTED = (
    "nations|units|lines|sectors|placements|partners|members|months|packages|alternatives|violations|scenarios|"
    "workers|pledges|assignments|changes|re-solves|rows|conditions|red lines|offers|problems|times|days|versions|"
    "jobs|tokens|requirements|capabilities|groups|vetoes|causes|elements|withdrawals|characters|digits|bytes|"
    "levels|values|people|fallbacks|criteria|nation|unit|line|sector"
)
PLACEHOLDER_THEN_NOUN = re.compile(r"\{(?P<expr>[^{}]+)\} (?P<noun>" + COUNTED + r")\b")
NOT_COUNTS = {
    ("solver/rules/red_lines.py", "statuses"),
    ("solver/rules/requirements.py", "requirement.priority.value"),
    ("solver/why_not.py", "code"),
}
"""Placeholders followed by a noun that are words, not counts (`secure or contested sectors`)."""


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "nation", "1 nation"),
        (2, "nation", "2 nations"),
        (0, "line", "0 lines"),
        (1_200, "personnel", "1,200 personnel"),
        (1, "capability", "1 capability"),
        (3, "capability", "3 capabilities"),
        (2.0, "unit", "2 units"),
    ],
)
def test_plural_agrees_with_the_count(count: float, noun: str, expected: str) -> None:
    """A noun is singular for exactly one and plural otherwise, the count with thousands separators."""
    assert plural(count, noun) == expected


def test_agrees_picks_the_form() -> None:
    """A verb agrees with its count."""
    assert (agrees(1, "contributes", "contribute"), agrees(2, "contributes", "contribute")) == (
        "contributes",
        "contribute",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (276_253_740.0, "276,253,740"),
        (2.76254e8, "276,254,000"),
        (12_345.678, "12,346"),
        (1.5, "1.5"),
        (0.0125, "0.0125"),
        (2 / 3, "0.6667"),
        (20, "20"),
        (1e-5, "0.00001"),
    ],
)
def test_figure_never_uses_exponent_notation(value: float, expected: str) -> None:
    """A figure is written out in full (at most four significant digits after the point), never `2.76e+08`."""
    assert figure(value) == expected
    assert "e" not in figure(value)


def test_money_is_whole_dollars_with_the_currency() -> None:
    """An amount is whole dollars with separators and its currency, in full, in millions, or as a change."""
    assert money(2.76253740e8) == "USD 276,253,740"
    assert money_change(-7_100_000) == "USD -7,100,000"
    assert money_change(1_500) == "USD +1,500"
    assert millions(33_243_840) == "33.2M"
    assert (millions(0), millions(4_500), millions(-4_500)) == ("0", "4,500", "-4,500")  # a small price is said
    # half up on the exact amount: 1.8M and 0.2M more read 2.0M (a float's 1.95 is 1.9499...)
    assert (millions(1_950_000), millions(150_000), millions(-1_250_000)) == ("2.0M", "0.2M", "-1.3M")
    assert (signed(2.5), signed(-400), signed(0)) == ("+2.5", "-400", "+0")


def test_every_count_in_a_sentence_agrees_with_its_noun() -> None:
    """No f-string writes a count straight before a countable noun (`{n} nations` reads "1 nations"):
    counts go through `plural`, and no message hedges with "(s)". Module constants (limits, never one)
    are exempt."""
    found = []
    for path in SOURCES:
        where = path.relative_to(ROOT).as_posix()
        if where.startswith("api/web/"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in PLACEHOLDER_THEN_NOUN.finditer(line):
                expr = match.group("expr").split(":")[0].strip()
                constant = re.fullmatch(r"(\w+\.)*[A-Z][A-Z0-9_]+", expr) is not None
                if constant or expr.startswith(("plural(", "agrees(")) or (where, expr) in NOT_COUNTS:
                    continue
                found.append(f"{where}:{number}: {match.group(0)}")
            if re.search(r"\w\(s\)", line):
                found.append(f"{where}:{number}: (s) in {line.strip()}")
    assert found == []
