"""docs/benchmarks.md from a run's results: `render`, one function per section, and the checker's
verdicts over every record (`violations`, `failures`) that also decide the run's exit status.

The sections of the solve and explain families are written here; each other family writes its own
(`bench.comparison`, `bench.profiling`, `bench.families`, `bench.targets`), and `render` puts them in
order. Every figure comes from the records; nothing here measures or solves.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from bench import comparison, families, phased, profiling, tail, targets
from bench.common import checker_cell, join, median, num, table
from bench.records import (
    DEFAULT_FAMILIES,
    FAMILIES,
    RECORD_KINDS,
    RESULTS,
    SWEEP_FAMILIES,
    AnyEntry,
    ExplainEntry,
    ExplainFailure,
    ExplainRecord,
    RecordKind,
    Results,
    RunConfig,
    SolveEntry,
    SolveFailure,
    SolveRecord,
    normalise,
    total_s,
)
from forcepack.solver.answer import EXPLAIN_TIME_LIMIT_S
from forcepack.solver.params import default_workers

__all__ = ["failures", "render", "violations"]

CRITERION_HEADERS = {"shortfall": "shortfall (weighted)", "cost": "cost USD", "nations": "nations used"}
"""Column headers of the objective criteria (the first column is already called `nations`)."""


def render(results: Results, plot_name: str | None = None) -> str:
    """docs/benchmarks.md from the results of `run`: every figure comes from them. `plot_name` is the
    image of time against size (`bench.plot`), next to the Markdown, when one was drawn.

    The document is its sections in order, one function each; a family's own sections live with the
    family (`bench.comparison`, `bench.profiling`, `bench.families`, `bench.targets`)."""
    results = normalise(results)
    meta = results["families"]
    solve_cfg, explain_cfg = _configs(results)
    sections = [
        _introduction(results, solve_cfg),
        _machine_and_parameters(results, solve_cfg, explain_cfg),
        targets.render(results),
        _time_against_size(results, plot_name),
        _solving(results["solve"], solve_cfg),
        comparison.render(results, meta.get("solve")),
        profiling.render(results, meta["profile"]) if "profile" in meta else [],
        _explaining(results, explain_cfg),
        families.render_workers(results, meta["workers"]) if "workers" in meta else [],
        *(families.render_sweeps(results, meta[family], family) for family in SWEEP_FAMILIES if family in meta),
        families.render_load(results, meta["load"]) if "load" in meta else [],
        tail.render_tail(results, meta["tail"]) if "tail" in meta else [],
        phased.render_phased(results, meta["phased"]) if "phased" in meta else [],
        _checker(results),
        _failed_instances(results),
    ]
    return "\n".join(line for section in sections for line in section)


def _configs(results: Results) -> tuple[RunConfig, RunConfig]:
    """The configurations the solve and the explain families ran with (either's, or a legacy file's
    single one, when a family did not run)."""
    meta = results["families"]
    any_cfg = next((c for f in meta.values() if (c := f.get("config"))), None) or results.get("config")
    solve_meta, explain_meta = meta.get("solve"), meta.get("explain")
    solve_cfg = (solve_meta.get("config") if solve_meta is not None else None) or any_cfg
    explain_cfg = (explain_meta.get("config") if explain_meta is not None else None) or any_cfg
    if solve_cfg is None or explain_cfg is None:
        raise ValueError("the results hold no configuration: no family's `config`, and no `config` of their own")
    return solve_cfg, explain_cfg


def _introduction(results: Results, cfg: RunConfig) -> list[str]:
    """What the document measures, how to reproduce it, and the runs it was measured in."""
    total_min = total_s(results) / 60
    return [
        "# Benchmarks",
        "",
        "How fast forcepack finds, and proves, the best force package as coalitions grow, against a MIP",
        "solver (HiGHS) on the same rules and a planner's greedy fill; how fast it explains a scenario that",
        "has none; what one or two CP-SAT workers change; how long N-1 and N-2 criticality sweeps take;",
        "where a large solve's time goes; and how the HTTP service holds up under 50 delegates. The",
        "scenarios are synthetic and seeded (`bench/generator.py`), each feasible by construction; the",
        "explanation benchmark plants one conflict (an essential `counter_drone` line only a nation barred",
        "from that sector could fill) in the same scenarios. This file and its plot are written by the",
        "harness (`bench/harness.py`); do not edit them by hand: every number below was measured in the",
        "run it describes.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench   # = .venv/bin/python -m bench: the default families, about 45 minutes on 2 cores",
        ".venv/bin/python -m bench --only sweep-full   # the long sweeps (about 1.5 hours): every N-1",
        "                                              # withdrawal and 200 N-2 pairs at 25, 70, 200 nations",
        ".venv/bin/python -m bench --only solve,profile   # some families (solve, explain, workers, sweep, load,",
        "                           # profile, sweep-full); the others keep their records from the results file",
        ".venv/bin/python -m bench --from-json bench/out/results.json   # re-render this file and the plot",
        ".venv/bin/python -m bench --quick   # smoke run, 25 and 70 nations, 20 s: bench/out/benchmarks-quick.md",
        ".venv/bin/python -m bench.instance solve --nations 70 --seed 1 --time-limit 60   # one CP-SAT row",
        ".venv/bin/python -m bench.peers.run --solver highs --nations 70 --seed 1 --time-limit 60   # one peer row",
        ".venv/bin/python -m bench.profiling --nations 200 --seed 1 --time-limit 30   # one profile",
        ".venv/bin/python -m bench.load --json load.json   # the load test alone",
        ".venv/bin/python -m bench.sweeps --help   # one sweep, as JSON",
        "```",
        "",
        "`make bench` keeps its defaults to about 45 minutes by sampling: three seeds at 25, 70 and 200",
        "nations but two at 500 (`--seeds-at 500:1,2`; `--seeds-at 500:1,2,3` for three), sampled N-1 and",
        "N-2 sweeps above 25 nations (`--n1-sample`, `--pair-sample`), a 20 s limit for the workers",
        "comparison (`--workers-time-limit`). `python -m bench --help` lists every option.",
        "",
        "Each instance runs in a fresh Python process, one at a time, in the order *for each seed, every",
        f"size*, so that drift of the machine hits all sizes alike. Raw records: `{cfg.get('results', RESULTS)}`",
        f"(not committed). The families below were measured in these runs ({total_min:.1f} minutes in all):",
        "",
        *_runs_table(results),
        "",
    ]


def _machine_and_parameters(results: Results, cfg: RunConfig, explain_cfg: RunConfig) -> list[str]:
    """The machine, the software, and the solve and explain parameters."""
    m = results["machine"]
    return [
        "## Machine and parameters",
        "",
        *table(
            ["", ""],
            [
                ["CPU", m["cpu"]],
                ["cores", str(m["cores"])],
                ["memory", f"{m['memory_gib']} GiB"],
                ["OS", m["os"]],
                ["Python", m["python"]],
                ["OR-Tools", m["ortools"]],
                ["load average before instances", _load_range(results)],
                [
                    "CP-SAT workers",
                    f"{_workers_text(cfg['workers'], results)} (solve and explain; see the workers and sweeps "
                    "sections)",
                ],
                ["time limit per solve", f"{num(cfg['time_limit_s'], 0)} s (all lexicographic stages together)"],
                [
                    "explanation budget",
                    f"{num(explain_cfg.get('explain_time_limit_s', EXPLAIN_TIME_LIMIT_S), 0)} s more, "
                    "infeasible scenarios only",
                ],
                ["search seed", "0 (the solver's default)"],
                ["generator seeds", _seeds_text(cfg)],
            ],
            [False, False],
        ),
        "",
    ]


def _time_against_size(results: Results, plot_name: str | None) -> list[str]:
    """The plot (`bench.plot`), when one was drawn from solve records."""
    if not (plot_name and results["solve"]):
        return []
    return [
        "## Time against size",
        "",
        "Each solver's time to its first package (left) and to the proven optimum (right), per run (faint)",
        "and as the median over the seeds (line), on log scales; a cross above the dashed limit is a run",
        "that found no package, or proved nothing, within the limit. Drawn by `bench/plot.py` from the",
        "records below.",
        "",
        f"![Time against size, per solver]({plot_name})",
        "",
    ]


def _solving(solves: list[SolveEntry], solve_cfg: RunConfig) -> list[str]:
    """The solve family: CP-SAT per instance, per size, and what the numbers say."""
    if not solves:
        return []
    criteria = _criteria(solves)
    return [
        "## Solving feasible scenarios",
        "",
        "Columns: requirement lines (of which essential); *model* is the CP-SAT model (`solver.build`);",
        "*build* the seconds to build it; *first package* the seconds from the call of `solve` to the first",
        "package found (build included); *optimum* the whole solve's wall time when every criterion was",
        "proven optimal, empty otherwise; *stages* the status of each lexicographic stage,",
        "in order (" + ", ".join(f"`{c}`" for c in criteria) + "): O optimal, F feasible at the limit, U no",
        "package in that stage before the limit, - not run (a criterion whose stage did not run is marked",
        "*not optimised*: its value is that of the package found);",
        "*gap* the relative gap of the first criterion not proven optimal (0 when a later stage stopped",
        "without any package, see *stages*; a dash when there is no package at all); the objective",
        "values, with their bound where not proven; *peak* the instance process's peak resident memory",
        "(`ru_maxrss`), interpreter and libraries included;",
        "*CPU share* the CPU seconds the solve used per wall-clock second (about the number of workers on",
        "an idle machine; less means other work competed for the cores and the times are inflated);",
        "*checker* the verdict of the independent checker (`solver.check`) on the answer.",
        "",
        "### Per instance",
        "",
        *table(
            [
                "nations",
                "seed",
                "sectors",
                "req. lines",
                "unit lines",
                "pledges",
                "variables",
                "constraints",
                "build s",
                "first package s",
                "optimum s",
                "status",
                "stages",
                "gap",
                *(CRITERION_HEADERS.get(c, c) for c in criteria),
                "CPU share",
                "peak MiB",
                "checker",
            ],
            _solve_rows(solves, criteria),
            [True] * 11 + [False, False, True] + [True] * len(criteria) + [True, True, False],
        ),
        "",
        "### Per size (medians)",
        "",
        "Medians over the seeds. For *optimum*, a run that was not proven optimal counts as slower than",
        "any that was, so the median reads *not reached* when most runs of that size were not proven.",
        "*MiB before solve* is the peak after generating the scenario and building its model once (to",
        "count it), before `solve` builds its own.",
        "",
        *table(
            [
                "nations",
                "runs",
                "req. lines",
                "variables",
                "constraints",
                "build s",
                "first package s",
                "proven optimal",
                "optimum s",
                "gap",
                "peak MiB",
                "max peak MiB",
                "MiB before solve",
            ],
            _solve_summary(solves),
            [True] * 13,
        ),
        "",
        "### Reading the numbers",
        "",
        *_reading_solve(solves, solve_cfg),
        "",
    ]


def _explaining(results: Results, explain_cfg: RunConfig) -> list[str]:
    """The explain family: explanations per instance and per size, the command-line timings, and what
    the numbers say."""
    explains = results["explain"]
    if not explains:
        return []
    return [
        "## Explaining infeasible scenarios",
        "",
        "`solve` on the infeasible variant (`generate(n, seed, infeasible=True)`): it proves there is no",
        "package, then explains why within its explanation budget. *Detect* is the solve's own time to",
        "prove infeasibility; *total* the whole call measured around it, explanation included;",
        "*conflict* the number of elements in the conflict found; *minimal* whether dropping any single",
        "element was checked to make the rest feasible; *relaxations* the sets of changes found that",
        "make the scenario feasible (and how many elements each gives up); *expected found* whether",
        "both elements of the planted conflict (`expect.conflict`) are in the conflict.",
        "",
        "### Per instance",
        "",
        *table(
            [
                "nations",
                "seed",
                "status",
                "detect s",
                "total s",
                "conflict",
                "minimal",
                "relaxations",
                "expected found",
                "CPU share",
                "peak MiB",
                "checker",
            ],
            _explain_rows(explains),
            [True, True, False, True, True, True, False, False, False, True, True, False],
        ),
        "",
        "### Per size (medians)",
        "",
        *table(
            [
                "nations",
                "runs",
                "infeasible",
                "detect s",
                "total s",
                "max total s",
                "conflict",
                "minimal",
                "expected found",
                "peak MiB",
            ],
            _explain_summary(explains),
            [True] * 10,
        ),
        "",
        *families.render_cli(results),
        "### Reading the numbers",
        "",
        *_reading_explain(explains, results, explain_cfg),
        "",
    ]


def _checker(results: Results) -> list[str]:
    """The checker's verdict over every answer: each violation listed, or how many answers were checked."""
    found = violations(results)
    if found:
        return [
            "## Checker",
            "",
            f"**The checker found {len(found)} violation(s): each one is a bug.**",
            "",
            *found,
            "",
        ]
    answers = sum(
        1 for kind, r in _entries(results) if kind != "load" and "error" not in r and not _expected_breaks(kind, r)
    )
    return [
        "## Checker",
        "",
        f"The independent checker found no violation in any of the {answers} records checked (every solve,",
        "HiGHS answer, explanation, command-line answer, profiled solve and re-solve of a sweep; for the",
        "Gaza sweeps, the baseline), and CP-SAT and HiGHS agree wherever both proved the optimum. The",
        "greedy's rule breaks, expected, are in its section.",
        "",
    ]


def _failed_instances(results: Results) -> list[str]:
    """The instances that failed (no answer, a crash, a load test that lost writes), when there are any."""
    failed = failures(results)
    return ["## Failed instances", "", *failed, ""] if failed else []


# -- numbers to text ---------------------------------------------------------------------


def _stage_marks(record: SolveRecord, criteria: Sequence[str]) -> str:
    """The status of each lexicographic stage, one letter each (O optimal, F feasible, U unknown, - not run)."""
    letters = {"OPTIMAL": "O", "FEASIBLE": "F", "UNKNOWN": "U", "INFEASIBLE": "I"}
    by_criterion = {s["criterion"]: letters.get(s["status"], "?") for s in record["stages"]}
    return " ".join(by_criterion.get(c, "-") for c in criteria)


def _stage_status(record: SolveRecord, criterion: str) -> str | None:
    """CP-SAT's status for the stage of this criterion; None when the stage did not run."""
    return next((s["status"] for s in record["stages"] if s["criterion"] == criterion), None)


def _objective(record: SolveRecord, criterion: str) -> str:
    """A criterion's value, with its bound when not proven, or a note when its stage never ran."""
    item = next((o for o in record["objective"] if o["criterion"] == criterion), None)
    if item is None:
        return "—"
    digits = 0 if float(item["value"]).is_integer() else 2
    text = num(item["value"], digits)
    stage = _stage_status(record, criterion)
    if stage is None:
        # The document still states a value (that of the package found), but nobody optimised it.
        return f"{text} (not optimised)"
    if stage != "OPTIMAL":
        text += f" (bound {num(item['bound'], 2)})"
    return text


def _has_package(record: SolveRecord) -> bool:
    return record["status"] in ("optimal", "feasible")


def _gap(record: SolveRecord) -> str:
    """The gap, or a dash when there is no package to measure it on."""
    return num(record["gap"], 4) if _has_package(record) else "—"


def _sizes(records: Sequence[SolveRecord | SolveFailure | ExplainRecord | ExplainFailure]) -> list[int]:
    return sorted({r["nations"] for r in records})


def _solved(records: Sequence[SolveEntry]) -> list[SolveRecord]:
    """The solves measured without error."""
    return [r for r in records if "error" not in r]


def _explained(records: Sequence[ExplainEntry]) -> list[ExplainRecord]:
    """The explanations measured without error."""
    return [r for r in records if "error" not in r]


def _criteria(records: list[SolveEntry]) -> list[str]:
    for record in _solved(records):
        if record["objective"]:
            return [o["criterion"] for o in record["objective"]]
    return ["shortfall", "cost", "nations"]


# -- the document ------------------------------------------------------------------------


def _solve_rows(records: list[SolveEntry], criteria: list[str]) -> list[list[str]]:
    rows = []
    for r in sorted(records, key=lambda r: (r["nations"], r["seed"])):
        if "error" in r:
            rows.append([str(r["nations"]), str(r["seed"]), f"**error: {r['error']}**"] + [""] * (14 + len(criteria)))
            continue
        s = r["summary"]
        rows.append(
            [
                str(r["nations"]),
                str(r["seed"]),
                str(s["sectors"]),
                f"{s['requirement_lines']} ({s['essential_lines']})",
                str(s["unit_lines"]),
                str(s["pledges"]),
                f"{r['model']['variables']:,}",
                f"{r['model']['constraints']:,}",
                num(r["build_s"]),
                num(r["first_package_s"]),
                num(r["optimal_s"]),
                r["status"],
                _stage_marks(r, criteria),
                _gap(r),
                *(_objective(r, c) for c in criteria),
                num(r.get("cpu_share")),
                num(r["peak_mib"], 0),
                checker_cell(r),
            ]
        )
    return rows


def _solve_summary(records: list[SolveEntry]) -> list[list[str]]:
    rows = []
    for n in _sizes(records):
        ok = _solved([r for r in records if r["nations"] == n])
        if not ok:
            continue
        optimal = sum(1 for r in ok if r["status"] == "optimal")
        rows.append(
            [
                str(n),
                str(len(ok)),
                num(median(r["summary"]["requirement_lines"] for r in ok), 0),
                num(median(r["model"]["variables"] for r in ok), 0),
                num(median(r["model"]["constraints"] for r in ok), 0),
                num(median(r["build_s"] for r in ok)),
                num(median(r["first_package_s"] for r in ok)),
                f"{optimal}/{len(ok)}",
                num(median(r["optimal_s"] for r in ok)),
                num(median(r["gap"] for r in ok if _has_package(r)), 4),
                num(median(r["peak_mib"] for r in ok), 0),
                num(max(r["peak_mib"] for r in ok), 0),
                num(median(r["peak_before_solve_mib"] for r in ok), 0),
            ]
        )
    return rows


def _explain_rows(records: list[ExplainEntry]) -> list[list[str]]:
    rows = []
    for r in sorted(records, key=lambda r: (r["nations"], r["seed"])):
        if "error" in r:
            rows.append([str(r["nations"]), str(r["seed"]), f"**error: {r['error']}**"] + [""] * 9)
            continue
        rows.append(
            [
                str(r["nations"]),
                str(r["seed"]),
                r["status"],
                num(r["detect_s"]),
                num(r["total_s"]),
                str(r["conflict_size"]),
                {True: "yes", False: "no", None: "—"}[r["minimal"]],
                _relaxations(r),
                "yes" if r["expected_found"] else "**no**",
                num(r.get("cpu_share")),
                num(r["peak_mib"], 0),
                checker_cell(r),
            ]
        )
    return rows


def _relaxations(record: ExplainRecord) -> str:
    """How many relaxations were found, and how many changes each asks for."""
    sizes = record.get("relaxation_sizes", [])
    if not sizes:
        return str(record["relaxations"])
    return f"{record['relaxations']} ({', '.join(str(n) for n in sizes)} changes)"


def _explain_summary(records: list[ExplainEntry]) -> list[list[str]]:
    rows = []
    for n in _sizes(records):
        ok = _explained([r for r in records if r["nations"] == n])
        if not ok:
            continue
        rows.append(
            [
                str(n),
                str(len(ok)),
                f"{sum(1 for r in ok if r['status'] == 'infeasible')}/{len(ok)}",
                num(median(r["detect_s"] for r in ok)),
                num(median(r["total_s"] for r in ok)),
                num(max(r["total_s"] for r in ok)),
                num(median(r["conflict_size"] for r in ok), 0),
                f"{sum(1 for r in ok if r['minimal'])}/{len(ok)}",
                f"{sum(1 for r in ok if r['expected_found'])}/{len(ok)}",
                num(median(r["peak_mib"] for r in ok), 0),
            ]
        )
    return rows


def _reading_solve(solves: list[SolveEntry], config: RunConfig) -> list[str]:
    """What the solve benchmark's numbers say, in sentences built from them."""
    limit = config["time_limit_s"]
    criteria = _criteria(solves)
    out: list[str] = []
    proven: list[str] = []
    partly: list[str] = []
    never: list[str] = []
    for n in _sizes(solves):
        ok = _solved([r for r in solves if r["nations"] == n])
        if not ok:
            continue
        optimal = [r for r in ok if r["status"] == "optimal"]
        first = [fp for r in ok if (fp := r["first_package_s"]) is not None]
        first_text = (
            f"the first package came after {num(max(first))} s at most"
            if first
            else f"no run found a first package within {num(limit, 0)} s"
        )
        if len(optimal) == len(ok):
            proven.append(str(n))
            slowest = max((r["optimal_s"] for r in ok), key=lambda s: -math.inf if s is None else s)
            middle = median(r["optimal_s"] for r in ok)
            out.append(
                f"- **{n} nations**: proven optimal in all {len(ok)} runs, in {num(slowest)} s at most "
                f"(median {num(middle)} s); {first_text}."
            )
            continue
        (partly if optimal else never).append(str(n))
        head = (
            f"proven optimal in {len(optimal)} of {len(ok)} runs"
            if optimal
            else f"not proven optimal within {num(limit, 0)} s in any of its {len(ok)} runs"
        )
        parts = []
        with_package = [r for r in ok if r["status"] == "feasible"]
        if with_package:
            gaps = [r["gap"] for r in with_package]
            parts.append(
                f"{len(with_package)} stopped at the limit with a package (gap {num(min(gaps), 4)} to "
                f"{num(max(gaps), 4)})"
            )
        without = [r for r in ok if not _has_package(r)]
        if without:
            parts.append(f"{len(without)} found no package at all ({join(sorted({r['status'] for r in without}))})")
        stopped: dict[str, int] = {}
        for r in ok:
            if r["status"] != "optimal":
                last = next((c for c in criteria if _stage_status(r, c) != "OPTIMAL"), criteria[-1])
                stopped[last] = stopped.get(last, 0) + 1
        where = join([f"the `{c}` stage in {k}" for c, k in stopped.items()])
        out.append(
            f"- **{n} nations**: {head}. Of the unproven runs, {join(parts)}; time ran out in {where} "
            f"(later stages did not run); {first_text}."
        )
    verdict = []
    if proven:
        verdict.append(f"proven optimal within the {num(limit, 0)} s limit in every run: {join(proven)} nations")
    if partly:
        verdict.append(f"only sometimes: {join(partly)} nations")
    if never:
        verdict.append(f"never: {join(never)} nations")
    if verdict:
        out.insert(0, "In short, " + "; ".join(verdict) + ".")
        out.insert(1, "")
    out += _contention_and_memory(_solved(solves), config)
    return out


def _reading_explain(explains: list[ExplainEntry], results: Results, config: RunConfig) -> list[str]:
    """What the explanation benchmark's numbers say."""
    out: list[str] = []
    budget = config.get("explain_time_limit_s", EXPLAIN_TIME_LIMIT_S)
    ok_all = _explained(explains)
    for n in _sizes(ok_all):
        ok = [r for r in ok_all if r["nations"] == n]
        isolated = [r for r in ok if r["conflict_size"] > 0]
        found = sum(1 for r in ok if r["expected_found"])
        minimal = sum(1 for r in ok if r["minimal"])
        relaxed = sum(1 for r in ok if r["relaxations"] > 0)
        totals = [r["total_s"] for r in ok]
        detect = max(r["detect_s"] for r in ok)
        if isolated:
            what = (
                f"a conflict was isolated in {len(isolated)} of {len(ok)} runs (the planted one in {found}, "
                f"proven minimal in {minimal})"
            )
        else:
            what = f"no conflict was isolated within the budget in any of {len(ok)} runs"
        explaining = [t - r["detect_s"] for t, r in zip(totals, ok, strict=True)]
        out.append(
            f"- **{n} nations**: infeasibility proven in {num(detect)} s at most; {what}; "
            f"relaxations were found in {relaxed} of {len(ok)}; the whole call took {num(min(totals))} to "
            f"{num(max(totals))} s, of which explaining {num(min(explaining))} to {num(max(explaining))} s "
            f"(explanation budget {num(budget, 0)} s)."
        )
    if ok_all:
        missed = [r for r in ok_all if not r["expected_found"]]
        if missed:
            out.insert(
                0,
                f"In short, the planted conflict was found in {len(ok_all) - len(missed)} of {len(ok_all)} runs; "
                f"missed at {join([str(n) for n in _sizes(missed)])} nations.",
            )
        else:
            out.insert(0, f"In short, the planted conflict was found in all {len(ok_all)} runs.")
        out.insert(1, "")
    out += families.reading_cli(results)
    out += _contention_and_memory(ok_all, config)
    return out


def _workers_text(workers: int | None, results: Results) -> str:
    """The configured worker count, or the solver's default as the solve and explain records used it
    (the default when they were measured, not today's)."""
    if workers is not None:
        return str(workers)
    records = [*results.get("solve", []), *results.get("explain", [])]
    used = sorted({r["workers"] for r in records if "workers" in r})
    return f"{join([str(w) for w in used]) if used else default_workers()} (the solver's default)"


def _contention_and_memory(records: Sequence[SolveRecord | ExplainRecord], config: RunConfig) -> list[str]:
    out = []
    shares = [(share, r) for r in records if (share := r.get("cpu_share")) is not None]
    if shares:
        low = sorted(((s, r) for s, r in shares if s < 0.9 * r.get("workers", 1)), key=lambda pair: pair[0])
        used = sorted({r.get("workers", 1) for _, r in shares})
        text = (
            f"- **Contention**: these runs used {num(min(s for s, _ in shares))} to "
            f"{num(max(s for s, _ in shares))} CPU seconds per second with "
            f"{' or '.join(str(w) for w in used)} worker(s); "
        )
        if low:
            named = [f"{r['kind']} of {r['nations']} nations, seed {r['seed']} ({num(s)})" for s, r in low]
            text += (
                f"{len(low)} instance(s) got less than 0.9 CPU seconds per second per worker, so other work "
                f"shared the machine and their times are inflated: {join(named)}."
            )
        else:
            text += "none competed with other work for the cores."
        out.append(text)
    if records:
        largest = max(records, key=lambda r: r["peak_mib"])
        out.append(
            f"- **Memory**: the largest peak was {num(largest['peak_mib'], 0)} MiB ({largest['kind']}, "
            f"{largest['nations']} nations, seed {largest['seed']})."
        )
    return out


def _load_range(results: Results) -> str:
    """The range of the 1-minute load average measured before each instance."""
    kinds: tuple[RecordKind, ...] = ("solve", "peers", "explain", "workers", "sweep", "profile", "sweep-full")
    loads = [r["load_before"] for kind in kinds for r in results.get(kind, []) if "load_before" in r]
    return f"{min(loads):.2f} to {max(loads):.2f} (1 min)" if loads else "—"


def _entries(results: Results) -> Iterator[tuple[RecordKind, AnyEntry]]:
    """Every record, with the kind of list that holds it, in the order of `RECORD_KINDS`."""
    for kind in RECORD_KINDS:
        for r in results.get(kind, []):
            yield kind, r


def _where(kind: RecordKind, r: AnyEntry) -> str:
    if r["kind"] == "cli":
        return f"cli, {r['command']}"
    if r["kind"] == "load":
        return "load test"
    if r["kind"] == "gaza":
        return f"{kind}, Gaza, {r['executor']}"
    if r["kind"] == "phased":
        return f"phased, {r['scenario']}"
    if r["kind"] == "baseline":
        return f"{kind} baseline, {r['nations']} nations, seed {r['seed']}"
    if r["kind"] == "sweep":
        return (
            f"{kind}, {r['nations']} nations, seed {r['seed']}, N-{1 if r['mode'] == 'n1' else 2} "
            f"{'hinted' if r['hinted'] else 'cold'} on {r['executor']}"
        )
    if r["kind"] == "solve" and "solver" in r:
        return f"{comparison.NAMES.get(r['solver'], r['solver'])}, {r['nations']} nations, seed {r['seed']}"
    where = f"{kind}, {r['nations']} nations, seed {r['seed']}"
    if kind == "workers" and r["kind"] == "solve" and "solver" not in r:
        where += f", {r['workers']} workers"
    return where


def _expected_breaks(kind: RecordKind, r: AnyEntry) -> bool:
    """The greedy's rule breaks are what it is measured for, not bugs."""
    return kind == "peers" and ("solver" not in r or r["solver"] not in comparison.EXACT)


def violations(results: Results) -> list[str]:
    """Every checker violation of an answer that must honour every rule (each one a bug), and every
    disagreement between two proven optima."""
    out = []
    for kind, r in _entries(results):
        if not _expected_breaks(kind, r):
            out += [f"- {_where(kind, r)}: {v}" for v in r.get("violations", [])]
            if "hold_breaches" in r:
                out += [f"- {_where(kind, r)}: HiGHS hold breach: {b}" for b in r["hold_breaches"] or []]
    return out + comparison.discrepancies(results)


def failures(results: Results) -> list[str]:
    out = [f"- {_where(kind, r)}: {r['error']}" for kind, r in _entries(results) if "error" in r]
    out += [f"- load test: {p}" for r in results.get("load", []) if "error" not in r for p in families.load_problems(r)]
    return out


def _runs_table(results: Results) -> list[str]:
    rows = []
    for family in FAMILIES:
        m = results["families"].get(family)
        if m is None:
            continue
        source = m.get("source")
        commit = (source.get("commit") if source else None) or "—"
        if source and source.get("modified_files"):
            commit += f" + {source['modified_files']} modified file(s)"
        minutes = f"{m.get('total_s', 0.0) / 60:.1f}" + (" (solve and explain together)" if m.get("legacy") else "")
        command = f"`{m.get('command', '')}`"
        for again in m.get("resumed", []):
            command += f"; interrupted, resumed {again['date']} with `{again['command']}`"
        machine = m.get("machine")
        rows.append([family, machine.get("date", "—") if machine is not None else "—", minutes, commit, command])
    out = table(["family", "date", "minutes", "source", "command"], rows, [False, False, True, False, False])
    present = [f for f in DEFAULT_FAMILIES if f in results["families"]]
    default = [results["families"][f] for f in present]
    if default and not any(m.get("legacy") for m in default):
        together = sum(m.get("total_s", 0.0) for m in default) / 60
        out.append("")
        if len(present) == len(DEFAULT_FAMILIES):
            out.append(f"The {len(present)} families of `make bench` took {together:.1f} minutes together.")
        else:
            out.append(
                f"Of the {len(DEFAULT_FAMILIES)} families of `make bench`, these results hold {join(present)}: "
                f"{together:.1f} minutes together."
            )
    notes = [
        f"- {family}: {note}"
        for family in FAMILIES
        if (m := results["families"].get(family)) is not None
        for note in m.get("notes", [])
    ]
    return out + (["", *notes] if notes else [])


def _seeds_text(cfg: RunConfig) -> str:
    text = ", ".join(str(s) for s in cfg["seeds"])
    sizes = set(cfg.get("sizes", []))
    at = [(int(n), seeds) for n, seeds in (cfg.get("seeds_at") or {}).items() if int(n) in sizes]
    if at:
        text += " (" + "; ".join(f"{n} nations: {', '.join(str(s) for s in seeds)}" for n, seeds in sorted(at)) + ")"
    return text
