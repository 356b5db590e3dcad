"""Reading scenarios and solutions from YAML or JSON, with every problem named by its field path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from models.errors import ScenarioInputError, SolutionInputError
from models.red_lines import RED_LINE_KINDS
from models.scenario import Scenario, ScenarioReferenceError
from models.solution import Solution

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"key `{key}` appears twice (first on line {seen[key].line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=deep)


def _compose_node(loader: _StrictLoader, parent: yaml.Node | None, index: object) -> yaml.Node | None:
    # Aliases (`*name`) let a few bytes expand without bound; a scenario never needs them.
    if loader.check_event(yaml.AliasEvent):
        event = loader.peek_event()  # type: ignore[no-untyped-call]
        raise yaml.composer.ComposerError(None, None, "aliases (`*name`) are not accepted", event.start_mark)
    return yaml.SafeLoader.compose_node(loader, parent, index)  # type: ignore[arg-type]


_StrictLoader.compose_node = _compose_node  # type: ignore[assignment,method-assign]
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text for the models to parse, so an impossible date (2026-02-30) is reported with
# its field path like any other bad value, not as PyYAML's bare ValueError.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_document(text: str, source: str, *, as_json: bool) -> Any:
    """Parse YAML or JSON text; a syntax error becomes a ScenarioInputError naming line and column."""
    try:
        if as_json:
            return json.loads(text)
        return yaml.load(text, Loader=_StrictLoader)
    except json.JSONDecodeError as exc:
        raise ScenarioInputError(
            source, [f"line {exc.lineno}, column {exc.colno}: JSON syntax error: {exc.msg}"]
        ) from None
    except RecursionError:
        raise ScenarioInputError(source, ["the document is nested too deeply"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else "(unknown position): "
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioInputError(source, [f"{where}YAML error: {problem}"]) from None


_UNION_TAGS = frozenset(RED_LINE_KINDS) | {
    # the operations of a patch (models/patch.py)
    "withdraw",
    "set_control",
    "set_mandate",
    "add_veto",
    "drop_veto",
    "replace_offer",
    "remove_unit",
    "set_targets",
    "set_objective",
}


def format_location(loc: tuple[int | str, ...]) -> str:
    """`('offers', 0, 'red_lines', 1, 'max_engagement', 'level')` -> `offers[0].red_lines[1].level`."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _UNION_TAGS and i > 0 and isinstance(loc[i - 1], int):
            continue  # the union's tag, not a field
        elif part == "schema_":
            out += ".schema" if out else "schema"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def problems_of(exc: ValidationError) -> list[str]:
    """Every problem of a validation error, each led by its field path (`offers[0].units[1].count`)."""
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ScenarioReferenceError):
            problems.extend(ctx_error.issues)
            continue
        path = format_location(tuple(err["loc"]))
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(err["loc"][-1])
            problems.append(f"{path}: unknown field `{name}` (check its spelling; quote values that contain a comma)")
        elif kind == "missing":
            problems.append(f"{path}: required field is missing")
        elif kind == "union_tag_invalid":
            problems.append(
                f"{path}: unknown red line kind {err['input'].get('kind')!r}; expected one of "
                + ", ".join(RED_LINE_KINDS)
            )
        elif kind == "union_tag_not_found":
            problems.append(f"{path}: a red line needs a `kind` (one of {', '.join(RED_LINE_KINDS)})")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            shown = err.get("input")
            suffix = f" (got `{shown}`)" if not isinstance(shown, dict | list) and shown is not None else ""
            problems.append(f"{path}: {msg}{suffix}")
    return problems


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    """Validate already-parsed data as a scenario; every problem is reported at once."""
    if not isinstance(data, dict):
        raise ScenarioInputError(source, ["(top level): expected a mapping of scenario fields"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioInputError(source, problems_of(exc)) from None
    except RecursionError:
        raise ScenarioInputError(source, ["the document is nested too deeply"]) from None


def scenario_from_text(text: str, source: str = "scenario", *, as_json: bool | None = None) -> Scenario:
    """Parse a scenario from YAML or JSON text (JSON when `as_json`, else guessed from the first character)."""
    if as_json is None:
        as_json = text.lstrip().startswith("{")
    return parse_scenario(read_document(text, source, as_json=as_json), source)


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file (`.yaml`, `.yml` or `.json`)."""
    path = Path(path)
    source = str(path)
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        raise ScenarioInputError(source, [f"expected a .yaml, .yml or .json file, got `{path.suffix or 'no suffix'}`"])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioInputError(source, ["no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioInputError(source, [f"cannot be read: {exc}"]) from None
    return scenario_from_text(text, source, as_json=path.suffix.lower() == ".json")


def load_solution(path: str | Path) -> Solution:
    """Load a solution document from a JSON file."""
    path = Path(path)
    source = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SolutionInputError(source, ["no such file"]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SolutionInputError(source, [str(exc)]) from None
    try:
        return Solution.model_validate(data)
    except ValidationError as exc:
        raise SolutionInputError(
            source, [f"{format_location(tuple(e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)]
        ) from None
