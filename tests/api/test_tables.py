"""A package's tables, as a workbook and as CSV: through the API for a done job, and from the
command line; the rows are the solution document's own."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from forcepack.api.auth import Role
from forcepack.cli.main import app
from forcepack.models.solution import Solution
from forcepack.models.tables import TABLE_NAMES
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
