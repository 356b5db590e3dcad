"""The `forcepack` command line: solve, validate and check scenarios.

Exit codes (also in README.md): 0 a package was found, 1 proven infeasible (or a check failed),
2 bad input, 3 no answer within the time limit.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from models.errors import ForcepackError
from models.loading import SCENARIO_SUFFIXES, load_scenario, load_solution
from models.scenario import Scenario
from models.solution import Solution

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
out = Console(highlight=False, soft_wrap=False, width=160)
err = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Map every user error to its message and exit code 2, in one place; never a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ForcepackError as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except ValueError as exc:  # parameter validation (SolveParams) names what was expected
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper


TimeLimit = Annotated[float, typer.Option("--time-limit", min=0.01, help="Seconds for the whole solve.")]
Workers = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="CP-SAT search workers (default 1, the fastest measured on 2 cores)."),
]
Seed = Annotated[int, typer.Option("--seed", min=0, help="Random seed of the search.")]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log the search.")] = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(name)s: %(message)s")


def _solve(scenario: Scenario, time_limit: float, workers: int | None, seed: int) -> Solution:
    from solver import SolveParams, solve

    params = SolveParams(time_limit_s=time_limit, seed=seed, **({"workers": workers} if workers else {}))
    return solve(scenario, params)


@app.command("solve")
@user_errors
def solve_command(
    file: Annotated[Path, typer.Argument(help="Scenario file (.yaml, .yml or .json).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the solution document as JSON.")] = False,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Find the best force package of a scenario."""
    from cli.render import render

    scenario = load_scenario(file)
    solution = _solve(scenario, time_limit, workers, seed)
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
) -> None:
    """Re-verify a solution against its scenario, every rule, without the solver."""
    from solver.check import check

    scenario = load_scenario(scenario_file)
    solution = load_solution(solution_file)
    violations = check(scenario, solution)
    if violations:
        out.print(f"{solution_file}: {len(violations)} violation(s) of {scenario_file}:", style="bold red")
        for v in violations:
            out.print(f"  - [{v.rule}] {v.message}", markup=False)
        raise typer.Exit(EXIT_INFEASIBLE)
    out.print(f"{solution_file}: {solution.status} package honours every rule of {scenario_file}", style="green")


@app.command("why-not")
@user_errors
def why_not_command(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    subject: Annotated[str, typer.Argument(help="A nation code or an offered unit id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    time_limit: TimeLimit = 30.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Why a nation or unit is not in the best package: what including it costs, or what forbids it."""
    from cli.render import render_why_not
    from solver import SolveParams
    from solver.why_not import why_not

    scenario = load_scenario(file)
    params = SolveParams(time_limit_s=time_limit, seed=seed, **({"workers": workers} if workers else {}))
    answer = why_not(scenario, subject, params)
    if as_json:
        sys.stdout.write(answer.to_json() + "\n")
    else:
        render_why_not(answer, out)
    if answer.with_subject is not None and not answer.with_subject.has_package:
        raise typer.Exit(EXIT_INFEASIBLE)


def scenario_files(paths: list[Path]) -> Iterator[Path]:
    """Every scenario file named, folders searched recursively, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in SCENARIO_SUFFIXES and p.is_file())
        else:
            yield path


@app.command("validate")
def validate_command(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files or folders.")],
    time_limit: TimeLimit = 60.0,
    workers: Workers = None,
    seed: Seed = 0,
) -> None:
    """Solve every scenario given, check each answer, and compare with its `expect` block."""
    from solver.validate import validate_scenario

    files = list(scenario_files(paths))
    if not files:
        err.print("no scenario files found in " + ", ".join(map(str, paths)))
        raise typer.Exit(EXIT_BAD_INPUT)
    failures = 0
    for file in files:
        try:
            scenario = load_scenario(file)
        except ForcepackError as exc:
            failures += 1
            out.print(f"FAIL {file}", style="bold red")
            out.print(str(exc), markup=False)
            continue
        solution = _solve(scenario, time_limit, workers, seed)
        outcome = validate_scenario(scenario, solution)
        mark = "ok  " if outcome.passed else "FAIL"
        out.print(f"{mark} {file}: {outcome.summary}", style="green" if outcome.passed else "bold red", markup=False)
        for note in outcome.notes:
            out.print(f"     note: {note}", style="dim", markup=False)
        for problem in outcome.problems:
            out.print(f"     - {problem}", markup=False)
        failures += 0 if outcome.passed else 1
    out.print(f"{len(files) - failures} of {len(files)} scenario(s) as expected")
    if failures:
        raise typer.Exit(EXIT_INFEASIBLE)


if __name__ == "__main__":
    app()
