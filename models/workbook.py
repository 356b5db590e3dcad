"""A scenario as a spreadsheet workbook, and back: the form planners keep offers and requirement
lists in (a statement of requirements, a pledge table). The sheets are described for planners in
docs/workbook.md.

One sheet per list of the scenario, one row per item, one column per field, each header the
field's name as the scenario file spells it:

- `scenario`: the scenario's own fields, one per row (`key`, `value`), nested ones dotted
  (`horizon.start`, `mandate.ceasefire_holding`, `phasing.bucket`);
- `targets`: the force-level targets, one per row (`key`, `value`: `max_personnel`,
  `group_minimums.oic`); a workbook written before this sheet holds them as `targets.*` keys of
  the `scenario` sheet, and is read as it was;
- `capabilities`, `sectors`, `requirements`, `nations`, `vetoes`, `objective`: one row each;
- `offers`: the nations that offer, in order (an offer may be empty);
- `units`, `pledges`, `red_lines`: one row each, the offering `nation` first (a red line's row
  fills the columns of its kind and leaves the others empty).

A list of names is one cell, comma-separated (`oic, asean`); a list of records (a line's `ramp`,
`phasing.nodes`, `phasing.conditions`) is one cell in JSON (`[{"starting": "2026-06-01",
"quantity": 4}]`); an offer's `entry` nodes are a column of the `offers` sheet; an empty cell is a
field left out (its default applies). Reading a workbook gives the same scenario the workbook was
written from (the same canonical sha256). Every problem names its sheet, row and column, all at
once: nothing a workbook holds is dropped or read silently (an unknown or repeated column, a value
with no header, a formula no program computed are each a problem).
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import re
import types
import typing
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from openpyxl import Workbook, load_workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError

from forcepack.models.common import Frozen
from forcepack.models.errors import ScenarioInputError, UnreadableInput
from forcepack.models.loading import describe_error, fields_at, shown_value
from forcepack.models.partial import references_of_the_rest
from forcepack.models.red_lines import RedLine
from forcepack.models.scenario import (
    CapabilityDef,
    FundingPledge,
    Nation,
    ObjectiveTerm,
    Offer,
    Requirement,
    Scenario,
    ScenarioReferenceError,
    Sector,
    UnitOffer,
    Veto,
)
from forcepack.models.tables import TABLE_NAMES
from forcepack.models.wording import plural, suggestion

MAX_WORKBOOK_BYTES = 16 * 1024 * 1024
"""Largest workbook file read (a 500-nation scenario's is about 300 KB)."""
MAX_ROWS = 100_000
"""Most rows a sheet may hold."""

_RED_LINE_MODELS: tuple[type[BaseModel], ...] = tuple(get_args(get_args(RedLine)[0]))


@dataclass(frozen=True)
class _Table:
    """A sheet holding one list of the scenario."""

    sheet: str
    models: tuple[type[BaseModel], ...]
    path: str
    """The list's field in the scenario (`requirements`), or in each offer (`units`)."""
    per_offer: bool = False

    @property
    def columns(self) -> list[str]:
        names: list[str] = ["nation"] if self.per_offer else []
        for model in self.models:
            for name, info in model.model_fields.items():
                key = info.alias or name
                if key not in names:
                    names.append(key)
        return names

    def is_list(self, column: str) -> bool:
        """The column holds a list of names (one cell, comma-separated)."""
        for model in self.models:
            for name, info in model.model_fields.items():
                if (info.alias or name) == column and _is_list(info.annotation):
                    return True
        return False

    def is_text(self, column: str) -> bool:
        """The column holds text (an id, a name, a note): a number typed in it is its digits."""
        return any(
            (info.alias or name) == column and _is_text(info.annotation)
            for model in self.models
            for name, info in model.model_fields.items()
        )

    def is_records(self, column: str) -> bool:
        """The column holds a list of records (one cell, in JSON)."""
        for model in self.models:
            for name, info in model.model_fields.items():
                if (info.alias or name) == column and _is_records(info.annotation):
                    return True
        return False


TABLES = (
    _Table("capabilities", (CapabilityDef,), "capabilities"),
    _Table("sectors", (Sector,), "sectors"),
    _Table("requirements", (Requirement,), "requirements"),
    _Table("nations", (Nation,), "nations"),
    _Table("units", (UnitOffer,), "units", per_offer=True),
    _Table("pledges", (FundingPledge,), "funding", per_offer=True),
    _Table("red_lines", _RED_LINE_MODELS, "red_lines", per_offer=True),
    _Table("vetoes", (Veto,), "vetoes"),
    _Table("objective", (ObjectiveTerm,), "objective"),
)
"""Every sheet of a list, in the workbook's order (after `scenario` and `offers`)."""

_KEYED = ("scenario", "offers")
_TARGETS = "targets"
"""The key-value sheet of the scenario's `targets` (a workbook written before it had one holds them
as `targets.*` keys of the `scenario` sheet, and is read as it was)."""
_LIST_KEYS = frozenset({"expect.conflict"})
"""Dotted keys of the `scenario` sheet whose value is a list of names."""
_RECORD_KEYS = frozenset({"phasing.nodes", "phasing.conditions"})
"""Dotted keys of the `scenario` sheet whose value is a list of records (JSON)."""


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(get_origin(a) is list for a in get_args(annotation))
    return False


def _is_text(annotation: Any) -> bool:
    """Text only (`str`, or `str | None`)."""
    if annotation is str:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return bool(members) and all(a is str for a in members)
    return False


def _as_text(raw: Any) -> Any:
    """A number a spreadsheet holds in a text column (an id `101`) as the digits shown: a whole
    number without `.0`; anything else as it is, for the validation to name."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 2**53:
        return str(int(raw))
    if isinstance(raw, int | float):
        return str(raw)
    return raw


_TEXT_KEYS = frozenset(name for name, info in Scenario.model_fields.items() if _is_text(info.annotation))
"""Keys of the `scenario` sheet that hold text (its id, name, description)."""


def _is_records(annotation: Any) -> bool:
    """A list of models (records), not of names."""
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_records(a) for a in get_args(annotation))
    if get_origin(annotation) is list:
        item = get_args(annotation)[0]
        return isinstance(item, type) and issubclass(item, BaseModel)
    return False


# -- writing ---------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A field's value as a cell holds it."""
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return json.dumps(value, ensure_ascii=False)
        return ", ".join(str(v) for v in value) if value else "[]"
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 and value[4] == "-" else value
        except ValueError:
            return value
    return value


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), item)
    else:
        yield prefix, value


def _append(ws: Any, values: Sequence[Any]) -> None:
    """A row of cells, text kept as text: a value that starts with `=` (a note a delegate wrote,
    say) is never stored as a formula a spreadsheet would run."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def write_workbook(scenario: Scenario) -> bytes:
    """The scenario as an XLSX workbook (see the module's docstring)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "scenario"
    sheet.append(["key", "value"])
    lists = {t.path for t in TABLES if not t.per_offer} | {"offers", "targets"}
    for key, value in _flatten("", {k: v for k, v in data.items() if k not in lists}):
        _append(sheet, [key, _cell(value)])
    targets = book.create_sheet(_TARGETS)
    targets.append(["key", "value"])
    for key, value in _flatten("", data.get("targets", {})):
        _append(targets, [key, _cell(value)])
    offers = book.create_sheet("offers")
    offers.append(["nation", "entry"])
    for offer in data["offers"]:
        _append(offers, [offer["nation"], _cell(offer["entry"]) if "entry" in offer else None])
    for table in TABLES:
        ws = book.create_sheet(table.sheet)
        columns = table.columns
        ws.append(columns)
        for row in _rows(data, table):
            _append(ws, [_cell(row[c]) if c in row else None for c in columns])
    for ws in book.worksheets:
        ws.freeze_panes = "A2"
        for i, header in enumerate(next(ws.iter_rows(min_row=1, max_row=1, values_only=True)), 1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(header)) + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(data: dict[str, Any], table: _Table) -> Iterator[dict[str, Any]]:
    if not table.per_offer:
        yield from data.get(table.path, [])
        return
    for offer in data["offers"]:
        for item in offer.get(table.path, []):
            yield {"nation": offer["nation"], **item}


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Formula:
    """A cell holding a formula whose value was never computed (the workbook was written by a
    program that does not calculate): its value is unknown, not empty."""

    text: str


def _where(sheet: str, row: int | None = None, column: str | None = None, index: int | None = None) -> str:
    """`sheet `units`, row 3, column `count` (E)`; a column with no header by its letter alone."""
    text = f"sheet `{sheet}`"
    if row is not None:
        text += f", row {row}"
    if column:
        text += f", column `{shown_value(column)}`" + (f" ({get_column_letter(index)})" if index is not None else "")
    elif index is not None:
        text += f", column {get_column_letter(index)}"
    return text


@dataclass
class _Reading:
    """The document being rebuilt from a workbook, and where each of its parts came from."""

    source: str
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """Document path (as pydantic reports it, red lines' tags left out) -> the cell or row it came from."""
    keys: dict[tuple[Any, ...], tuple[str, str, int]] = field(default_factory=dict)
    """Path of a key-value sheet's field -> its key's cell, the key as written, and how many leading
    parts of the path the sheet implies (`targets`: 1)."""
    sheet_of: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """Path of a row's item -> its sheet."""
    misnamed: dict[str, set[str]] = field(default_factory=dict)
    """Sheet -> the known columns its unknown ones are closest to (their rows' missing values follow
    from the header, already named)."""
    reported: set[tuple[Any, ...]] = field(default_factory=set)
    """Paths whose cells a problem already names (a formula with no value): not named again."""
    nations: dict[str, int] = field(default_factory=dict)
    """The offers' positions in `data["offers"]`, by nation."""
    problems: list[str] = field(default_factory=list)

    def add(self, place: str, problem: str) -> None:
        self.problems.append(f"{place}: {problem}")


MAX_UNPACKED_BYTES = 128 * 1024 * 1024
"""Most bytes a workbook's parts may unpack to (a 500-nation scenario's unpack to about 2 MB)."""
MAX_COLUMNS = 64
"""Most columns read of a sheet (the widest, red lines, has 21): a cell far to the right is not read."""

_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _holds_formula(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Does a sheet's part hold a formula (`<f>`)? Read a megabyte at a time."""
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(1 << 20):
            if _FORMULA_ELEMENT.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


class _Book:
    """A workbook's sheets, read for their values; a formula whose value was never computed is read
    as `_Formula`, not as an empty cell (a second reading, of the formulas, is made only when a
    sheet holds one)."""

    def __init__(self, content: bytes, source: str) -> None:
        self.source = source
        self._formulas_of: dict[str, dict[tuple[int, int], str]] = {}
        self._formula_book: Any = None
        if len(content) > MAX_WORKBOOK_BYTES:
            raise ScenarioInputError(source, [f"(workbook): larger than {MAX_WORKBOOK_BYTES:,} bytes"])
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
                if unpacked > MAX_UNPACKED_BYTES:
                    raise ScenarioInputError(
                        source,
                        [f"(workbook): unpacks to {plural(unpacked, 'byte')}, more than {MAX_UNPACKED_BYTES:,}"],
                    )
                formulas = any(
                    _holds_formula(archive, info)
                    for info in archive.infolist()
                    if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
                )
            self._book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            if formulas:
                self._formula_book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except ScenarioInputError:
            raise
        except Exception as exc:  # openpyxl and zipfile raise many kinds for a file that is not a workbook
            self.close()
            raise ScenarioInputError(source, [f"(workbook): not an XLSX workbook ({type(exc).__name__})"]) from None
        self.sheets: dict[str, Any] = {ws.title: ws for ws in self._book.worksheets if hasattr(ws, "iter_rows")}

    def offer_version(self) -> int | None:
        """The offer version the workbook says it was written from (`OFFER_VERSION_PROPERTY`)."""
        for prop in getattr(self._book, "custom_doc_props", None) or []:
            if prop.name == OFFER_VERSION_PROPERTY and str(prop.value).strip().isdigit():
                return int(str(prop.value).strip())
        return None

    def close(self) -> None:
        for book in (getattr(self, "_book", None), self._formula_book):
            if book is not None:
                book.close()

    def _formulas(self, title: str) -> dict[tuple[int, int], str]:
        """(row, column) -> formula, of every formula cell of a sheet."""
        if self._formula_book is None or title not in self._formula_book.sheetnames:
            return {}
        if title not in self._formulas_of:
            found: dict[tuple[int, int], str] = {}
            rows = self._formula_book[title].iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_ROWS + 1)
            for number, row in enumerate(rows, 1):
                for index, value in enumerate(row, 1):
                    text = getattr(value, "text", value)  # (an array formula is an object holding its text)
                    if isinstance(text, str) and text.startswith("="):
                        found[(number, index)] = text
            self._formulas_of[title] = found
        return self._formulas_of[title]

    def rows(self, ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """The sheet's rows that hold something, numbered as the spreadsheet numbers them."""
        formulas = self._formulas(ws.title)
        for number, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
            if number > MAX_ROWS + 1:
                raise ScenarioInputError(self.source, [f"sheet `{ws.title}`: more than {MAX_ROWS:,} rows"])
            if formulas:
                row = tuple(
                    _Formula(formulas[(number, i)]) if value is None and (number, i) in formulas else value
                    for i, value in enumerate(row, 1)
                )
            if any(not _empty(v) for v in row):
                yield number, tuple(row)


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _shown(raw: Any) -> str:
    """A cell's value as a problem repeats it (a formula with no value as its formula)."""
    return shown_value(raw.text if isinstance(raw, _Formula) else raw)


def _uncomputed(formula: _Formula) -> str:
    return (
        f"the cell holds a formula (`{shown_value(formula.text)}`) with no computed value (the workbook was "
        "saved by a program that does not calculate): type the value, or open and save the workbook in a "
        "spreadsheet program"
    )


def _unknown_sheets(reading: _Reading, sheets: Iterable[str], known: Sequence[str]) -> None:
    """A sheet whose name is close to one read (`veto` beside `vetoes`) is a problem: its rows would
    be left out unseen. Other sheets (a planner's notes) are not read, as docs/workbook.md says."""
    for title in sheets:
        if title in known:
            continue
        folded = title.strip().lower()
        close = next((f" (did you mean `{k}`?)" for k in known if k == folded), "") or _close_sheet(folded, known)
        if close:
            reading.problems.append(
                f"sheet `{title}`: not a sheet forcepack reads{close}; its rows are not read: rename it, or move "
                "its rows to that sheet"
            )


def _close_sheet(name: str, known: Sequence[str]) -> str:
    """` (did you mean `x`?)` for a sheet name a letter or two from one read (`veto`, `red_line`),
    nothing for a name merely alike (`notes` is not `units`)."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.8)
    return f" (did you mean `{close[0]}`?)" if close else ""


def read_workbook(content: bytes, source: str) -> Scenario:
    """The scenario a workbook holds; ScenarioInputError naming every problem at once, each by sheet,
    row and column (or by the scenario's own rules, when they are broken across sheets)."""
    book = _Book(content, source)
    reading = _Reading(source)
    try:
        missing = [name for name in (*_KEYED, *(t.sheet for t in TABLES)) if name not in book.sheets]
        if missing:
            raise ScenarioInputError(source, [_not_a_scenario_workbook(book.sheets) or _no_sheets(missing)])
        _unknown_sheets(reading, book.sheets, [*_KEYED, _TARGETS, *(t.sheet for t in TABLES)])
        _read_keyed_sheet(reading, book, book.sheets["scenario"])
        if _TARGETS in book.sheets:  # (a workbook written before it had one holds `targets.*` keys instead)
            _read_keyed_sheet(reading, book, book.sheets[_TARGETS], prefix="targets")
        _read_offers(reading, book, book.sheets["offers"])
        for table in TABLES:
            _read_table(reading, book, book.sheets[table.sheet], table)
    finally:
        book.close()
    problems = list(reading.problems)
    try:
        scenario = Scenario.model_validate(reading.data)
    except ValidationError as exc:
        problems.extend(_located(reading, exc, Scenario))
        problems.extend(_at_cell(reading, line) for line in references_of_the_rest(reading.data, exc))
    if problems:
        raise ScenarioInputError(source, problems)
    return scenario


def _read_keyed_sheet(reading: _Reading, book: _Book, ws: Any, prefix: str | None = None) -> None:
    """A sheet of `key` and `value` columns (`scenario`; `targets`, its keys inside `targets`)."""
    sheet = ws.title
    rows = book.rows(ws)
    header = next(rows, None)
    names = [str(v).strip() if isinstance(v, str | int | float) else "" for v in header[1]] if header else []
    if header is None or names[:2] != ["key", "value"]:
        if header is not None or prefix is None:
            reading.add(_where(sheet, 1), "expected the headers `key` and `value`")
        return
    for i, name in enumerate(names[2:], 3):
        if name:
            reading.add(_where(sheet, header[0], name, i), "unknown column; this sheet has only `key` and `value`")
    for number, row in rows:
        _unheaded(reading, sheet, number, row, names)
        raw_key = row[0] if row else None
        raw = row[1] if len(row) > 1 else None
        if isinstance(raw_key, _Formula):
            reading.add(_where(sheet, number, "key", 1), _uncomputed(raw_key))
            continue
        key = str(raw_key).strip() if raw_key is not None else ""
        if not key:
            if not _empty(raw):
                reading.add(_where(sheet, number, "key", 1), f"a value (`{_shown(raw)}`) without a key")
            continue
        path = tuple(_scenario_path(f"{prefix}.{key}" if prefix else key))
        if isinstance(raw, _Formula):
            reading.add(_where(sheet, number, "value", 2), f"`{shown_value(key)}`: {_uncomputed(raw)}")
            reading.reported.add(path)
            continue
        if _empty(raw):
            continue
        target = reading.data
        for part in path[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                reading.add(_where(sheet, number, "key", 1), f"`{shown_value(key)}` repeats a field")
                break
        else:
            if path[-1] in target:
                reading.add(_where(sheet, number, "key", 1), f"`{shown_value(key)}` appears twice")
                continue
            dotted = ".".join(path)
            if prefix is None and dotted in _TEXT_KEYS:
                raw = _as_text(raw)
            target[path[-1]] = _value(raw, dotted in _LIST_KEYS, dotted in _RECORD_KEYS)
            reading.cells[path] = _where(sheet, number, "value", 2)
            reading.keys[path] = (_where(sheet, number, "key", 1), key, 1 if prefix else 0)


def _scenario_path(key: str) -> list[str]:
    """A dotted key's path in the scenario document: the names of a dict field (mandate
    conditions, group minimums, expected values) are taken whole, dots and all."""
    head, _, rest = key.partition(".")
    if head in ("mandate",) and rest:
        return [head, rest]
    if head == "targets" and rest.startswith("group_minimums."):
        return [head, "group_minimums", rest.removeprefix("group_minimums.")]
    if head == "expect" and rest.startswith("objective."):
        return [head, "objective", rest.removeprefix("objective.")]
    return [head, *rest.split(".")] if rest else [head]


def _value(raw: Any, is_list: bool, records: bool = False) -> Any:
    """A cell's value as the scenario's document holds it (records read as JSON; a cell that is not
    JSON is left as written, and the scenario's validation names it)."""
    if records and isinstance(raw, str):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer() and not is_list:
        return int(raw) if abs(raw) < 2**53 else raw
    if is_list:
        text = str(raw).strip()
        if text == "[]":
            return []
        return [part.strip() for part in text.split(",") if part.strip()]
    return raw


def _header(
    reading: _Reading, sheet: str, header: tuple[int, tuple[Any, ...]], known: Sequence[str]
) -> list[str | None]:
    """The field each column of a sheet holds: its name; `""` for a column with no header; None for
    one not read, its header named as a problem (unknown, with the known column it may have meant;
    a second column of a name; a formula with no value)."""
    number, cells = header
    columns: list[str | None] = []
    first: dict[str, int] = {}
    for i, raw in enumerate(cells, 1):
        if isinstance(raw, _Formula):
            reading.add(_where(sheet, number, index=i), _uncomputed(raw))
            columns.append(None)
            continue
        name = str(raw).strip() if raw is not None else ""
        if not name:
            columns.append("")
        elif name not in known:
            close = difflib.get_close_matches(name, [k for k in known if k not in first], n=1, cutoff=0.6)
            reading.misnamed.setdefault(sheet, set()).update(close)
            reading.add(
                _where(sheet, number, name, i),
                f"unknown column{suggestion(name, close)}; expected some of {', '.join(known)}",
            )
            columns.append(None)
        elif name in first:
            reading.add(
                _where(sheet, number, name, i),
                f"a second column `{name}` (the first is column {get_column_letter(first[name])}): keep one",
            )
            columns.append(None)
        else:
            first[name] = i
            columns.append(name)
    return columns


def _unheaded(reading: _Reading, sheet: str, number: int, row: tuple[Any, ...], columns: Sequence[str | None]) -> None:
    """Name each value of a row in a column that has no header (it would belong to no field)."""
    for i, raw in enumerate(row, 1):
        if (i > len(columns) or columns[i - 1] == "") and not _empty(raw):
            reading.add(
                _where(sheet, number, index=i),
                f"a value (`{_shown(raw)}`) in a column without a header: name the column in row 1, or clear the cell",
            )


def _read_offers(reading: _Reading, book: _Book, ws: Any) -> None:
    """The `offers` sheet: the nations that offer, in order, and their nodes of entry."""
    offers: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    rows = book.rows(ws)
    header = next(rows, None)
    columns = _header(reading, "offers", header, ("nation", "entry")) if header else []
    reading.data["offers"] = offers
    if "nation" not in columns:
        reading.add(_where("offers", 1), "expected the header `nation` (and `entry`, for a phased scenario's offers)")
        return
    at = columns.index("nation") + 1
    for number, row in rows:
        _unheaded(reading, "offers", number, row, columns)
        cells = {name: (i, row[i - 1] if i - 1 < len(row) else None) for i, name in enumerate(columns, 1) if name}
        raw = cells["nation"][1]
        place = _where("offers", number, "nation", at)
        if isinstance(raw, _Formula):
            reading.add(place, _uncomputed(raw))
            continue
        nation = str(raw).strip() if raw is not None else ""
        if not nation:
            reading.add(place, "the nation is empty: each row names a nation that offers")
            continue
        if nation in first:
            reading.add(place, f"`{shown_value(nation)}` twice (first in row {first[nation]})")
            continue
        first[nation] = number
        o = reading.nations[nation] = len(offers)
        reading.cells[("offers", o)] = _where("offers", number)
        reading.cells[("offers", o, "nation")] = place
        reading.sheet_of[("offers", o)] = "offers"
        offer: dict[str, Any] = {"nation": nation}
        if "entry" in cells:
            i, entry = cells["entry"]
            if isinstance(entry, _Formula):
                reading.add(_where("offers", number, "entry", i), _uncomputed(entry))
                reading.reported.add(("offers", o, "entry"))
            elif not _empty(entry):
                offer["entry"] = _value(entry, True)
                reading.cells[("offers", o, "entry")] = _where("offers", number, "entry", i)
        offers.append(offer)


def _read_table(
    reading: _Reading, book: _Book, ws: Any, table: _Table, elsewhere: str = "is not in the `offers` sheet"
) -> None:
    """A sheet of one list: a row per item; for an offer's list, each row goes to the offer of its
    `nation` (`elsewhere` says why a nation with no offer is refused)."""
    sheet = table.sheet
    rows = book.rows(ws)
    header = next(rows, None)
    if header is None:
        return
    columns = _header(reading, sheet, header, table.columns)
    if table.per_offer and "nation" not in columns:
        reading.add(_where(sheet, header[0]), "a `nation` column is needed")
        return
    for number, row in rows:
        _unheaded(reading, sheet, number, row, columns)
        item: dict[str, Any] = {}
        places: dict[str, str] = {}
        uncomputed: list[str] = []
        empty: dict[str, str] = {}  # (a required field left empty is named at its cell)
        for i, name in enumerate(columns, 1):
            raw = row[i - 1] if i - 1 < len(row) else None
            if not name:
                continue
            if _empty(raw):
                empty[name] = _where(sheet, number, name, i)
                continue
            places[name] = _where(sheet, number, name, i)
            if isinstance(raw, _Formula):
                reading.add(places[name], _uncomputed(raw))
                uncomputed.append(name)
                continue
            if table.is_text(name):
                raw = _as_text(raw)
            item[name] = _value(raw, table.is_list(name), table.is_records(name))
        base: tuple[Any, ...]
        if table.per_offer:
            place = places.get("nation", _where(sheet, number, "nation", columns.index("nation") + 1))
            if "nation" in uncomputed:
                continue
            nation = str(item.pop("nation", "")).strip()
            if not nation:
                reading.add(place, "the nation is empty: each row names the nation whose offer it belongs to")
                continue
            if nation not in reading.nations:
                reading.add(place, f"`{shown_value(nation)}` {elsewhere}{suggestion(nation, reading.nations)}")
                continue
            o = reading.nations[nation]
            target = reading.data["offers"][o].setdefault(table.path, [])
            base = ("offers", o, table.path, len(target))
        else:
            target = reading.data.setdefault(table.path, [])
            base = (table.path, len(target))
        reading.cells[base] = _where(sheet, number)
        reading.sheet_of[base] = sheet
        for name, place in (empty | places).items():
            if name != "nation":
                reading.cells[(*base, name)] = place
        reading.reported.update((*base, name) for name in uncomputed)
        target.append(item)


def _path(loc: Sequence[Any]) -> tuple[Any, ...]:
    """An error's path in the document: a red line's kind, which pydantic puts in the path to name
    the member of the union, left out."""
    parts = tuple(loc)
    return tuple(
        part
        for i, part in enumerate(parts)
        if not (
            isinstance(part, str)
            and i >= 2
            and parts[i - 2] == "red_lines"
            and isinstance(parts[i - 1], int)
            and _is_tag(part)
        )
    )


def _cell_of(reading: _Reading, path: tuple[Any, ...]) -> tuple[str, bool] | None:
    """The cell (or row) nearest to a path that one holds, and whether it holds the whole path."""
    for end in range(len(path), 0, -1):
        place = reading.cells.get(path[:end])
        if place is not None:
            return place, all(isinstance(part, int) for part in path[end:])  # (an item of a list cell: the cell)
    return None


def _located(reading: _Reading, exc: ValidationError, model: type[BaseModel]) -> Iterator[str]:
    """Each validation error at the cell it came from (the nearest part of its path that one did)."""
    errors = exc.errors(include_url=False)
    meant: set[tuple[Any, ...]] = set()  # the fields an unknown one may have meant: missing, they follow from it
    for err in errors:
        if err.get("type") == "extra_forbidden":
            unknown = _path(err.get("loc", ()))
            close = difflib.get_close_matches(str(unknown[-1]), fields_at(model, unknown[:-1]), n=1, cutoff=0.6)
            meant.update((*unknown[:-1], name) for name in close)
    for err in errors:
        found = (err.get("ctx") or {}).get("error")
        if isinstance(found, ScenarioReferenceError):
            yield from (_at_cell(reading, issue) for issue in found.issues)
            continue
        path = _path(err.get("loc", ()))
        if any(path[: len(done)] == done for done in reading.reported):
            continue  # its cell is named already
        kind = err.get("type")
        if kind == "extra_forbidden":
            keys = list(_unknown_keys(reading, path, model))
            if keys:
                yield from keys
                continue
        misnamed = reading.misnamed.get(reading.sheet_of.get(path[:-1], ""), set())
        if kind == "missing" and path and (path in meant or path[-1] in misnamed):
            continue  # the unknown key, or the header, names the field it may have meant
        cell = _cell_of(reading, path)
        if cell is None and kind == "value_error":  # a rule across fields names its fields by path
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            for line in message.split("\n"):
                if line.strip():
                    yield _at_cell(reading, line, fallback=_no_cell(path))
            continue
        if cell is None:
            yield _missing(path) if kind == "missing" else describe_error(err, _no_cell(path), model)
            continue
        if kind == "missing":
            yield f"{cell[0]}: required field `{path[-1] if path else '?'}` is missing"
            continue
        if kind in ("union_tag_invalid", "union_tag_not_found"):  # a red line's kind: at its own cell
            tagged = _cell_of(reading, (*path, "kind"))
            cell = tagged if tagged is not None else cell
        yield describe_error(err, cell[0], model)


def _unknown_keys(reading: _Reading, path: tuple[Any, ...], model: type[BaseModel]) -> Iterator[str]:
    """An unknown field written as a key of a key-value sheet, at the key's cell (not its value's),
    with the known key it may have meant."""
    known = fields_at(model, path[:-1])
    for full, (place, key, implied) in reading.keys.items():
        if full[: len(path)] != path:
            continue
        close = difflib.get_close_matches(str(path[-1]), known, n=1, cutoff=0.6)
        meant = [*full[: len(path) - 1], *close, *full[len(path) :]] if close else []
        hint = f" (did you mean `{'.'.join(str(p) for p in meant[implied:])}`?)" if close else ""
        yield f"{place}: unknown key `{shown_value(key)}`{hint}"


def _no_cell(path: tuple[Any, ...]) -> str:
    """Where a part no cell holds belongs: its sheet, and its key in a key-value sheet."""
    if not path:
        return "(workbook)"
    head = path[0]
    for table in TABLES:
        if not table.per_offer and table.path == head:
            return f"sheet `{table.sheet}`" + (" (no rows)" if len(path) == 1 else "")
    if head == "offers":
        return "sheet `offers`"
    if head == "targets" and len(path) > 1:
        return f"sheet `{_TARGETS}`, key `{'.'.join(str(p) for p in path[1:])}`"
    return f"sheet `scenario`, key `{'.'.join(str(p) for p in path)}`"


def _missing(path: tuple[Any, ...]) -> str:
    """A required part no cell holds: the row of a key-value sheet, or the rows of a sheet, it needs."""
    for table in TABLES:
        if not table.per_offer and path == (table.path,):
            return f"sheet `{table.sheet}`: no rows; at least one is required"
    if len(path) > 1 and path[0] == "targets":
        sheet, key = _TARGETS, ".".join(str(p) for p in path[1:])
    else:
        sheet, key = "scenario", ".".join(str(p) for p in path)
    return f"sheet `{sheet}`: the key `{key}` is required (a row with `{key}` in column `key`, its value in `value`)"


_PATH = re.compile(
    r"^\s*-?\s*(?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\s]+\]|\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"(?: \([^()]*\))?: (?P<rest>.*)$",  # (the ids of the elements on the path, as the service adds them)
    re.S,
)


def _line_path(reading: _Reading, line: str) -> tuple[tuple[Any, ...], str, str] | None:
    """A problem line's document path (an offer written by its nation, `offers[IDN]`, at its
    position), the path as written, and the rest of the line; None for a line led by no path."""
    match = _PATH.match(line)
    if match is None:
        return None
    path: list[Any] = []
    for name, index in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]+)\]", match["path"]):
        if index.isdigit():
            path.append(int(index))
        elif index:
            path.append(reading.nations.get(index, index) if path == ["offers"] else index)
        else:
            path.append(name)
    return tuple(path), match["path"], match["rest"]


def _at_cell(reading: _Reading, line: str, *, within: tuple[Any, ...] = (), fallback: str = "(scenario)") -> str:
    """A problem line led by a document path (`offers[0].units[1].available_from: ...`, or
    `offers[IDN]...`, an offer by its nation) led by the cell it came from; a path relative to
    `within` (one offer's) found there first."""
    parsed = _line_path(reading, line)
    if parsed is None:
        return f"{fallback}: {line.strip()}"
    path, written, rest = parsed
    for candidate in ((*within, *path), path) if within else (path,):
        cell = _cell_of(reading, candidate)
        if cell is not None:
            place, whole = cell
            return f"{place}: {rest}" if whole else f"{place}: {written}: {rest}"
    return f"{fallback}: {line.strip()}"


def _named_already(reading: _Reading, line: str, within: tuple[Any, ...]) -> bool:
    """Does a problem line found by validation follow from one the reading named (a formula with no
    value is a missing field; so is each row's value of a column whose header is misspelt)?"""
    parsed = _line_path(reading, line)
    if parsed is None:
        return False
    path, _, rest = parsed
    for candidate in ((*within, *path), path) if within else (path,):
        if any(candidate[: len(done)] == done for done in reading.reported):
            return True
        sheet = reading.sheet_of.get(candidate[:-1])
        if sheet is not None and rest.startswith("required field") and candidate[-1] in reading.misnamed.get(sheet, ()):
            return True
    return False


def _is_tag(part: str) -> bool:
    """A red line's kind, as pydantic names the union member in an error's path."""
    return part in {typing.get_args(m.model_fields["kind"].annotation)[0] for m in _RED_LINE_MODELS}


OFFER_TABLES = tuple(t for t in TABLES if t.per_offer)
"""The sheets of one nation's offer: its units, pledges and red lines."""


OFFER_VERSION_PROPERTY = "forcepack.offer_version"
"""The workbook's custom property holding the version of the offer a sheet was written from."""


def write_offer_workbook(offer: Mapping[str, Any], *, version: int | None = None) -> bytes:
    """One nation's offer (its document: `nation`, `units`, `funding`, `red_lines`) as a workbook of
    the scenario workbook's offer sheets, for a delegate to fill in and upload back; in a phased
    scenario, an offer naming its nodes of entry has its row of the `offers` sheet too (`entry`).
    `version`, the offer's version, is kept in the workbook (a custom property spreadsheet programs
    keep), so a sheet filled in from an older version is refused when uploaded (`SheetsRead.based_on`)."""
    data = {"offers": [dict(offer)]}
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    if version is not None:
        book.custom_doc_props.append(  # type: ignore[attr-defined]
            StringProperty(name=OFFER_VERSION_PROPERTY, value=str(version))
        )
    for table in OFFER_TABLES:
        ws = book.create_sheet(table.sheet)
        columns = table.columns
        ws.append(columns)
        for row in _rows(data, table):
            _append(ws, [_cell(row[c]) if c in row else None for c in columns])
        ws.freeze_panes = "A2"
    if offer.get("entry") is not None:
        ws = book.create_sheet("offers")
        ws.append(["nation", "entry"])
        _append(ws, [offer["nation"], _cell(offer["entry"])])
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _no_sheets(missing: Sequence[str]) -> str:
    return f"(workbook): no sheet named {', '.join(f'`{m}`' for m in missing)}"


def _not_a_scenario_workbook(sheets: Iterable[str]) -> str | None:
    """What a workbook given as a scenario is instead, by its sheets: a package's tables, or a
    nation's offer; None when it may be a scenario's with sheets missing."""
    names = set(sheets)
    if "scenario" in names:
        return None
    if set(TABLE_NAMES) <= names:
        return (
            "(workbook): this is a package's tables (what `forcepack solve --tables` writes), not a scenario: "
            "a scenario workbook is what `forcepack export` writes"
        )
    if {t.sheet for t in OFFER_TABLES} <= names and "sectors" not in names:
        return (
            "(workbook): this is a nation's offer (what `GET /v1/scenarios/{id}/offers/{nation}/workbook` gives), "
            "not a scenario: `PUT` it back to that address"
        )
    return None


@dataclass(frozen=True)
class SheetsRead:
    """Offers read from a workbook of offer sheets, not yet validated: the document, the problems
    of its cells, and where each of its parts came from, so that a problem found when it is
    validated with its scenario is named by its cell (`at_cells`)."""

    document: dict[str, Any]
    problems: list[str]
    """The problems of the workbook itself (its headers, its cells), by sheet, row and column."""
    _reading: _Reading = field(repr=False)
    based_on: int | None = None
    """The version of the offer the sheet was written from (None: a sheet made otherwise)."""

    def at_cells(self, problems: Iterable[str], *, nation: str | None = None) -> list[str]:
        """Problem lines led by a document path (`offers[2].nation: ...`, `offers[IDN].units[0].count:
        ...`; `units[0].count: ...` inside `nation`'s offer), each led by its cell where one holds
        it; those that follow from a problem of `problems` (a cell already named) left out."""
        within: tuple[Any, ...] = ()
        if nation is not None and nation in self._reading.nations:
            within = ("offers", self._reading.nations[nation])
        return [
            _at_cell(self._reading, line, within=within, fallback="(workbook)")
            for line in problems
            if not _named_already(self._reading, line, within)
        ]


def read_offer_sheets(content: bytes, source: str, nation: str) -> SheetsRead:
    """The offer document a workbook of offer sheets holds, for `nation` (every row must name it),
    and the problems of its cells; ScenarioInputError for a workbook that holds no offer sheets.
    The caller validates it with its scenario (`SheetsRead.at_cells` names those problems' cells)."""
    book = _Book(content, source)
    reading = _Reading(source, data={"offers": [{"nation": nation}]}, nations={nation: 0})
    try:
        missing = [t.sheet for t in OFFER_TABLES if t.sheet not in book.sheets]
        if missing:
            raise ScenarioInputError(source, [_no_sheets(missing)])
        _unknown_sheets(reading, book.sheets, ["offers", *(t.sheet for t in OFFER_TABLES)])
        based_on = book.offer_version()
        if "offers" in book.sheets:  # its row, with its nodes of entry (only a phased offer's workbook has it)
            rows = _Reading(source)
            _read_offers(rows, book, book.sheets["offers"])
            reading.problems.extend(rows.problems)
            if list(rows.nations) not in ([], [nation]):
                reading.add(_where("offers", 2, "nation", 1), f"expected one row, this offer's nation (`{nation}`)")
            elif rows.nations:
                reading.data["offers"][0].update({k: v for k, v in rows.data["offers"][0].items() if k == "entry"})
                reading.cells.update({k: v for k, v in rows.cells.items() if k[:2] == ("offers", 0)})
                reading.reported.update(rows.reported)
        for table in OFFER_TABLES:
            _read_table(reading, book, book.sheets[table.sheet], table, f"is not this offer's nation (`{nation}`)")
    finally:
        book.close()
    return SheetsRead(reading.data["offers"][0], reading.problems, reading, based_on)


def read_offer_workbook(content: bytes, source: str, nation: str) -> dict[str, Any]:
    """The offer document a workbook of offer sheets holds, for `nation`, checked on its own (not
    against a scenario): ScenarioInputError naming every problem by sheet, row and column."""
    read = read_offer_sheets(content, source, nation)
    _check_offers(read)
    return read.document


class _Offers(Frozen):
    """Offers read from a workbook, validated each on its own (the scenario checks them together)."""

    offers: list[Offer]


def _check_offers(read: SheetsRead) -> None:
    """Every problem of offers read: the workbook's, and each offer's own, validated on its own."""
    reading = read._reading
    problems = list(read.problems)
    try:
        _Offers.model_validate(reading.data)
    except ValidationError as exc:
        problems.extend(_located(reading, exc, _Offers))
    if problems:
        raise ScenarioInputError(reading.source, problems)


def read_offers_sheets(content: bytes, source: str) -> SheetsRead:
    """The offers a workbook holds (`{"offers": [...]}`), one per nation it names, and the problems
    of its cells: its `units`, `pledges` and `red_lines` sheets (a `nation` column in each), and
    its `offers` sheet where it has one (then the nations whose offers it holds, an offer with no
    row elsewhere being empty; else the nations the rows name, in order). The other sheets of a
    scenario's workbook are not read: a coordinator may import the offers of an exported scenario.
    ScenarioInputError for a workbook with no offer in it; the caller validates the offers with
    their scenario (`SheetsRead.at_cells` names those problems' cells)."""
    book = _Book(content, source)
    reading = _Reading(source)
    try:
        missing = [t.sheet for t in OFFER_TABLES if t.sheet not in book.sheets]
        if missing:
            raise ScenarioInputError(source, [_no_sheets(missing)])
        # (a scenario's workbook may be imported for its offers: its other sheets are known too)
        _unknown_sheets(reading, book.sheets, [*_KEYED, _TARGETS, "offers", *(t.sheet for t in TABLES)])
        if "offers" in book.sheets:
            _read_offers(reading, book, book.sheets["offers"])
        else:
            reading.data["offers"] = []
            for table in OFFER_TABLES:  # the nations in the order their rows name them
                for nation, place in _nations_named(book, book.sheets[table.sheet], table.sheet):
                    if nation not in reading.nations:
                        o = reading.nations[nation] = len(reading.data["offers"])
                        reading.data["offers"].append({"nation": nation})
                        reading.cells[("offers", o, "nation")] = place
        elsewhere = "is not in the `offers` sheet" if "offers" in book.sheets else "is not a nation code"
        for table in OFFER_TABLES:
            _read_table(reading, book, book.sheets[table.sheet], table, elsewhere)
    finally:
        book.close()
    if not reading.data["offers"]:
        raise ScenarioInputError(source, reading.problems or ["(workbook): no offer in it: no row names a nation"])
    return SheetsRead({"offers": reading.data["offers"]}, reading.problems, reading)


def read_offers_workbook(content: bytes, source: str) -> list[dict[str, Any]]:
    """The offers a workbook holds, one per nation it names (`read_offers_sheets`), each checked on
    its own (not against a scenario): ScenarioInputError naming every problem by sheet, row and column."""
    read = read_offers_sheets(content, source)
    _check_offers(read)
    offers: list[dict[str, Any]] = read.document["offers"]
    return offers


def _nations_named(book: _Book, ws: Any, sheet: str) -> Iterator[tuple[str, str]]:
    """The nations a sheet's rows name, each with its cell."""
    rows = book.rows(ws)
    header = next(rows, None)
    if header is None:
        return
    columns = [str(v).strip() if isinstance(v, str) else "" for v in header[1]]
    if "nation" not in columns:
        return  # `_read_table` says so
    at = columns.index("nation")
    for number, row in rows:
        value = row[at] if at < len(row) else None
        if isinstance(value, str | int | float) and str(value).strip():
            yield str(value).strip(), _where(sheet, number, "nation", at + 1)


def read_workbook_file(path: Path) -> Scenario:
    """A workbook file's scenario (ScenarioInputError naming the file when it cannot be read)."""
    try:
        with path.open("rb") as file:
            content = file.read(MAX_WORKBOOK_BYTES + 1)  # (a device such as /dev/zero never ends)
    except OSError as exc:
        raise UnreadableInput(str(path), [exc.strerror or str(exc)]) from None
    return read_workbook(content, str(path))


__all__: Sequence[str] = (
    "TABLES",
    "SheetsRead",
    "read_offer_sheets",
    "read_offer_workbook",
    "read_offers_sheets",
    "read_offers_workbook",
    "read_workbook",
    "read_workbook_file",
    "write_offer_workbook",
    "write_workbook",
)
