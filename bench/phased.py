"""Phased scenarios for the benchmark: a generated coalition planned week by week, and the time the
solver takes on it.

`phased(nations, seed, sectors=5)` takes the generator's static scenario (`bench.generator`) and
plans it in time: weekly buckets over its horizon (96 weeks for the generator's March 2026 to
December 2027), sectors opening one after another four weeks apart, essential lines needed ten
weeks after their sector opens (the build-up), desirable lines from the opening, units with transit,
6- or 12-month tours with relief, some with a number of rotations, lift in personnel and tons, three
nodes of entry whose throughput lets the force arrive in about eight weeks, each nation using one
or two of them. The same arguments give the same scenario.

`python -m bench.phased --nations 70 --seeds 1 2 3 --time-limit 60` solves each and prints, per
scenario, its size, the time to the first package, the status, and the gap at the time limit
(`docs/benchmarks.md`, "Time phases").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench.generator import generate
from forcepack.models import phases
from forcepack.models.scenario import Scenario
from forcepack.solver import SolveParams
from forcepack.solver.answer import solve
from forcepack.solver.search import SolveReport

BUILD_UP_WEEKS = 10
"""Weeks after its sector opens before an essential line must be filled in full."""
OPENING_STEP_WEEKS = 4
"""Weeks between two sectors' openings."""
ARRIVAL_WEEKS = 8
"""Weeks the nodes of entry need, together, to land every offered unit once."""


def phased(nations: int, seed: int, *, sectors: int = 5) -> Scenario:
    """The generator's scenario of `nations` nations and `seed`, kept to its first `sectors` sectors,
    planned week by week (see the module's docstring)."""
    base = generate(nations, seed)
    rng = random.Random(f"phased:{nations}:{seed}")
    data: dict[str, Any] = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("expect", None)
    data["id"] = f"phased-{nations}-{seed}"
    data["name"] = f"Phased coalition of {nations} nations (seed {seed})"
    start = base.horizon.start
    kept = [s["id"] for s in data["sectors"][:sectors]]
    data["sectors"] = data["sectors"][:sectors]
    opening = {sid: start + dt.timedelta(weeks=OPENING_STEP_WEEKS * i) for i, sid in enumerate(kept)}
    for sector in data["sectors"]:
        if opening[sector["id"]] > start:
            sector["opens"] = opening[sector["id"]].isoformat()
    data["requirements"] = [r for r in data["requirements"] if r["sector"] in kept]
    for offer in data["offers"]:
        lines = []
        for line in offer["red_lines"]:
            if line["kind"] == "sectors":
                if "only" in line:
                    only = [x for x in line["only"] if x in kept]
                    line = (
                        {**line, "only": only}
                        if only
                        else {k: v for k, v in line.items() if k != "only"} | {"exclude": kept}
                    )
                else:
                    exclude = [x for x in line["exclude"] if x in kept]
                    if not exclude:
                        continue
                    line = {**line, "exclude": exclude}
            lines.append(line)
        offer["red_lines"] = lines
    for r in data["requirements"]:
        if r.get("priority", "essential") == "essential":
            r["needed_from"] = (opening[r["sector"]] + dt.timedelta(weeks=BUILD_UP_WEEKS)).isoformat()
        r.pop("needed_until", None)
    wanted = {r["capability"] for r in data["requirements"]}
    personnel = tons = 0
    for offer in data["offers"]:
        for unit in offer["units"]:
            unit["tour_months"] = rng.choice((6, 6, 12))
            unit["relief_days"] = rng.choice((7, 14))
            unit["transit_days"] = rng.choice((7, 14, 21, 28))
            unit["lift_tons"] = max(1, unit["personnel"] // 2)
            unit.pop("available_until", None)
            if rng.random() < 0.4:
                unit["rotations"] = rng.choice((2, 3, 4))
            if unit["capability"] in wanted:
                personnel += unit["count"] * unit["personnel"]
                tons += unit["count"] * unit["lift_tons"]
    nodes = ["airhead", "port", "crossing"]
    days = ARRIVAL_WEEKS * 7
    data["phasing"] = {
        "bucket": "week",
        "requested": (start - dt.timedelta(days=150)).isoformat(),
        "nodes": [
            {"id": node, "personnel_per_day": max(1, personnel // (days * len(nodes)) + 1),
             "tons_per_day": max(1, tons // (days * len(nodes)) + 1)}
            for node in nodes
        ],
    }  # fmt: skip
    for offer in data["offers"]:
        offer["entry"] = sorted(rng.sample(nodes, rng.choice((1, 2))))
    return Scenario.model_validate(data)


def measure(scenario: Scenario, time_limit_s: float, workers: int = 1) -> dict[str, Any]:
    """Solve once; the scenario's size, the time to the first package, the status and the gap."""
    report = SolveReport()
    started = time.perf_counter()
    solution = solve(scenario, SolveParams(time_limit_s=time_limit_s, workers=workers), report=report, explain=False)
    wall = time.perf_counter() - started
    plan = solution.plan
    return {
        "scenario": scenario.id,
        "buckets": len(phases.buckets(scenario)),
        "lines": len(scenario.requirements),
        "unit_lines": sum(len(o.units) for o in scenario.offers),
        "tours": len(plan.tours) if plan is not None else 0,
        "status": solution.status,
        "gap": solution.gap,
        "first_package_s": None if report.first_package_s is None else round(report.first_package_s, 2),
        "wall_s": round(wall, 2),
        "objective": {o.criterion: o.value for o in solution.objective},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phased", description=__doc__.splitlines()[0])
    parser.add_argument("--nations", type=int, nargs="+", default=[70])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sectors", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--scenario", action="append", default=[], help="a phased scenario file to measure too")
    args = parser.parse_args(argv)
    from forcepack.models.loading import load_scenario

    scenarios = [load_scenario(path) for path in args.scenario]
    scenarios += [phased(n, s, sectors=args.sectors) for n in args.nations for s in args.seeds]
    for scenario in scenarios:
        print(json.dumps(measure(scenario, args.time_limit, args.workers)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
