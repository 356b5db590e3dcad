"""The phased model's time-indexed formulation, chosen by measurement against the alternative the
issue names: integers per unit line, option and arrival bucket (how many of a line's identical units
arrive then, what `solver.phased` builds) against Booleans per unit and arrival bucket.

The Boolean form is built by the same builder from the same scenario with every unit line of
`count` identical units split into `count` lines of one unit each (`per_unit`): each unit then has
its own 0/1 variable per option and arrival bucket, and its own rotations (`rotations` is per unit
in the domain, docs/domain.md). Both forms are solved in deterministic time (one worker, CP-SAT's
work units, the same answer whatever the machine's load) at each budget, and the record holds the
model's size, the status, the first criterion's value and bound at the end, and the checker's
verdict on the plan.

`python -m bench.formulation --scenario examples/gaza-phased.yaml --nations 25 --seeds 1 --budgets
10,60` prints one JSON line per scenario, form and budget, then a table (docs/decisions.md, "Time
phases").
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench.instance import checked
from bench.phased import model_size, phased
from forcepack.models.loading import load_scenario
from forcepack.models.scenario import Scenario
from forcepack.solver import SolveParams
from forcepack.solver.answer import solve
from forcepack.solver.search import SolveReport

FORMS = ("per-line", "per-unit")


def per_unit(scenario: Scenario) -> Scenario:
    """The scenario with every unit line of `count` units split into `count` lines of one unit
    (ids `<id>-<i>`), everything else as it was."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for offer in data["offers"]:
        units = []
        for unit in offer["units"]:
            count = unit["count"]
            if count == 1:
                units.append(unit)
                continue
            for i in range(1, count + 1):
                units.append({**unit, "id": f"{unit['id']}-{i}", "count": 1})
        offer["units"] = units
    data["id"] = f"{scenario.id}-per-unit"
    return Scenario.model_validate(data)


def measure(scenario: Scenario, form: str, budget: float) -> dict[str, Any]:
    """Build the form's model once (its size), then solve it once in `budget` units of
    deterministic time, and check the plan."""
    model = per_unit(scenario) if form == "per-unit" else scenario
    size = model_size(model)
    report = SolveReport()
    started = time.perf_counter()
    solution = solve(model, SolveParams(time_limit_s=budget, deterministic=True), report=report, explain=False)
    wall = time.perf_counter() - started
    first = report.stages[0] if report.stages else None
    objective = solution.objective[0] if solution.objective else None
    return {
        "scenario": scenario.id,
        "form": form,
        "budget": budget,
        "model": size,
        "status": solution.status,
        "first_package_s": report.first_package_s,
        "criterion": objective.criterion if objective is not None else None,
        "value": objective.value if objective is not None else None,
        "bound": objective.bound if objective is not None else None,
        "gap": solution.gap if solution.has_package else None,
        "stage_status": first.status if first is not None else None,
        "wall_s": wall,
        "violations": checked(model, solution)["violations"] if solution.has_package else [],
    }


def table(records: Sequence[dict[str, Any]]) -> str:
    """The records as a Markdown table."""
    head = (
        "| scenario | form | tour variables | variables | nonzeros | build s | budget | status | value | bound"
        " | gap | wall s | checker |\n|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"
    )
    rows = [head]
    for r in records:
        m = r["model"]
        value = "—" if r["value"] is None else f"{r['value']:,.2f}"
        bound = "—" if r["bound"] is None else f"{r['bound']:,.2f}"
        gap = "—" if r["gap"] is None else f"{r['gap']:.4f}"
        checker = "ok" if not r["violations"] else f"{len(r['violations'])} violation(s)"
        rows.append(
            f"| {r['scenario']} | {r['form']} | {m['tour_variables']:,} | {m['variables']:,} | {m['nonzeros']:,}"
            f" | {m['build_s']:.2f} | {r['budget']:g} | {r['status']} | {value} | {bound} | {gap}"
            f" | {r['wall_s']:.1f} | {checker} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.formulation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", default=[], help="a phased scenario file")
    parser.add_argument("--nations", type=int, nargs="*", default=[], help="sizes of generated phased scenarios")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="generator seeds (default 1)")
    parser.add_argument("--budgets", default="10,60", help="deterministic time units per solve (default 10,60)")
    args = parser.parse_args(argv)
    budgets = [float(b) for b in args.budgets.split(",")]
    scenarios = [load_scenario(path) for path in args.scenario]
    scenarios += [phased(n, seed) for n in args.nations for seed in args.seeds]
    records = []
    for scenario in scenarios:
        for budget in budgets:
            for form in FORMS:
                record = measure(scenario, form, budget)
                records.append(record)
                print(json.dumps(record), flush=True)
    print(table(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
