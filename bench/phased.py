"""The time-phases family: phased scenarios (an example file, and generated coalitions planned week
by week), the model's size and the time the solver takes on each, and its section of
docs/benchmarks.md ("Time phases").

`phased(nations, seed, sectors=5)` takes the generator's static scenario (`bench.generator`) and
plans it in time: weekly buckets over its horizon (96 weeks for the generator's March 2026 to
December 2027), sectors opening one after another four weeks apart, essential lines needed ten
weeks after their sector opens (the build-up), desirable lines from the opening, units with transit,
6- or 12-month tours with relief, some with a number of rotations, lift in personnel and tons, three
nodes of entry whose throughput lets the force arrive in about eight weeks, each nation using one
or two of them; the objective `[shortfall, foc, cost, nations]` (the time to full operational
capability second). The static generator's witness package is kept feasible in time
(`phased_with_witness`): a plan filling every essential line exists, so a gap or a shortfall is the
search's, never the scenario's. The same arguments give the same scenario.

`python -m bench.phased --nations 70 --seeds 1 2 3 --time-limit 60` (or `--scenario FILE`) builds
each scenario's model once and times it, solves it once, checks the plan, and prints a record
(`bench.records.PhasedRecord`) per scenario as a line of JSON. The harness (`python -m bench --only
phased`, `run_phased`) runs it once per scenario in a fresh process, one at a time: the example files,
then for each seed every size; `render_phased` writes the section, with the issue's targets for time
phases (`TARGET_S`, `GAZA_TARGET_GAP`, `LARGE_TARGET_NATIONS`) stated and judged from the records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.common import checker_cell, join, median, num, run_json, table
from bench.generator import generate_with_witness
from bench.instance import checked, peak_memory_mib
from bench.records import (
    Config,
    Echo,
    FamilyMeta,
    PhasedEntry,
    PhasedFailure,
    PhasedModelSize,
    PhasedRecord,
    Results,
    Save,
    start_records,
)
from forcepack.models import phases
from forcepack.models.common import months_between
from forcepack.models.loading import load_scenario
from forcepack.models.scenario import KEY_SEPARATOR, Scenario, offer_key
from forcepack.solver import SolveParams
from forcepack.solver.answer import solve
from forcepack.solver.params import default_workers
from forcepack.solver.phased import PhasedBuilder
from forcepack.solver.plan import TourKey
from forcepack.solver.search import SolveReport

BUILD_UP_WEEKS = 10
"""Weeks after its sector opens before an essential line must be filled in full."""
OPENING_STEP_WEEKS = 4
"""Weeks between two sectors' openings."""
ARRIVAL_WEEKS = 8
"""Weeks the nodes of entry need, together, to land every offered unit once."""

# The targets for time phases: in under TARGET_S seconds, the phased Gaza example proven
# optimal or within GAZA_TARGET_GAP of its bound, and a generated coalition of LARGE_TARGET_NATIONS
# nations (five sectors, weekly buckets) with a plan, its gap at the time limit reported.
GAZA_ID = "gaza-phased"
"""The phased Gaza example's scenario id (`examples/gaza-phased.yaml`)."""
TARGET_S = 10.0
GAZA_TARGET_GAP = 0.01
LARGE_TARGET_NATIONS = 70

UNRELIABLE = ("requires_mandate", "not_alongside", "requires_partner")
"""Red line kinds that can keep a nation's money out of a plan: its pledges do not pay the witness."""


def generated_id(nations: int, seed: int) -> str:
    """The id of the generated phased scenario of `nations` and `seed`."""
    return f"phased-{nations}-{seed}"


def phased(nations: int, seed: int, *, sectors: int = 5) -> Scenario:
    """The generator's scenario of `nations` nations and `seed`, kept to its first `sectors` sectors,
    planned week by week (see the module's docstring). A plan filling every essential line exists:
    `phased_with_witness` gives it."""
    return phased_with_witness(nations, seed, sectors=sectors)[0]


def phased_with_witness(nations: int, seed: int, *, sectors: int = 5) -> tuple[Scenario, dict[TourKey, int]]:
    """`phased`, with a plan that fills every essential line in every bucket it is needed in: the
    static generator's witness package (`bench.generator.generate_with_witness`), its units on the kept
    sectors' essential lines serving one tour each, from their line's first need (relief included) to
    the horizon's end. Units per tour key (`solver.plan.TourKey`); its other variables (money, flows
    through the nodes) are the search's to find, and exist.

    The witness's units have no tour length, no rotations and no availability date, and reach theatre
    within a week; everything else about them and every other unit is drawn as in the static scenario.
    The scenario leaves room for the witness and no more than it needs: node throughput at least each
    week's witness arrivals (a nation arriving by its first node), reliable donors' free pledges
    raised to pay the witness's tours at the funding coverage asked (and a tenth more), `min_nations`
    and group minimums at most what the witness reaches in the kept sectors, `max_nation_share` at
    least the witness's largest share of personnel-buckets.
    """
    base, witness = generate_with_witness(nations, seed)
    data = _phased_data(base, nations, seed, sectors)
    essential = {r["id"] for r in data["requirements"] if r.get("priority", "essential") == "essential"}
    assignment = {key: n for key, n in witness.assignment.items() if key[1] in essential and n > 0}
    used = {unit_key for unit_key, _ in assignment}
    for offer in data["offers"]:
        for unit in offer["units"]:
            if offer_key(offer["nation"], unit["id"]) in used:
                for field in ("tour_months", "rotations", "available_from"):
                    unit.pop(field, None)
                unit["transit_days"] = min(unit.get("transit_days", 0), 7)
    draft = Scenario.model_validate(data)
    tours: dict[TourKey, int] = {}
    for (unit_key, rid), n in sorted(assignment.items()):
        unit, requirement = draft.unit_by_key[unit_key], draft.requirement_by_id[rid]
        arrival = max(0, min(phases.needs(draft, requirement)) - phases.relief_buckets(draft, unit))
        t = phases.tour(draft, unit, requirement, arrival)
        assert t is not None, f"{unit_key} cannot arrive for {rid} in week {arrival + 1}"
        tours[(unit_key, rid, t.arrival, t.last)] = n
    _room_for(data, draft, tours)
    return Scenario.model_validate(data), tours


def _phased_data(base: Scenario, nations: int, seed: int, sectors: int) -> dict[str, Any]:
    """The static scenario `base` planned week by week, as data (see the module's docstring)."""
    rng = random.Random(f"phased:{nations}:{seed}")
    data: dict[str, Any] = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("expect", None)
    data["id"] = generated_id(nations, seed)
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
    data["objective"] = ["shortfall", "foc", "cost", "nations"]  # time to full operational capability second
    return data


def _room_for(data: dict[str, Any], draft: Scenario, tours: Mapping[TourKey, int]) -> None:
    """Widen the nodes, the reliable donors' free pledges and the targets of `data` (whose units are
    `draft`'s) so that the plan `tours` keeps every rule (`phased_with_witness`)."""
    unit_by_key, all_buckets = draft.unit_by_key, phases.buckets(draft)
    entry = {offer.nation: (offer.entry or [])[0] for offer in draft.offers if offer.entry}
    load: Counter[tuple[str, int, str]] = Counter()
    held: Counter[str] = Counter()  # personnel-buckets per nation
    pooled = 0
    for (unit_key, _line, arrival, last), n in tours.items():
        unit, nation = unit_by_key[unit_key], unit_key.split(KEY_SEPARATOR, 1)[0]
        load[(entry[nation], arrival, "personnel")] += n * unit.personnel
        load[(entry[nation], arrival, "tons")] += n * (unit.lift_tons or 0)
        held[nation] += n * unit.personnel * (last - arrival + 1)
        if not unit.self_funded:
            months = months_between(all_buckets[arrival].start, all_buckets[last].end)
            pooled += n * draft.monthly_cost_of(unit) * months
    for node in data["phasing"]["nodes"]:
        for measure in ("personnel", "tons"):
            busiest = max((v for (nid, _, m), v in load.items() if nid == node["id"] and m == measure), default=0)
            key = f"{measure}_per_day"
            node[key] = max(node[key], -(-busiest // 7))
    targets = data["targets"]
    vetoed = {code for veto in data.get("vetoes", []) for code in veto["against"]}
    free = [
        pledge
        for offer in data["offers"]
        if offer["nation"] not in vetoed and not any(line["kind"] in UNRELIABLE for line in offer["red_lines"])
        for pledge in offer.get("funding", [])
        if "earmark" not in pledge
    ]
    needed = pooled * targets.get("funding_coverage", 1.0) * 1.1
    have = sum(p["amount_usd"] for p in free)
    if free and have < needed:
        for pledge in free:
            pledge["amount_usd"] = math.ceil(pledge["amount_usd"] * needed / have / 1e6) * 1_000_000
    groups = {nation["code"]: nation.get("groups", []) for nation in data["nations"]}
    serving = set(held)
    if "min_nations" in targets:
        targets["min_nations"] = min(targets["min_nations"], len(serving))
    minimums = {
        group: min(want, sum(1 for code in serving if group in groups.get(code, [])))
        for group, want in targets.get("group_minimums", {}).items()
    }
    targets["group_minimums"] = {group: want for group, want in minimums.items() if want > 0}
    if not targets["group_minimums"]:
        del targets["group_minimums"]
    total = sum(held.values())
    if "max_nation_share" in targets and total:
        largest = max(held.values()) / total
        targets["max_nation_share"] = max(targets["max_nation_share"], min(1.0, math.ceil(largest * 20) / 20))


def model_size(scenario: Scenario) -> PhasedModelSize:
    """Build the phased model once, apart from any solve: its variables, tour variables, constraints,
    the nonzeros of its linear constraints (every constraint of a phased model is linear), and the
    seconds the build took."""
    start = time.perf_counter()
    built = PhasedBuilder(scenario).build()
    build_s = time.perf_counter() - start
    proto = built.model.proto
    size: PhasedModelSize = {
        "variables": len(proto.variables),
        "tour_variables": len(built.tours),
        "constraints": len(proto.constraints),
        "nonzeros": sum(len(c.linear.vars) for c in proto.constraints if c.has_linear()),
        "build_s": build_s,
    }
    del built, proto
    gc.collect()
    return size


def measure(
    scenario: Scenario,
    time_limit_s: float,
    workers: int | None = None,
    *,
    file: str | None = None,
    nations: int | None = None,
    seed: int | None = None,
) -> PhasedRecord:
    """Build the model once (`model_size`), then solve once with the solver's defaults but the time
    limit and workers (None: the solver's default for a phased scenario), and check the plan: the
    scenario's size, the model's, the time to the first plan, the status, the gap and the objective at
    the end, and the checker's verdict. `file`, or `nations` and `seed`, say where the scenario came
    from."""
    model = model_size(scenario)
    report = SolveReport()
    started = time.perf_counter()
    solution = solve(scenario, SolveParams(time_limit_s=time_limit_s, workers=workers), report=report, explain=False)
    wall = time.perf_counter() - started
    verdict = checked(scenario, solution)
    plan = solution.plan
    return {
        "kind": "phased",
        "scenario": scenario.id,
        "file": file,
        "nations": nations,
        "seed": seed,
        "sectors": len(scenario.sectors),
        "buckets": len(phases.buckets(scenario)),
        "lines": len(scenario.requirements),
        "unit_lines": sum(len(o.units) for o in scenario.offers),
        "time_limit_s": time_limit_s,
        "workers": solution.run.workers,
        "model": model,
        "tours": len(plan.tours) if plan is not None else 0,
        "status": solution.status,
        "gap": solution.gap,
        "first_package_s": report.first_package_s,
        "wall_s": wall,
        "objective": [{"criterion": o.criterion, "value": o.value, "bound": o.bound} for o in solution.objective],
        "violations": verdict["violations"],
        "check_s": verdict["check_s"],
        "peak_mib": peak_memory_mib(),
    }


# -- the family in the harness -------------------------------------------------------------------

Planned = tuple[str | None, int | None, int | None]
"""One scenario of the family: an example file, or the generated scenario's nations and seed."""


def plan(config: Config) -> list[Planned]:
    """The scenarios in the order run: the example files, then for each seed every size."""
    files: list[Planned] = [(file, None, None) for file in config.phased_files]
    return files + [(None, n, s) for s in config.phased_seeds for n in config.phased_sizes]


def run_phased(config: Config, results: Results, echo: Echo, save: Save) -> None:
    """Every scenario of the family, each measured (`measure`) in a fresh process, one at a time."""
    records, done = start_records("phased", results, config.resume)
    scenarios = plan(config)
    limit = config.phased_time_limit_s
    for i, (file, nations, seed) in enumerate(scenarios, 1):
        label = file if file is not None else f"phased({nations}, {seed})"
        tag = f"[phased {i}/{len(scenarios)}] {label}"
        if (file, nations, seed) in done:
            echo(f"{tag}: kept from the interrupted run")
            continue
        cmd = [sys.executable, "-m", "bench.phased", "--time-limit", str(limit)]
        cmd += ["--sectors", str(config.phased_sectors)]
        if config.phased_workers is not None:
            cmd += ["--workers", str(config.phased_workers)]
        cmd += ["--scenario", file] if file is not None else ["--nations", str(nations), "--seeds", str(seed)]
        name = Path(file).stem if file is not None else generated_id(nations or 0, seed or 0)
        failed = PhasedFailure(
            kind="phased", scenario=name, file=file, nations=nations, seed=seed, error="", violations=[]
        )
        load = os.getloadavg()[0]
        # Generous: two builds (one timed apart, the solve's own), the solve, the checker.
        record = run_json(cmd, 3 * limit + 180, PhasedRecord, failed)
        record["load_before"] = load
        records.append(record)
        if "error" in record:
            echo(f"{tag}: ERROR {record['error']}")
        else:
            echo(
                f"{tag}: {record['status']}, first plan {num(record['first_package_s'])} s, gap "
                f"{record['gap']:.4f} after {record['wall_s']:.1f} s (load {load:.1f})"
            )
        for violation in record["violations"]:
            echo(f"!!! CHECKER VIOLATION (phased, {label}): {violation}")
        save()


# -- the section ---------------------------------------------------------------------------------

CRITERIA = {"shortfall": "shortfall", "foc": "weeks to FOC", "cost": "cost USD", "nations": "nations used"}
"""Column headers of the objective's criteria (the size column is already called `nations`)."""


def _size(r: PhasedEntry) -> str:
    """The group a record's row of the per-size table belongs to: its example, or its nations."""
    return f"{r['scenario']} (example)" if r["nations"] is None else f"{r['nations']} nations"


def _gap_cell(r: PhasedRecord) -> str:
    return num(r["gap"], 4) if r["status"] == "feasible" else "0" if r["status"] == "optimal" else "—"


def _pct(gap: float) -> str:
    return f"{100 * gap:.2f} %"


def _seconds(value: float) -> str:
    return num(value) if math.isinf(value) else f"{num(value)} s"


def _gaza_reading(records: Sequence[PhasedEntry]) -> str:
    """The issue's target for the phased Gaza example, and whether the record meets it."""
    target = (
        f"**The phased Gaza example proven optimal, or within {num(100 * GAZA_TARGET_GAP, 0)} % of its bound, in under "
        f"{num(TARGET_S, 0)} s**"
    )
    r = next((r for r in records if r["scenario"] == GAZA_ID and "error" not in r), None)
    if r is None:
        return f"- {target}: not measured in these records."
    limit, wall, gap = r["time_limit_s"], r["wall_s"], r["gap"]
    first = f"first plan after {num(r['first_package_s'])} s"
    if r["status"] == "optimal":
        verdict = "met" if wall < TARGET_S else "not met"
        return f"- {target}: {verdict}, proven optimal in {num(wall)} s ({first})."
    if r["status"] == "feasible" and gap <= GAZA_TARGET_GAP:
        if limit <= TARGET_S:
            return f"- {target}: met, within {_pct(gap)} of the bound at its {num(limit, 0)} s limit ({first})."
        return (
            f"- {target}: not established, within {_pct(gap)} of the bound at the {num(limit, 0)} s limit, and this "
            f"run does not record when it came within {num(100 * GAZA_TARGET_GAP, 0)} % ({first})."
        )
    if r["status"] == "feasible":
        return (
            f"- {target}: not met, {_pct(gap)} from the bound when the {num(limit, 0)} s limit stopped it, not "
            f"proven optimal ({first})."
        )
    return f"- {target}: not met, no plan within the {num(limit, 0)} s limit ({r['status']})."


def _large_reading(records: Sequence[PhasedEntry]) -> str:
    """The issue's target for a generated 70-nation coalition, and whether the records meet it."""
    ok = [r for r in records if "error" not in r and r["nations"] == LARGE_TARGET_NATIONS]
    if not ok:
        return (
            f"- **A generated {LARGE_TARGET_NATIONS}-nation phased coalition with a plan in under "
            f"{num(TARGET_S, 0)} s, its gap at the limit reported**: not measured in these records."
        )
    shape = join(sorted({f"{r['sectors']} sectors and {r['buckets']} weekly buckets" for r in ok}))
    target = (
        f"**A generated {LARGE_TARGET_NATIONS}-nation phased coalition ({shape}) with a plan in under "
        f"{num(TARGET_S, 0)} s, its gap at the limit reported**"
    )
    firsts = [math.inf if r["first_package_s"] is None else r["first_package_s"] for r in ok]
    within = sum(1 for t in firsts if t < TARGET_S)
    verdict = "met" if within == len(ok) else "not met"
    ends = []
    for r in ok:
        if r["status"] == "optimal":
            end = f"proven optimal in {num(r['wall_s'])} s"
        elif r["status"] == "feasible":
            end = f"gap {_pct(r['gap'])} at the {num(r['time_limit_s'], 0)} s limit"
        else:
            end = f"no plan within the {num(r['time_limit_s'], 0)} s limit"
        ends.append(f"seed {r['seed']}: {end}")
    return (
        f"- {target}: {verdict}, a first plan in under {num(TARGET_S, 0)} s in {within} of {len(ok)} runs "
        f"(median {_seconds(median(firsts) or 0.0)}, max {_seconds(max(firsts))}); {join(ends)}."
    )


def _without_plan(records: Sequence[PhasedRecord]) -> list[str]:
    """The runs that ended without a plan: proven infeasible, or none found within the limit."""
    infeasible = [f"{r['scenario']} (in {num(r['wall_s'])} s)" for r in records if r["status"] == "infeasible"]
    unknown = [r["scenario"] for r in records if r["status"] == "unknown"]
    out = []
    if unknown:
        out.append(f"- **No plan within the limit**: {join(unknown)}.")
    if infeasible:
        out.append(
            f"- **Proven infeasible**: {join(infeasible)}; a generated phased scenario is not feasible by "
            "construction, so this is the scenario's or the solver's to explain, not a time."
        )
    return out


def _introduction(records: Sequence[PhasedEntry], meta: FamilyMeta) -> list[str]:
    """What was measured, how, and in which run."""
    cfg = meta.get("config", {})
    ok = [r for r in records if "error" not in r]
    files = sorted({r["file"] for r in records if r["file"] is not None})
    generated = sorted({r["nations"] for r in records if r["nations"] is not None})
    seeds = sorted({r["seed"] for r in records if r["seed"] is not None})
    limits = sorted({r["time_limit_s"] for r in ok}) or [cfg.get("phased_time_limit_s", 0.0)]
    workers = sorted({r["workers"] for r in ok}) or [cfg.get("phased_workers") or default_workers()]
    measured = [f"`{f}`" for f in files]
    if generated:
        measured.append(
            f"generated coalitions of {join([str(n) for n in generated])} nations, generator seeds "
            f"{', '.join(str(s) for s in seeds)}"
        )
    loads = [r["load_before"] for r in records if "load_before" in r]
    source = meta.get("source")
    commit = source.get("commit") if source else None
    modified = source.get("modified_files") if source else None
    run = (
        f"Measured on {meta['machine']['date'] if 'machine' in meta else 'an unrecorded date'}"
        + (f" at {commit}" if commit else "")
        + (f" + {modified} modified file(s)" if modified else "")
        + f" by `{meta.get('command', '')}` in {meta.get('total_s', 0.0) / 60:.1f} minutes"
        + (f"; load average before the runs {min(loads):.1f} to {max(loads):.1f}." if loads else ".")
    )
    return [
        "## Time phases",
        "",
        "A phased scenario is planned week by week: units arrive on tours, with transit and relief, through",
        "nodes of entry of limited daily throughput, and every rule holds in every bucket (docs/domain.md,",
        '"Time phases").',
        "",
        f"Measured here: {join(measured)}. A generated scenario (`bench.phased.phased`) is the generator's",
        f"scenario kept to its first {cfg.get('phased_sectors', 5)} sectors, in weekly buckets, sectors opening "
        "four weeks apart, essential lines",
        "needed ten weeks after their sector opens, tours of 6 or 12 months, three nodes of entry; the",
        "generator's witness package is kept feasible in time (`phased_with_witness`), so each has a plan",
        "with no essential shortfall, and an essential shortfall is the search's. Each is",
        f"solved once by CP-SAT with {join([str(w) for w in workers])} worker(s) and a "
        f"{join([num(x, 0) for x in limits])} s limit, in a fresh process, one at a time.",
        "*Tour variables* are the model's integers of units arriving per option and bucket,",
        "*nonzeros* the terms of its linear constraints, *build* the seconds to build it once apart from the",
        "solve; *first plan* the seconds from the call of `solve` to the first plan (its own build",
        "included); *gap* the relative gap of the first criterion not proven optimal when the solve",
        "stopped; the objective's values are the plan's; *tours* the tours in it. *Load* is the 1-minute",
        "load average before each run on 2 cores: above about 2, other work inflated the times.",
        "",
        run,
        "",
    ]


def _scenario_rows(records: Sequence[PhasedEntry], criteria: Sequence[str]) -> list[list[str]]:
    """A row per scenario: its size, its model's, the first plan, the status, gap and objective."""
    rows = []
    for r in records:
        if "error" in r:
            rows.append([r["scenario"], *["—"] * 9, f"**failed**: {r['error']}", *["—"] * (len(criteria) + 5)])
            continue
        values = {o["criterion"]: o["value"] for o in r["objective"]}
        m = r["model"]
        rows.append(
            [
                r["scenario"],
                "—" if r["nations"] is None else str(r["nations"]),
                str(r["buckets"]),
                str(r["lines"]),
                str(r["unit_lines"]),
                f"{m['tour_variables']:,}",
                f"{m['constraints']:,}",
                f"{m['nonzeros']:,}",
                num(m["build_s"]),
                num(r["first_package_s"]),
                r["status"],
                _gap_cell(r),
                *[num(values.get(c), 2 if c == "shortfall" else 0) for c in criteria],
                num(r["wall_s"]),
                str(r["tours"]),
                checker_cell(r),
                num(r.get("load_before"), 1),
            ]
        )
    return rows


def _size_rows(records: Sequence[PhasedEntry]) -> list[list[str]]:
    """A row per example and per generated size: the median and the max of the time to the first plan
    (a run without one counts as not reached), the runs proven optimal, and the gaps of the others."""
    rows = []
    for size in dict.fromkeys(_size(r) for r in records):
        group = [r for r in records if "error" not in r and _size(r) == size]
        if not group:
            continue
        firsts = [math.inf if r["first_package_s"] is None else r["first_package_s"] for r in group]
        gaps = [r["gap"] for r in group if r["status"] == "feasible"]
        rows.append(
            [
                size,
                str(len(group)),
                num(median(firsts)),
                num(max(firsts)),
                str(sum(1 for r in group if r["status"] == "optimal")),
                num(median(gaps), 4) if gaps else "—",
                num(max(gaps), 4) if gaps else "—",
            ]
        )
    return rows


def render_phased(results: Results, meta: FamilyMeta) -> list[str]:
    """The time-phases section: per scenario its size, the model's, the first plan, status, gap and
    objective; per size the median and the max of the time to the first plan; the targets judged."""
    records = results.get("phased", [])
    if not records:
        return []
    ok = [r for r in records if "error" not in r]
    criteria = list(dict.fromkeys(o["criterion"] for r in ok for o in r["objective"]))
    header = [
        "scenario", "nations", "buckets", "lines", "unit lines", "tour variables", "constraints", "nonzeros",
        "build s", "first plan s", "status", "gap", *[CRITERIA.get(c, c) for c in criteria], "wall s", "tours",
        "checker", "load",
    ]  # fmt: skip
    right = [False, *[True] * 9, False, True, *[True] * len(criteria), True, True, False, True]
    found = [v for r in records for v in r["violations"]]
    planned = sum(1 for r in ok if r["status"] in ("optimal", "feasible"))
    checker = (
        f"no violation in the {len(ok)} answers checked ({planned} with a plan)."
        if not found
        else f'**{len(found)} violation(s), each one a bug** (listed in the section "Checker").'
    )
    size_header = ["scenarios", "runs", "median first plan s", "max first plan s", "proven optimal", "median gap"]
    return [
        *_introduction(records, meta),
        "### Per scenario",
        "",
        *table(header, rows=_scenario_rows(records, criteria), right=right),
        "",
        "### Per size: time to the first plan",
        "",
        *table([*size_header, "max gap"], _size_rows(records), [False, *[True] * 6]),
        "",
        "### Reading the numbers",
        "",
        "The issue's targets for time phases, judged from the records above:",
        "",
        _gaza_reading(records),
        _large_reading(records),
        *_without_plan(ok),
        f"- **Checker**: {checker}",
        "",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.phased`: measure phased scenarios, one JSON record per line."""
    parser = argparse.ArgumentParser(prog="python -m bench.phased", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--nations", type=int, nargs="+", help="sizes of generated scenarios (default 70 without --scenario)"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="generator seeds (default 1 2 3)")
    parser.add_argument("--sectors", type=int, default=5, help="sectors kept (default 5)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (default 60)")
    parser.add_argument(
        "--workers", type=int, default=None, help="CP-SAT workers (default: the solver's for a phased scenario)"
    )
    parser.add_argument("--scenario", action="append", default=[], help="a phased scenario file to measure too")
    args = parser.parse_args(argv)
    nations = args.nations if args.nations is not None else ([] if args.scenario else [70])
    for path in args.scenario:
        record = measure(load_scenario(path), args.time_limit, args.workers, file=path)
        print(json.dumps(record), flush=True)
    for n in nations:
        for seed in args.seeds:
            scenario = phased(n, seed, sectors=args.sectors)
            record = measure(scenario, args.time_limit, args.workers, nations=n, seed=seed)
            print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
