"""The `forcepack` command line: solve, validate and check scenarios.

Exit codes (also in README.md): 0 a package was found, 1 proven infeasible (or a check failed),
2 bad input, 3 no answer within the time limit.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, ParamSpec, TypeVar

import typer
from rich.console import Console

from forcepack.api.cli import app as service_app
from forcepack.cli.terminal import fit
from forcepack.models.errors import ForcepackError, OutputError, ScenarioInputError
from forcepack.models.loading import SCENARIO_SUFFIXES, load_solution
from forcepack.models.loading import load_scenario as load_scenario_file
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.models.wording import plural

if TYPE_CHECKING:
    from forcepack.models.patch import Patch
    from forcepack.models.reports import ValidatedFile
    from forcepack.solver.params import SolveParams

EXIT_PACKAGE = 0
EXIT_INFEASIBLE = 1
EXIT_BAD_INPUT = 2
EXIT_NO_ANSWER = 3

STATUS_EXIT = {
    "optimal": EXIT_PACKAGE,
    "feasible": EXIT_PACKAGE,
    "infeasible": EXIT_INFEASIBLE,
    "unknown": EXIT_NO_ANSWER,
}

app = typer.Typer(
    name="forcepack",
    help="Coalition force generation: turn nations' offers and red lines into force packages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
"""The package on stdout, messages on stderr: both as wide as the terminal (or `COLUMNS`), and
unwrapped when piped (`cli.terminal`), set anew for every command."""

P = ParamSpec("P")
R = TypeVar("R")


def _error_document(message: str, source: str | None, problems: list[str]) -> None:
    """A `forcepack.error/1` document on stdout, for a script reading `--json` output."""
    from forcepack.models.reports import ErrorReport

    sys.stdout.write(ErrorReport(message=message, source=source, problems=problems).to_json() + "\n")


_FLAGS = {"time_limit_s": "--time-limit", "workers": "--workers", "seed": "--seed"}
"""The solve parameters' fields by the flag that sets them."""


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Map every user error to its message and exit code 2, in one place; never a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ForcepackError as exc:
            err.print(str(exc), markup=False)
            if kwargs.get("as_json"):  # a script reading stdout reads a document either way
                source = getattr(exc, "source", None) or getattr(exc, "path", None)
                _error_document(str(exc), source, list(getattr(exc, "problems", None) or [str(exc)]))
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except ValueError as exc:  # parameter validation (SolveParams) names what was expected
            message = str(exc)
            for field, flag in _FLAGS.items():  # said as the command line's flag, not the field
                message = re.sub(rf"\b{field}\b", flag, message)
            err.print(f"error: {message}", markup=False)
            if kwargs.get("as_json"):
                _error_document(message, None, [message])
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper


TimeLimit = Annotated[
    float,
    typer.Option(
        "--time-limit",
        min=0.01,
        help="Seconds for each solve (every stage of it; a what-if solves twice, alternatives once per package).",
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="CP-SAT search workers (default 2: a strong relaxation's search beside CP-SAT's default one).",
    ),
]
Seed = Annotated[int, typer.Option("--seed", min=0, help="Random seed of the search.")]


def _print_version(asked: bool) -> None:
    if asked:
        from forcepack import __version__

        typer.echo(f"forcepack {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log the search.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(name)s: %(message)s")
    fit(out, sys.stdout)
    fit(err, sys.stderr)


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file: YAML or JSON (`models.loading`), or a workbook (`.xlsx`, `models.workbook`)."""
    if Path(path).suffix.lower() == ".xlsx":
        from forcepack.models.workbook import read_workbook_file

        return read_workbook_file(Path(path))
    return load_scenario_file(path)


def _write_tables(solution: Solution, where: Path) -> None:
    """The package's tables: one workbook when `where` ends in .xlsx, else a CSV file each in the
    folder. With no package, the best effort's tables, said so (none at all: exit 2, nothing written)."""
    from forcepack.models.tables import table_csv, table_names, tables_xlsx

    if not solution.has_package:
        effort = solution.explanation.best_effort if solution.explanation is not None else None
        if effort is None or effort.package is None or not effort.package.has_package:
            raise OutputError(str(where), f"no package to table ({solution.status}); nothing written")
        lost = ", ".join(f"`{line}`" for line in effort.lines_short) or "none"
        err.print(
            f"no package meets every essential line: the tables written are the best effort's, which gives up {lost}",
            markup=False,
        )
        solution = effort.package
    try:
        if where.suffix.lower() == ".xlsx":
            where.write_bytes(tables_xlsx(solution))
            return
        where.mkdir(parents=True, exist_ok=True)
        for name in table_names(solution):
            (where / f"{name}.csv").write_text(table_csv(solution, name), encoding="utf-8")
    except OSError as exc:
        raise OutputError(str(where), f"cannot be written: {exc.strerror or exc}") from None


def _solve(scenario: Scenario, time_limit: float, workers: int | None, seed: int) -> Solution:
    from forcepack.solver import SolveParams, solve

    params = SolveParams(time_limit_s=time_limit, seed=seed, workers=workers)
    return solve(scenario, params)


@app.command("solve")
@user_errors
def solve_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (.yaml, .yml, .json or a workbook .xlsx).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the solution document as JSON.")] = False,
    tables: Annotated[
        Path | None,
        typer.Option(
            "--tables",
            help="Also write the package's tables: a workbook (.xlsx), or a folder of CSV files "
            "(placements, coverage, contributions, funding; a phased plan's also tours, timeline, nodes, sectors).",
        ),
    ] = None,
    resilient: Annotated[
        bool,
        typer.Option(
            "--resilient", help="The package that survives the most single withdrawals (exit 1 when some stay fatal)."
        ),
    ] = False,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Find the best force package of a scenario."""
    from forcepack.cli.render import render, render_resilient

    scenario = load_scenario(file)
    if resilient:
        from forcepack.solver.resilience import resilient as resilient_package

        answer = resilient_package(scenario, _params(time_limit, workers, seed))
        if tables is not None:
            _write_tables(answer.package, tables)
        if as_json:
            sys.stdout.write(answer.to_json() + "\n")
        else:
            render_resilient(answer, scenario, out)
        # A package with a withdrawal it cannot survive answers as one that is not resilient; one
        # whose withdrawals were not all decided in time, as an answer not found in time.
        code = STATUS_EXIT[answer.package.status]
        if code == EXIT_PACKAGE and answer.fatal:
            code = EXIT_INFEASIBLE
        elif code == EXIT_PACKAGE and answer.undecided:
            code = EXIT_NO_ANSWER
        raise typer.Exit(code)
    solution = _solve(scenario, time_limit, workers, seed)
    if tables is not None:
        _write_tables(solution, tables)
    if as_json:
        sys.stdout.write(solution.to_json() + "\n")
    else:
        render(solution, scenario, out)
    raise typer.Exit(STATUS_EXIT[solution.status])


@app.command("check")
@user_errors
def check_command(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario file.")],
    solution_file: Annotated[Path, typer.Argument(help="Solution document (JSON), e.g. from `solve --json`.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the verdict as a `forcepack.check/1` document.")
    ] = False,
) -> None:
    """Re-verify a solution against its scenario, every rule, without the solver."""
    from forcepack.models.reports import CheckReport, RuleViolation
    from forcepack.solver.check import check
    from forcepack.solver.document import scenario_ref

    scenario = load_scenario(scenario_file)
    solution = load_solution(solution_file)
    violations = check(scenario, solution)
    if as_json:
        report = CheckReport(
            scenario=scenario_ref(scenario),
            solution=str(solution_file),
            status=solution.status,
            passed=not violations,
            violations=[RuleViolation(rule=v.rule, message=v.message, element=v.element) for v in violations],
        )
        sys.stdout.write(report.to_json() + "\n")
    elif violations:
        out.print(f"{solution_file}: {plural(len(violations), 'violation')} of {scenario_file}:", style="bold red")
        for v in violations:
            out.print(f"  - [{v.rule}] {v.message}", markup=False)
    else:
        out.print(
            f"{solution_file}: {solution.status} package honours every rule of {scenario_file}",
            style="green",
            markup=False,
        )
    if violations:
        raise typer.Exit(EXIT_INFEASIBLE)


@app.command("why-not")
@user_errors
def why_not_command(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    subject: Annotated[
        str, typer.Argument(help="A nation, an offered unit or pledge (NATION/id, or its id), or a requirement line.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Why a nation, a unit or a pledge is not in the best package (what including it costs, or what
    forbids it; a nation's units and money apart), or why a requirement line is short."""
    from forcepack.cli.render import render_why_not
    from forcepack.solver import SolveParams
    from forcepack.solver.why_not import why_not

    scenario = load_scenario(file)
    params = SolveParams(time_limit_s=time_limit, seed=seed, workers=workers)
    answer = why_not(scenario, subject, params)
    if as_json:
        sys.stdout.write(answer.to_json() + "\n")
    else:
        render_why_not(answer, out)
    if not answer.optimum.has_package:
        raise typer.Exit(STATUS_EXIT[answer.optimum.status])
    if answer.with_subject is not None and not answer.with_subject.has_package:
        raise typer.Exit(EXIT_INFEASIBLE)


def _withdrawal(scenario: Scenario, nations: list[str] | None, starting: str | None = None) -> Patch:
    """The patch of `--withdraw` (from `--starting`, a day of a phased scenario's horizon), each nation
    named checked against the scenario."""
    from forcepack.models.patch import Patch, PatchError
    from forcepack.models.wording import suggestion

    problems = [
        f"nation `{code}` is not a nation of this scenario{suggestion(code, scenario.nation_by_code)}"
        for code in nations or []
        if code not in scenario.nation_by_code
    ]
    if problems:
        raise PatchError("--withdraw", problems)
    day = None
    if starting is not None:
        try:
            day = dt.date.fromisoformat(starting)
        except ValueError:
            raise PatchError("--starting", [f"expected a day as YYYY-MM-DD, got `{starting}`"]) from None
        h = scenario.horizon
        if not nations:
            raise PatchError("--starting", ["the day nations withdraw from: give --withdraw NATION too"])
        if scenario.phasing is None:
            raise PatchError("--starting", ["a dated withdrawal needs a phased scenario (`phasing`)"])
        if not h.start <= day <= h.end:
            raise PatchError("--starting", [f"{day} is outside the horizon {h.start} .. {h.end}"])
    # (a nation given twice withdraws once)
    return Patch.withdraw(*dict.fromkeys(nations), starting=day) if nations else Patch()


STARTING_HELP = (
    "Phased scenarios: the day the nations of --withdraw withdraw their units, YYYY-MM-DD (what was deployed "
    "before stays, their money stays pledged; default: from the start, units and money)."
)


def _params(time_limit: float, workers: int | None, seed: int) -> SolveParams:
    from forcepack.solver import SolveParams

    return SolveParams(time_limit_s=time_limit, seed=seed, workers=workers)


@app.command("what-if")
@user_errors
def what_if_command(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    withdraw: Annotated[list[str] | None, typer.Option("--withdraw", help="Nation withdrawing (repeatable).")] = None,
    starting: Annotated[str | None, typer.Option("--starting", help=STARTING_HELP)] = None,
    patch_file: Annotated[Path | None, typer.Option("--patch", help="A patch file (YAML or JSON).")] = None,
    mode: Annotated[str, typer.Option("--mode", help="resolve (fresh optimum) or repair (least churn).")] = "resolve",
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """What changes if nations withdraw, or a patch applies: both packages and their diff."""
    from forcepack.cli.render import render_what_if
    from forcepack.models.patch import PatchError, load_patch
    from forcepack.solver.whatif import what_if

    modes: dict[str, Literal["resolve", "repair"]] = {"resolve": "resolve", "repair": "repair"}
    if mode not in modes:
        raise PatchError("--mode", [f"expected `resolve` or `repair`, got `{mode}`"])
    scenario = load_scenario(file)
    patch = _withdrawal(scenario, withdraw, starting)
    if patch_file is not None:
        from forcepack.models.loading import read_text_file

        patch = patch.then(load_patch(read_text_file(patch_file), str(patch_file), scenario))
    if patch.is_empty():
        raise PatchError("what-if", ["give --withdraw NATION or --patch FILE"])
    answer = what_if(scenario, patch, mode=modes[mode], params=_params(time_limit, workers, seed))
    if as_json:
        sys.stdout.write(answer.to_json() + "\n")
    else:
        render_what_if(answer, scenario, out)
    raise typer.Exit(STATUS_EXIT[answer.patched.status if answer.patched is not None else "unknown"])


@app.command("criticality")
@user_errors
def criticality_command(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    pairs: Annotated[bool, typer.Option("--pairs", help="Also withdraw every pair of nations (N-2).")] = False,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="dask.distributed scheduler address, e.g. tcp://host:8786.")
    ] = None,
    processes: Annotated[int | None, typer.Option("--processes", min=1, help="Local worker processes.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Every participating nation's withdrawal re-solved (N-1, and N-2 with --pairs), most critical first."""
    from rich.progress import Progress

    from forcepack.cli.render import render_criticality
    from forcepack.solver.sweep import criticality, executor_for

    scenario = load_scenario(file)
    params = _params(time_limit, workers, seed)
    try:
        with executor_for(scheduler, processes) as executor, Progress(console=err, transient=True) as bar:
            task = bar.add_task("withdrawals", total=None)
            answer = criticality(
                scenario,
                params,
                pairs=pairs,
                executor=executor,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except OSError as exc:  # the scheduler cannot be reached, or a pool cannot start
        err.print(f"error: --scheduler {scheduler or '(a local pool)'}: {exc}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        sys.stdout.write(answer.to_json() + "\n")
    else:
        render_criticality(answer, out)
    raise typer.Exit(STATUS_EXIT[answer.baseline.status])


@app.command("alternatives")
@user_errors
def alternatives_command(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    k: Annotated[int, typer.Option("-k", min=1, help="How many packages.")] = 3,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0, max=1, help="Fraction of the best allowed.")] = 0.05,
    difference: Annotated[
        int, typer.Option("--difference", "-d", min=1, help="Least nation-sector placements differing.")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Up to k packages within a tolerance of the best, pairwise different."""
    from forcepack.cli.render import render_alternatives
    from forcepack.solver.alternatives import alternatives

    scenario = load_scenario(file)
    answer = alternatives(
        scenario,
        k,
        tolerance=tolerance,
        min_difference=difference,
        params=_params(time_limit, workers, seed),
    )
    if as_json:
        sys.stdout.write(answer.to_json() + "\n")
    else:
        render_alternatives(answer, out)
    raise typer.Exit(STATUS_EXIT[answer.packages[0].status])


def scenario_files(paths: list[Path]) -> Iterator[Path]:
    """Every scenario file named, folders searched recursively, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in SCENARIO_SUFFIXES and p.is_file())
        else:
            yield path


@app.command("validate")
@user_errors
def validate_command(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the outcome as a `forcepack.validation/1` document.")
    ] = False,
    time_limit: TimeLimit = 60.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Solve every scenario given, check each answer, and compare with its `expect` block."""
    from forcepack.models.reports import ValidatedFile, ValidationReport
    from forcepack.solver.document import scenario_ref
    from forcepack.solver.validate import validate_scenario

    _params(time_limit, workers, seed)  # bad flags refused before any file is read
    files = list(scenario_files(paths))
    if not files:
        err.print("no scenario files found in " + ", ".join(map(str, paths)), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    validated: list[ValidatedFile] = []
    for file in files:
        try:
            scenario = load_scenario(file)
        except ForcepackError as exc:
            problems = exc.problems if isinstance(exc, ScenarioInputError) else [str(exc)]
            entry = ValidatedFile(
                file=str(file),
                scenario=None,
                passed=False,
                status=None,
                wall_s=None,
                summary=str(exc).splitlines()[0],
                problems=problems,
            )
        else:
            solution = _solve(scenario, time_limit, workers, seed)
            outcome = validate_scenario(scenario, solution)
            entry = ValidatedFile(
                file=str(file),
                scenario=scenario_ref(scenario),
                passed=outcome.passed,
                status=solution.status,
                wall_s=solution.run.wall_s,
                objective=solution.objective,
                summary=outcome.summary,
                problems=outcome.problems,
                notes=outcome.notes,
            )
        validated.append(entry)
        if not as_json:
            _print_validated(entry)
    passing = sum(entry.passed for entry in validated)
    if as_json:
        report = ValidationReport(passed=passing == len(files), as_expected=passing, total=len(files), files=validated)
        sys.stdout.write(report.to_json() + "\n")
    else:
        out.print(f"{passing} of {plural(len(files), 'scenario')} as expected")
    if passing < len(files):
        raise typer.Exit(EXIT_INFEASIBLE)


def _print_validated(entry: ValidatedFile) -> None:
    """One validated file, as the readable output gives it."""
    if entry.scenario is None:
        out.print(f"FAIL {entry.file}", style="bold red", markup=False)
        out.print(entry.summary, markup=False)
        for problem in entry.problems:
            out.print(f"  - {problem}", markup=False)
        return
    mark = "ok  " if entry.passed else "FAIL"
    out.print(f"{mark} {entry.file}: {entry.summary}", style="green" if entry.passed else "bold red", markup=False)
    for note in entry.notes:
        out.print(f"     note: {note}", style="dim", markup=False)
    for problem in entry.problems:
        out.print(f"     - {problem}", markup=False)


@app.command("export")
@user_errors
def export_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML, JSON or a workbook).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The workbook to write (.xlsx).")],
) -> None:
    """Write a scenario as a workbook: a sheet per list (sectors, requirements, nations, unit
    offers, pledges, red lines, vetoes, objective), the scenario's own fields and targets in `scenario`."""
    from forcepack.models.workbook import write_workbook

    if output.suffix.lower() != ".xlsx":
        raise OutputError(str(output), f"expected an .xlsx file to write, got `{output.suffix or 'no suffix'}`")
    scenario = load_scenario(file)
    try:
        output.write_bytes(write_workbook(scenario))
    except OSError as exc:
        raise OutputError(str(output), f"cannot be written: {exc.strerror or exc}") from None
    out.print(f"wrote {output} (scenario `{scenario.id}`, sha256 {scenario.sha256()[:12]})", markup=False)


@app.command("import")
@user_errors
def import_command(
    workbook: Annotated[Path, typer.Argument(help="A workbook (.xlsx) as `forcepack export` writes it.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The scenario file to write (.yaml or .json).")],
) -> None:
    """Read a workbook into a scenario file; every problem names its sheet, row and column."""
    import json

    import yaml

    from forcepack.models.workbook import read_workbook_file

    suffix = output.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise OutputError(str(output), f"expected a .yaml, .yml or .json file to write, got `{suffix}`")
    if workbook.suffix.lower() in (".yaml", ".yml", ".json"):
        raise ForcepackError(
            f"{workbook}: `import` reads a workbook (.xlsx); this is a scenario file already, which every other "
            "command reads as it is"
        )
    scenario = read_workbook_file(workbook)
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    text = (
        json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if suffix == ".json"
        else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(str(output), f"cannot be written: {exc.strerror or exc}") from None
    out.print(f"wrote {output} (scenario `{scenario.id}`, sha256 {scenario.sha256()[:12]})", markup=False)


@app.command("brief")
@user_errors
def brief_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (.yaml, .yml, .json or a workbook .xlsx).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The brief to write (.pdf).")],
    what_if: Annotated[
        bool,
        typer.Option("--what-if", help="Brief a what-if (with --withdraw or --patch): its changes, not the package."),
    ] = False,
    withdraw: Annotated[list[str] | None, typer.Option("--withdraw", help="Nation withdrawing (repeatable).")] = None,
    patch_file: Annotated[Path | None, typer.Option("--patch", help="A patch file (YAML or JSON).")] = None,
    mode: Annotated[str, typer.Option("--mode", help="resolve (fresh optimum) or repair (least churn).")] = "resolve",
    date: Annotated[str | None, typer.Option("--date", help="The brief's date, YYYY-MM-DD (default: today).")] = None,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Write a brief for the meeting: one to three A4 pages with the status and gap, the package's
    figures, the coverage matrix, contributions per nation, the funding balance, and the explanation
    (or, with --what-if, what changes)."""
    from forcepack.models.analysis import WhatIf
    from forcepack.models.brief import brief_pdf
    from forcepack.models.patch import PatchError, load_patch

    if output.suffix.lower() != ".pdf":
        raise OutputError(str(output), f"expected a .pdf file to write, got `{output.suffix or 'no suffix'}`")
    try:
        prepared = dt.date.fromisoformat(date) if date is not None else dt.date.today()
    except ValueError:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, got `{date}`", param_hint="--date") from None
    if not what_if and (withdraw or patch_file is not None):
        raise PatchError("brief", ["--withdraw and --patch describe a what-if: add --what-if"])
    if mode not in ("resolve", "repair"):
        raise PatchError("--mode", [f"expected `resolve` or `repair`, got `{mode}`"])
    scenario = load_scenario(file)
    params = _params(time_limit, workers, seed)
    answer: Solution | WhatIf
    if what_if:
        from forcepack.solver.whatif import what_if as run_what_if

        patch = _withdrawal(scenario, withdraw)
        if patch_file is not None:
            from forcepack.models.loading import read_text_file

            patch = patch.then(load_patch(read_text_file(patch_file), str(patch_file), scenario))
        if patch.is_empty():
            raise PatchError("what-if", ["give --withdraw NATION or --patch FILE"])
        answer = run_what_if(scenario, patch, mode="repair" if mode == "repair" else "resolve", params=params)
        status = answer.patched.status if answer.patched is not None else "unknown"
    else:
        answer = _solve(scenario, time_limit, workers, seed)
        status = answer.status
    printed = brief_pdf(answer, scenario, prepared=prepared)
    try:
        output.write_bytes(printed.pdf)
    except OSError as exc:
        raise OutputError(str(output), f"cannot be written: {exc.strerror or exc}") from None
    pages = f"{printed.pages} page{'s' if printed.pages != 1 else ''}"
    out.print(f"wrote {output} ({pages}; {status})", markup=False)
    raise typer.Exit(STATUS_EXIT[status])


app.add_typer(service_app)  # serve, token, db

if __name__ == "__main__":
    app()
