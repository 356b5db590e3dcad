"""A package's tables, as a workbook and as CSV: through the API for a done job, and from the
command line; the rows are the solution document's own."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from forcepack.api.auth import Role
from forcepack.cli.main import app
from forcepack.models.solution import Solution
from forcepack.models.tables import (
    PLAN_TABLE_NAMES,
    TABLE_NAMES,
    package_tables,
    table_csv,
    table_names,
    tables_xlsx,
)
from tests.api.conftest import Service


def _solved(service: Service) -> tuple[str, Solution]:
    location = service.client.post("/v1/scenarios/gaza-isf/solves", headers=service.coordinator).headers["Location"]
    assert service.wait_job(location, timeout_s=120)["status"] == "done"
    job = service.client.get(location, headers=service.coordinator).json()
    return location, Solution.model_validate(job["result"])


def test_tables_of_a_solve_as_a_workbook_and_csv(service: Service) -> None:
    """Every role that reads the job reads its tables: one sheet (and one CSV) per table, a row per
    placement, coverage line, contributing nation and funding flow."""
    location, solution = _solved(service)
    for headers in (service.coordinator, service.auth(Role.DELEGATE, "IDN"), service.auth(Role.OBSERVER)):
        response = service.client.get(f"{location}/tables.xlsx", headers=headers)
        assert response.status_code == 200, response.text
        assert "attachment" in response.headers["content-disposition"]
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["package", *TABLE_NAMES]
        assert book["placements"].max_row == len(solution.assignments) + 1
        assert book["coverage"].max_row == len(solution.coverage) + 1
        assert book["contributions"].max_row == len(solution.nations) + 1
    placements = service.client.get(f"{location}/tables/placements.csv", headers=service.coordinator)
    assert placements.status_code == 200 and placements.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(placements.text)))
    assert [(r["nation"], r["unit"], int(r["units"])) for r in rows] == [
        (a.nation, a.unit, a.units) for a in solution.assignments
    ]
    refused = service.client.get(f"{location}/tables/funding.csv")
    assert refused.status_code == 401
    static = service.client.get(f"{location}/tables/tours.csv", headers=service.coordinator)
    assert static.status_code == 409 and "is not phased: it has no `tours` table" in static.json()["detail"]


def test_tables_refused_where_there_is_no_single_package(service: Service) -> None:
    """An unknown table is a 422, a job the caller may not see a 404, a criticality sweep a 409."""
    location, _ = _solved(service)
    assert service.client.get(f"{location}/tables/secrets.csv", headers=service.coordinator).status_code == 422
    assert service.client.get("/v1/jobs/nope/tables.xlsx", headers=service.coordinator).status_code == 404
    sweep = service.client.post(
        "/v1/scenarios/tutorial/criticality", json={"time_limit_s": 5}, headers=service.coordinator
    ).headers["Location"]
    service.wait_job(sweep, timeout_s=120)
    conflict = service.client.get(f"{sweep}/tables.xlsx", headers=service.coordinator)
    assert conflict.status_code == 409 and "no single package" in conflict.json()["detail"]
    # A solve that found no package has nothing to table: empty tables would read as a package of
    # nothing, fully funded.
    none = service.client.post(
        "/v1/scenarios/infeasible-khan-younis-police/solves", headers=service.coordinator
    ).headers["Location"]
    assert service.wait_job(none, timeout_s=120)["status"] == "done"
    for part in ("tables.xlsx", "tables/placements.csv"):
        refused = service.client.get(f"{none}/{part}", headers=service.coordinator)
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"].endswith("found no package (infeasible): there is nothing to table")


def test_tables_from_the_command_line(tmp_path: Path) -> None:
    """`forcepack solve --tables` writes the workbook, or a folder of CSV files."""
    runner = CliRunner()
    book = tmp_path / "package.xlsx"
    result = runner.invoke(app, ["solve", "examples/tutorial.yaml", "--tables", str(book)])
    assert result.exit_code == 0, result.output
    assert load_workbook(book).sheetnames == ["package", *TABLE_NAMES]
    folder = tmp_path / "tables"
    result = runner.invoke(app, ["solve", "examples/tutorial.yaml", "--tables", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.csv" for n in TABLE_NAMES)


def test_tables_of_an_infeasible_scenario_are_the_best_efforts_said_so(tmp_path: Path) -> None:
    """With no package, `solve --tables` writes the best effort's tables and says which essential
    lines it gives up: never an empty package that reads as "nothing can be filled"."""
    runner = CliRunner()
    book = tmp_path / "package.xlsx"
    result = runner.invoke(app, ["solve", "examples/infeasible-khan-younis-police.yaml", "--tables", str(book)])
    assert result.exit_code == 1
    said = " ".join((result.stderr or "").split())  # (the terminal may wrap it)
    assert "the tables written are the best effort's, which gives up `ky-fpu`" in said
    placements = load_workbook(book)["placements"]
    assert placements.max_row > 1  # the best effort places units


def test_why_not_on_an_infeasible_scenario_exits_as_the_scenario() -> None:
    """A why-not on a scenario with no package says so and exits 1 (a script must not read 0)."""
    result = CliRunner().invoke(app, ["why-not", "examples/infeasible-khan-younis-police.yaml", "MAR"])
    assert result.exit_code == 1 and "No package exists" in result.output


GAZA_PHASED_SOLUTION = Path(__file__).parents[1] / "data" / "gaza-phased-solution.json"
"""A stored package of examples/gaza-phased.yaml (see tests/test_brief.py)."""


def test_a_phased_plan_adds_its_tables_every_bucket_with_its_dates() -> None:
    """A phased plan's tables: tours with their days of arrival, first day filling and departure;
    each line in each bucket; each node's load; each sector's full operational capability. The rows
    are the plan's own, the days those of its buckets, a week counted from 1."""
    solution = Solution.model_validate_json(GAZA_PHASED_SOLUTION.read_text(encoding="utf-8"))
    plan = solution.plan
    assert plan is not None and plan.bucket == "week"
    assert table_names(solution) == (*TABLE_NAMES, *PLAN_TABLE_NAMES)
    tables = package_tables(solution)
    first = plan.buckets[0].start
    week = {b.index: b for b in plan.buckets}
    assert all((b.end - b.start).days == 6 for b in plan.buckets[:-1])  # weeks of seven days, the last cut short
    ends = {b.end for b in plan.buckets}

    tours = tables["tours"]
    assert len(tours) == len(plan.tours) > 0
    for row in tours:
        arrives, fills, leaves = (dt.date.fromisoformat(row[k]) for k in ("arrives", "fills_from", "leaves"))
        assert first <= arrives <= fills <= leaves
        assert (arrives - first).days % 7 == 0 and leaves in ends
        matching = [
            t
            for t in plan.tours
            if (t.unit, t.requirement, week[t.arrival].start, week[t.last].end)
            == (row["unit"], row["requirement"], arrives, leaves)
        ]
        assert len(matching) == 1 and row["units"] == matching[0].units
    assert sum(r["personnel"] for r in tours) == sum(t.personnel for t in plan.tours)
    assert [(r["arrives"], r["nation"]) for r in tours] == sorted((r["arrives"], r["nation"]) for r in tours)

    timeline = tables["timeline"]
    assert len(timeline) == len(plan.coverage)
    for row in timeline:
        assert row["shortfall"] == max(0, row["required"] - row["provided"])
        assert dt.date.fromisoformat(row["start"]) == first + dt.timedelta(days=7 * (row["week"] - 1))
        assert row["measure"] and row["sector"]

    nodes = tables["nodes"]
    assert len(nodes) == len(plan.nodes) > 0
    assert all(r["personnel_capacity"] is None or r["personnel"] <= r["personnel_capacity"] for r in nodes)

    sector_of = {c.requirement: c.sector for c in solution.coverage}
    asking = {sector_of[c.requirement] for c in plan.coverage if c.required}
    sectors = {r["sector"]: r for r in tables["sectors"]}
    assert set(sectors) == {s.sector for s in plan.sectors}
    for s in plan.sectors:
        row = sectors[s.sector]
        assert row["within_horizon"] is (s.full_from is not None)
        assert row["asks_for_something"] is (s.sector in asking)
        if s.full_from is not None:
            assert row["week"] == s.full_from + 1 and row["full_from"] == week[s.full_from].start.isoformat()
        else:
            assert row["full_from"] == "" and row["week"] == ""

    header = next(csv.reader(io.StringIO(table_csv(solution, "timeline"))))
    assert header == ["requirement", "sector", "measure", "week", "start", "end", "required", "provided", "shortfall"]
    book = load_workbook(io.BytesIO(tables_xlsx(solution)))
    assert book.sheetnames == ["package", *TABLE_NAMES, *PLAN_TABLE_NAMES]
    assert book["tours"].max_row == len(tours) + 1 and book["nodes"].max_row == len(nodes) + 1


def test_a_phased_plans_tables_from_the_command_line(tmp_path: Path) -> None:
    """`forcepack solve --tables FOLDER` on a phased scenario writes the plan's tables too."""
    folder = tmp_path / "tables"
    result = CliRunner().invoke(
        app, ["solve", "examples/gaza-phased.yaml", "--time-limit", "5", "--tables", str(folder)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.csv" for n in (*TABLE_NAMES, *PLAN_TABLE_NAMES))
    tours = list(csv.DictReader((folder / "tours.csv").open(encoding="utf-8")))
    assert tours and all(r["arrives"] <= r["fills_from"] <= r["leaves"] for r in tours)
