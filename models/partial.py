"""The references of the parts of a scenario that parsed, when others did not.

A scenario's cross-references are checked once every field is valid (`Scenario._cross_references`
needs the whole model). So that one run names both kinds of problem, the references are checked
again on the document without the parts that failed: each failing list element (a sector, a line,
an offer's unit or red line) is left out, a failing optional top-level part (mandate, targets, ...)
is left to its default, and a failing name or id gets a stand-in. Problems that name something a
left-out part defines are dropped (a requirement's sector is not dangling because its sector had a
bad `control`), and the positions of the rest are given back as the document numbers them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from forcepack.models import limits
from forcepack.models.scenario import SCENARIO_SCHEMA, TIME_FIELD_NEEDS_PHASING, Scenario, ScenarioReferenceError

STAND_INS = {"schema": SCENARIO_SCHEMA, "id": "scenario", "name": "scenario"}
"""Required top-level values that no reference depends on: a failing one is replaced by these."""

WHOLE = frozenset({"cost", "sectors", "requirements"})
"""Top-level parts every reference check relies on as a whole: when one of them fails (rather than
an element of it), the references are left for the next run."""

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_LISTS = "sectors|requirements|nations|offers|capabilities|vetoes|objective"
_PATH_IN_TEXT = re.compile(rf"\b(?:{_LISTS})(?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*")
_SEGMENT = re.compile(r"\[(\d+)\]|\.?([A-Za-z_][A-Za-z0-9_]*)")
_NAMED = re.compile(r"`([^`]+)`")
_SUGGESTED = re.compile(r"\(did you mean `[^`]*`\?\)")


def references_of_the_rest(data: Mapping[str, Any], exc: ValidationError) -> list[str]:
    """The reference problems of the parts of `data` that are valid, numbered as in `data`; none when
    the references were checked already or cannot be checked without a failing part."""
    errors = exc.errors(include_url=False)
    if any(isinstance((e.get("ctx") or {}).get("error"), ScenarioReferenceError) for e in errors):
        return []
    left_out: set[tuple[Any, ...]] = set()
    for error in errors:
        part = _failing_part(data, tuple(error["loc"]))
        if part is None:
            return []
        left_out.add(part)
    kept: dict[tuple[Any, ...], list[int]] = {}
    rest = _without(data, (), left_out, kept)
    for key, value in STAND_INS.items():
        if (key,) in left_out:
            rest[key] = value
    horizon_failed = ("horizon",) in left_out
    if horizon_failed:
        stand_in = _stand_in_horizon(rest)
        if stand_in is None:
            return []
        rest["horizon"] = stand_in
    try:
        Scenario.model_validate(rest)
    except ValidationError as again:
        issues = [
            issue
            for e in again.errors(include_url=False)
            if isinstance(found := (e.get("ctx") or {}).get("error"), ScenarioReferenceError)
            for issue in found.issues
        ]
    except RecursionError:
        return []
    else:
        return []
    if horizon_failed:
        # (what is checked against the horizon waits for a valid one)
        issues = [issue for issue in issues if "horizon" not in issue]
    if any(part[:1] == ("phasing",) for part in left_out):
        # (the time fields are the scenario's own: they wait for its `phasing`, which failed)
        issues = [issue for issue in issues if TIME_FIELD_NEEDS_PHASING not in issue]
    defined = names_in(
        [_at(data, part) for part in left_out if part not in {(k,) for k in STAND_INS} and part != ("horizon",)]
    )
    # (the names an issue refers to, not those it suggests: a unit's `enginer` is dangling even
    # when the unit that failed had the `engineer` it suggests)
    named = {issue: set(_NAMED.findall(_SUGGESTED.sub("", issue.split(": ", 1)[-1]))) for issue in issues}
    return [_renumbered(issue, kept) for issue in issues if not defined & named[issue]]


def _stand_in_horizon(data: Any) -> dict[str, str] | None:
    """A horizon for checking references when the document's own failed: from the earliest to the
    latest day written anywhere in the document, or a year when it writes none (None when its days
    span more than a horizon may)."""
    days: list[dt.date] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dt.date):
            days.append(item if not isinstance(item, dt.datetime) else item.date())
        elif isinstance(item, str) and _DAY.match(item):
            with contextlib.suppress(ValueError):
                days.append(dt.date.fromisoformat(item))
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    if not days:
        return {"start": "2000-01-01", "end": "2000-12-31"}
    start, end = min(days), max(days)
    if (end - start).days + 1 > limits.MAX_HORIZON_DAYS:
        return None
    return {"start": start.isoformat(), "end": end.isoformat()}


def _failing_part(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The part a failing location leaves out: the innermost list element it is in, else its
    top-level field (None when that field is one the references need whole)."""
    node = data
    walked: list[Any] = []
    element: tuple[Any, ...] | None = None
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            walked.append(part)
            element = tuple(walked)
        elif isinstance(part, str) and isinstance(node, Mapping) and part in node:
            node = node[part]
            walked.append(part)
        else:
            break  # a union's tag, a missing field or a mapping's key: the element holding it fails
    if element is not None:
        return element
    top = walked[0] if walked else (loc[0] if loc else None)
    if top is None or top in WHOLE:
        return None
    return (top,)


def _without(
    node: Any, path: tuple[Any, ...], left_out: set[tuple[Any, ...]], kept: dict[tuple[Any, ...], list[int]]
) -> Any:
    """A copy of the document without the parts left out; `kept` records, for each list that lost
    elements, the position in `node` of each element kept."""
    if isinstance(node, list):
        positions = [i for i in range(len(node)) if (*path, i) not in left_out]
        if len(positions) != len(node):
            kept[path] = positions
        return [_without(node[i], (*path, i), left_out, kept) for i in positions]
    if isinstance(node, Mapping):
        return {k: _without(v, (*path, k), left_out, kept) for k, v in node.items() if (*path, k) not in left_out}
    return node


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def names_in(parts: list[Any], *, keys: bool = True) -> set[str]:
    """Every text in the parts (and every key, with `keys`): the names they may define."""
    names: set[str] = set()
    stack = list(parts)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, Mapping):
            if keys:
                names.update(k for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return names


def _renumbered(issue: str, kept: Mapping[tuple[Any, ...], list[int]]) -> str:
    """A problem with every path in it numbered as the whole document numbers its elements."""

    def renumber(match: re.Match[str]) -> str:
        path: tuple[Any, ...] = ()
        out = ""
        for index, name in _SEGMENT.findall(match.group(0)):
            if index:
                position = int(index)
                positions = kept.get(path)
                if positions is not None and position < len(positions):
                    position = positions[position]
                path = (*path, position)
                out += f"[{position}]"
            else:
                path = (*path, name)
                out += f".{name}" if out else name
        return out

    return _PATH_IN_TEXT.sub(renumber, issue)
