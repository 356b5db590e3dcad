"""The time-phases benchmark family (`bench.phased`): its place in the harness (configuration, quick run,
`--only`), a run of the family on the phased example, and its section, whose reading judges the issue's
targets from the records alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from bench import harness, report
from bench.phased import plan, render_phased
from bench.records import DEFAULT_FAMILIES, Config, PhasedRecord, load, record_key
from forcepack.solver.params import default_workers

GAZA = "examples/gaza-phased.yaml"


def _config(**phased: Any) -> Config:
    """A configuration that runs the time-phases family only."""
    return Config(
        sizes=(12,),
        seeds=(1,),
        time_limit_s=5.0,
        explain_sizes=(),
        workers=None,
        command="test",
        results="-",
        families=("phased",),
        **phased,
    )


def _record(scenario: str, *, status: str = "optimal", first: float | None = 1.0, **fields: Any) -> dict[str, Any]:
    """A phased record as `bench.phased.measure` writes it."""
    record: dict[str, Any] = {
        "kind": "phased",
        "scenario": scenario,
        "file": None,
        "nations": None,
        "seed": None,
        "sectors": 5,
        "buckets": 96,
        "lines": 40,
        "unit_lines": 60,
        "time_limit_s": 60.0,
        "workers": 1,
        "model": {"variables": 900, "tour_variables": 300, "constraints": 1000, "nonzeros": 5000, "build_s": 0.5},
        "tours": 20,
        "status": status,
        "gap": 0.0,
        "first_package_s": first,
        "wall_s": 2.0,
        "objective": [{"criterion": "shortfall", "value": 1.5, "bound": 1.5}],
        "violations": [],
        "check_s": 0.1,
        "peak_mib": 300.0,
        "load_before": 0.5,
    }
    record.update(fields)
    return record


def _meta() -> dict[str, Any]:
    return {"config": _config().to_dict("phased"), "command": "python -m bench --only phased", "total_s": 420.0}


def test_phased_family_runs_by_default_and_alone_with_only() -> None:
    """`make bench` runs it; `--only phased` runs it alone with its defaults: the example, then 25 and 70
    nations for three seeds, 60 s, the solver's default workers for a phased scenario."""
    assert "phased" in DEFAULT_FAMILIES
    config = harness._config(harness._parser().parse_args(["--only", "phased"]), ["--only", "phased"], Path("-"))
    assert config.families == ("phased",)
    assert (config.phased_files, config.phased_sizes, config.phased_seeds) == ((GAZA,), (25, 70), (1, 2, 3))
    assert (config.phased_time_limit_s, config.phased_workers, config.phased_sectors) == (60.0, None, 5)
    assert config.to_dict("phased")["phased_time_limit_s"] == 60.0


def test_phased_quick_run_is_the_example_and_the_smallest_scenario_in_10_s() -> None:
    """`--quick` keeps the example and the generated 25-nation scenario of seed 1, 10 s each."""
    args = harness._parser().parse_args(["--quick", "--only", "phased"])
    config = harness._config(args, ["--quick"], Path("-"))
    assert plan(config) == [(GAZA, None, None), (None, 25, 1)]
    assert config.phased_time_limit_s == 10.0


def test_phased_plan_runs_the_examples_then_for_each_seed_every_size() -> None:
    """The order is interleaved, as the other families': drift of the machine hits every size alike."""
    config = _config(phased_sizes=(25, 70), phased_seeds=(1, 2))
    assert plan(config) == [(GAZA, None, None), (None, 25, 1), (None, 70, 1), (None, 25, 2), (None, 70, 2)]
    keys = [record_key("phased", {"file": f, "nations": n, "seed": s}) for f, n, s in plan(config)]
    assert len(set(keys)) == len(keys)


def test_phased_run_measures_the_example_in_a_process_and_renders_it(tmp_path: Path) -> None:
    """The harness runs the family alone on the example, 3 s: a record of its kind with the model's size
    and a plan the checker accepts, saved with the family's configuration; the document holds the
    section with its row and the targets' reading; resuming keeps the record and runs nothing."""
    config = _config(phased_sizes=(), phased_seeds=(), phased_time_limit_s=3.0)
    lines: list[str] = []
    results = harness.run(config, tmp_path / "results.json", echo=lines.append)
    [record] = results["phased"]
    assert "error" not in record, record
    TypeAdapter(PhasedRecord).validate_python(record, strict=False)
    assert (record["scenario"], record["file"], record["buckets"]) == ("gaza-phased", GAZA, 96)
    assert record["model"]["tour_variables"] > 0 and record["model"]["nonzeros"] > record["model"]["constraints"]
    assert record["status"] in ("optimal", "feasible") and record["tours"] > 0 and record["violations"] == []
    assert record["workers"] == default_workers()  # the solver's default, as the document reports it
    assert results["families"]["phased"]["config"]["phased_time_limit_s"] == 3.0
    text = report.render(load(tmp_path / "results.json"))
    assert "## Time phases" in text and "| gaza-phased | — | 96 | 15 | 22 |" in text
    assert "The phased Gaza example proven optimal" in text and "not measured in these records" in text
    resumed = _config(phased_sizes=(), phased_seeds=(), phased_time_limit_s=3.0, resume=True)
    again = harness.run(resumed, tmp_path / "results.json", echo=lines.append, previous=load(tmp_path / "results.json"))
    assert again["phased"] == [record] and any(line.endswith("kept from the interrupted run") for line in lines)


def test_phased_reading_judges_the_targets_from_the_records() -> None:
    """Gaza proven in 4 s meets its target; 70 nations with a first plan after 12 s in one run of two
    does not meet its own, and the gap of each run at the limit is stated."""
    records = [
        _record("gaza-phased", file=GAZA, wall_s=4.0),
        _record("phased-70-1", nations=70, seed=1, status="feasible", first=3.0, gap=0.0123, wall_s=60.1),
        _record("phased-70-2", nations=70, seed=2, status="feasible", first=12.0, gap=0.05, wall_s=60.2),
    ]
    text = "\n".join(render_phased({"phased": records}, _meta()))  # type: ignore[typeddict-item]
    assert "in under 10 s**: met, proven optimal in 4.00 s (first plan after 1.00 s)." in text
    assert "(5 sectors and 96 weekly buckets)" in text
    assert "not met, a first plan in under 10 s in 1 of 2 runs (median 7.50 s, max 12.00 s)" in text
    assert "no violation in the 3 answers checked (3 with a plan)" in text and "No plan within" not in text
    assert "seed 1: gap 1.23 % at the 60 s limit and seed 2: gap 5.00 % at the 60 s limit" in text
    assert "| 70 nations | 2 | 7.50 | 12.00 | 0 | 0.0312 | 0.0500 |" in text
    records[0].update(status="feasible", gap=0.2, wall_s=60.0)
    text = "\n".join(render_phased({"phased": records}, _meta()))  # type: ignore[typeddict-item]
    assert "in under 10 s**: not met, 20.00 % from the bound when the 60 s limit stopped it" in text
    records[0].update(gap=0.005)
    text = "\n".join(render_phased({"phased": records}, _meta()))  # type: ignore[typeddict-item]
    assert "not established, within 0.50 % of the bound at the 60 s limit" in text
    records[2].update(status="unknown", first_package_s=None, gap=0.0)
    records.append(_record("phased-25-3", nations=25, seed=3, status="infeasible", first=None, wall_s=2.5))
    text = "\n".join(render_phased({"phased": records}, _meta()))  # type: ignore[typeddict-item]
    assert "in 1 of 2 runs (median not reached, max not reached); seed 1: gap 1.23 % at the 60 s limit and " in text
    assert "seed 2: no plan within the 60 s limit." in text
    assert "- **No plan within the limit**: phased-70-2." in text
    assert "- **Proven infeasible**: phased-25-3 (in 2.50 s);" in text


def test_phased_failure_and_violation_are_loud() -> None:
    """A failed scenario has a row saying why and is a failure of the run; a violation is listed."""
    failed = {
        "kind": "phased",
        "scenario": "phased-70-1",
        "file": None,
        "nations": 70,
        "seed": 1,
        "error": "no answer after 360 s (process killed)",
        "violations": [],
    }
    broken = _record("gaza-phased", file=GAZA, violations=["[capacity] too many"])
    results: dict[str, Any] = {"phased": [broken, failed], "families": {"phased": _meta()}}
    text = "\n".join(render_phased(results, _meta()))
    assert "**failed**: no answer after 360 s (process killed)" in text
    assert "**1 violation(s), each one a bug**" in text
    assert report.failures(results) == ["- phased, phased-70-1: no answer after 360 s (process killed)"]
    assert report.violations(results) == ["- phased, gaza-phased: [capacity] too many"]
