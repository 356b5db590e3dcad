"""A phased plan read as a timeline (`models.timeline`): tours in lanes so a relief in place shows,
a line's coverage in runs of equal buckets, sectors and lines in the scenario's order with their
full operational capability, each node's busiest bucket."""

from __future__ import annotations

import datetime as dt

from forcepack.models.solution import LineBucket, NodeLoad, Plan, PlanBucket, Tour
from forcepack.models.timeline import CoverageRun, coverage_runs, lanes, timeline
from forcepack.solver import solve
from tests.test_phased_solve import PARAMS, tiny


def tour(arrival: int, last: int, *, fills_from: int | None = None, nation: str = "AAA") -> Tour:
    return Tour(
        unit="inf",
        nation=nation,
        requirement="r-inf",
        sector="rafah",
        units=1,
        personnel=100,
        arrival=arrival,
        fills_from=arrival if fills_from is None else fills_from,
        last=last,
        months=1,
        cost_usd=0,
        self_funded=False,
    )


def test_lanes_put_a_relief_in_place_beside_the_tour_it_relieves() -> None:
    """A tour arriving while the one it relieves is still there takes a second lane; the next, once
    the first has left, goes back to the first lane."""
    first, relief, third = tour(0, 5), tour(5, 10, fills_from=6), tour(10, 15, fills_from=11)
    placed, count = lanes([third, relief, first])
    assert count == 2
    assert [(p.tour.arrival, p.lane) for p in placed] == [(0, 0), (5, 1), (10, 0)]


def test_lanes_of_tours_one_after_the_other_are_one() -> None:
    """Tours that follow one another without overlap share one lane; no tour at all is still one lane."""
    placed, count = lanes([tour(0, 3), tour(4, 7), tour(8, 9)])
    assert count == 1 and {p.lane for p in placed} == {0}
    assert lanes([]) == ([], 1)


def test_coverage_runs_merge_equal_consecutive_buckets() -> None:
    """Buckets with the same need and fill make one run; a change of either, or a gap, starts another."""
    rows = [
        LineBucket(requirement="r", bucket=b, required=req, provided=got, shortfall=max(0, req - got))
        for b, req, got in [(3, 2, 1), (1, 1, 1), (2, 1, 1), (4, 2, 1), (5, 2, 2), (7, 2, 2)]
    ]
    runs = coverage_runs(rows)
    assert runs == [
        CoverageRun(1, 2, 1, 1),
        CoverageRun(3, 4, 2, 1),
        CoverageRun(5, 5, 2, 2),
        CoverageRun(7, 7, 2, 2),
    ]
    assert [run.fraction for run in runs] == [1.0, 0.5, 1.0, 1.0]
    assert CoverageRun(0, 0, 0, 0).fraction == 1.0


def test_timeline_of_a_solved_plan_follows_the_scenario() -> None:
    """The tiny phased scenario solved: its sectors and lines in the scenario's order, every tour in a
    row of its nation's unit line, the coverage runs covering exactly the plan's buckets, the full
    capability bucket as the plan gives it, and the node's busiest month its largest load."""
    scenario = tiny()
    solution = solve(scenario, PARAMS)
    assert solution.plan is not None
    plan = solution.plan
    found = timeline(plan, scenario)
    assert [s.sector for s in found.sectors] == ["rafah", "north"]
    assert found.sectors[1].opens == dt.date(2026, 7, 1) and found.sectors[0].opens is None
    assert [line.requirement for s in found.sectors for line in s.lines] == ["r-inf", "n-eng"]
    full = {s.sector: s.full_from for s in plan.sectors}
    assert {s.sector: s.full_from for s in found.sectors} == full
    drawn = [p.tour for s in found.sectors for line in s.lines for row in line.units for p in row.tours]
    assert sorted(drawn, key=repr) == sorted(plan.tours, key=repr)
    for sector in found.sectors:
        for line in sector.lines:
            for row in line.units:
                assert {(p.tour.nation, p.tour.unit) for p in row.tours} == {(row.nation, row.unit)}
            covered = [b for run in line.runs for b in range(run.first, run.last + 1)]
            assert covered == sorted(r.bucket for r in plan.coverage if r.requirement == line.requirement)
    (node,) = found.nodes
    assert node.node == "port" and node.personnel_per_day == 10 and node.tons_per_day is None
    assert node.busiest_personnel is not None
    assert node.busiest_personnel.personnel == max(load.personnel for load in plan.nodes)
    assert node.busiest_tons is None  # (no cargo is lifted)
    assert found.start(0) == dt.date(2026, 1, 1) and found.end(11) == dt.date(2026, 12, 31)


def test_timeline_busiest_bucket_is_by_the_part_of_capacity_used() -> None:
    """A node's busiest bucket is the one using the largest part of its capacity, not the largest load
    (a bucket's capacity follows its days); the first of equals."""
    day = dt.date(2026, 1, 1)
    plan = Plan(
        bucket="week",
        buckets=[
            PlanBucket(index=i, start=day + dt.timedelta(7 * i), end=day + dt.timedelta(7 * i + 6)) for i in range(3)
        ],
        nodes=[
            NodeLoad(node="n", bucket=0, personnel=60, tons=0, personnel_capacity=100, tons_capacity=None),
            NodeLoad(node="n", bucket=1, personnel=70, tons=0, personnel_capacity=140, tons_capacity=None),
            NodeLoad(node="n", bucket=2, personnel=30, tons=0, personnel_capacity=50, tons_capacity=None),
        ],
    )
    (node,) = timeline(plan, tiny()).nodes
    assert node.name == "n" and node.personnel_per_day is None  # (a node the scenario does not declare)
    assert node.busiest_personnel is not None and node.busiest_personnel.bucket == 0
