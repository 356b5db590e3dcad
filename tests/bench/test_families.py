"""The scenario families of the tail benchmark (`bench.generator.FAMILIES`): every family's scenarios
are valid, seeded and reproducible, feasible by construction (the witness passes the checker), and
hold the property that defines the family."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import pytest

from bench.generator import COUPLING_KINDS, FAMILIES, Witness, generate, generate_with_witness, summary
from forcepack.models import Measure, RunInfo, Scenario
from forcepack.solver.check import check
from forcepack.solver.document import Package, solution_document

SIZES = (12, 35, 70)
"""The smallest, a middle and the largest size the tail benchmark draws."""


@cache
def _drawn(family: str, nations: int, seed: int = 1) -> tuple[Scenario, Witness]:
    return generate_with_witness(nations, seed, family=family)


def _each(sizes: tuple[int, ...] = SIZES) -> list[tuple[str, int]]:
    return [(f, n) for f in FAMILIES for n in sizes]


def _witness_shares(scenario: Scenario, witness: Witness) -> dict[str, int]:
    """Personnel the witness deploys, by nation."""
    personnel = {f"{o.nation}/{u.id}": u.personnel for o in scenario.offers for u in o.units}
    by_nation: dict[str, int] = {}
    for (unit, _line), count in witness.assignment.items():
        nation = unit.split("/")[0]
        by_nation[nation] = by_nation.get(nation, 0) + count * personnel[unit]
    return by_nation


def test_families_standard_is_the_generator_unchanged() -> None:
    """The standard family is what `generate` always gave: same scenario, same id."""
    assert generate(25, 1, family="standard").sha256() == generate(25, 1).sha256()
    assert generate(25, 1).id == "gen-n025-s1"


@pytest.mark.parametrize(("family", "nations"), _each())
def test_families_are_seeded_and_reproducible(family: str, nations: int) -> None:
    """The same family, size and seed give the same scenario; another seed or family another one."""
    first = generate(nations, 1, family=family)
    assert first.sha256() == _drawn(family, nations)[0].sha256()
    assert generate(nations, 2, family=family).sha256() != first.sha256()
    if family != "standard":
        assert first.sha256() != generate(nations, 1).sha256()
        assert family in first.id


@pytest.mark.parametrize(("family", "nations"), _each())
def test_families_witness_passes_the_checker(family: str, nations: int) -> None:
    """Each family's scenario is valid and feasible by construction: its witness honours every rule."""
    scenario, witness = _drawn(family, nations)
    assert len(scenario.nations) == nations
    run = RunInfo(solver="witness", solver_version="-", workers=1, seed=0, time_limit_s=1.0, wall_s=0.0)
    document = solution_document(scenario, Package.of(witness.assignment, witness.flows), status="feasible", run=run)
    assert check(scenario, document) == []


@pytest.mark.parametrize("nations", SIZES)
def test_families_many_lines_has_many_lines_per_nation(nations: int) -> None:
    """`many-lines`: at least four requirement lines per nation, one unit's worth each, and about twice the
    unit lines per troop contributor of the standard family."""
    scenario, _ = _drawn("many-lines", nations)
    standard, _ = _drawn("standard", nations)
    sizes, base = summary(scenario), summary(standard)
    assert sizes["requirement_lines"] >= 4 * nations
    assert sizes["unit_lines"] >= 1.4 * base["unit_lines"]
    assert all(r.quantity == 1 for r in scenario.requirements if r.measure == Measure.UNITS)


@pytest.mark.parametrize("nations", SIZES)
def test_families_heavy_caveats_most_nations_hold_three_coupling_red_lines(nations: int) -> None:
    """`heavy-caveats`: most troop contributors hold 3+ red lines of the coupling kinds."""
    scenario, _ = _drawn("heavy-caveats", nations)
    troops = [o for o in scenario.offers if o.units]
    heavy = [o for o in troops if sum(r.kind in COUPLING_KINDS for r in o.red_lines) >= 3]
    assert len(heavy) > len(troops) / 2
    standard = [o for o in _drawn("standard", nations)[0].offers if o.units]
    assert sum(sum(r.kind in COUPLING_KINDS for r in o.red_lines) >= 3 for o in standard) < len(heavy)


@pytest.mark.parametrize("nations", SIZES)
def test_families_tight_funding_earmarks_and_partial_coverage(nations: int) -> None:
    """`tight-funding`: funding_coverage below 1, most pledges earmarked, and all the money without an
    earmark at most 15 % above the witness's pooled cost (plus rounding to whole millions), where the
    standard family pledges several times the need: money binds."""
    scenario, witness = _drawn("tight-funding", nations)
    coverage = scenario.targets.funding_coverage
    assert coverage is not None and coverage < 1
    pledges = [p for o in scenario.offers for p in o.funding]
    assert sum(1 for p in pledges if p.earmark) > len(pledges) / 2
    run = RunInfo(solver="witness", solver_version="-", workers=1, seed=0, time_limit_s=1.0, wall_s=0.0)
    document = solution_document(scenario, Package.of(witness.assignment, witness.flows), status="feasible", run=run)
    free = sum(p.amount_usd for p in pledges if not p.earmark)
    # Scaled to 1.05-1.15 x coverage x the witness's pooled cost, each pledge rounded up to a million.
    assert free <= Fraction(115, 100) * document.funding.pooled_cost_usd + 1_000_000 * len(pledges)


@pytest.mark.parametrize("nations", SIZES)
def test_families_partial_personnel_most_lines_count_personnel(nations: int) -> None:
    """`partial-personnel`: most lines count personnel, and many ask for less than a whole unit's
    multiple (a partial fill: no count of the fitting units' size meets them exactly)."""
    scenario, _ = _drawn("partial-personnel", nations)
    lines = scenario.requirements
    personnel = [r for r in lines if r.measure == Measure.PERSONNEL]
    assert len(personnel) >= 0.6 * len(lines)
    sizes = {u.capability: u.personnel for o in scenario.offers for u in o.units}
    partial = [r for r in personnel if r.capability in sizes and r.quantity % sizes[r.capability] != 0]
    assert len(partial) >= len(personnel) / 2


@pytest.mark.parametrize("nations", SIZES)
def test_families_tight_targets_sit_at_the_witness(nations: int) -> None:
    """`tight-targets`: the largest share allowed is within 0.02 of the witness's, and `min_nations`
    and every group minimum equal what the witness reaches."""
    scenario, witness = _drawn("tight-targets", nations)
    deployed = _witness_shares(scenario, witness)
    total = sum(deployed.values())
    share = Fraction(max(deployed.values()), total)
    limit = scenario.targets.max_nation_share
    assert limit is not None and share <= Fraction(str(limit)) <= share + Fraction(2, 100)
    contributing = {n for n, p in deployed.items() if p > 0}
    assert scenario.targets.min_nations == len(contributing)
    groups = {n.code: n.groups for n in scenario.nations}
    for group, least in (scenario.targets.group_minimums or {}).items():
        assert least == sum(1 for n in contributing if group in groups[n])
