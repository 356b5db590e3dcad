"""A package's tables as a planner tables them: placements, coverage, contributions and funding,
each a list of rows with named columns, written as CSV (one table) or as an XLSX workbook (a
sheet per table). The figures are the solution document's own, unrounded."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from forcepack.models.solution import Solution

TABLE_NAMES = ("placements", "coverage", "contributions", "funding")
"""The tables of a package, in the order a workbook holds them."""


def package_tables(solution: Solution) -> dict[str, list[dict[str, Any]]]:
    """The package's tables by name (empty tables when there is no package)."""
    flows = solution.funding.flows
    return {
        "placements": [
            {
                "nation": a.nation,
                "unit": a.unit,
                "capability": a.capability,
                "requirement": a.requirement,
                "sector": a.sector,
                "units": a.units,
                "personnel": a.personnel,
                "monthly_cost_usd": a.monthly_cost_usd,
                "cost_usd": a.cost_usd,
                "self_funded": a.self_funded,
            }
            for a in solution.assignments
        ],
        "coverage": [
            {
                "requirement": c.requirement,
                "sector": c.sector,
                "capability": c.capability,
                "priority": c.priority,
                "measure": c.measure,
                "required": c.required,
                "provided": c.provided,
                "shortfall": c.shortfall,
            }
            for c in solution.coverage
        ],
        "contributions": [
            {
                "nation": n.nation,
                "personnel": n.personnel,
                "share": n.share,
                "units": n.units,
                "sectors": ", ".join(n.sectors),
                "cost_usd": n.cost_usd,
                "funding_pledged_usd": n.funding_pledged_usd,
                "funding_used_usd": n.funding_used_usd,
            }
            for n in solution.nations
        ],
        "funding": [
            {"pledge": f.pledge, "nation": f.nation, "capability": f.capability, "amount_usd": f.amount_usd}
            for f in flows
        ],
    }


def table_csv(solution: Solution, name: str) -> str:
    """One table as CSV, with its header row (KeyError for a name not in TABLE_NAMES)."""
    rows = package_tables(solution)[name]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_HEADERS[name], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def tables_xlsx(solution: Solution) -> bytes:
    """Every table as a sheet of one workbook, a sheet `package` first with the headline figures."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "package"
    summary.append(["key", "value"])
    summary.append(["scenario", solution.scenario.id])
    summary.append(["status", solution.status])
    for item in solution.objective:
        summary.append([f"objective.{item.criterion}", item.value])
    balance = solution.funding
    for key in ("total_cost_usd", "self_funded_usd", "pooled_cost_usd", "pledged_usd", "used_usd", "gap_usd"):
        summary.append([f"funding.{key}", getattr(balance, key)])
    summary.append(["personnel", solution.totals.personnel])
    summary.append(["nations_contributing", solution.totals.nations_contributing])
    for name, rows in package_tables(solution).items():
        sheet = book.create_sheet(name)
        columns = _HEADERS[name]
        sheet.append(columns)
        for row in rows:
            sheet.append([row[c] for c in columns])
        sheet.freeze_panes = "A2"
        for i, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(i)].width = max(10, len(column) + 4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_HEADERS = {
    "placements": [
        "nation",
        "unit",
        "capability",
        "requirement",
        "sector",
        "units",
        "personnel",
        "monthly_cost_usd",
        "cost_usd",
        "self_funded",
    ],
    "coverage": ["requirement", "sector", "capability", "priority", "measure", "required", "provided", "shortfall"],
    "contributions": [
        "nation",
        "personnel",
        "share",
        "units",
        "sectors",
        "cost_usd",
        "funding_pledged_usd",
        "funding_used_usd",
    ],
    "funding": ["pledge", "nation", "capability", "amount_usd"],
}
"""Each table's columns, in order (a table with no rows still has its header)."""
