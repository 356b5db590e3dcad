"""What-if, criticality, resilience and alternatives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, note
from hypothesis import strategies as st

from forcepack.models import MAXIMISED, Scenario, load_scenario, parse_scenario
from forcepack.models.patch import Patch, PatchError, SetControl, SetMandate, apply_patch, load_patch
from forcepack.solver import SolveParams, solve
from forcepack.solver.alternatives import alternatives, placements
from forcepack.solver.check import check
from forcepack.solver.resilience import resilient
from forcepack.solver.sweep import criticality, executor_for
from forcepack.solver.whatif import what_if
from tests.brute_resilience import brute_force_resilient, brute_most_resilient, small_enough
from tests.strategies import small_scenarios, tiny_scenarios

PARAMS = SolveParams(time_limit_s=20, workers=1, seed=0, deterministic=True)
GAZA = "examples/gaza-isf.yaml"


# -- patches -------------------------------------------------------------------------------------


def test_patch_unknown_names_are_refused_with_their_path() -> None:
    """A patch naming a nation, sector or veto the scenario lacks is refused, every problem listed."""
    scenario = load_scenario("examples/tutorial.yaml")
    patch = Patch(
        ops=[
            {"op": "withdraw", "nations": ["IDN", "XXX"]},  # type: ignore[list-item]
            SetControl(op="set_control", sector="gaza-city", control="secure"),
            {"op": "drop_veto", "id": "no-such-veto"},  # type: ignore[list-item]
        ]
    )
    with pytest.raises(PatchError) as info:
        from forcepack.models.patch import apply_patch

        apply_patch(scenario, patch)
    problems = "\n".join(info.value.problems)
    assert "ops[0].nations[1]: nation `XXX`" in problems
    assert "ops[1].sector: sector `gaza-city`" in problems
    assert "ops[2].id: veto `no-such-veto`" in problems


def test_patch_round_trips_and_composes() -> None:
    """A patch serialises to JSON and YAML and back unchanged; `then` concatenates operations."""
    first = Patch.withdraw("AZE")
    second = Patch(ops=[SetMandate(op="set_mandate", conditions={"full_cessation_of_hostilities": True})])
    both = first.then(second)
    assert [op.op for op in both.ops] == ["withdraw", "set_mandate"]
    assert load_patch(both.to_json()) == both
    yaml_text = "ops:\n  - {op: withdraw, nations: [AZE]}\n  - {op: set_mandate, conditions: {x: true}}\n"
    assert [op.op for op in load_patch(yaml_text).ops] == ["withdraw", "set_mandate"]
    with pytest.raises(PatchError, match="ops\\[0\\]"):
        load_patch("ops: [{op: explode}]")


def test_what_if_empty_patch_gives_empty_diff() -> None:
    """A patch that changes nothing gives the same package and an empty diff."""
    result = what_if(load_scenario(GAZA), Patch(), params=PARAMS)
    assert result.diff is not None and result.diff.is_empty()
    assert result.diff.churn == 0
    assert "does not change" in result.summary


def test_what_if_that_adds_an_unfillable_line_says_so() -> None:
    """A line added for a capability nobody offers is told as a new line left unfilled, its figures
    before the change null (it did not exist), never a shortfall "before" it was asked for."""
    scenario = load_scenario("examples/tutorial.yaml")
    line = {
        "id": "rafah-rapid-inf",
        "sector": "rafah",
        "capability": "infantry",
        "quantity": 3,
        "measure": "units",
        "priority": "desirable",
        "engagement": 0,
        "min_readiness": "rapid",
    }
    patch = Patch.model_validate({"ops": [{"op": "add_requirement", "requirement": line}]})
    result = what_if(scenario, patch, params=PARAMS)
    assert result.diff is not None
    (row,) = [c for c in result.diff.coverage if c.requirement == "rafah-rapid-inf"]
    assert row.line == "added" and row.provided_before is None and row.shortfall_before is None
    assert row.provided_after == 0 and row.shortfall_after == 3 and row.lost
    assert "new line rafah-rapid-inf left unfilled (short 3)" in result.summary
    assert "does not change" not in result.summary


def test_what_if_that_drops_a_line_lists_it_as_dropped() -> None:
    """A dropped line appears once, as dropped, with its figures after the change null."""
    scenario = load_scenario(GAZA)
    patch = Patch.model_validate({"ops": [{"op": "drop_requirement", "requirement": "cmcc-civmil"}]})
    result = what_if(scenario, patch, params=PARAMS)
    assert result.diff is not None
    rows = [c for c in result.diff.coverage if c.requirement == "cmcc-civmil"]
    assert len(rows) == 1 and rows[0].line == "dropped"
    assert rows[0].provided_after is None and rows[0].shortfall_after is None and not rows[0].lost
    assert "no longer required: cmcc-civmil" in result.summary


def test_what_if_where_only_the_money_drawn_changes_is_not_called_unchanged() -> None:
    """The same units in the same places, but another nation's pledge drawn: the diff is not empty,
    and the summary names the money and the nation that no longer takes part."""
    from forcepack.solver.diff import package_diff
    from forcepack.solver.whatif import summarise

    scenario = load_scenario(GAZA)
    baseline = solve(scenario, PARAMS)
    drawn = [n for n in baseline.nations if n.funding_used_usd and not n.units]
    payer = [n for n in baseline.nations if not n.funding_used_usd and n.units]
    assert drawn and payer, "the example has a nation taking part with money only, and one with units only"
    moved = drawn[0].funding_used_usd
    nations = [
        n.model_copy(update={"funding_used_usd": 0})
        if n.nation == drawn[0].nation
        else n.model_copy(update={"funding_used_usd": moved})
        if n.nation == payer[0].nation
        else n
        for n in baseline.nations
    ]
    after = baseline.model_copy(update={"nations": nations})
    diff = package_diff(baseline, after, scenario)
    assert not diff.is_empty() and not diff.added and not diff.removed
    assert {f.nation for f in diff.funding} == {drawn[0].nation, payer[0].nation}
    assert diff.participating_in == [] and diff.participating_out == [drawn[0].nation]
    summary = summarise(Patch(), baseline, after, diff)
    assert "does not change" not in summary
    assert "the same units in the same places" in summary
    assert f"no longer taking part: {drawn[0].nation}" in summary
    assert "pledged money drawn changes" in summary


def test_what_if_mandate_change_brings_a_nation_in() -> None:
    """A full cessation of hostilities lets Azerbaijan take part: its units may now appear."""
    scenario = load_scenario(GAZA)
    patch = Patch(ops=[SetMandate(op="set_mandate", conditions={"full_cessation_of_hostilities": True})])
    result = what_if(scenario, patch, params=PARAMS)
    assert result.patched.status == "optimal"
    assert result.diff is not None
    base_short = result.baseline.objective_value("shortfall")
    new_short = result.patched.objective_value("shortfall")
    assert base_short is not None and new_short is not None and new_short <= base_short


def test_what_if_infeasible_withdrawal_is_explained() -> None:
    """Indonesia alone fills Rafah's infantry: its withdrawal leaves no package, and says why."""
    result = what_if(load_scenario(GAZA), Patch.withdraw("IDN"), params=PARAMS)
    assert result.patched.status == "infeasible"
    assert result.patched.explanation is not None
    assert "rafah-inf" in result.summary
    assert result.diff is None


@given(small_scenarios(), st.data())
def test_what_if_withdrawn_nation_never_appears_and_repair_churns_less(scenario: Scenario, data: st.DataObject) -> None:
    """A withdrawn nation has no unit, money or row; repair's churn is never above resolve's."""
    participants = [o.nation for o in scenario.offers]
    assume(participants)
    gone = data.draw(st.sampled_from(participants))
    baseline = solve(scenario, PARAMS)
    assume(baseline.has_package)
    resolved = what_if(scenario, Patch.withdraw(gone), mode="resolve", params=PARAMS, baseline=baseline)
    repaired = what_if(scenario, Patch.withdraw(gone), mode="repair", params=PARAMS, baseline=baseline)
    for result in (resolved, repaired):
        assert all(a.nation != gone for a in result.patched.assignments)
        assert all(f.nation != gone for f in result.patched.funding.flows)
        assert all(n.nation != gone for n in result.patched.nations)
    assert resolved.patched.status == repaired.patched.status
    if resolved.diff is not None and repaired.diff is not None:
        note(f"churn resolve {resolved.diff.churn}, repair {repaired.diff.churn}")
        assert repaired.diff.churn <= resolved.diff.churn
        assert repaired.patched.objective[0].criterion == "churn"
        assert repaired.patched.objective[0].value == repaired.diff.churn


# -- criticality ---------------------------------------------------------------------------------


@given(small_scenarios())
def test_criticality_agrees_with_plain_resolves(scenario: Scenario) -> None:
    """Each row of N-1 criticality equals a plain re-solve of the scenario without that nation."""
    result = criticality(scenario, PARAMS)
    assume(result.baseline.has_package)
    assert {tuple(w.nations) for w in result.withdrawals} == {(n.nation,) for n in result.baseline.nations}
    for row in result.withdrawals:
        from forcepack.models.patch import apply_patch

        alone = solve(apply_patch(scenario, Patch.withdraw(*row.nations)), PARAMS, explain=False)
        assert row.feasible == alone.has_package
        if row.feasible:
            assert row.objective == pytest.approx([o.value for o in alone.objective], rel=1e-6, abs=1e-6)
    keys = [(not w.feasible, len(w.essential_lines_lost)) for w in result.withdrawals]
    assert keys == sorted(keys, reverse=True)


def test_criticality_gaza_ranks_single_points_of_failure_first() -> None:
    """On the Gaza example Indonesia's withdrawal loses Rafah's infantry and ranks among the first."""
    result = criticality(load_scenario(GAZA), PARAMS)
    infeasible = [w for w in result.withdrawals if not w.feasible]
    assert any(w.nations == ["IDN"] and "rafah-inf" in w.essential_lines_lost for w in infeasible)
    assert all(not w.feasible for w in result.withdrawals[: len(infeasible)])


@pytest.mark.slow
def test_criticality_pairs_same_on_process_pool_and_dask() -> None:
    """The same N-2 sweep gives identical rows on a local process pool and a dask LocalCluster."""
    from distributed import LocalCluster

    scenario = load_scenario("examples/tutorial.yaml")
    with executor_for(workers=2) as pool:
        local = criticality(scenario, PARAMS, pairs=True, executor=pool)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, executor_for(cluster.scheduler_address) as dask_pool:
        remote = criticality(scenario, PARAMS, pairs=True, executor=dask_pool)

    def rows(result: object) -> list[dict[str, object]]:
        # (the seconds each took, the re-solve's own included, differ from run to run)
        return [
            w.model_dump(exclude={"wall_s": True, "package": {"run": True}})
            for w in result.withdrawals  # type: ignore[attr-defined]
        ]

    assert rows(local) == rows(remote)
    assert any(len(w.nations) == 2 for w in local.withdrawals)


def test_criticality_on_a_pool_runs_each_re_solve_on_one_worker_unless_told() -> None:
    """A pool's processes (one per core) are a sweep's parallelism: each re-solve there searches on
    one worker by default, on the workers asked for when asked, and in this process on the default."""
    from forcepack.solver.params import default_workers

    scenario = load_scenario("examples/tutorial.yaml")
    baseline = solve(scenario, PARAMS)
    default = SolveParams(time_limit_s=20)
    with executor_for(workers=2) as pool:
        pooled = criticality(scenario, default, baseline=baseline, executor=pool)
        told = criticality(scenario, SolveParams(time_limit_s=20, workers=2), baseline=baseline, executor=pool)
    here = criticality(scenario, default, baseline=baseline)
    for result, workers in ((pooled, 1), (told, 2), (here, default_workers())):
        used = {w.package.run.workers for w in result.withdrawals if w.package is not None}
        assert used == {workers}, (result, workers)


def test_criticality_cancel_event_stays_in_this_process() -> None:
    """A cancel event (which cannot travel to other processes) is kept from a process pool's variants, and an
    event set before the sweep stops a sweep run in this process before any re-solve finishes deciding."""
    import threading

    scenario = load_scenario("examples/tutorial.yaml")
    baseline = solve(scenario, PARAMS)
    with executor_for(workers=1) as pool:
        pooled = criticality(scenario, PARAMS, baseline=baseline, executor=pool, cancel=threading.Event())
    plain = criticality(scenario, PARAMS, baseline=baseline)
    seconds: Any = {"wall_s": True, "package": {"run": True}}  # (what each took differs from run to run)
    assert [w.model_dump(exclude=seconds) for w in pooled.withdrawals] == [
        w.model_dump(exclude=seconds) for w in plain.withdrawals
    ]
    stopped = threading.Event()
    stopped.set()
    assert criticality(scenario, PARAMS, baseline=baseline, cancel=stopped).withdrawals == []


# -- resilience ------------------------------------------------------------------------------------


def _fallbacks_hold(scenario: Scenario, result: object) -> None:
    from forcepack.models.analysis import Resilient
    from forcepack.models.patch import apply_patch

    assert isinstance(result, Resilient)
    participants = {n.nation for n in result.package.nations}
    assert {f.nation for f in result.fallbacks} | {f.nation for f in result.fatal} == participants
    assert not {f.nation for f in result.fallbacks} & {f.nation for f in result.fatal}
    for fallback in result.fallbacks:
        without = apply_patch(scenario, Patch.withdraw(fallback.nation))
        assert fallback.package.has_package
        assert check(without, fallback.package) == []
        kept = {(a.unit, a.requirement): a.units for a in result.package.assignments if a.nation != fallback.nation}
        new = {(a.unit, a.requirement): a.units for a in fallback.package.assignments}
        assert all(new.get(p, 0) >= v for p, v in kept.items())


@given(tiny_scenarios())
def test_resilience_agrees_with_brute_force(scenario: Scenario) -> None:
    """On tiny scenarios the package survives every withdrawal exactly when brute force finds one
    that does, with the same objective; every fallback passes the checker without its nation and
    keeps the others' placements."""
    assume(small_enough(scenario, 300))
    expected = brute_force_resilient(scenario)
    result = resilient(scenario, PARAMS)
    assert (result.package.has_package and not result.fatal) == (expected.status == "optimal")
    if expected.status == "optimal":
        assert check(scenario, result.package) == []
        got = tuple(o.value for o in result.package.objective)
        assert got == pytest.approx(expected.objective, rel=1e-6, abs=1e-6)
    if result.package.has_package:
        _fallbacks_hold(scenario, result)


@given(tiny_scenarios())
def test_resilience_survives_the_most_withdrawals(scenario: Scenario) -> None:
    """When no package survives them all, the one answered fails the fewest withdrawals any package
    can (the exhaustive search's count), with the best objective among those; each fatal
    withdrawal has its reason."""
    assume(small_enough(scenario, 300))
    note(scenario.canonical_json())
    expected = brute_most_resilient(scenario)
    result = resilient(scenario, PARAMS)
    if expected is None:
        assert not result.package.has_package
        return
    fewest, objective = expected
    assert result.most_proven
    assert len(result.fatal) == fewest
    assert tuple(o.value for o in result.package.objective) == pytest.approx(objective, rel=1e-6, abs=1e-6)
    assert all(f.reason for f in result.fatal)
    if result.fatal:
        assert result.summary.startswith("No package survives every single withdrawal")


def test_resilience_costs_more_or_the_same() -> None:
    """Resilience is never better than the plain optimum on the first criterion."""
    scenario = load_scenario("tests/data/good/small.yaml")
    result = resilient(scenario, PARAMS)
    if result.package.has_package:
        first = result.cost_of_resilience[0]
        assert first.delta <= 1e-9 if first.criterion in MAXIMISED else first.delta >= -1e-9
        _fallbacks_hold(scenario, result)


# -- alternatives ----------------------------------------------------------------------------------


@given(small_scenarios(), st.integers(1, 3), st.sampled_from([0.0, 0.1, 0.5]))
def test_alternatives_respect_tolerance_and_difference(scenario: Scenario, d: int, tolerance: float) -> None:
    """Every alternative passes the checker, stays within the tolerance on every criterion and
    differs from every other in at least d nation-sector placements."""
    result = alternatives(scenario, 3, tolerance=tolerance, min_difference=d, params=PARAMS)
    best = result.packages[0]
    assume(best.has_package)
    for package in result.packages:
        assert check(scenario, package) == []
        for mine, top in zip(package.objective, best.objective, strict=True):
            slack = tolerance * abs(top.value) + 1e-6
            if mine.criterion in MAXIMISED:
                assert mine.value >= top.value - slack - 1e-6 * abs(top.value)
            else:
                assert mine.value <= top.value + slack + 1e-6 * abs(top.value)
    sets = [placements(p) for p in result.packages]
    for i, a in enumerate(sets):
        for j, b in enumerate(sets):
            if i != j:
                assert len(a ^ b) >= d
                assert result.differences[i][j] == len(a ^ b)


def test_patch_field_problems_do_not_hide_reference_problems() -> None:
    """Loaded with its scenario, a patch whose operations fail their fields still has the names the
    others give checked, in one run, in the order of the document; a name that a failing operation
    defines (the line it adds) is not called unknown."""
    scenario = load_scenario("examples/tutorial.yaml")
    text = """ops:
  - {op: withdraw, nations: [IDX]}
  - {op: set_quantity, requirement: rafah-eng, quantity: -3}
  - {op: set_control, sector: rafha, control: secure}
  - {op: add_requirement, requirement: {id: new-line, sector: rafah, capability: engineer, quantity: 0}}
  - {op: set_priority, requirement: new-line, priority: desirable}
"""
    with pytest.raises(PatchError) as info:
        load_patch(text, "more.yaml", scenario)
    assert info.value.source == "more.yaml"
    assert [p.split(":")[0] for p in info.value.problems] == [
        "ops[0].nations[0]",
        "ops[1].quantity",
        "ops[2].sector",
        "ops[3].requirement.quantity",
    ]
    assert "did you mean `IDN`" in info.value.problems[0]
    assert "did you mean `rafah`" in info.value.problems[2]
    # Without the scenario only the fields are checked, as before; with it a valid patch's
    # references are checked under the file's name.
    with pytest.raises(PatchError) as fields_only:
        load_patch(text, "more.yaml")
    assert len(fields_only.value.problems) == 2
    with pytest.raises(PatchError, match=r"^more\.yaml: the patch does not apply"):
        load_patch("ops: [{op: withdraw, nations: [IDX]}]", "more.yaml", scenario)


def test_patch_every_operation_is_checked_as_written() -> None:
    """An operation that fails a field still has its names checked (a line `nope` beside a quantity
    0); a target's value is checked at the operation; a new line's sector and capability are both
    named; a line added earlier in the patch may have its priority set later."""
    scenario = load_scenario("examples/tutorial.yaml")
    text = """ops:
  - {op: set_targets, targets: {min_nations: true, max_personnel: -5}}
  - {op: set_quantity, requirement: nope, quantity: 0}
  - {op: drop_red_line, nation: MAR, id: nope}
  - {op: add_requirement, requirement: {id: z, sector: rafa, capability: medicl, quantity: 1}}
  - {op: set_priority, requirement: z, priority: essential}
  - {op: set_mandate, conditions: {ceasefire_holding: 0}}
"""
    with pytest.raises(PatchError) as info:
        load_patch(text, "p.yaml", scenario)
    heads = [p.split(": ", 1)[0] for p in info.value.problems]
    assert heads == [
        "ops[0].targets.max_personnel",
        "ops[0].targets.min_nations",
        "ops[1].quantity",
        "ops[1].requirement",
        "ops[2].id",
        "ops[3].requirement.sector",
        "ops[3].requirement.capability",
        "ops[5].conditions.ceasefire_holding",
    ], info.value.problems
    assert "expected true or false, got the number `0`" in info.value.problems[-1]
    added = apply_patch(
        scenario,
        load_patch(
            "ops: [{op: add_requirement, requirement: {id: z, sector: rafah, capability: engineer, quantity: 1}},"
            " {op: set_priority, requirement: z, priority: desirable}]"
        ),
    )
    assert added.requirement_by_id["z"].priority.value == "desirable"


def test_patch_set_node_capacity_changes_a_figure_or_lifts_both() -> None:
    """`set_node_capacity` sets the figures given and keeps the rest, or lifts both limits; it names a
    node the scenario lacks, a scenario with no nodes, and an operation that changes nothing."""
    from forcepack.models.loading import _UNION_TAGS
    from forcepack.models.patch import _OPS

    assert _OPS <= _UNION_TAGS  # every operation's tag is known to the error paths
    phased = load_scenario("examples/gaza-phased.yaml")
    assert phased.phasing is not None
    node = phased.phasing.nodes[0]
    raised = apply_patch(phased, load_patch(f"ops: [{{op: set_node_capacity, node: {node.id}, personnel_per_day: 7}}]"))
    assert raised.phasing is not None
    assert raised.phasing.nodes[0].personnel_per_day == 7
    assert raised.phasing.nodes[0].tons_per_day == node.tons_per_day
    lifted = apply_patch(phased, load_patch(f"ops: [{{op: set_node_capacity, node: {node.id}, unlimited: true}}]"))
    assert lifted.phasing is not None
    assert (lifted.phasing.nodes[0].personnel_per_day, lifted.phasing.nodes[0].tons_per_day) == (None, None)
    with pytest.raises(PatchError, match=r"ops\[0\]\.node: node of entry `el-arsh` is not a node of entry"):
        apply_patch(phased, load_patch("ops: [{op: set_node_capacity, node: el-arsh, unlimited: true}]"))
    with pytest.raises(PatchError, match="this scenario has no nodes of entry"):
        apply_patch(load_scenario(GAZA), load_patch("ops: [{op: set_node_capacity, node: x, tons_per_day: 1}]"))
    with pytest.raises(PatchError, match="give `personnel_per_day`, `tons_per_day` or `unlimited: true`"):
        load_patch("ops: [{op: set_node_capacity, node: x}]")


def test_patch_typos_are_errors() -> None:
    """A mandate condition or target key the scenario does not have is refused, not added silently."""
    from forcepack.models.patch import SetTargets, apply_patch

    scenario = load_scenario(GAZA)
    with pytest.raises(PatchError, match="mandate condition `ceasfire_holding`"):
        apply_patch(scenario, Patch(ops=[SetMandate(op="set_mandate", conditions={"ceasfire_holding": True})]))
    with pytest.raises(PatchError, match="target `max_personel`"):
        apply_patch(scenario, Patch(ops=[SetTargets(op="set_targets", targets={"max_personel": None})]))
    declared = apply_patch(
        scenario, Patch(ops=[SetMandate(op="set_mandate", conditions={"new_condition": True}, declare=True)])
    )
    assert declared.mandate["new_condition"] is True


def test_patch_requirement_line_ops_apply_in_order() -> None:
    """`set_quantity`, `add_requirement` and `drop_requirement` change the statement of requirements,
    a line added earlier in the patch may be changed later in it, and the rest stays as it was."""
    from forcepack.models.patch import apply_patch

    scenario = load_scenario("examples/tutorial.yaml")
    patch = load_patch(
        "ops:\n"
        "  - {op: set_quantity, requirement: rafah-eng, quantity: 3}\n"
        "  - {op: add_requirement, requirement: {id: rafah-med, sector: rafah, capability: medical_role2,\n"
        "                                          quantity: 1}}\n"
        "  - {op: set_quantity, requirement: rafah-med, quantity: 2}\n"
        "  - {op: drop_requirement, requirement: ky-inf}\n"
    )
    patched = apply_patch(scenario, patch)
    lines = {r.id: r for r in patched.requirements}
    assert set(lines) == {"rafah-eng", "rafah-med"}
    assert (
        lines["rafah-eng"].quantity == 3
        and lines["rafah-eng"].priority == scenario.requirement_by_id["rafah-eng"].priority
    )
    assert lines["rafah-med"].quantity == 2 and lines["rafah-med"].sector == "rafah"
    assert scenario.requirement_by_id["rafah-eng"].quantity == 2  # the scenario itself is unchanged


def test_patch_requirement_line_ops_name_the_field_they_get_wrong() -> None:
    """A line the scenario lacks, an id already taken, an unknown sector, a quantity below one or an
    unknown field: each refused with the path of the operation's field."""
    from forcepack.models.patch import apply_patch

    scenario = load_scenario("examples/tutorial.yaml")
    cases = {
        "{op: set_quantity, requirement: rafa-eng, quantity: 2}": "ops[0].requirement: requirement `rafa-eng` is not",
        "{op: drop_requirement, requirement: ky-infantry}": "ops[0].requirement: requirement `ky-infantry` is not",
        "{op: add_requirement, requirement: {id: ky-inf, sector: rafah, capability: engineer, quantity: 1}}": (
            "ops[0].requirement.id: requirement `ky-inf` is already a line"
        ),
        "{op: add_requirement, requirement: {id: new, sector: rafa, capability: engineer, quantity: 1}}": (
            "ops[0].requirement.sector: sector `rafa` is not a sector"
        ),
    }
    for op, expected in cases.items():
        with pytest.raises(PatchError) as info:
            apply_patch(scenario, load_patch(f"ops: [{op}]"))
        assert any(p.startswith(expected) for p in info.value.problems), (op, info.value.problems)
    for op, field in [
        ("{op: set_quantity, requirement: rafah-eng, quantity: 0}", "quantity"),
        (
            "{op: add_requirement, requirement: {id: x, sector: rafah, capability: engineer, quantity: 1, size: 2}}",
            "size",
        ),
        ("{op: drop_requirement}", "requirement"),
    ]:
        with pytest.raises(PatchError) as info:
            load_patch(f"ops: [{op}]")
        assert any(p.startswith("ops[0].") and f".{field}:" in p for p in info.value.problems), info.value.problems


def test_what_if_set_quantity_asks_for_more_and_gets_it() -> None:
    """Raising an essential line's quantity within what is offered gives a package that provides it."""
    scenario = load_scenario("examples/tutorial.yaml")
    patch = load_patch("ops: [{op: set_quantity, requirement: rafah-eng, quantity: 3}]")
    result = what_if(scenario, patch, params=PARAMS)
    assert result.patched is not None and result.patched.has_package
    row = next(c for c in result.patched.coverage if c.requirement == "rafah-eng")
    assert row.required == 3 and row.provided >= 3


def test_criticality_names_only_the_essential_lines_really_lost() -> None:
    """Without BBB, E1 is lost; E2 (a large personnel line AAA fills) is not, whatever the
    desirable lines weigh."""
    from tests.test_rules import base, line, offer, unit

    scenario = parse_scenario(
        base(
            requirements=[
                line("E1", capability="medical_role2"),
                line("E2", capability="infantry", quantity=1000, measure="personnel"),
                line("D", sector="bravo", priority="desirable", weight=1000),
            ],
            offers=[
                offer("AAA", [unit("a", capability="infantry", personnel=500, count=2), unit("a-eng")]),
                offer("BBB", [unit("b", capability="medical_role2")]),
            ],
            targets={"max_personnel": 1200},
        )
    )
    result = criticality(scenario, PARAMS)
    row = next(w for w in result.withdrawals if w.nations == ["BBB"])
    assert row.feasible is False
    assert row.essential_lines_lost == ["E1"]


def test_resilience_says_what_keeping_the_others_clashes_with() -> None:
    """A planner's scenario (tests/data/solver/resilience-keep.yaml): without DRN a package exists,
    but none that keeps the others where they are; the fatal reason names the rules that keeping
    them clashes with (the AU partner rule, and ESK's refusal to serve with FRL)."""
    result = resilient(load_scenario("tests/data/solver/resilience-keep.yaml"), PARAMS)
    reason = next(f.reason for f in result.fatal if f.nation == "DRN")
    assert "keeping them clashes with" in reason and "esk-not-with-frl" in reason


def test_patch_unit_and_red_line_typos_get_did_you_mean() -> None:
    """A misspelt unit or red line id in a patch is named with the closest one of the scenario."""
    from forcepack.models.patch import apply_patch

    scenario = load_scenario("examples/tutorial.yaml")
    patch = Patch.model_validate(
        {
            "ops": [
                {"op": "remove_unit", "unit": "idn-engg", "nation": "IDN"},
                {"op": "drop_red_line", "nation": "IDN", "id": "idn-no-combt"},
            ]
        }
    )
    with pytest.raises(PatchError) as info:
        apply_patch(scenario, patch)
    assert info.value.problems == [
        "ops[0].unit: unit `idn-engg` of IDN is not a unit of this scenario (did you mean `idn-eng`?)",
        "ops[1].id: red line `idn-no-combt` is not a red line of IDN in this scenario (did you mean `idn-no-combat`?)",
    ]


def test_what_if_summary_warns_when_a_side_is_not_proven_optimal() -> None:
    """A what-if whose packages are proven says nothing more; where a side was stopped by its time
    limit, the summary says its changes may be the search's, not the patch's."""
    from forcepack.solver.whatif import summarise

    scenario = load_scenario(GAZA)
    patch = Patch.withdraw("PAK")
    answer = what_if(scenario, patch, params=PARAMS)
    assert answer.baseline is not None and answer.patched is not None and answer.diff is not None
    assert not answer.diff.is_empty()
    assert "not proven optimal" not in answer.summary
    stopped = answer.baseline.model_copy(update={"status": "feasible"})
    words = summarise(patch, stopped, answer.patched, answer.diff)
    assert words.endswith(
        "The baseline is not proven optimal: some of these changes may be the search's, not the patch's "
        "(give it more time)."
    )


PLANNER = "tests/data/solver/phased-planner.yaml"


def test_a_dated_withdrawal_leaving_no_package_names_the_line_and_the_withdrawal() -> None:
    """AAA, the only nation offering engineers, withdraws from 15 May; BBB's infantry kept from before
    the day arrived two weeks before their line opened, for their relief in place. The explanation
    names the engineers' line and the withdrawal, with a way out (was: five identical empty causes,
    since giving up BBB's tours, relief and all, could not serve the kept arrival)."""
    scenario = load_scenario(PLANNER)
    patch = Patch.model_validate({"ops": [{"op": "withdraw", "nations": ["AAA"], "starting": "2026-05-15"}]})
    answer = what_if(scenario, patch, params=PARAMS)
    assert answer.patched is not None and answer.patched.status == "infeasible"
    explanation = answer.patched.explanation
    assert explanation is not None and len(explanation.conflicts) == 1
    assert {(e.type, e.id) for e in explanation.conflict} == {
        ("requirement", "n-eng"),
        ("veto", "withdrawal-aaa-2026-05-15"),
    }
    assert explanation.relaxations and explanation.summary.startswith("The essential line `n-eng`")
    # Giving up the withdrawal is the what-if's own question: said so, never a patch of a veto the
    # planner did not write (which no patch of the scenario could drop).
    ways = [r for r in explanation.relaxations if any(c.type == "veto" for c in r.changes)]
    assert ways and all(r.patch is None for r in ways)
    assert any(
        "AAA's withdrawal from 2026-05-15 is the what-if's own question" in u for r in ways for u in r.unpatchable
    )
    withdrawal = next(e for e in explanation.conflict if e.type == "veto")
    assert withdrawal.text.startswith("the withdrawal asked (veto `withdrawal-aaa-2026-05-15`): AAA withdraws")


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "withdraw", "nations": ["BBB"], "starting": "2026-06-01"}, {"op": "withdraw", "nations": ["BBB"]}],
        [{"op": "withdraw", "nations": ["BBB", "BBB"]}],
    ],
)
def test_a_nation_withdrawn_twice_is_refused(ops: list[dict[str, object]]) -> None:
    """A nation withdraws once: from 1 June and from the start at once would keep BBB's tours before
    June and bar them both (was: "no package remains", where BBB's withdrawal alone leaves one)."""
    scenario = load_scenario(PLANNER)
    with pytest.raises(PatchError) as info:
        apply_patch(scenario, Patch.model_validate({"ops": ops}))
    (problem,) = info.value.problems
    assert problem.startswith("ops[") and "nation `BBB` is withdrawn already (ops[0].nations[0])" in problem


@pytest.mark.parametrize("day", ["2026-03-02", "2026-03-08"])
def test_a_dated_withdrawal_in_the_first_bucket_is_one_from_the_start(day: str) -> None:
    """Nothing is deployed before a day in the first week: CCC leaves from the start, its money with
    its units (was: its pledge kept, paying for a force it left)."""
    scenario = load_scenario(PLANNER)
    dated = Patch.model_validate({"ops": [{"op": "withdraw", "nations": ["CCC"], "starting": day}]})
    whole = Patch.model_validate({"ops": [{"op": "withdraw", "nations": ["CCC"]}]})
    assert apply_patch(scenario, dated) == apply_patch(scenario, whole)
    answer = what_if(scenario, dated, params=PARAMS)
    assert answer.patched is not None and answer.patched.has_package
    assert all(n.funding_used_usd == 0 for n in answer.patched.nations if n.nation == "CCC")
    later = apply_patch(
        scenario, Patch.model_validate({"ops": [{"op": "withdraw", "nations": ["CCC"], "starting": "2026-03-09"}]})
    )
    assert "CCC" in later.offer_by_nation  # from the second week on, what was deployed before stays


def test_a_dated_withdrawal_that_cuts_tours_says_so() -> None:
    """BBB withdraws from 1 June: its infantry's tour is cut short and its second tour goes. The
    placements (unit line on line) may stay, but the diff lists the tours changed, the line's shortfall
    over its weeks grows, and the summary does not say "the same units in the same places"."""
    scenario = load_scenario(PLANNER)
    patch = Patch.model_validate({"ops": [{"op": "withdraw", "nations": ["BBB"], "starting": "2026-06-01"}]})
    answer = what_if(scenario, patch, params=PARAMS)
    diff = answer.diff
    assert diff is not None and answer.patched is not None and answer.patched.plan is not None
    assert "the same units in the same places" not in answer.summary
    gone = [t for t in diff.tours_removed if t.nation == "BBB"]
    assert gone and all(t.after < t.before for t in gone)
    # No tour of BBB's after the change is present on or after the day (week 14 begins 1 June).
    assert all(t.last < 13 for t in answer.patched.plan.tours if t.nation == "BBB")
    line = next(c for c in diff.coverage if c.requirement == "s-inf")
    assert line.short_over_before is not None and line.short_over_after is not None
    assert line.short_over_after > line.short_over_before and line.lost
    assert not diff.is_empty()


def test_resilience_counting_the_models_terms_leaves_it_as_it_was() -> None:
    """Counting the model's terms reads `linear` only where a constraint is linear: read on another
    kind (a `bool_or`), the proto turns it into an empty linear constraint that no package meets.
    On this scenario (found by the property above: N1 deploys only beside N3, which offers nothing, so
    a rule folds to a `bool_or`) the search for the most withdrawals survived was then infeasible and
    the answer claimed no count within the time limit; the exhaustive search's count is 1 fatal."""
    from forcepack.solver.resilience import _terms
    from forcepack.solver.search import Search

    scenario = Scenario.model_validate_json(
        Path("tests/data/solver/resilience-bool-or.json").read_text(encoding="utf-8")
    )
    builder = Search(scenario).builder
    before = str(builder.model.proto)
    assert "bool_or" in before and _terms(builder) > 0
    assert str(builder.model.proto) == before
    result = resilient(scenario, PARAMS)
    expected = brute_most_resilient(scenario)
    assert expected is not None and result.most_proven
    assert len(result.fatal) == expected[0] == 1


@pytest.mark.parametrize(
    ("second", "said"),
    [
        (
            {"op": "replace_offer", "offer": {"nation": "BBB", "units": []}},
            "ops[1]: replaces the offer of BBB, which withdraws from 2026-06-01 (ops[0])",
        ),
        (
            {"op": "remove_unit", "unit": "b-inf"},
            "ops[1]: removes unit `b-inf` of BBB, which withdraws from 2026-06-01",
        ),
    ],
)
def test_a_dated_withdrawal_and_a_change_of_the_same_nations_units_are_refused(
    second: dict[str, object], said: str
) -> None:
    """BBB withdrawing from 1 June keeps the tours it deployed before; the same what-if replacing its
    offer or removing its unit would keep tours of units it took away (was: "no package remains ...
    nothing offered fits the requirements")."""
    scenario = load_scenario(PLANNER)
    ops = [{"op": "withdraw", "nations": ["BBB"], "starting": "2026-06-01"}, second]
    with pytest.raises(PatchError) as info:
        apply_patch(scenario, Patch.model_validate({"ops": ops}))
    (problem,) = info.value.problems
    assert problem.startswith(said) and "keeping what it deployed before that day" in problem
    # Either alone applies.
    for op in ops:
        apply_patch(scenario, Patch.model_validate({"ops": [op]}))


def test_a_dated_withdrawal_of_a_money_only_donor_says_it_takes_units_only() -> None:
    """DDD gives money only: withdrawn from 1 June, nothing of its changes (money is not phased), and
    the summary says so and how to take its money away (was: "the package does not change", silent)."""
    scenario = load_scenario(PLANNER)
    patch = Patch.model_validate({"ops": [{"op": "withdraw", "nations": ["DDD"], "starting": "2026-06-01"}]})
    answer = what_if(scenario, patch, params=PARAMS)
    assert answer.baseline is not None and answer.patched is not None
    assert all(a.nation != "DDD" for a in answer.baseline.assignments)
    assert "DDD deploys no units in the baseline: a withdrawal from a day takes units only" in answer.summary
    assert answer.summary.count("withdraw from the start to take the money away") == 1


# Two sectors, B opening in April; AAA's one unit serves A for two 3-month tours, BBB's one unit B.
TWO_SECTORS = """\
schema: forcepack.scenario/1
id: two-sectors
name: Two sectors, one opening later
horizon: {start: 2027-01-01, end: 2027-06-30}
cost: {personnel_rate_usd: 1000}
phasing: {bucket: month, front_loaded: false}
sectors:
  - {id: a, control: secure}
  - {id: b, control: secure, opens: 2027-04-01}
requirements:
  - {id: a-inf, sector: a, capability: infantry, quantity: 1, priority: desirable}
  - {id: b-inf, sector: b, capability: infantry, quantity: 1, priority: desirable}
nations: [{code: AAA}, {code: BBB}]
offers:
  - {nation: AAA, units: [{id: aaa-inf, capability: infantry, count: 1, personnel: 100, tour_months: 3, rotations: 2}]}
  - {nation: BBB, units: [{id: bbb-inf, capability: infantry, count: 1, personnel: 120, tour_months: 3, rotations: 1}]}
objective: [shortfall, foc, cost]
"""


def test_a_what_if_says_which_sectors_full_operational_capability_moves() -> None:
    """BBB withdrawing leaves sector B short for good: the summary says B never reaches full
    operational capability, where it did from April (month 4); A's is unchanged and not said."""
    scenario = parse_scenario(yaml.safe_load(TWO_SECTORS))
    answer = what_if(scenario, Patch.withdraw("BBB"), params=PARAMS)
    assert answer.baseline is not None and answer.baseline.plan is not None
    assert {s.sector: s.full_from for s in answer.baseline.plan.sectors} == {"a": 0, "b": 3}
    assert "full operational capability: b never (was month 4)." in answer.summary
    assert " a month" not in answer.summary


def test_a_dated_withdrawal_names_the_relief_not_the_history_it_keeps() -> None:
    """BBB withdraws from 15 October; AAA's infantry, paused in July and August (a suspension the
    plan before the change lived with), would need its 10 days of relief before October, and arriving
    in September would change the plan before the change. The explanation names AAA's tour and the
    withdrawal, with ways out (was: "no package even with everything relaxed", as giving up the July
    pause lengthened tours kept as deployed and clashed with the arrivals kept after it)."""
    scenario = load_scenario("tests/data/solver/phased-pause.yaml")
    patch = Patch.model_validate({"ops": [{"op": "withdraw", "nations": ["BBB"], "starting": "2026-10-15"}]})
    answer = what_if(scenario, patch, params=PARAMS)
    assert answer.patched is not None and answer.patched.status == "infeasible"
    explanation = answer.patched.explanation
    assert explanation is not None
    assert {(e.type, e.id) for e in explanation.conflict} == {
        ("requirement", "n-inf"),
        ("tour", "a-inf"),
        ("veto", "withdrawal-bbb-2026-10-15"),
    }
    assert "around it" not in explanation.summary
    assert [(c.type, c.id) for c in explanation.relaxations[0].changes] == [("tour", "a-inf")]
