"""A package's tables as a planner tables them: placements, coverage, contributions and funding,
each a list of rows with named columns, written as CSV (one table) or as an XLSX workbook (a
sheet per table). A phased plan adds its own: tours (who arrives when, and leaves when), the
timeline (each line in each bucket), nodes (each node of entry's load in each bucket) and sectors
(when each reaches full operational capability), every bucket with its dates. The figures are
the solution document's own, unrounded."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from forcepack.models.solution import Plan, Solution

TABLE_NAMES = ("placements", "coverage", "contributions", "funding")
"""The tables of every package, in the order a workbook holds them."""

PLAN_TABLE_NAMES = ("tours", "timeline", "nodes", "sectors")
"""The tables a phased plan adds, after those of every package."""


def table_names(solution: Solution) -> tuple[str, ...]:
    """The tables of this package: a phased plan's add its own."""
    return TABLE_NAMES + PLAN_TABLE_NAMES if solution.plan is not None else TABLE_NAMES


def package_tables(solution: Solution) -> dict[str, list[dict[str, Any]]]:
    """The package's tables by name (empty tables when there is no package)."""
    flows = solution.funding.flows
    tables: dict[str, list[dict[str, Any]]] = {
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
    if solution.plan is not None:
        tables |= _plan_tables(solution, solution.plan)
    return tables


def _plan_tables(solution: Solution, plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """A phased plan's tables, each bucket by its number (1 for the first, as the page and the
    brief count them) and its dates."""
    day = {b.index: b for b in plan.buckets}
    capability = {a.unit: a.capability for a in solution.assignments}
    line = {c.requirement: c for c in solution.coverage}
    asking = {line[c.requirement].sector for c in plan.coverage if c.required and c.requirement in line}

    def dated(index: int) -> dict[str, Any]:
        """A bucket's columns: its number from 1, its first and last days."""
        return {plan.bucket: index + 1, "start": day[index].start.isoformat(), "end": day[index].end.isoformat()}

    return {
        "tours": [
            {
                "nation": t.nation,
                "unit": t.unit,
                "capability": capability.get(t.unit, ""),
                "requirement": t.requirement,
                "sector": t.sector,
                "units": t.units,
                "personnel": t.personnel,
                "arrives": day[t.arrival].start.isoformat(),
                "fills_from": day[t.fills_from].start.isoformat(),
                "leaves": day[t.last].end.isoformat(),
                "months": t.months,
                "cost_usd": t.cost_usd,
                "self_funded": t.self_funded,
            }
            for t in sorted(plan.tours, key=lambda t: (t.arrival, t.nation, t.unit, t.requirement, t.last))
        ],
        "timeline": [
            {
                "requirement": c.requirement,
                "sector": line[c.requirement].sector if c.requirement in line else "",
                "measure": line[c.requirement].measure if c.requirement in line else "",
                **dated(c.bucket),
                "required": c.required,
                "provided": c.provided,
                "shortfall": c.shortfall,
            }
            for c in plan.coverage
        ],
        "nodes": [
            {
                "node": n.node,
                **dated(n.bucket),
                "personnel": n.personnel,
                "personnel_capacity": n.personnel_capacity,
                "tons": n.tons,
                "tons_capacity": n.tons_capacity,
            }
            for n in plan.nodes
        ],
        "sectors": [
            {
                "sector": r.sector,
                "full_from": day[r.full_from].start.isoformat() if r.full_from is not None else "",
                plan.bucket: r.full_from + 1 if r.full_from is not None else "",
                "within_horizon": r.full_from is not None,
                "asks_for_something": r.sector in asking,  # (false: no FOC to reach, not one never reached)
            }
            for r in plan.sectors
        ],
    }


def table_csv(solution: Solution, name: str) -> str:
    """One table as CSV, with its header row (KeyError for a name not in `table_names(solution)`)."""
    rows = package_tables(solution)[name]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_headers(solution, name), lineterminator="\n")
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
        columns = _headers(solution, name)
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


def _headers(solution: Solution, name: str) -> list[str]:
    """A table's columns; a plan's tables name their bucket column by the plan's bucket."""
    if name in _HEADERS:
        return _HEADERS[name]
    assert solution.plan is not None, name
    bucket = solution.plan.bucket
    return {
        "tours": [
            *_HEADERS["placements"][:7],  # nation .. personnel, as a placement
            "arrives",
            "fills_from",
            "leaves",
            "months",
            "cost_usd",
            "self_funded",
        ],
        "timeline": ["requirement", "sector", "measure", bucket, "start", "end", "required", "provided", "shortfall"],
        "nodes": ["node", bucket, "start", "end", "personnel", "personnel_capacity", "tons", "tons_capacity"],
        "sectors": ["sector", "full_from", bucket, "within_horizon", "asks_for_something"],
    }[name]
