"""Where a problem of a scenario file is: beside its field's path, the ids of the elements on that
path and the line of the file, `requirements[5].sector (id: rafah-eng), line 88: ...`.

The lines come from the YAML composer's node marks (JSON is read by it too: a JSON document is
YAML); a text it cannot compose, or one too large to compose again, keeps the paths and ids alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

MAX_LOCATED_VALUES = 250_000
"""Most values and brackets a text may have to be composed again for its lines (as many as a YAML
document may have at all); past it, problems name paths and ids only."""

IDENTIFYING = ("id", "code", "nation")
"""The field that names an element of a list: a sector's or line's `id`, a nation's `code`, an offer's `nation`."""

_PATH = re.compile(r"^(?P<path>[A-Za-z_][^\s]*?): ")
_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def located(problems: Sequence[str], data: Any, text: str) -> list[str]:
    """Each problem led by a field path, with the ids of the list elements on that path and the
    line it is on; other problems (`(top level): ...`, YAML errors with their own line) as they are."""
    lines = line_map(text)
    return [_locate(problem, data, lines) for problem in problems]


def _locate(problem: str, data: Any, lines: Mapping[tuple[Any, ...], int] | None) -> str:
    match = _PATH.match(problem)
    if match is None:
        return problem
    path = data_path(match.group("path"), data)
    if not path:
        return problem
    ids = element_ids(path, data)
    line = line_of(path, lines) if lines is not None else None
    where = match.group("path") + (f" ({', '.join(ids)})" if ids else "") + (f", line {line}" if line else "")
    return where + problem[match.end("path") :]


def data_path(text: str, data: Any) -> tuple[Any, ...]:
    """A problem's path (`offers[1].units[0].count`) as the keys and indexes that reach it in the
    document, as far as they do (a missing field's path ends at its parent). A key holding a dot
    (`targets.group_minimums.a.b`) is found by joining segments until one matches."""
    segments: list[Any] = [int(i) if i else name for i, name in _SEGMENT.findall(text)]
    path: list[Any] = []
    node = data
    i = 0
    while i < len(segments):
        part = segments[i]
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                break
            node, i = node[part], i + 1
        elif isinstance(node, Mapping):
            for end in range(i + 1, len(segments) + 1):
                key = ".".join(str(segment) for segment in segments[i:end])
                if key in node:
                    part, i = key, end
                    break
            else:
                path.append(part)  # a field the document lacks (or one not allowed): its parent's line
                break
            node = node[part]
        else:
            break
        path.append(part)
    return tuple(path)


def element_ids(path: tuple[Any, ...], data: Any) -> list[str]:
    """`id: x` (or `code:`, `nation:`) of each list element the path goes through, outermost first."""
    ids: list[str] = []
    node = data
    for part in path:
        if isinstance(part, int) and isinstance(node, list):
            node = node[part]
            if isinstance(node, Mapping):
                for field in IDENTIFYING:
                    value = node.get(field)
                    if isinstance(value, str) and value:
                        shown = value if len(value) <= 40 else value[:40] + "..."
                        ids.append(f"{field}: {shown}")
                        break
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            break
    return ids


def line_of(path: tuple[Any, ...], lines: Mapping[tuple[Any, ...], int]) -> int | None:
    """The line of the deepest part of `path` the text holds."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


def line_map(text: str) -> dict[tuple[Any, ...], int] | None:
    """The line (from 1) of every key and list item of a YAML or JSON text, by its path; None when
    the text cannot be composed, or has more than MAX_LOCATED_VALUES values."""
    if sum(text.count(c) for c in ",:-[{\n") > MAX_LOCATED_VALUES:
        return None
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    lines: dict[tuple[Any, ...], int] = {}
    stack: list[tuple[tuple[Any, ...], yaml.Node | None]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    lines[(*path, key.value)] = key.start_mark.line + 1
                    stack.append(((*path, key.value), value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                stack.append(((*path, i), item))
    return lines
