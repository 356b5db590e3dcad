"""The command line: exit codes, readable output, JSON that the checker accepts, clear errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.generator import generate
from forcepack.cli.main import app
from forcepack.models import Solution
from forcepack.models.reports import CheckReport, ValidationReport
from forcepack.models.tables import TABLE_NAMES

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BAD = Path(__file__).resolve().parent / "data" / "bad"


def run(*args: str) -> tuple[int, str, str]:
    """A command's exit code, stdout and stderr, piped and without COLUMNS (which a test runner's
    own environment may set), so that no line is wrapped."""
    result = runner.invoke(app, list(args), env={"COLUMNS": None})
    return result.exit_code, result.stdout, result.stderr


def test_cli_solve_prints_a_readable_package() -> None:
    """`solve` on the tutorial prints status, coverage, nations and funding, exit 0."""
    code, out, _ = run("solve", str(EXAMPLES / "tutorial.yaml"), "--workers", "1")
    assert code == 0
    assert "OPTIMAL" in out
    for heading in ("Coverage by sector", "Contributions by nation", "Funding balance"):
        assert heading in out
    assert "rafah-eng" in out


def test_cli_solve_json_passes_check(tmp_path: Path) -> None:
    """`solve --json` prints the solution document; `check` accepts it, and rejects a tampered copy."""
    scenario = str(EXAMPLES / "gaza-isf.yaml")
    code, out, _ = run("solve", scenario, "--json")
    assert code == 0
    solution = Solution.model_validate_json(out)
    assert solution.status == "optimal"
    good = tmp_path / "solution.json"
    good.write_text(out)
    code, out, _ = run("check", scenario, str(good))
    assert code == 0, out
    assert "honours every rule" in out

    data = json.loads(good.read_text())
    data["assignments"][0]["units"] += 50
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(data))
    code, out, _ = run("check", scenario, str(bad))
    assert code == 1
    assert "[capacity]" in out


def test_cli_solve_infeasible_explains_and_exits_1() -> None:
    """An infeasible scenario prints its conflict and ways out, exit 1; its JSON carries them."""
    path = str(EXAMPLES / "infeasible-khan-younis-police.yaml")
    code, out, _ = run("solve", path)
    assert code == 1
    assert "INFEASIBLE" in out
    assert "mar-secure-only" in out and "Ways out" in out
    code, out, _ = run("solve", path, "--json")
    assert code == 1
    explanation = Solution.model_validate_json(out).explanation
    assert explanation is not None and explanation.minimal


def test_cli_solve_no_answer_in_time_exits_3(tmp_path: Path) -> None:
    """A large scenario with a tiny time limit gives status unknown and exit 3."""
    path = tmp_path / "big.json"
    path.write_text(generate(500, 1).model_dump_json(by_alias=True))
    code, out, _ = run("solve", str(path), "--json", "--time-limit", "0.01")
    assert code == 3
    assert Solution.model_validate_json(out).status == "unknown"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown-top-level-field.yaml", "unknown field"),
        ("dangling-sector.yaml", "requirements[1].sector"),
        ("bad-date.yaml", "bad-date.yaml"),
        ("negative-count.yaml", "count"),
        ("yaml-syntax.yaml", "line"),
    ],
)
def test_cli_bad_input_exits_2_without_traceback(name: str, expected: str) -> None:
    """A malformed file gives exit 2 and a message naming the file and field, never a traceback."""
    code, out, err = run("solve", str(BAD / name))
    assert code == 2
    assert str(BAD / name) in err
    assert expected in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("command", ["solve", "validate", "what-if"])
@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [("--time-limit", "1e9", "0 < --time-limit <= 604,800"), ("--workers", "100", "1 <= --workers <= 64")],
)
def test_cli_bad_solve_flags_exit_2_naming_the_flag(command: str, flag: str, value: str, said: str) -> None:
    """A solve parameter out of range is refused on every command that solves, before any solve,
    with the flag named as the user typed it: exit 2, never a traceback."""
    extra = ["--withdraw", "IDN"] if command == "what-if" else []
    code, _, err = run(command, "examples/tutorial.yaml", *extra, flag, value)
    assert code == 2, err
    assert f"error: Expected {said}, got" in err and "Traceback" not in err


def test_cli_bad_solve_flag_with_json_prints_an_error_document() -> None:
    """With `--json`, a flag out of range still answers a document on stdout (`forcepack.error/1`)."""
    code, out, _ = run("solve", "examples/tutorial.yaml", "--json", "--seed", "99999999999")
    document = json.loads(out)
    assert code == 2 and document["schema"] == "forcepack.error/1"
    assert document["problems"] == [document["message"]] and "--seed" in document["message"]


def test_cli_missing_file_exits_2() -> None:
    """A file that does not exist is bad input, named."""
    code, _, err = run("solve", "no/such/file.yaml")
    assert code == 2
    assert "no such file" in err


def test_cli_validate_examples_pass() -> None:
    """`validate examples/` solves, checks and compares every example with its expect block."""
    code, out, _ = run("validate", str(EXAMPLES))
    assert code == 0, out
    assert f"{len(list(EXAMPLES.glob('*.yaml')))} of {len(list(EXAMPLES.glob('*.yaml')))} scenarios as expected" in out
    assert "FAIL" not in out


def test_cli_prints_money_as_money(tmp_path: Path) -> None:
    """An amount is never written in exponent notation: `validate` states a cost in whole dollars with
    its currency (`USD 276,253,740`, not `2.76254e+08`), as it compares it with the expect block, and
    a mismatch names both amounts alike."""
    code, out, _ = run("validate", str(EXAMPLES / "gaza-isf.yaml"))
    assert code == 0, out
    assert re.search(r"cost USD \d{3},\d{3},\d{3}\b", out), out
    assert not re.search(r"\de[+-]\d", out), out
    text = (EXAMPLES / "tutorial.yaml").read_text()
    (tmp_path / "wrong.yaml").write_text(
        text.replace("expect: {status: optimal}", "expect: {status: optimal, objective: {cost: 40000000}}")
    )
    code, out, _ = run("validate", str(tmp_path / "wrong.yaml"))
    assert code == 1
    assert re.search(r"objective cost is USD \d\d,\d{3},\d{3}, expected USD 40,000,000", out), out


def test_cli_validate_reports_unmet_expectations(tmp_path: Path) -> None:
    """A scenario whose expect block is wrong, and a malformed one, make validate fail with a list."""
    text = (EXAMPLES / "tutorial.yaml").read_text().replace("expect: {status: optimal}", "expect: {status: infeasible}")
    (tmp_path / "wrong.yaml").write_text(text)
    shutil.copy(BAD / "dangling-sector.yaml", tmp_path / "broken.yaml")
    code, out, _ = run("validate", str(tmp_path))
    assert code == 1
    assert "status is optimal, expected infeasible" in out
    assert "FAIL" in out and "broken.yaml" in out
    assert "0 of 2 scenarios as expected" in out


def test_cli_what_if_prints_a_readable_diff(tmp_path: Path) -> None:
    """`what-if --withdraw` prints the verdict and the placements changed; a bad patch exits 2."""
    code, out, _ = run("what-if", str(EXAMPLES / "gaza-isf.yaml"), "--withdraw", "PAK")
    assert code == 0
    assert "PAK withdraw" in out and "Placements changed" in out
    code, out, _ = run("what-if", str(EXAMPLES / "gaza-isf.yaml"), "--withdraw", "PAK", "--mode", "repair", "--json")
    assert code == 0
    assert json.loads(out)["patched"]["objective"][0]["criterion"] == "churn"
    bad = tmp_path / "patch.yaml"
    bad.write_text("ops: [{op: withdraw, nations: [ZZZ]}]\n")
    code, _, err = run("what-if", str(EXAMPLES / "gaza-isf.yaml"), "--patch", str(bad))
    assert code == 2
    assert "ops[0].nations[0]: nation `ZZZ`" in err


def test_cli_what_if_patch_changes_a_requirement_line(tmp_path: Path) -> None:
    """A patch file may change a line's quantity; a bad line op exits 2 naming the operation's field."""
    patch = tmp_path / "more.yaml"
    patch.write_text("ops: [{op: set_quantity, requirement: rafah-eng, quantity: 3}]\n")
    code, out, _ = run("what-if", str(EXAMPLES / "tutorial.yaml"), "--patch", str(patch), "--json")
    assert code == 0
    coverage = {c["requirement"]: c for c in json.loads(out)["patched"]["coverage"]}
    assert coverage["rafah-eng"]["required"] == 3
    patch.write_text("ops: [{op: drop_requirement, requirement: rafa-eng}]\n")
    code, _, err = run("what-if", str(EXAMPLES / "tutorial.yaml"), "--patch", str(patch))
    assert code == 2
    assert "ops[0].requirement: requirement `rafa-eng`" in err
    assert err.startswith(f"{patch}: the patch does not apply")  # the file's name, not `patch`
    code, _, err = run("what-if", str(EXAMPLES / "tutorial.yaml"), "--withdraw", "IDX", "--withdraw", "FRA")
    assert code == 2
    assert err.startswith("--withdraw: the patch does not apply")
    assert "nation `IDX` is not a nation of this scenario (did you mean `IDN`?)" in err and "`FRA`" in err
    code, _, err = run("what-if", str(EXAMPLES / "tutorial.yaml"), "--withdraw", "idn")
    assert code == 2 and "(did you mean `IDN`?)" in err  # a code in the wrong case
    patch.write_text("ops: [{op: withdraw, nations: [IDN]\n")
    code, _, err = run("what-if", str(EXAMPLES / "tutorial.yaml"), "--patch", str(patch))
    assert code == 2
    assert err.startswith(f"{patch}: the patch does not apply") and "YAML error" in err  # not "in the scenario"


def test_cli_criticality_alternatives_and_resilient() -> None:
    """criticality ranks withdrawals; alternatives lists packages; --resilient says who is indispensable."""
    gaza = str(EXAMPLES / "gaza-isf.yaml")
    code, out, _ = run("criticality", gaza, "--processes", "2")
    assert code == 0
    assert "Withdrawals, most critical first" in out and "rafah-inf" in out
    # The cost column is a change, signed like the shortfall beside it.
    rows = [[cell.strip() for cell in line.split("│")] for line in out.splitlines() if line.startswith("│ ")]
    costs = [row[5] for row in rows if len(row) > 6 and row[2] == "yes"]
    assert costs and all(cost[0] in "+-" for cost in costs), costs
    code, out, _ = run("alternatives", gaza, "-k", "2", "-d", "2")
    assert code == 0
    assert "Package 2" in out
    code, out, _ = run("solve", gaza, "--resilient")
    assert code == 1  # some withdrawals stay fatal
    assert "without IDN" in out and "if IDN withdraws: no fallback" in out


def test_cli_piped_output_is_never_wrapped() -> None:
    """Piped (no terminal, no COLUMNS), every line stays whole on both streams: a what-if's summary and
    a loading error's problems longer than 80 or 160 characters are each one line."""
    result = runner.invoke(
        app, ["what-if", str(EXAMPLES / "gaza-isf.yaml"), "--withdraw", "PAK"], env={"COLUMNS": None}
    )
    assert result.exit_code == 0
    summary = result.stdout.splitlines()[0]
    assert summary.startswith("PAK withdraw: ") and "leaving: PAK" in summary and summary.endswith("."), result.stdout
    assert len(summary) > 160
    result = runner.invoke(app, ["solve", str(BAD / "dangling-many.yaml")], env={"COLUMNS": None})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 5, lines  # the head and one line per problem
    assert max(len(line) for line in lines) > 100


@pytest.mark.parametrize("width", [50, 100])
def test_cli_honours_columns_on_both_streams(width: int) -> None:
    """COLUMNS sets the width of the package and of the error messages alike."""
    result = runner.invoke(app, ["solve", str(EXAMPLES / "tutorial.yaml")], env={"COLUMNS": str(width)})
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= width
    result = runner.invoke(app, ["solve", str(BAD / "dangling-many.yaml")], env={"COLUMNS": str(width)})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert max(len(line) for line in lines) <= width
    assert len(lines) > 5  # the long problems wrapped


def test_cli_terminal_width_is_the_terminal_s() -> None:
    """On a terminal without COLUMNS the width is the terminal's own; COLUMNS, when set, wins."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    from forcepack.cli.terminal import columns

    leader, follower = pty.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 97, 0, 0))
        with os.fdopen(follower, "w", closefd=False) as stream:
            assert columns(stream, {}) == 97
            assert columns(stream, {"COLUMNS": "70"}) == 70
            assert columns(stream, {"COLUMNS": "wide"}) == 97
    finally:
        os.close(leader)
        os.close(follower)


def test_cli_check_json_reports_the_verdict(tmp_path: Path) -> None:
    """`check --json` prints a `forcepack.check/1` document: passed with no violations for a good
    package (exit 0), every violation with its rule and element for a tampered one (exit 1)."""
    scenario = str(EXAMPLES / "tutorial.yaml")
    code, out, _ = run("solve", scenario, "--json")
    good = tmp_path / "solution.json"
    good.write_text(out)
    code, out, _ = run("check", scenario, str(good), "--json")
    assert code == 0
    report = CheckReport.model_validate_json(out)
    assert (report.schema_, report.passed, report.violations, report.status) == (
        "forcepack.check/1",
        True,
        [],
        "optimal",
    )
    assert report.scenario.id == "tutorial" and report.solution == str(good)
    data = json.loads(good.read_text())
    data["assignments"][0]["units"] += 50
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(data))
    code, out, _ = run("check", scenario, str(bad), "--json")
    assert code == 1
    report = CheckReport.model_validate_json(out)
    assert not report.passed
    assert "capacity" in {v.rule for v in report.violations}
    assert all(v.message for v in report.violations)


def test_cli_validate_json_reports_every_file(tmp_path: Path) -> None:
    """`validate --json` prints a `forcepack.validation/1` document: a file that passed with its status
    and objective, one whose expectation fails with the problem, one that does not load with its
    loading problems (exit 1 when any fails)."""
    text = (EXAMPLES / "tutorial.yaml").read_text()
    (tmp_path / "a-good.yaml").write_text(text)
    (tmp_path / "b-wrong.yaml").write_text(text.replace("expect: {status: optimal}", "expect: {status: infeasible}"))
    shutil.copy(BAD / "dangling-sector.yaml", tmp_path / "c-broken.yaml")
    code, out, _ = run("validate", str(tmp_path), "--json")
    assert code == 1
    report = ValidationReport.model_validate_json(out)
    assert (report.schema_, report.passed, report.as_expected, report.total) == ("forcepack.validation/1", False, 1, 3)
    good, wrong, broken = report.files
    assert good.passed and good.status == "optimal" and good.scenario is not None
    assert [o.criterion for o in good.objective] == ["shortfall", "cost", "nations"]
    assert not wrong.passed and "status is optimal, expected infeasible" in wrong.problems
    assert not broken.passed and broken.scenario is None and broken.status is None
    assert any(p.startswith("requirements[1].sector") for p in broken.problems)
    code, out, _ = run("validate", str(EXAMPLES / "tutorial.yaml"), "--json")
    assert code == 0 and ValidationReport.model_validate_json(out).passed


def test_cli_every_answering_command_takes_json() -> None:
    """Every command that answers (all but those that write a file, the brief included, or run the service)
    takes `--json`,
    as README.md says, and README names each of them."""
    import typer.main

    readme = (EXAMPLES.parent / "README.md").read_text()
    claim = re.search(r"Every command that answers \((.*?)\) takes `--json`", readme, re.S)
    assert claim, "README.md no longer says which commands take --json"
    named = set(re.findall(r"`(\S+?)`", claim.group(1)))
    group = typer.main.get_group(app)
    answering = {
        name
        for name, command in group.commands.items()
        if name not in {"export", "import", "brief", "serve", "token", "db"}
    }
    assert named == answering
    for name in answering:
        options = {opt for param in group.commands[name].params for opt in getattr(param, "opts", [])}
        assert "--json" in options, name


def test_cli_width_holds_on_a_terminal_rich_calls_dumb() -> None:
    """Where rich would take a "dumb" terminal's 80 columns (TERM=dumb, a stream it is told is a
    terminal), the width is still the command line's: piped, tables keep their natural width."""
    env = {"COLUMNS": None, "TERM": "dumb", "TTY_COMPATIBLE": "1"}
    result = runner.invoke(app, ["solve", str(EXAMPLES / "tutorial.yaml")], env=env)
    assert result.exit_code == 0
    assert "rafah-eng" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) > 100


@pytest.mark.parametrize("command", ["solve", "what-if", "why-not", "criticality", "alternatives"])
def test_cli_json_output_on_bad_input_is_an_error_document(command: str) -> None:
    """Asked for JSON, a command that cannot answer still writes a document on stdout (the error's
    problems, each led by its path), the message on stderr, and exits 2."""
    extra = {"what-if": ["--withdraw", "MAR"], "why-not": ["MAR"]}.get(command, [])
    result = runner.invoke(app, [command, str(BAD / "dangling-many.yaml"), *extra, "--json"])
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert report["schema"] == "forcepack.error/1"
    assert report["source"] == str(BAD / "dangling-many.yaml")
    assert len(report["problems"]) == 4 and report["problems"][0].startswith("requirements[0].capability")
    assert "4 problems in the scenario" in result.stderr


def test_cli_a_file_that_cannot_be_read_is_not_called_a_scenario_problem(tmp_path: Path) -> None:
    """A missing file is "cannot be read: no such file", never "1 problem in the scenario"; a
    scenario file given to `import` is told it is one already. Exit 2 each."""
    missing = str(tmp_path / "nothere.yaml")
    for args in (
        ["solve", missing],
        ["what-if", str(EXAMPLES / "tutorial.yaml"), "--patch", missing],
        ["import", str(tmp_path / "nothere.xlsx"), "-o", str(tmp_path / "x.yaml")],
    ):
        result = runner.invoke(app, args)
        said = " ".join(result.output.split())
        assert result.exit_code == 2 and "cannot be read:" in said and "in the scenario" not in said, (args, said)
    result = runner.invoke(app, ["import", str(EXAMPLES / "tutorial.yaml"), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and "this is a scenario file already" in " ".join(result.output.split())


def test_cli_resilient_writes_tables_and_explains_an_infeasible_scenario(tmp_path: Path) -> None:
    """`--resilient --tables` writes the resilient package's tables, as `--tables` does for the plain
    one; on a scenario with no package at all it prints why (the conflict and the ways out), not
    only that none exists."""
    folder = tmp_path / "tables"
    code, out, _ = run("solve", str(EXAMPLES / "tutorial.yaml"), "--resilient", "--tables", str(folder))
    assert code in (0, 1) and "Coverage by sector" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{name}.csv" for name in TABLE_NAMES)
    code, out, _ = run("solve", str(EXAMPLES / "infeasible-khan-younis-police.yaml"), "--resilient")
    assert code == 1
    assert out.startswith("No package exists at all.")
    assert "Conflict (minimal):" in out and "Ways out:" in out and "red line `mar-secure-only`" in out


def test_cli_what_if_withdraws_from_a_day() -> None:
    """`what-if --withdraw BBB --starting D` on a phased scenario is the dated withdrawal (the tours cut
    listed); a day outside the horizon, a static scenario, or a day without a nation is exit 2 naming
    --starting."""
    planner = "tests/data/solver/phased-planner.yaml"
    code, out, _ = run("what-if", planner, "--withdraw", "BBB", "--starting", "2026-06-01", "--time-limit", "10")
    assert code == 0
    assert out.startswith("BBB withdraw from 2026-06-01: ") and "Tours changed" in out
    for args, problem in (
        ((planner, "--withdraw", "BBB", "--starting", "2027-06-01"), "outside the horizon 2026-03-02 .. 2026-08-30"),
        ((planner, "--withdraw", "BBB", "--starting", "June"), "expected a day as YYYY-MM-DD, got `June`"),
        ((str(EXAMPLES / "tutorial.yaml"), "--withdraw", "TUR", "--starting", "2026-06-01"), "needs a phased scenario"),
        ((planner, "--starting", "2026-06-01"), "give --withdraw NATION too"),
    ):
        code, _, err = run("what-if", *args)
        assert code == 2 and err.startswith("--starting: ") and problem in err, err


RAMP_MONTHS = """\
schema: forcepack.scenario/1
id: ramp-months
name: A line that ramps from one unit to two
horizon: {start: 2026-01-01, end: 2026-12-31}
cost: {personnel_rate_usd: 1000}
phasing: {bucket: month, front_loaded: false}
sectors: [{id: alpha, control: secure}]
requirements:
  - {id: a-inf, sector: alpha, capability: infantry, quantity: 1, ramp: [{starting: 2026-04-01, quantity: 2}]}
nations: [{code: AAA}, {code: BBB}]
offers:
  - {nation: AAA, units: [{id: a-inf, capability: infantry, count: 2, personnel: 100, self_funded: true}]}
  - {nation: BBB, units: [{id: b-inf, capability: infantry, count: 1, personnel: 100, self_funded: true,
                           monthly_cost_usd: 10}]}
"""


def test_cli_solve_a_phased_plan_shows_each_lines_range_and_tours(tmp_path: Path) -> None:
    """A ramped line reads what it needs and has over its months (`1 to 2`, was the worst month's
    `1`), and is filled by tours (was `2x`, which counted a relief's overlap as more units)."""
    path = tmp_path / "ramp.yaml"
    path.write_text(RAMP_MONTHS, encoding="utf-8")
    result = runner.invoke(app, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.output
    solution = Solution.model_validate_json(result.output)
    assert solution.plan is not None
    needs = sorted({c.required for c in solution.plan.coverage})
    assert needs == [1, 2]
    printed = runner.invoke(app, ["solve", str(path)], env={"COLUMNS": "220"})
    assert printed.exit_code == 0, printed.output
    (row,) = [line for line in printed.output.splitlines() if " a-inf " in line]
    assert re.search(r"│\s+1 to 2 │\s+1 to 2 │", row), row
    tours = {(t.nation, t.unit) for t in solution.plan.tours}
    for nation, unit in tours:
        n = sum(1 for t in solution.plan.tours if (t.nation, t.unit) == (nation, unit))
        assert f"{nation} {unit} ({n} tour{'s' if n > 1 else ''})" in row
    assert "Coverage by sector (over the months each line is needed)" in printed.output
