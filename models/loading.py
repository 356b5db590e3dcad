"""Reading scenarios and solutions from YAML or JSON, with every problem named by its field path."""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from forcepack.models.common import ENGAGEMENT_NAMES, Boolean, NotBoolean
from forcepack.models.documents import other_document, scenario_not_solution
from forcepack.models.errors import ScenarioInputError, SolutionInputError, UnreadableInput
from forcepack.models.locating import located
from forcepack.models.partial import references_of_the_rest
from forcepack.models.red_lines import RED_LINE_KINDS
from forcepack.models.scenario import Scenario, ScenarioReferenceError
from forcepack.models.solution import Solution
from forcepack.models.wording import plural, suggestion

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


MAX_DEPTH = 64
"""Deepest nesting of lists and mappings a document may have (a scenario needs six)."""
MAX_YAML_EVENTS = 250_000
"""Most parse events (values, starts and ends of lists and mappings) a YAML document may have:
PyYAML builds each in Python, about 6 microseconds apiece, so this bounds reading one to about
1.5 s. A generated 500-nation scenario has 55,000; JSON, read in C, is bounded by its brackets instead."""
MAX_JSON_BRACKETS = 250_000
"""Most lists and mappings (counted as `[` and `{`, strings included) a JSON document may have: a
generated 500-nation scenario has 6,224; 1.3 million empty lists once took 3 s to refuse."""
MAX_DIGITS = 30
"""Most digits a number may have; a longer one is reported as a bad value of its field."""


class TooManyDigits:
    """A number written with more than MAX_DIGITS digits, kept as text so the models report it
    with its field's path (Python would spend time converting it, and refuses past 4,300 digits)."""

    def __init__(self, text: str) -> None:
        self.digits = len(text.lstrip("+-"))

    def __str__(self) -> str:
        return f"a number of {plural(self.digits, 'digit')}"


def _number(text: str) -> int | TooManyDigits:
    return TooManyDigits(text) if len(text.lstrip("+-")) > MAX_DIGITS else int(text)


class _StrictLoader(yaml.CSafeLoader):
    """libyaml's safe loader (linear time, in C) that refuses duplicate and non-scalar keys.

    Aliases and the nesting depth are checked on the parse events first (`_check_events`)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                "a key must be a name, not a list or a mapping",
                key_node.start_mark,
            )
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


def _holds_nul(value: Any) -> bool:
    """Does a parsed document hold the NUL character in any key or string?"""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _construct_float(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    value = str(node.value).replace("_", "")
    try:
        return Decimal(value)  # exactly as written (".inf" and ".nan" stay floats, for the models to refuse)
    except ArithmeticError:
        return yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    value = str(node.value).replace("_", "")
    if value.lstrip("+-").isdigit() and len(value.lstrip("+-")) > MAX_DIGITS:
        return TooManyDigits(value)
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
# Dates stay text for the models to parse, so an impossible date (2026-02-30) is reported with
# its field path like any other bad value, not as PyYAML's bare ValueError.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _refused(source: str, event: yaml.Event, problem: str) -> ScenarioInputError:
    mark = event.start_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return ScenarioInputError(source, [f"{where}YAML error: {problem}"])


def _check_events(text: str, source: str) -> None:
    """Refuse aliases (`*name`: a few bytes that expand without bound, a "billion laughs"),
    nesting past MAX_DEPTH and documents past MAX_YAML_EVENTS, from libyaml's parse events (in C,
    linear), before anything is built."""
    depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=yaml.CSafeLoader)):
        if count >= MAX_YAML_EVENTS:
            raise _refused(source, event, f"more than {MAX_YAML_EVENTS:,} values and brackets; send it as JSON")
        if isinstance(event, yaml.AliasEvent):
            raise _refused(source, event, "aliases (`*name`) are not accepted")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _refused(source, event, f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_constant(name: str) -> Any:
    raise _NotJson(name)


class _NotJson(ValueError):
    pass


def _depth(data: Any) -> int:
    """The deepest nesting of lists and mappings in a parsed document (iteratively, so a deep one
    cannot exhaust the stack)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def read_document(text: str, source: str, *, as_json: bool) -> Any:
    """Parse YAML or JSON text; a syntax error becomes a ScenarioInputError naming line and column.

    Both forms are held to the same rules: a key appears once in a mapping, nesting is at most
    MAX_DEPTH deep, a number longer than MAX_DIGITS digits is left for the models to refuse with
    its field's path; JSON's `NaN` and `Infinity` and YAML's aliases are refused. Numbers with a
    fraction or an exponent are read as exact decimals (`Decimal`), so a field taking whole numbers
    refuses 2.9999999999999999 rather than reading 3, and a fraction is taken as written."""
    try:
        if as_json:
            if text.count("[") + text.count("{") > MAX_JSON_BRACKETS:
                raise ScenarioInputError(source, [f"(document): more than {MAX_JSON_BRACKETS:,} lists and mappings"])
            data = json.loads(
                text,
                object_pairs_hook=_json_object,
                parse_int=_number,
                parse_float=Decimal,
                parse_constant=_refuse_constant,
            )
            if _depth(data) > MAX_DEPTH:
                raise ScenarioInputError(source, [f"(document): nested deeper than {MAX_DEPTH} levels"])
        else:
            _check_events(text, source)
            data = yaml.load(text, Loader=_StrictLoader)
        # A lone UTF-16 surrogate (JSON's "\ud800") is no text: it could never be written back.
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        if _holds_nul(data):  # (PostgreSQL's text refuses it: refused here alike, whatever the store)
            raise ScenarioInputError(source, ["(document): a string holds a NUL character (\\u0000)"])
        return data
    except UnicodeEncodeError:
        raise ScenarioInputError(source, ["(document): a string holds a lone UTF-16 surrogate"]) from None
    except json.JSONDecodeError as exc:
        raise ScenarioInputError(
            source, [f"line {exc.lineno}, column {exc.colno}: JSON syntax error: {exc.msg}"]
        ) from None
    except _DuplicateKey as exc:
        raise ScenarioInputError(source, [f"(document): key `{exc.key}` appears twice in one object"]) from None
    except _NotJson as exc:
        raise ScenarioInputError(source, [f"(document): `{exc}` is not a number JSON allows"]) from None
    except RecursionError:
        raise ScenarioInputError(source, ["the document is nested too deeply"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else "(unknown position): "
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioInputError(source, [f"{where}YAML error: {problem}"]) from None
    except ValueError as exc:  # e.g. a YAML number Python cannot convert
        raise ScenarioInputError(source, [f"(document): {exc}"]) from None


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
    "lift_veto",
    "drop_red_line",
    "set_priority",
    "set_quantity",
    "add_requirement",
    "drop_requirement",
    "set_node_capacity",
}


SHOWN_CHARACTERS = 80
"""Most characters of a submitted value an error message repeats."""


def shown_value(value: object, *, quoted: bool = False) -> str:
    """A submitted value as an error message repeats it: cut past SHOWN_CHARACTERS (the count given
    is the value's own), in Python's quotes when `quoted`."""
    text = str(value)
    quoted = quoted and isinstance(value, str)
    if len(text) <= SHOWN_CHARACTERS:
        return repr(text) if quoted else text
    cut = text[:SHOWN_CHARACTERS] + "..."
    return f"{repr(cut) if quoted else cut} ({plural(len(text), 'character')})"


def format_location(loc: tuple[int | str, ...]) -> str:
    """`('offers', 0, 'red_lines', 1, 'max_engagement', 'level')` -> `offers[0].red_lines[1].level`."""
    out = ""
    loc = tuple(shown_value(part) if isinstance(part, str) else part for part in loc)
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


def describe_error(err: Mapping[str, Any], path: str, model: type[BaseModel] | None = None) -> str:
    """One pydantic error as a problem line led by `path`, worded alike wherever input is read (a
    scenario file, a request, a patch, a workbook's cell): each reader says where, this says what.

    A value not among those allowed (a control status, a readiness, a red line kind, a criterion)
    gets the closest allowed one as "did you mean"; so does an unknown field, among the fields of
    its place when `model` (what was validated) is given."""
    kind = err.get("type")
    loc = tuple(err.get("loc", ()))
    red_line = str((err.get("ctx") or {}).get("discriminator", "")).strip("'") == "kind"
    if kind == "extra_forbidden":
        name = loc[-1] if loc else "?"
        known = fields_at(model, loc[:-1]) if model is not None else []
        return f"{path}: unknown field `{shown_value(name)}`{suggestion(str(name), known)}"
    if kind == "missing":
        return f"{path}: required field is missing"
    if kind == "union_tag_invalid" and red_line:
        found = err.get("input")
        tag = found.get("kind") if isinstance(found, Mapping) else found
        return (
            f"{path}: unknown red line kind {shown_value(tag, quoted=True)}{suggestion(str(tag), RED_LINE_KINDS)}; "
            f"expected one of {', '.join(RED_LINE_KINDS)}"
        )
    if kind == "union_tag_not_found" and red_line:
        return f"{path}: a red line needs a `kind` (one of {', '.join(RED_LINE_KINDS)})"
    if kind == "union_tag_not_found":  # another union by its tag, the tag missing: a patch's `op`
        field = str((err.get("ctx") or {}).get("discriminator", "")).strip("'") or "tag"
        return f"{path}.{field}: required field is missing"
    if kind == "union_tag_invalid":  # another union by its tag: a patch's `op`
        ctx = err.get("ctx") or {}
        field = str(ctx.get("discriminator", "")).strip("'") or "tag"
        tag = str(ctx.get("tag", ""))
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        return (
            f"{path}.{field}: unknown {field} {shown_value(tag, quoted=True)}{suggestion(tag, allowed)}; "
            f"expected one of {', '.join(allowed)}"
        )
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    shown = err.get("input")
    if isinstance(shown, Boolean):
        return f"{path}: expected a number, got the boolean `{shown}`"
    if isinstance(shown, NotBoolean):
        return f"{path}: expected true or false, got the number `{shown.written}`"
    plain = shown is not None and not isinstance(shown, Mapping | list)
    hint = _closest_allowed(err) if kind in ("enum", "literal_error") else ""
    if plain:
        return f"{path}: {message} (got `{shown_value(shown)}`{'; ' + hint if hint else ''})"
    return f"{path}: {message}" + (f" ({hint})" if hint else "")


def _closest_allowed(err: Mapping[str, Any]) -> str:
    """`did you mean `x`?` with the allowed value closest to the one given, from the error's list
    (`'secure', 'contested' or 'hostile'`); an engagement level written as its name (`control`) is
    told its number. Nothing when none is close."""
    given = err.get("input")
    if not isinstance(given, str):
        return ""
    expected = str((err.get("ctx") or {}).get("expected", ""))
    allowed = re.findall(r"'([^']*)'", expected) or re.findall(r"\b\d+\b", expected)
    level = {name: str(number) for number, name in ENGAGEMENT_NAMES.items()}.get(given.strip().lower())
    if level is not None and level in allowed:
        return f"did you mean `{level}` ({given.strip().lower()})?"
    close = difflib.get_close_matches(given, allowed, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names (as written in a document: aliases) of the model at `loc` inside `model`,
    following lists, mappings, optional fields and the red lines' union by its `kind`: what an
    unknown field at `loc` may have meant."""
    current: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for annotation in current:
            following.extend(_step(annotation, part))
        current = following
    names: list[str] = []
    for annotation in current:
        for member in _members(annotation):
            if isinstance(member, type) and issubclass(member, BaseModel):
                names.extend(f.alias or name for name, f in member.model_fields.items())
    return sorted(set(names))


def _members(annotation: Any) -> list[Any]:
    """An annotation's alternatives, `Annotated` and `None` set aside."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _members(arg) if m is not type(None)]
    return [annotation]


def _step(annotation: Any, part: int | str) -> list[Any]:
    """The annotations one step inside `annotation`, by a list index or a field, key or union tag."""
    found: list[Any] = []
    for member in _members(annotation):
        origin = get_origin(member)
        if isinstance(part, int) and origin in (list, tuple):
            found.append(get_args(member)[0])
        elif isinstance(part, str) and origin is dict:
            found.append(get_args(member)[1])
        elif isinstance(part, str) and isinstance(member, type) and issubclass(member, BaseModel):
            for name, info in member.model_fields.items():
                if part in (name, info.alias):
                    found.append(info.annotation)
            for tag in (member.model_fields.get("kind"), member.model_fields.get("op")):
                if tag is not None and part in get_args(tag.annotation):  # the union's tag names this member
                    found.append(member)
    return found


def problems_of(exc: ValidationError, model: type[BaseModel] | None = None) -> list[str]:
    """Every problem of a validation error, each led by its field path (`offers[0].units[1].count`);
    `model` is what was validated (for the fields an unknown one may have meant)."""
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ScenarioReferenceError):
            problems.extend(ctx_error.issues)
            continue
        problems.append(describe_error(err, format_location(tuple(err["loc"])), model))
    return problems


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    """Validate already-parsed data as a scenario; every problem is reported at once.

    The scenario's references (sectors, nations, capabilities, groups, conditions named elsewhere)
    are checked only once every field is valid; when some are not, the references of the parts
    that are valid are checked too, on the document without the parts that are not
    (`models.partial`), so that one run names both kinds."""
    if not isinstance(data, dict):
        raise ScenarioInputError(source, ["(top level): expected a mapping of scenario fields"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = problems_of(exc, Scenario)
        problems.extend(references_of_the_rest(data, exc))
        raise ScenarioInputError(source, problems) from None
    except RecursionError:
        raise ScenarioInputError(source, ["the document is nested too deeply"]) from None


def scenario_from_text(text: str, source: str = "scenario", *, as_json: bool | None = None) -> Scenario:
    """Parse a scenario from YAML or JSON text (JSON when `as_json`, else guessed from the first character).

    A document of another kind (a solution, a what-if patch, an analysis's answer) is refused as
    what it is, with the command that takes it; every problem of a scenario names, beside its
    field's path, the ids of the elements on that path and the line of the text it is on."""
    if as_json is None:
        as_json = text.lstrip().startswith("{")
    data = read_document(text, source, as_json=as_json)
    other = other_document(data)
    if other is not None:
        raise ScenarioInputError(source, [f"(document): {other}"])
    try:
        return parse_scenario(data, source)
    except ScenarioInputError as exc:
        raise ScenarioInputError(source, located(exc.problems, data, text)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file (`.yaml`, `.yml` or `.json`)."""
    path = Path(path)
    source = str(path)
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        raise ScenarioInputError(source, [f"expected a .yaml, .yml or .json file, got `{path.suffix or 'no suffix'}`"])
    return scenario_from_text(read_text_file(path), source, as_json=path.suffix.lower() == ".json")


MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest scenario, patch or solution file read (a generated 500-nation scenario is about 1 MB)."""


def read_text_file(path: Path) -> str:
    """A file's UTF-8 text, read no further than MAX_FILE_BYTES (a device such as /dev/zero, or a
    huge file, is refused rather than read into memory)."""
    source = str(path)
    try:
        with path.open("rb") as file:
            content = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UnreadableInput(source, ["no such file"]) from None
    except OSError as exc:
        raise UnreadableInput(source, [exc.strerror or str(exc)]) from None
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableInput(source, [f"larger than {MAX_FILE_BYTES:,} bytes"])
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(source, [f"not UTF-8 text: {exc.reason} at byte {exc.start}"]) from None


def load_solution(path: str | Path) -> Solution:
    """Load a solution document from a JSON file."""
    path = Path(path)
    source = str(path)
    try:
        data = json.loads(read_text_file(path))
    except ScenarioInputError as exc:
        raise SolutionInputError(source, exc.problems) from None
    except json.JSONDecodeError as exc:
        raise SolutionInputError(source, [str(exc)]) from None
    scenario = scenario_not_solution(data)
    if scenario is not None:
        raise SolutionInputError(source, [f"(document): {scenario}"])
    try:
        return Solution.model_validate(data)
    except ValidationError as exc:
        raise SolutionInputError(
            source, [f"{format_location(tuple(e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)]
        ) from None
