"""The benchmark's scenario generator: deterministic, valid at every size, feasible by construction."""

from __future__ import annotations

import json
from functools import cache

import pytest

from bench.generator import (
    MIN_NATIONS,
    PLANTED_CAPABILITY,
    generate,
    generate_with_witness,
    main,
    sector_count,
    summary,
)
from forcepack.models import AllowedControl, Priority, Readiness, Scenario, parse_scenario, scenario_from_text

SIZES = (25, 70, 200, 500)


@cache
def _generated(nations: int, seed: int = 1, infeasible: bool = False) -> Scenario:
    return generate(nations, seed, infeasible=infeasible)


def test_generate_same_seed_same_sha256() -> None:
    """Two runs with the same size and seed give the same scenario, byte for byte."""
    first = generate(70, 7)
    second = generate(70, 7)
    assert first.sha256() == second.sha256()
    assert first.model_dump_json(by_alias=True) == second.model_dump_json(by_alias=True)


def test_generate_different_seeds_differ() -> None:
    """Different seeds give different scenarios of the same size."""
    hashes = {generate(25, seed).sha256() for seed in range(1, 6)}
    assert len(hashes) == 5


@pytest.mark.parametrize("nations", SIZES)
def test_generate_sizes_are_valid_with_the_requested_nations(nations: int) -> None:
    """Every benchmark size validates, has the requested nations, one offer each, and survives a JSON round trip."""
    scenario = _generated(nations)
    assert len(scenario.nations) == nations
    assert sorted(o.nation for o in scenario.offers) == sorted(n.code for n in scenario.nations)
    assert len(scenario.sectors) == sector_count(nations)
    assert {s.control for s in scenario.sectors} == {"secure", "contested", "hostile"}
    sizes = summary(scenario)
    assert 0.25 <= sizes["essential_lines"] / sizes["requirement_lines"] <= 0.45
    assert sizes["offered_units"] > 0 and sizes["pledges"] > 0
    again = parse_scenario(json.loads(scenario.model_dump_json(by_alias=True, exclude_none=True)))
    assert again.sha256() == scenario.sha256()


def test_sector_count_grows_mildly_with_size() -> None:
    """Sectors go from 6 at 25 nations to 20 at 500, never down as the coalition grows."""
    counts = [sector_count(n) for n in SIZES]
    assert counts[0] == 6 and counts[-1] == 20
    assert counts == sorted(counts)


@pytest.mark.parametrize("nations", SIZES)
def test_generate_essential_lines_have_a_matching_offer(nations: int) -> None:
    """Every essential line has an offered unit of its capability, available in its window and ready enough."""
    scenario = _generated(nations)
    units = [u for o in scenario.offers for u in o.units]
    for line in scenario.requirements:
        if line.priority != Priority.ESSENTIAL:
            continue
        start, until = scenario.window_of(line)
        matching = [
            u
            for u in units
            if u.capability == line.capability
            and scenario.availability_of(u)[0] <= start
            and scenario.availability_of(u)[1] >= until
            and (line.min_readiness is None or u.readiness.rank >= Readiness(line.min_readiness).rank)
        ]
        assert matching, f"essential line {line.id} has no matching offered unit"


@pytest.mark.parametrize("nations", (25, 70, 200))
def test_generate_witness_passes_the_checker(nations: int) -> None:
    """The package built alongside the scenario honours every rule: the scenario is feasible."""
    from forcepack.models import RunInfo
    from forcepack.solver.check import check
    from forcepack.solver.document import Package, solution_document

    scenario, witness = generate_with_witness(nations, 1)
    assert witness.assignment
    run = RunInfo(solver="witness", solver_version="-", workers=1, seed=0, time_limit_s=1.0, wall_s=0.0)
    document = solution_document(scenario, Package.of(witness.assignment, witness.flows), status="feasible", run=run)
    assert check(scenario, document) == []


def test_generate_infeasible_variant_plants_one_conflict() -> None:
    """The infeasible variant differs from the feasible one only by a planted line no allowed unit can fill."""
    feasible = _generated(70)
    infeasible = _generated(70, infeasible=True)
    assert infeasible.sha256() != feasible.sha256()
    assert infeasible.id == f"{feasible.id}-infeasible"
    assert infeasible.expect is not None and infeasible.expect.status == "infeasible"
    line_id, red_line_id = infeasible.expect.conflict or []

    line = infeasible.requirement_by_id[line_id]
    assert line.capability == PLANTED_CAPABILITY and line.priority == Priority.ESSENTIAL
    providers = [o for o in infeasible.offers if any(u.capability == PLANTED_CAPABILITY for u in o.units)]
    assert len(providers) == 1
    red_line = next(r for r in providers[0].red_lines if r.id == red_line_id)
    assert isinstance(red_line, AllowedControl)
    assert infeasible.sector_by_id[line.sector].control not in red_line.statuses

    # otherwise the same scenario
    assert [r for r in infeasible.requirements if r.id != line_id] == feasible.requirements
    assert infeasible.nations == feasible.nations and infeasible.targets == feasible.targets
    for before, after in zip(feasible.offers, infeasible.offers, strict=True):
        assert [u for u in after.units if u.capability != PLANTED_CAPABILITY] == before.units
        assert after.funding == before.funding


def test_generate_500_nations_is_fast() -> None:
    """A 500-nation scenario generates in well under a second (kept as a quick test, no timing asserted)."""
    scenario = generate(500, 2)
    assert len(scenario.nations) == 500


def test_generate_rejects_too_few_nations() -> None:
    """Fewer nations than the generator can shape into a coalition is an error that says what was expected."""
    with pytest.raises(ValueError, match=f"Expected nations >= {MIN_NATIONS}"):
        generate(MIN_NATIONS - 1, 1)


def test_generator_main_writes_the_scenario_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m bench.generator --nations 25 --seed 1` writes the same scenario as `generate(25, 1)`."""
    assert main(["--nations", "25", "--seed", "1"]) == 0
    written = scenario_from_text(capsys.readouterr().out, "stdout", as_json=True)
    assert written.sha256() == _generated(25).sha256()
