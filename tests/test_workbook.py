"""Scenarios as workbooks: written, read back to the same scenario (same sha256), and every
problem of a workbook a planner edited named by its sheet, row and column."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from openpyxl import load_workbook
from typer.testing import CliRunner

from bench.generator import generate
from forcepack.cli.main import app
from forcepack.models import Scenario, load_scenario
from forcepack.models.errors import ScenarioInputError
from forcepack.models.workbook import (
    TABLES,
    read_offer_workbook,
    read_workbook,
    write_offer_workbook,
    write_workbook,
)
from tests.strategies import small_scenarios, tiny_phased_scenarios
from tests.test_phases import plan_scenario

EXAMPLES = sorted(Path("examples").glob("*.yaml")) + sorted(Path("tests/data/good").glob("*.yaml"))


def _edited(scenario: Scenario, sheet: str, cell: str, value: object) -> bytes:
    """The scenario's workbook with one cell changed, as a planner would."""
    book = load_workbook(io.BytesIO(write_workbook(scenario)))
    book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column(sheet: str, name: str) -> str:
    table = next(t for t in TABLES if t.sheet == sheet)
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[table.columns.index(name)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_workbook_round_trip_of_every_example(path: Path) -> None:
    """Each example reads back from its workbook as the same scenario (its canonical sha256)."""
    scenario = load_scenario(path)
    assert read_workbook(write_workbook(scenario), "plan.xlsx").sha256() == scenario.sha256()


@pytest.mark.parametrize(("nations", "seed"), [(12, 1), (70, 2)])
def test_workbook_round_trip_of_generated_scenarios(nations: int, seed: int) -> None:
    """Generated scenarios (every red-line kind, earmarks, windows) survive the round trip."""
    scenario = generate(nations, seed)
    assert read_workbook(write_workbook(scenario), "plan.xlsx").sha256() == scenario.sha256()


@settings(max_examples=40, deadline=None)
@given(small_scenarios())
def test_workbook_round_trip_property(scenario: Scenario) -> None:
    """Any valid scenario reads back from its workbook as itself, `expect` included."""
    back = read_workbook(write_workbook(scenario), "plan.xlsx")
    assert back == scenario


@settings(max_examples=40, deadline=None)
@given(tiny_phased_scenarios())
def test_workbook_round_trip_of_phased_scenarios(scenario: Scenario) -> None:
    """A phased scenario (ramps, nodes, condition periods, entry nodes, dated red lines) reads back
    from its workbook as itself."""
    assert read_workbook(write_workbook(scenario), "plan.xlsx") == scenario


def test_workbook_phased_records_are_json_cells_and_entry_a_column() -> None:
    """A line's ramp is one JSON cell of its row; an offer's nodes of entry a column of `offers`; a ramp
    cell that is not JSON is named by its cell."""
    scenario = plan_scenario()
    book = load_workbook(io.BytesIO(write_workbook(scenario)))
    ramp = _column("requirements", "ramp")
    assert book["requirements"][f"{ramp}2"].value == '[{"starting": "2026-04-01", "quantity": 2}]'
    assert [c.value for c in book["offers"][4]] == ["CCC", "port"]
    book["requirements"][f"{ramp}2"] = "from April: 2"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ScenarioInputError) as info:
        read_workbook(out.getvalue(), "plan.xlsx")
    assert any(p.startswith(f"sheet `requirements`, row 2, column `ramp` ({ramp})") for p in info.value.problems)


def test_workbook_an_offer_keeps_its_nodes_of_entry() -> None:
    """A delegate's offer workbook of a phased offer carries its nodes of entry back; a static offer's
    workbook holds its three sheets only."""
    scenario = plan_scenario()
    ccc = scenario.offer_by_nation["CCC"].model_dump(mode="json", by_alias=True, exclude_none=True)
    back = read_offer_workbook(write_offer_workbook(ccc), "offer.xlsx", "CCC")
    assert back["entry"] == ["port"] and back["units"][0]["id"] == "c-eng"
    aaa = scenario.offer_by_nation["AAA"].model_dump(mode="json", by_alias=True, exclude_none=True)
    assert load_workbook(io.BytesIO(write_offer_workbook(aaa))).sheetnames == ["units", "pledges", "red_lines"]
    assert "entry" not in read_offer_workbook(write_offer_workbook(aaa), "offer.xlsx", "AAA")
    with pytest.raises(ScenarioInputError, match="expected one row, this offer's nation"):
        read_offer_workbook(write_offer_workbook(ccc), "offer.xlsx", "AAA")


def test_workbook_names_the_cell_of_a_bad_value() -> None:
    """A unit count of "many" is refused at sheet `units`, row 2, column `count` (and its letter)."""
    scenario = load_scenario("examples/tutorial.yaml")
    letter = _column("units", "count")
    with pytest.raises(ScenarioInputError) as caught:
        read_workbook(_edited(scenario, "units", f"{letter}2", "many"), "plan.xlsx")
    assert f"sheet `units`, row 2, column `count` ({letter})" in str(caught.value)
    assert "(got `many`)" in str(caught.value)


def test_workbook_names_unknown_columns_nations_and_sheets() -> None:
    """An unknown column, a unit of a nation with no offer row and a missing sheet are named."""
    scenario = load_scenario("examples/tutorial.yaml")
    with pytest.raises(ScenarioInputError, match=r"sheet `sectors`, row 1, column `colour` \(D\): unknown column"):
        read_workbook(_edited(scenario, "sectors", "D1", "colour"), "plan.xlsx")
    with pytest.raises(ScenarioInputError, match=r"sheet `units`, row 2, column `nation` \(A\): `XYZ` is not in"):
        read_workbook(_edited(scenario, "units", "A2", "XYZ"), "plan.xlsx")
    book = load_workbook(io.BytesIO(write_workbook(scenario)))
    del book["vetoes"]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ScenarioInputError, match="no sheet named `vetoes`"):
        read_workbook(out.getvalue(), "plan.xlsx")
    with pytest.raises(ScenarioInputError, match="not an XLSX workbook"):
        read_workbook(b"id,name\n", "plan.xlsx")


def test_workbook_takes_what_a_spreadsheet_stores() -> None:
    """A count stored as 3.0 and a date typed as a date are read as the integer and the day."""
    import datetime as dt

    scenario = load_scenario("examples/tutorial.yaml")
    data = _edited(scenario, "units", f"{_column('units', 'count')}2", 3.0)
    assert read_workbook(data, "plan.xlsx") == scenario  # IDN's engineers are 3 already
    keys = [row[0] for row in load_workbook(io.BytesIO(data))["scenario"].values]
    start = keys.index("horizon.start") + 1
    changed = read_workbook(_edited(scenario, "scenario", f"B{start}", dt.datetime(2026, 2, 1)), "plan.xlsx")
    assert changed.horizon.start == dt.date(2026, 2, 1)
    with pytest.raises(ScenarioInputError) as caught:  # a rule across sheets names the cell it found
        read_workbook(_edited(scenario, "scenario", f"B{start}", dt.datetime(2026, 4, 1)), "plan.xlsx")
    letter = _column("units", "available_from")
    assert f"sheet `units`, row 2, column `available_from` ({letter})" in str(caught.value)


def test_workbook_cli_export_import_and_solve(tmp_path: Path) -> None:
    """`forcepack export` then `forcepack import` give the same scenario; a workbook solves as is."""
    runner = CliRunner()
    book, back = tmp_path / "plan.xlsx", tmp_path / "back.yaml"
    result = runner.invoke(app, ["export", "examples/gaza-isf.yaml", "-o", str(book)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(book), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert load_scenario(back).sha256() == load_scenario("examples/gaza-isf.yaml").sha256()
    result = runner.invoke(app, ["solve", str(book), "--time-limit", "20"])
    assert result.exit_code == 0 and "OPTIMAL" in result.output
    bad = runner.invoke(app, ["import", "README.md", "-o", str(back)])
    assert bad.exit_code == 2 and "not an XLSX workbook" in bad.output + (bad.stderr or "")


def test_workbook_text_stays_text_and_bombs_are_refused(tmp_path: Path) -> None:
    """A note that reads like a formula is written as text and read back as written; a workbook
    that would unpack past the bound, and a device that never ends, are refused without reading."""
    import zipfile

    from forcepack.models.workbook import MAX_UNPACKED_BYTES, read_workbook_file

    data = load_scenario("examples/tutorial.yaml").model_dump(mode="json", by_alias=True, exclude_none=True)
    data["nations"][0]["name"] = '=HYPERLINK("http://127.0.0.1:9/x","click")'
    scenario = Scenario.model_validate(data)
    content = write_workbook(scenario)
    book = load_workbook(io.BytesIO(content))
    cell = next(c for row in book["nations"].iter_rows() for c in row if str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s"
    assert read_workbook(content, "plan.xlsx") == scenario
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"a" * (MAX_UNPACKED_BYTES + 1))
    with pytest.raises(ScenarioInputError, match="unpacks to"):
        read_workbook(bomb.getvalue(), "bomb.xlsx")
    endless = tmp_path / "zero.xlsx"
    endless.symlink_to("/dev/zero")
    with pytest.raises(ScenarioInputError, match="larger than"):
        read_workbook_file(endless)


def test_workbook_of_another_kind_is_named(tmp_path: Path) -> None:
    """A package's tables (`solve --tables`) or a nation's offer workbook given as a scenario is
    refused as what it is, with where it belongs, not as a list of missing sheets."""
    from forcepack.models.tables import tables_xlsx
    from forcepack.models.workbook import write_offer_workbook
    from forcepack.solver import solve

    scenario = load_scenario("examples/tutorial.yaml")
    with pytest.raises(ScenarioInputError) as tables:
        read_workbook(tables_xlsx(solve(scenario)), "plan.xlsx")
    assert tables.value.problems == [
        "(workbook): this is a package's tables (what `forcepack solve --tables` writes), not a scenario: "
        "a scenario workbook is what `forcepack export` writes"
    ]
    with pytest.raises(ScenarioInputError) as offer:
        read_workbook(
            write_offer_workbook(scenario.offer_by_nation["IDN"].model_dump(mode="json", exclude_none=True)), "idn.xlsx"
        )
    assert len(offer.value.problems) == 1 and "this is a nation's offer" in offer.value.problems[0]


@pytest.mark.parametrize(
    ("command", "output", "said"),
    [
        ("export", "out.csv", "out.csv: expected an .xlsx file to write, got `.csv`"),
        ("export", "no-such-folder/out.xlsx", "no-such-folder/out.xlsx: cannot be written: No such file or directory"),
        ("import", "out.txt", "out.txt: expected a .yaml, .yml or .json file to write, got `.txt`"),
    ],
)
def test_workbook_cli_output_that_cannot_be_written_is_not_called_a_scenario_problem(
    command: str, output: str, said: str, tmp_path: Path
) -> None:
    """A file the command cannot write is named with what is wrong with it, never as "a problem in
    the scenario" (the scenario is fine); exit 2 and nothing written."""
    source = "examples/tutorial.yaml"
    if command == "import":
        source = str(tmp_path / "plan.xlsx")
        assert CliRunner().invoke(app, ["export", "examples/tutorial.yaml", "-o", source]).exit_code == 0
    result = CliRunner().invoke(app, [command, source, "-o", str(tmp_path / output)])
    assert result.exit_code == 2, result.output
    text = "".join(result.output.split())  # (a long path may be folded anywhere)
    assert "".join(said.split()) in text and "inthescenario" not in text, result.output
    assert not (tmp_path / output).exists()


def test_workbook_a_number_typed_as_an_id_is_its_digits() -> None:
    """A spreadsheet stores an id typed as `101` as a number: in a text column it is read as the
    digits shown (`101`, not `101.0`), while a count stays a number and `true` in it is refused."""
    scenario = load_scenario("examples/tutorial.yaml")
    id_row = _row_of(write_workbook(scenario), "scenario", "id")
    content = _edits(
        scenario,
        ("units", f"{_column('units', 'id')}2", 101),
        ("requirements", f"{_column('requirements', 'id')}2", 7.0),
        ("scenario", f"B{id_row}", 2026),
    )
    read = read_workbook(content, "plan.xlsx")
    assert read.id == "2026"
    assert read.requirements[0].id == "7"
    assert read.offers[0].units[0].id == "101"
    assert read.offers[0].units[0].count == scenario.offers[0].units[0].count
    problems = _problems(_edited(scenario, "units", f"{_column('units', 'count')}2", True))
    assert problems == [
        f"sheet `units`, row 2, column `count` ({_column('units', 'count')}): expected a number, got the boolean `true`"
    ]


def _problems(content: bytes) -> list[str]:
    """The problems reading a scenario workbook names (fails the test if it reads)."""
    with pytest.raises(ScenarioInputError) as caught:
        read_workbook(content, "plan.xlsx")
    return caught.value.problems


def _edits(scenario: Scenario, *cells: tuple[str, str, object]) -> bytes:
    """The scenario's workbook with several cells changed (sheet, cell, value)."""
    book = load_workbook(io.BytesIO(write_workbook(scenario)))
    for sheet, cell, value in cells:
        book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row_of(content: bytes, sheet: str, key: str) -> int:
    """The row of a key-value sheet holding `key`."""
    keys = [row[0] for row in load_workbook(io.BytesIO(content))[sheet].values]
    return keys.index(key) + 1


def test_workbook_names_every_problem_in_one_pass() -> None:
    """A misspelt control, a veto against an unknown nation, an unknown column and a bad count are
    named together, each at its cell, the control and the nation with the closest known name."""
    scenario = load_scenario("examples/tutorial.yaml")
    count = _column("units", "count")
    problems = _problems(
        _edits(
            scenario,
            ("sectors", "C2", "secur"),
            ("vetoes", "C2", "TUX"),
            ("sectors", "D1", "opns"),
            ("units", f"{count}3", "six"),
        )
    )
    assert len(problems) == 4, problems
    assert (
        "sheet `sectors`, row 2, column `control` (C): Input should be 'secure', 'contested' or 'hostile' "
        "(got `secur`; did you mean `secure`?)"
    ) in problems
    assert any(
        p.startswith("sheet `vetoes`, row 2, column `against` (C): ") and "`TUX`" in p and "did you mean `TUR`?" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("sheet `sectors`, row 1, column `opns` (D): unknown column (did you mean `opens`?)")
        for p in problems
    )
    assert any(
        p.startswith(f"sheet `units`, row 3, column `count` ({count}): ") and "(got `six`)" in p for p in problems
    )


def test_workbook_a_misspelt_header_is_one_problem_among_the_others() -> None:
    """A misspelt column header is named with the column it may have meant, beside the sheet's other
    problems; its rows' values, left unread, are not named again as missing."""
    scenario = load_scenario("examples/tutorial.yaml")
    capability, count = _column("units", "capability"), _column("units", "count")
    problems = _problems(_edits(scenario, ("units", f"{capability}1", "capabilty"), ("units", f"{count}2", "six")))
    assert len(problems) == 2, problems
    assert problems[0].startswith(
        f"sheet `units`, row 1, column `capabilty` ({capability}): unknown column (did you mean `capability`?)"
    )
    assert problems[1].startswith(f"sheet `units`, row 2, column `count` ({count}): ")


def test_workbook_a_formula_with_no_value_is_named_as_one() -> None:
    """A formula a program wrote without computing it is named at its cell as a formula with no
    value (not as a missing field); one a spreadsheet computed is read as its value."""
    scenario = load_scenario("examples/tutorial.yaml")
    personnel = _column("units", "personnel")
    content = _edits(scenario, ("units", f"{personnel}2", "=60*3"))
    assert _problems(content) == [
        f"sheet `units`, row 2, column `personnel` ({personnel}): the cell holds a formula (`=60*3`) with no "
        "computed value (the workbook was saved by a program that does not calculate): type the value, or open "
        "and save the workbook in a spreadsheet program"
    ]
    computed = io.BytesIO()  # the same workbook as a spreadsheet saves it: the formula and its value
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(computed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if b"<f>60*3</f>" in data:
                data = re.sub(rb"<f>60\*3</f>(<v\s*/>|<v></v>)?", b"<f>60*3</f><v>180</v>", data)
            target.writestr(item, data)
    assert read_workbook(computed.getvalue(), "plan.xlsx") == scenario
    assert (
        len(_problems(_edits(scenario, ("scenario", f"B{_row_of(content, 'scenario', 'id')}", '="tu"&"torial"')))) == 1
    )


def test_workbook_a_second_column_and_a_value_without_a_header_are_named() -> None:
    """A column header written twice, and a value in a column with no header, are problems naming
    their sheet and column: neither is read silently."""
    scenario = load_scenario("examples/tutorial.yaml")
    assert _problems(_edits(scenario, ("sectors", "D1", "name"))) == [
        "sheet `sectors`, row 1, column `name` (D): a second column `name` (the first is column B): keep one"
    ]
    assert _problems(_edits(scenario, ("sectors", "F3", "north"))) == [
        "sheet `sectors`, row 3, column F: a value (`north`) in a column without a header: name the column in "
        "row 1, or clear the cell"
    ]
    assert _problems(_edits(scenario, ("scenario", "C2", "note"))) == [
        "sheet `scenario`, row 2, column C: a value (`note`) in a column without a header: name the column in "
        "row 1, or clear the cell"
    ]


def test_workbook_an_unknown_key_is_named_at_its_key() -> None:
    """A misspelt key of the `scenario` or `targets` sheet is named at the key's cell (column A),
    with the key it may have meant, as the sheet spells keys."""
    scenario = load_scenario("examples/tutorial.yaml")
    content = write_workbook(scenario)
    start = _row_of(content, "scenario", "horizon.start")
    assert _problems(_edits(scenario, ("scenario", f"A{start}", "horizon.strat"))) == [
        f"sheet `scenario`, row {start}, column `key` (A): unknown key `horizon.strat` (did you mean `horizon.start`?)"
    ]
    row = _row_of(content, "targets", "max_personnel")
    assert _problems(_edits(scenario, ("targets", f"A{row}", "max_personel"))) == [
        f"sheet `targets`, row {row}, column `key` (A): unknown key `max_personel` (did you mean `max_personnel`?)"
    ]
    old = _old_layout(content)
    row = _row_of(old, "scenario", "targets.max_personnel")
    book = load_workbook(io.BytesIO(old))
    book["scenario"][f"A{row}"] = "targets.max_personel"
    out = io.BytesIO()
    book.save(out)
    assert _problems(out.getvalue()) == [
        f"sheet `scenario`, row {row}, column `key` (A): unknown key `targets.max_personel` "
        "(did you mean `targets.max_personnel`?)"
    ]


def test_workbook_an_empty_nation_cell_is_named() -> None:
    """A unit whose nation cell is empty is named at that cell as empty, not as a nation ``."""
    scenario = load_scenario("examples/tutorial.yaml")
    assert _problems(_edits(scenario, ("units", "A2", None))) == [
        "sheet `units`, row 2, column `nation` (A): the nation is empty: each row names the nation whose offer "
        "it belongs to"
    ]


def test_workbook_an_offer_sheet_names_its_cells() -> None:
    """A delegate's offer sheet with a count of "six" is refused at its sheet, row and column, not
    at the offer's field path."""
    scenario = load_scenario("examples/tutorial.yaml")
    idn = scenario.offer_by_nation["IDN"].model_dump(mode="json", by_alias=True, exclude_none=True)
    book = load_workbook(io.BytesIO(write_offer_workbook(idn)))
    count = _column("units", "count")
    book["units"][f"{count}2"] = "six"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ScenarioInputError) as caught:
        read_offer_workbook(out.getvalue(), "offer.xlsx", "IDN")
    assert caught.value.problems == [
        f"sheet `units`, row 2, column `count` ({count}): Input should be a valid integer, unable to parse string "
        "as an integer (got `six`)"
    ]


def _old_layout(content: bytes) -> bytes:
    """A workbook as written before the `targets` sheet: its targets as `targets.*` keys of the
    `scenario` sheet."""
    book = load_workbook(io.BytesIO(content))
    for key, value in list(book["targets"].values)[1:]:
        book["scenario"].append([f"targets.{key}", value])
    del book["targets"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbook_targets_have_their_sheet_and_old_workbooks_still_read() -> None:
    """The targets are a key-value sheet of their own; a workbook written with them as `targets.*`
    keys of the `scenario` sheet reads as the same scenario; a target given in both is named."""
    scenario = load_scenario("examples/tutorial.yaml")
    content = write_workbook(scenario)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[:2] == ["scenario", "targets"]
    assert list(book["targets"].values) == [
        ("key", "value"),
        ("max_personnel", 20000),
        ("min_nations", 2),
        ("group_minimums.oic", 2),
        ("max_nation_share", 0.6),
        ("funding_coverage", 1),
    ]
    assert not any(str(key).startswith("targets.") for key, *_ in book["scenario"].values)
    old = _old_layout(content)
    assert read_workbook(old, "plan.xlsx").sha256() == scenario.sha256()
    book = load_workbook(io.BytesIO(old))
    book.create_sheet("targets").append(["key", "value"])
    book["targets"].append(["min_nations", 3])
    out = io.BytesIO()
    book.save(out)
    assert _problems(out.getvalue()) == ["sheet `targets`, row 2, column `key` (A): `min_nations` appears twice"]


@pytest.mark.parametrize("path", sorted(Path("examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_workbook_cli_round_trip_of_every_example(path: Path, tmp_path: Path) -> None:
    """`forcepack export X -o a.xlsx && forcepack import a.xlsx -o b.yaml` gives the example's
    canonical scenario (its sha256) back."""
    runner = CliRunner()
    book, back = tmp_path / "a.xlsx", tmp_path / "b.yaml"
    assert runner.invoke(app, ["export", str(path), "-o", str(book)]).exit_code == 0
    result = runner.invoke(app, ["import", str(book), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert load_scenario(back).sha256() == load_scenario(path).sha256()


def test_workbook_problems_shown_in_the_docs() -> None:
    """docs/workbook.md shows the problems of the tutorial's workbook with four cells changed: they
    are what reading it gives."""
    text = Path("docs/workbook.md").read_text(encoding="utf-8")
    block = text.split("```text\n", 1)[1].split("```", 1)[0]
    scenario = load_scenario("examples/tutorial.yaml")
    content = _edits(
        scenario,
        ("sectors", "D1", "opns"),
        ("sectors", "C2", "secur"),
        ("targets", "A2", "max_personel"),
        ("vetoes", "C2", "TUX"),
    )
    with pytest.raises(ScenarioInputError) as caught:
        read_workbook(content, "plan.xlsx")
    assert str(caught.value) + "\n" == block


def test_workbook_a_sheet_named_close_to_one_read_is_a_problem_and_notes_are_not() -> None:
    """A sheet `veto` beside `vetoes` holds rows a planner meant to be read: a problem naming the
    sheet it was meant to be. A sheet of notes, named like none, is left alone and the file reads."""
    scenario = load_scenario("examples/tutorial.yaml")
    book = load_workbook(io.BytesIO(write_workbook(scenario)))
    book.create_sheet("veto").append(["id", "by", "against"])
    book.create_sheet("Notes from the meeting").append(["ask Egypt about the crossings"])
    out = io.BytesIO()
    book.save(out)
    assert _problems(out.getvalue()) == [
        "sheet `veto`: not a sheet forcepack reads (did you mean `vetoes`?); its rows are not read: rename it, "
        "or move its rows to that sheet"
    ]
    del book["veto"]
    out = io.BytesIO()
    book.save(out)
    assert read_workbook(out.getvalue(), "plan.xlsx").sha256() == scenario.sha256()


def test_workbook_an_empty_required_cell_and_a_misspelt_kind_are_named_at_their_columns() -> None:
    """An empty `count` and a misspelt red line `kind` are each named by sheet, row and column."""
    scenario = load_scenario("examples/tutorial.yaml")
    kind = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[next(t for t in TABLES if t.sheet == "red_lines").columns.index("kind")]
    content = _edits(
        scenario, ("units", f"{_column('units', 'count')}2", None), ("red_lines", f"{kind}2", "max_engagment")
    )
    problems = _problems(content)
    assert (
        f"sheet `units`, row 2, column `count` ({_column('units', 'count')}): required field `count` is missing"
        in problems
    )
    assert any(
        p.startswith(f"sheet `red_lines`, row 2, column `kind` ({kind}): unknown red line kind 'max_engagment'")
        and "did you mean `max_engagement`?" in p
        for p in problems
    ), problems
