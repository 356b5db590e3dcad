"""A scenario as a spreadsheet workbook, and back: the form planners keep offers and requirement
lists in (a statement of requirements, a pledge table).

One sheet per list of the scenario, one row per item, one column per field, each header the
field's name as the scenario file spells it:

- `scenario`: the scenario's own fields, one per row (`key`, `value`), nested ones dotted
  (`horizon.start`, `targets.max_personnel`, `targets.group_minimums.oic`, `mandate.ceasefire`);
- `capabilities`, `sectors`, `requirements`, `nations`, `vetoes`, `objective`: one row each;
- `offers`: the nations that offer, in order (an offer may be empty);
- `units`, `pledges`, `red_lines`: one row each, the offering `nation` first (a red line's row
  fills the columns of its kind and leaves the others empty).

A list of names is one cell, comma-separated (`oic, asean`); a list of records (a line's `ramp`,
`phasing.nodes`, `phasing.conditions`) is one cell in JSON (`[{"starting": "2026-06-01",
"quantity": 4}]`); an offer's `entry` nodes are a column of the `offers` sheet; an empty cell is a
field left out (its default applies). Reading a workbook gives the same scenario the workbook was written from
(the same canonical sha256); every problem names its sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
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
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ValidationError

from forcepack.models.common import Frozen
from forcepack.models.errors import ScenarioInputError
from forcepack.models.loading import describe_error, shown_value
from forcepack.models.red_lines import RedLine
from forcepack.models.scenario import (
    CapabilityDef,
    FundingPledge,
    Nation,
    ObjectiveTerm,
    Offer,
    Requirement,
    Scenario,
    Sector,
    UnitOffer,
    Veto,
)
from forcepack.models.tables import TABLE_NAMES
from forcepack.models.wording import plural

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
    lists = {t.path for t in TABLES if not t.per_offer} | {"offers"}
    for key, value in _flatten("", {k: v for k, v in data.items() if k not in lists}):
        _append(sheet, [key, _cell(value)])
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


@dataclass
class _Reading:
    """The scenario document being rebuilt, and where each of its parts came from."""

    source: str
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """Document path (as pydantic reports it) -> `sheet S, row R, column C (L)`."""
    problems: list[str] = field(default_factory=list)

    def where(self, sheet: str, row: int, column: str | None = None, index: int | None = None) -> str:
        if column is None:
            return f"sheet `{sheet}`, row {row}"
        letter = f" ({get_column_letter(index)})" if index is not None else ""
        return f"sheet `{sheet}`, row {row}, column `{column}`{letter}"


MAX_UNPACKED_BYTES = 128 * 1024 * 1024
"""Most bytes a workbook's parts may unpack to (a 500-nation scenario's unpack to about 2 MB)."""
MAX_COLUMNS = 64
"""Most columns read of a sheet (the widest, red lines, has 21): a cell far to the right is not read."""


def _open(content: bytes, source: str) -> Any:
    """The workbook, once its size, packed and unpacked, is known to be within bounds (a small file
    may unpack to gigabytes: its parts' declared sizes are checked before any is read, and a part
    is never read past its declared size)."""
    if len(content) > MAX_WORKBOOK_BYTES:
        raise ScenarioInputError(source, [f"(workbook): larger than {MAX_WORKBOOK_BYTES:,} bytes"])
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ScenarioInputError(
                source, [f"(workbook): unpacks to {plural(unpacked, 'byte')}, more than {MAX_UNPACKED_BYTES:,}"]
            )
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ScenarioInputError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a file that is not a workbook
        raise ScenarioInputError(source, [f"(workbook): not an XLSX workbook ({type(exc).__name__})"]) from None


def read_workbook(content: bytes, source: str) -> Scenario:
    """The scenario a workbook holds; ScenarioInputError naming every problem by sheet, row and
    column (or by the scenario's own rules, when they are broken across sheets)."""
    book = _open(content, source)
    reading = _Reading(source)
    try:
        sheets = {ws.title: ws for ws in book.worksheets if isinstance(ws, Worksheet) or hasattr(ws, "iter_rows")}
        missing = [name for name in (*_KEYED, *(t.sheet for t in TABLES)) if name not in sheets]
        if missing:
            raise ScenarioInputError(source, [_not_a_scenario_workbook(sheets) or _no_sheets(missing)])
        _read_scenario_sheet(reading, sheets["scenario"])
        offers = _read_offers(reading, sheets["offers"])
        for table in TABLES:
            _read_table(reading, sheets[table.sheet], table, offers)
    finally:
        book.close()
    if reading.problems:
        raise ScenarioInputError(source, reading.problems)
    try:
        return Scenario.model_validate(reading.data)
    except ValidationError as exc:
        raise ScenarioInputError(source, list(_located(reading, exc))) from None


def _values(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1):
        if number > MAX_ROWS + 1:
            raise ScenarioInputError("workbook", [f"sheet `{ws.title}`: more than {MAX_ROWS:,} rows"])
        if any(v is not None and v != "" for v in row):
            yield number, tuple(row)


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


def _read_scenario_sheet(reading: _Reading, ws: Any) -> None:
    rows = _values(ws)
    header = next(rows, None)
    if header is None or [str(v).strip() if v is not None else "" for v in header[1][:2]] != ["key", "value"]:
        reading.problems.append(f"{reading.where('scenario', 1)}: expected the headers `key` and `value`")
        return
    for number, row in rows:
        key = str(row[0]).strip() if row and row[0] is not None else ""
        if not key:
            reading.problems.append(f"{reading.where('scenario', number, 'key', 1)}: a value without a key")
            continue
        raw = row[1] if len(row) > 1 else None
        if raw is None or raw == "":
            continue
        path = _scenario_path(key)
        target = reading.data
        for part in path[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                reading.problems.append(f"{reading.where('scenario', number, 'key', 1)}: `{key}` repeats a field")
                break
        else:
            if path[-1] in target:
                reading.problems.append(f"{reading.where('scenario', number, 'key', 1)}: `{key}` appears twice")
                continue
            target[path[-1]] = _value(raw, key in _LIST_KEYS, key in _RECORD_KEYS)
            reading.cells[tuple(path)] = reading.where("scenario", number, "value", 2)


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


def _read_offers(reading: _Reading, ws: Any) -> dict[str, int]:
    offers: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    rows = _values(ws)
    header = next(rows, None)
    if header is None or str(header[1][0] or "").strip() != "nation":
        reading.problems.append(f"{reading.where('offers', 1)}: expected the header `nation`")
    entry_column = header is not None and len(header[1]) > 1 and str(header[1][1] or "").strip() == "entry"
    for number, row in rows:
        nation = str(row[0]).strip() if row[0] is not None else ""
        if nation in index:
            reading.problems.append(f"{reading.where('offers', number, 'nation', 1)}: `{shown_value(nation)}` twice")
            continue
        index[nation] = len(offers)
        reading.cells[("offers", len(offers))] = reading.where("offers", number)
        reading.cells[("offers", len(offers), "nation")] = reading.where("offers", number, "nation", 1)
        offer: dict[str, Any] = {"nation": nation}
        entry = row[1] if entry_column and len(row) > 1 else None
        if entry is not None and entry != "":
            offer["entry"] = _value(entry, True)
            reading.cells[("offers", len(offers), "entry")] = reading.where("offers", number, "entry", 2)
        offers.append(offer)
    reading.data["offers"] = offers
    return index


def _read_table(
    reading: _Reading, ws: Any, table: _Table, offers: dict[str, int], elsewhere: str = "is not in the `offers` sheet"
) -> None:
    rows = _values(ws)
    header = next(rows, None)
    if header is None:
        return
    columns = [str(v).strip() if v is not None else "" for v in header[1]]
    known = set(table.columns)
    for i, name in enumerate(columns, 1):
        if name and name not in known:
            reading.problems.append(
                f"{reading.where(table.sheet, header[0], name, i)}: unknown column; expected some of "
                + ", ".join(table.columns)
            )
    if table.per_offer and "nation" not in columns:
        reading.problems.append(f"{reading.where(table.sheet, header[0])}: a `nation` column is needed")
        return
    counts: dict[int, int] = {}
    for number, row in rows:
        item: dict[str, Any] = {}
        places: dict[str, str] = {}
        for i, name in enumerate(columns, 1):
            raw = row[i - 1] if i - 1 < len(row) else None
            if not name or raw is None or raw == "" or name not in known:
                continue
            item[name] = _value(raw, table.is_list(name), table.is_records(name))
            places[name] = reading.where(table.sheet, number, name, i)
        if table.per_offer:
            nation = str(item.pop("nation", "")).strip()
            if nation not in offers:
                reading.problems.append(
                    f"{places.get('nation', reading.where(table.sheet, number))}: `{shown_value(nation)}` {elsewhere}"
                )
                continue
            o = offers[nation]
            target = reading.data["offers"][o].setdefault(table.path, [])
            base: tuple[Any, ...] = ("offers", o, table.path, len(target))
            counts[o] = counts.get(o, 0) + 1
        else:
            target = reading.data.setdefault(table.path, [])
            base = (table.path, len(target))
        reading.cells[base] = reading.where(table.sheet, number)
        for name, place in places.items():
            if name != "nation":
                reading.cells[(*base, name)] = place
        target.append(item)


def _located(reading: _Reading, exc: ValidationError) -> Iterator[str]:
    """Each validation error at the cell it came from (the nearest part of its path that one did)."""
    for err in exc.errors(include_url=False):
        loc = tuple(part for part in err.get("loc", ()) if not (isinstance(part, str) and _is_tag(part)))
        place = None
        for end in range(len(loc), 0, -1):
            place = reading.cells.get(loc[:end])
            if place is not None:
                break
        if place is None:  # a rule across fields names its field by path: its cell where one holds it
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            lines = [_at_cell(reading, line) for line in message.split("\n")]
            yield from (line for line in lines if line)
            continue
        if err.get("type") == "missing":
            yield f"{place}: required field `{loc[-1] if loc else '?'}` is missing"
        else:
            yield describe_error(err, place)


_PATH = re.compile(r"^\s*-?\s*(?P<path>[A-Za-z_]+(?:\[\d+\]|\.[A-Za-z_]+)*): (?P<rest>.*)$")


def _at_cell(reading: _Reading, line: str) -> str:
    """A scenario rule's problem line (`offers[0].units[1].available_from: ...`) at its cell."""
    match = _PATH.match(line)
    if match is None:
        return f"(scenario): {line.strip()}" if line.strip() else ""
    path: list[Any] = []
    for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", match["path"]):
        path.append(int(index) if index else name)
    for end in range(len(path), 0, -1):
        place = reading.cells.get(tuple(path[:end]))
        if place is not None:
            return f"{place}: {match['path']}: {match['rest']}"
    return f"(scenario): {line.strip()}"


def _is_tag(part: str) -> bool:
    """A red line's kind, as pydantic names the union member in an error's path."""
    return part in {typing.get_args(m.model_fields["kind"].annotation)[0] for m in _RED_LINE_MODELS}


OFFER_TABLES = tuple(t for t in TABLES if t.per_offer)
"""The sheets of one nation's offer: its units, pledges and red lines."""


def write_offer_workbook(offer: Mapping[str, Any]) -> bytes:
    """One nation's offer (its document: `nation`, `units`, `funding`, `red_lines`) as a workbook of
    the scenario workbook's offer sheets, for a delegate to fill in and upload back; in a phased
    scenario, an offer naming its nodes of entry has its row of the `offers` sheet too (`entry`)."""
    data = {"offers": [dict(offer)]}
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
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


def read_offer_workbook(content: bytes, source: str, nation: str) -> dict[str, Any]:
    """The offer document a workbook of offer sheets holds, for `nation` (every row must name it);
    problems name sheet, row and column. The offer is checked against its scenario by the caller."""
    book = _open(content, source)
    reading = _Reading(source, data={"offers": [{"nation": nation}]})
    try:
        sheets = {ws.title: ws for ws in book.worksheets}
        missing = [t.sheet for t in OFFER_TABLES if t.sheet not in sheets]
        if missing:
            raise ScenarioInputError(source, [_no_sheets(missing)])
        if "offers" in sheets:  # its row, with its nodes of entry (only a phased offer's workbook has it)
            _read_offers(reading, sheets["offers"])
            rows = reading.data["offers"]
            if [row["nation"] for row in rows] not in ([], [nation]):
                reading.problems.append(
                    f"{reading.where('offers', 2, 'nation', 1)}: expected one row, this offer's nation (`{nation}`)"
                )
            reading.data["offers"] = [
                {"nation": nation, **({"entry": rows[0]["entry"]} if rows and "entry" in rows[0] else {})}
            ]
        for table in OFFER_TABLES:
            _read_table(reading, sheets[table.sheet], table, {nation: 0}, f"is not this offer's nation (`{nation}`)")
    finally:
        book.close()
    if reading.problems:
        raise ScenarioInputError(source, reading.problems)
    offer: dict[str, Any] = reading.data["offers"][0]
    return offer


class _Offers(Frozen):
    """Offers read from a workbook, validated each on its own (the scenario checks them together)."""

    offers: list[Offer]


def read_offers_workbook(content: bytes, source: str) -> list[dict[str, Any]]:
    """The offers a workbook holds, one per nation it names: its `units`, `pledges` and `red_lines`
    sheets (a `nation` column in each), and its `offers` sheet where it has one (then the nations
    whose offers it holds, an offer with no row elsewhere being empty; else the nations the rows
    name, in order). The other sheets of a scenario's workbook are not read: a coordinator may
    import the offers of an exported scenario. Problems name sheet, row and column; the offers are
    checked against their scenario by the caller."""
    book = _open(content, source)
    reading = _Reading(source)
    try:
        sheets = {ws.title: ws for ws in book.worksheets}
        missing = [t.sheet for t in OFFER_TABLES if t.sheet not in sheets]
        if missing:
            raise ScenarioInputError(source, [_no_sheets(missing)])
        if "offers" in sheets:
            index = _read_offers(reading, sheets["offers"])
        else:
            reading.data["offers"] = []
            index = {}
            for table in OFFER_TABLES:  # the nations in the order their rows name them
                for nation in _nations_named(sheets[table.sheet]):
                    if nation not in index:
                        index[nation] = len(reading.data["offers"])
                        reading.data["offers"].append({"nation": nation})
        elsewhere = "is not in the `offers` sheet" if "offers" in sheets else "is not a nation code"
        for table in OFFER_TABLES:
            _read_table(reading, sheets[table.sheet], table, index, elsewhere)
    finally:
        book.close()
    if not reading.problems and not reading.data["offers"]:
        reading.problems.append("(workbook): no offer in it: no row names a nation")
    if reading.problems:
        raise ScenarioInputError(source, reading.problems)
    try:
        _Offers.model_validate(reading.data)
    except ValidationError as exc:
        raise ScenarioInputError(source, list(_located(reading, exc))) from None
    offers: list[dict[str, Any]] = reading.data["offers"]
    return offers


def _nations_named(ws: Any) -> Iterator[str]:
    rows = _values(ws)
    header = next(rows, None)
    if header is None:
        return
    columns = [str(v).strip() if v is not None else "" for v in header[1]]
    if "nation" not in columns:
        return  # `_read_table` says so
    at = columns.index("nation")
    for _, row in rows:
        if at < len(row) and row[at] is not None and str(row[at]).strip():
            yield str(row[at]).strip()


def read_workbook_file(path: Path) -> Scenario:
    """A workbook file's scenario (ScenarioInputError naming the file when it cannot be read)."""
    try:
        with path.open("rb") as file:
            content = file.read(MAX_WORKBOOK_BYTES + 1)  # (a device such as /dev/zero never ends)
    except OSError as exc:
        raise ScenarioInputError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    return read_workbook(content, str(path))


__all__: Sequence[str] = (
    "TABLES",
    "read_offer_workbook",
    "read_offers_workbook",
    "read_workbook",
    "read_workbook_file",
    "write_offer_workbook",
    "write_workbook",
)
