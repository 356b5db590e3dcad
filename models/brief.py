"""A brief for the meeting: a package, or a what-if, on one to three A4 pages.

What a coordinator hands round the table: the scenario's name and its illustrative label, the
date; the status and gap in a planner's words and the package's figures; the coverage matrix
(capabilities by sector, each cell its requirement lines); the contributions per nation and the
funding balance; and the explanation (the causes and the ways out when no package exists, a short
account of the package when one does) or, for a what-if, what changes; and for a phased scenario
the plan in time (`models.timeline`): per sector the tours and each line's coverage over time drawn
as SVG, the day each sector reaches full operational capability, each node's load against its
capacity, and each nation's tours by date.

The figures are the package's tables (`models.tables.package_tables`), unrounded until shown. The
page is HTML from a Jinja2 template, every text escaped (names, ids and red-line texts are the
delegates' own), printed to PDF by WeasyPrint with nothing fetched: the brief reads no file and no
address whatever its text says. The answer given is the one the reader may see (the service passes
a job's answer as `api.visibility` redacted it for the caller), and the scenario only lends names:
of its sectors, capabilities and nations, its requirement lines' order, its horizon and its label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import HTML

from forcepack.models.analysis import PackageDiff, WhatIf
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Conflict, ConflictElement, Explanation, NodeLoad, Relaxation, Solution
from forcepack.models.tables import package_tables
from forcepack.models.timeline import Timeline, timeline
from forcepack.models.wording import agrees, plural

TEMPLATE = "brief.html"
"""The brief's template, beside this module."""

STATUS_WORDS = {
    "optimal": "Optimal: the best package, proven",
    "feasible": "Feasible: a package, not proven the best within the time limit",
    "infeasible": "Infeasible: no package meets every requirement and condition",
    "unknown": "Unknown: no answer within the time limit",
}
"""Each status in the planner's words, as the page says them."""

CONFLICT_WORDS = {
    "requirement": "requirement",
    "red_line": "red line",
    "veto": "veto",
    "target": "target",
    "mandate": "mandate condition",
    "funding": "funding",
    "availability": "availability",
    "node": "node of entry",
    "tour": "tour",
}
"""Each kind of element of a cause, in words."""

MAX_LISTED = 16
"""Rows of a long list (changed placements, changed lines, short lines) printed before "and N more":
the brief stays within three pages, and the whole list is in the answer (`--json`, the job)."""

MAX_WAYS_OUT = 5
"""Ways out printed, cheapest first as the explanation ranks them."""


@dataclass(frozen=True)
class Fact:
    """A figure and its label."""

    label: str
    value: str


@dataclass(frozen=True)
class MatrixLine:
    """One requirement line in a cell of the coverage matrix."""

    id: str
    essential: bool
    figures: str
    percent: str
    fill: str
    change: str | None


@dataclass(frozen=True)
class MatrixCell:
    """A sector's lines of one capability, coloured by the least filled of them."""

    lines: list[MatrixLine]
    fill: str


@dataclass(frozen=True)
class MatrixRow:
    """A capability across the sectors: each cell its lines (None: no requirement there)."""

    capability: str
    cells: list[MatrixCell | None]


@dataclass(frozen=True)
class SectorColumn:
    """A sector's column head and foot: its name, its control, and how many of its lines are met."""

    name: str
    control: str | None
    met: str


@dataclass(frozen=True)
class Matrix:
    """Capabilities in rows, sectors in columns, as the page lays them out."""

    sectors: list[SectorColumn]
    rows: list[MatrixRow]
    totals: str
    solved: bool


@dataclass(frozen=True)
class Table:
    """A plain table: its head, its rows (cells as text), a total row, and what was left out."""

    head: list[str]
    rows: list[list[str]]
    total: list[str] | None = None
    more: int = 0


@dataclass(frozen=True)
class Cause:
    """One cause of an infeasible scenario: its summary and its elements in words."""

    title: str
    summary: str
    elements: list[tuple[str, str]]
    """Each element: what kind it is and its id, and its sentence."""
    minimal: bool


@dataclass(frozen=True)
class WayOut:
    """A way out: what to relax, and what follows."""

    changes: str
    effect: str
    cost: str | None


@dataclass(frozen=True)
class PrintedBrief:
    """The brief as a PDF, and how many pages it holds."""

    pdf: bytes
    pages: int


def brief_html(answer: Solution | WhatIf, scenario: Scenario, *, prepared: dt.date) -> str:
    """The brief of a package (or of a what-if) as one HTML page, every text escaped."""
    return _environment().get_template(TEMPLATE).render(**_context(answer, scenario, prepared))


def brief_pdf(answer: Solution | WhatIf, scenario: Scenario, *, prepared: dt.date) -> PrintedBrief:
    """The brief printed on A4 pages by WeasyPrint; nothing is fetched while printing."""
    document = HTML(string=brief_html(answer, scenario, prepared=prepared), url_fetcher=_fetch_nothing).render()
    return PrintedBrief(pdf=document.write_pdf(), pages=len(document.pages))


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The brief's HTML names no resource: any address (a file, a host) is refused unread."""
    raise ValueError(f"the brief fetches nothing ({url[:40]})")


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# -- the context the template reads --------------------------------------------------------------


def _context(answer: Solution | WhatIf, scenario: Scenario, prepared: dt.date) -> dict[str, Any]:
    names = _Names(scenario)
    what_if = answer if isinstance(answer, WhatIf) else None
    solution = answer.patched if isinstance(answer, WhatIf) else answer
    reference = solution if solution is not None else answer.baseline if isinstance(answer, WhatIf) else None
    assert reference is not None  # (a what-if always holds its baseline)
    shown, label = _shown_package(solution)
    diff = what_if.diff if what_if is not None else None
    return {
        "title": reference.scenario.name,
        "scenario_id": reference.scenario.id,
        "illustrative": scenario.illustrative,
        "prepared": prepared.isoformat(),
        "horizon": f"{scenario.horizon.start.isoformat()} to {scenario.horizon.end.isoformat()}",
        "what_if": _what_if_context(what_if, names) if what_if is not None else None,
        "status": solution.status if solution is not None else None,
        "status_words": STATUS_WORDS[solution.status] if solution is not None else None,
        "gap": _gap_words(solution) if solution is not None else None,
        "facts": _facts(solution) if solution is not None else [],
        "objective": _objective(solution) if solution is not None and solution.has_package else [],
        "account": _account(solution, names) if solution is not None and solution.has_package else [],
        "explanation": _explanation(solution.explanation) if solution is not None else None,
        "no_explanation": _no_explanation(solution),
        "shown_label": label,
        "matrix": _matrix(shown, scenario, names, diff) if shown is not None or solution is not None else None,
        "contributions": _contributions(shown, names) if shown is not None else None,
        "funding": _funding(shown) if shown is not None else None,
        "svg_styles": SVG_STYLES,
        "timeline": _timeline_page(shown, scenario, names, what_if)
        if shown is not None and shown.has_package and shown.plan is not None
        else None,
    }


def _shown_package(solution: Solution | None) -> tuple[Solution | None, str | None]:
    """The package whose tables the brief prints, and its label when it is not the answer itself:
    with no package, the best effort's (never as an answer), as the page shows it."""
    if solution is None or solution.has_package:
        return solution, None
    effort = solution.explanation.best_effort if solution.explanation is not None else None
    if effort is None:
        return None, None
    if effort.package is None or not effort.package.has_package:
        why = (
            "it is withheld from you (it would show what other nations offer beyond the current package)"
            if effort.package is None
            else "none exists even with the essential lines made desirable"
        )
        return None, f"The best that can be had without every essential line: {why}."
    lost = ", ".join(effort.lines_short) or "no essential line"
    if effort.least is None:
        fewest = " (fewer not ruled out within the time limit)"
    elif effort.least == len(effort.lines_short):
        fewest = " (the fewest possible, proven)"
    else:
        fewest = f" (at least {effort.least} must be)"
    return effort.package, (
        f"Not an answer: the best that can be had, which gives up {lost}{fewest if effort.lines_short else ''}. "
        "It holds every other rule (red lines, vetoes, targets, funding, availability)."
    )


class _Names:
    """Display names from the scenario (codes and ids where it gives none)."""

    def __init__(self, scenario: Scenario) -> None:
        self.nations = {n.code: n.name or n.code for n in scenario.nations}
        self.sectors = {s.id: (s.name or s.id, s.control.value) for s in scenario.sectors}
        self.capabilities = {c.id: c.name for c in scenario.capabilities if c.name}

    def nation(self, code: str) -> str:
        name = self.nations.get(code, code)
        return code if name == code else f"{name} ({code})"

    def sector(self, sector: str) -> str:
        return self.sectors.get(sector, (sector, ""))[0]

    def capability(self, capability: str) -> str:
        return self.capabilities.get(capability) or capability.replace("_", " ")


# -- formatting ---------------------------------------------------------------------------------------


def usd(amount: int | float) -> str:
    """USD as planners brief it: in millions past a million, in thousands past ten thousand."""
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    if size >= 1e6:
        return f"{sign}USD {size / 1e6:,.1f}M"
    if size >= 1e4:
        return f"{sign}USD {round(size / 1e3):,}K"
    return f"{sign}USD {round(size):,}"


def _signed(value: int | float, shown: str) -> str:
    return f"+{shown}" if value > 0 else shown if value < 0 else "0"


def _decimal(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def _listed(items: Sequence[str], *, limit: int = MAX_LISTED) -> str:
    """ "a, b and c", at most `limit` of them and then how many more."""
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    if len(shown) < 2:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


# -- status, figures, account ---------------------------------------------------------------------


def _gap_words(solution: Solution) -> str:
    """The gap as a planner reads it: proven optimal, or how far from proven, on which criterion."""
    if solution.status == "optimal":
        return "Proven optimal: gap 0%."
    if solution.status == "feasible":
        # The criterion the gap is of: the first whose bound falls short of its value, as the search
        # reports it (`solver.search`).
        open_criteria = [o.criterion for o in solution.objective if o.gap > 0 and abs(o.gap - solution.gap) < 1e-9]
        on = f" on {open_criteria[0]}" if open_criteria else ""
        gap = "under 0.1%" if solution.gap < 0.0005 else f"{solution.gap:.1%}"
        return f"Not proven optimal: gap {gap}{on} (the best bound proven is that far from this package)."
    return "No package, so no gap."


def _facts(solution: Solution) -> list[Fact]:
    totals = solution.totals
    facts = [
        Fact("Personnel", f"{totals.personnel:,}"),
        Fact("Units", f"{totals.units:,}"),
        Fact("Nations sending units", f"{totals.nations_contributing:,}"),
        Fact("Nations taking part", f"{totals.nations_participating:,}"),
        Fact("Total cost", usd(solution.funding.total_cost_usd)),
    ]
    return facts if solution.has_package else []


def _objective(solution: Solution) -> list[Fact]:
    """The criteria in the order optimised, each with its bound where it is not proven."""
    out = []
    for item in solution.objective:
        value = usd(item.value) if item.criterion == "cost" else _decimal(item.value)
        bound = (
            ""
            if item.bound == item.value
            else f" (bound {usd(item.bound) if item.criterion == 'cost' else _decimal(item.bound)})"
        )
        out.append(Fact(item.criterion, value + bound))
    return out


def _account(solution: Solution, names: _Names) -> list[str]:
    """The package in a few sentences: essential lines, desirable lines short, who takes part, money."""
    coverage = solution.coverage
    essential = [c for c in coverage if c.priority == "essential"]
    desirable = [c for c in coverage if c.priority != "essential"]
    short = [c for c in desirable if c.shortfall]
    empty = [c for c in short if c.provided == 0]
    essential_short = [c.requirement for c in essential if c.shortfall]
    sentences = [
        f"Essential lines short: {_listed(essential_short)}."
        if essential_short
        else f"Every essential line is met ({len(essential)} of {len(essential)})."
    ]
    if desirable:
        met = len(desirable) - len(short)
        sentences.append(
            f"{met} of {len(desirable)} desirable lines are fully met"
            + (
                f"; {_plural(len(short) - len(empty), 'line')} in part and {len(empty)} empty: "
                + _listed([f"{c.requirement} ({c.provided:,} of {c.required:,})" for c in short])
                if short
                else ""
            )
            + "."
        )
    totals = solution.totals
    money_only = totals.nations_participating - totals.nations_contributing
    sentences.append(
        f"{_plural(totals.nations_contributing, 'nation')} {agrees(totals.nations_contributing, 'sends', 'send')} units"
        + (f", {money_only} more {'takes' if money_only == 1 else 'take'} part with money" if money_only else "")
        + "."
    )
    f = solution.funding
    if f.pooled_cost_usd == 0:
        sentences.append(f"Every unit placed is self-funded ({usd(f.self_funded_usd)}).")
    elif f.gap_usd == 0:
        sentences.append(
            f"The pooled cost, {usd(f.pooled_cost_usd)}, is paid in full from pledges ({usd(f.pledged_usd)} usable)."
        )
    else:
        sentences.append(f"Of the pooled cost, {usd(f.pooled_cost_usd)}, pledges leave {usd(f.gap_usd)} unpaid.")
    order = ", then ".join(o.criterion for o in solution.objective)
    if order:
        best = "the best" if solution.status == "optimal" else "the best found (not proven)"
        sentences.append(f"It is {best} by {order}.")
    return sentences


def _no_explanation(solution: Solution | None) -> str | None:
    """What to say when there is neither a package nor an explanation."""
    if solution is None or solution.has_package or solution.explanation is not None:
        return None
    if solution.status == "infeasible":
        return "No package satisfies every rule of this scenario."
    return "No package was found within the time limit."


# -- explanation -------------------------------------------------------------------------------


def _element(c: ConflictElement) -> tuple[str, str]:
    kind = CONFLICT_WORDS.get(c.type, c.type)
    named = f"{kind} {c.id}" if c.id and c.id != c.text else kind
    return named, c.text


def _explanation(explanation: Explanation | None) -> dict[str, Any] | None:
    """The causes and the ways out. A cause's summary carries its figures (what a line needs, what is
    offered and what keeps it out), so its elements are listed by their sentences alone; with more
    than one cause, the explanation's own summary (every cause again) gives way to theirs."""
    if explanation is None:
        return None
    conflicts = explanation.conflicts or [
        Conflict(elements=explanation.conflict, minimal=explanation.minimal, summary=explanation.summary)
    ]
    causes = [
        Cause(
            title=f"Cause {i} of {len(conflicts)}" if len(conflicts) > 1 else "The cause",
            summary=c.summary if len(conflicts) > 1 else "",
            elements=[_element(e) for e in c.elements],
            minimal=c.minimal,
        )
        for i, c in enumerate(conflicts, 1)
    ]
    return {
        "summary": explanation.summary if len(conflicts) == 1 else _causes_words(len(conflicts)),
        "complete": explanation.complete,
        "causes": causes,
        "ways_out": [_way_out(r) for r in explanation.relaxations[:MAX_WAYS_OUT]],
        "more_ways_out": max(0, len(explanation.relaxations) - MAX_WAYS_OUT),
    }


def _causes_words(count: int) -> str:
    return (
        f"{plural(count, 'cause')}: each is a set of elements that cannot all hold, so a way out must break every one."
    )


def _way_out(r: Relaxation) -> WayOut:
    changes = " and ".join(_element(c)[0] for c in r.changes)
    return WayOut(changes=changes, effect=r.effect, cost=f"{r.cost:,}" if r.cost is not None else None)


# -- the coverage matrix -----------------------------------------------------------------------------


def _fill(fraction: float | None) -> str:
    if fraction is None:
        return "fill-unknown"
    if fraction >= 1:
        return "fill-full"
    if fraction >= 0.5:
        return "fill-high"
    return "fill-low" if fraction > 0 else "fill-none"


def _matrix(solution: Solution | None, scenario: Scenario, names: _Names, diff: PackageDiff | None) -> Matrix:
    """Sectors by capabilities, each cell its requirement lines, provided of required: the page's matrix,
    from the package's coverage table. Without a package, the lines and what they require."""
    rows = package_tables(solution)["coverage"] if solution is not None else []
    coverage = {row["requirement"]: row for row in rows}
    changes = diff.coverage if diff is not None else []
    before = {c.requirement: c.provided_before for c in changes if c.provided_before is not None}
    lines: list[Mapping[str, Any]] = [
        {
            "requirement": r.id,
            "sector": r.sector,
            "capability": r.capability,
            "priority": r.priority.value,
            "measure": r.measure.value,
            "required": r.quantity,
        }
        for r in scenario.requirements
    ]
    known = {r.id for r in scenario.requirements}
    lines += [row for row in rows if row["requirement"] not in known]
    sectors = _ordered([s.id for s in scenario.sectors], (str(line["sector"]) for line in lines))
    capabilities = _ordered([], (str(line["capability"]) for line in lines))
    solved = solution is not None

    def entry(line: Mapping[str, Any]) -> tuple[MatrixLine, bool, float | None]:
        row = coverage.get(str(line["requirement"]))
        required = int(row["required"]) if row is not None else int(line["required"])
        provided = int(row["provided"]) if row is not None else None
        if solved and provided is None:
            provided = 0
        measure = "pers." if line["measure"] == "personnel" else "unit" if required == 1 else "units"
        fraction = None if provided is None else min(1.0, provided / required) if required > 0 else 1.0
        was = before.get(str(line["requirement"]))
        change = None
        if was is not None and provided is not None and was != provided:
            change = f"{'▲' if provided > was else '▼'} was {was:,}"
        return (
            MatrixLine(
                id=str(line["requirement"]),
                essential=line["priority"] == "essential",
                figures=f"{required:,} {measure}" if provided is None else f"{provided:,}/{required:,} {measure}",
                percent="–" if fraction is None else f"{round(fraction * 100)}%",
                fill=_fill(fraction),
                change=change,
            ),
            fraction is not None and fraction >= 1,
            fraction,
        )

    entries = {str(line["requirement"]): entry(line) for line in lines}

    def cell(sector: str, capability: str) -> MatrixCell | None:
        here = [
            entries[str(line["requirement"])]
            for line in lines
            if line["sector"] == sector and line["capability"] == capability
        ]
        if not here:
            return None
        fractions = [fraction for _, _, fraction in here if fraction is not None]
        return MatrixCell(lines=[item for item, _, _ in here], fill=_fill(min(fractions) if fractions else None))

    matrix_rows = [
        MatrixRow(capability=names.capability(capability), cells=[cell(sector, capability) for sector in sectors])
        for capability in capabilities
    ]
    columns = []
    for sector in sectors:
        here = [entries[str(line["requirement"])][1] for line in lines if line["sector"] == sector]
        control = names.sectors.get(sector, (sector, None))[1]
        columns.append(
            SectorColumn(
                name=names.sector(sector),
                control=control or None,
                met=f"{sum(here)} of {len(here)} met" if solved else plural(len(here), "line"),
            )
        )
    # (a best effort's package has the essential lines made desirable: they are counted as the scenario has them)
    priority = {str(line["requirement"]): str(line["priority"]) for line in lines}
    totals = _coverage_totals(rows, priority) if solved else ""
    return Matrix(sectors=columns, rows=matrix_rows, totals=totals, solved=solved)


def _coverage_totals(rows: list[dict[str, Any]], priority: Mapping[str, str]) -> str:
    """How many lines are fully met, essential and desirable apart."""
    essential = [r for r in rows if priority.get(r["requirement"], r["priority"]) == "essential"]
    desirable = [r for r in rows if priority.get(r["requirement"], r["priority"]) != "essential"]
    met = sum(1 for r in rows if r["shortfall"] == 0)
    return (
        f"Lines fully met: {met} of {len(rows)} "
        f"(essential {sum(1 for r in essential if r['shortfall'] == 0)} of {len(essential)}, "
        f"desirable {sum(1 for r in desirable if r['shortfall'] == 0)} of {len(desirable)})."
    )


def _ordered(first: list[str], more: Iterable[str]) -> list[str]:
    out = list(first)
    for item in more:
        if item not in out:
            out.append(item)
    return out


# -- contributions and funding -----------------------------------------------------------------------


def _contributions(solution: Solution, names: _Names) -> Table:
    """Each nation's part, from the package's contributions table, and the totals."""
    rows = package_tables(solution)["contributions"]
    total = solution.totals
    return Table(
        head=["Nation", "Personnel", "Share", "Units", "Sectors", "Cost", "Pledged", "Drawn"],
        rows=[
            [
                names.nation(str(r["nation"])),
                f"{r['personnel']:,}",
                f"{r['share']:.1%}",
                f"{r['units']:,}",
                str(r["sectors"]),
                usd(r["cost_usd"]),
                usd(r["funding_pledged_usd"]),
                usd(r["funding_used_usd"]),
            ]
            for r in rows
        ],
        total=[
            f"Total: {_plural(total.nations_contributing, 'nation')} sending units",
            f"{total.personnel:,}",
            "",
            f"{total.units:,}",
            "",
            usd(solution.funding.total_cost_usd),
            "",
            usd(solution.funding.used_usd),
        ],
    )


def _funding(solution: Solution) -> list[Fact]:
    f = solution.funding
    return [
        Fact("Total cost", usd(f.total_cost_usd)),
        Fact("Self-funded by nations", usd(f.self_funded_usd)),
        Fact("Pooled cost (paid from pledges)", usd(f.pooled_cost_usd)),
        Fact("Pledged (usable)", usd(f.pledged_usd)),
        Fact("Drawn from pledges", usd(f.used_usd)),
        Fact("Gap", usd(f.gap_usd) + (" (not covered)" if f.gap_usd else " (fully funded)")),
    ]


# -- what-if -------------------------------------------------------------------------------------------


def _op_words(op: Mapping[str, Any], names: _Names) -> str:
    """One patch operation in words: what it changes, never a whole offer."""
    kind = str(op.get("op", "change"))
    if kind == "withdraw":
        starting = f" from {op['starting']}" if op.get("starting") else ""
        return f"{_listed([names.nation(str(n)) for n in op.get('nations', [])])} withdraw{starting}"
    if kind == "set_control":
        return f"{names.sector(str(op.get('sector')))} becomes {op.get('control')}"
    if kind == "set_mandate" and isinstance(op.get("conditions"), Mapping):
        return "mandate: " + ", ".join(f"{k} {'holds' if v else 'does not hold'}" for k, v in op["conditions"].items())
    if kind == "replace_offer":
        offer = op.get("offer")
        nation = offer.get("nation") if isinstance(offer, Mapping) else None
        return f"{names.nation(str(nation))}'s offer replaced" if nation else "an offer replaced"
    scalars = [f"{k} {v}" for k, v in op.items() if k != "op" and isinstance(v, str | int | float | bool)]
    return f"{kind.replace('_', ' ')}" + (f": {', '.join(scalars)}" if scalars else "")


def _what_if_context(answer: WhatIf, names: _Names) -> dict[str, Any]:
    ops = answer.patch.get("ops", [])
    described = answer.patch.get("description")
    changes = [_op_words(op, names) for op in ops if isinstance(op, Mapping)] if isinstance(ops, list) else []
    diff = answer.diff
    return {
        "mode": "repair (keep as much of the current package as possible)"
        if answer.mode == "repair"
        else "resolve (a fresh optimum)",
        "description": str(described) if described else None,
        "changes": changes,
        # (with no package after the change, the summary holds the whole explanation: printed below, once)
        "summary": answer.summary if diff is not None or answer.patched is None else None,
        "withheld": answer.withheld,
        "baseline_status": STATUS_WORDS[answer.baseline.status],
        "counts": _diff_counts(diff, names) if diff is not None else [],
        "placements": _placement_changes(diff, names) if diff is not None else None,
        "lines": _line_changes(diff, names) if diff is not None else None,
        "no_diff": _no_diff_words(answer),
    }


def _diff_counts(diff: PackageDiff, names: _Names) -> list[Fact]:
    return [
        Fact("Placements added or grown", f"{len(diff.added):,}"),
        Fact("Placements removed or cut", f"{len(diff.removed):,}"),
        Fact("Lines whose coverage changes", f"{len(diff.coverage):,}"),
        Fact("Nations leaving", _listed([names.nation(n) for n in diff.nations_out]) or "none"),
        Fact("Nations joining", _listed([names.nation(n) for n in diff.nations_in]) or "none"),
        Fact("Cost", _signed(diff.cost_delta_usd, usd(diff.cost_delta_usd))),
        Fact("Personnel", _signed(diff.personnel_delta, f"{diff.personnel_delta:,}")),
        Fact("Shortfall", _signed(diff.shortfall_delta, _decimal(diff.shortfall_delta))),
        Fact("Units moved, added or removed", f"{diff.churn:,}"),
        *(
            [Fact("Now taking part", _listed([names.nation(n) for n in diff.participating_in]))]
            if diff.participating_in
            else []
        ),
        *(
            [Fact("No longer taking part", _listed([names.nation(n) for n in diff.participating_out]))]
            if diff.participating_out
            else []
        ),
        *(
            [
                Fact(
                    "Pledged money drawn",
                    "; ".join(
                        f"{names.nation(f.nation)} {usd(f.used_before_usd)} → {usd(f.used_after_usd)}"
                        for f in diff.funding[:MAX_LISTED]
                    )
                    + (f"; and {len(diff.funding) - MAX_LISTED} more" if len(diff.funding) > MAX_LISTED else ""),
                )
            ]
            if diff.funding
            else []
        ),
    ]


def _placement_changes(diff: PackageDiff, names: _Names) -> Table:
    changes = [("−", c) for c in diff.removed] + [("+", c) for c in diff.added]
    return Table(
        head=["", "Nation", "Unit", "Line", "Sector", "Units"],
        rows=[
            [sign, names.nation(c.nation), c.unit, c.requirement, names.sector(c.sector), f"{c.before} → {c.after}"]
            for sign, c in changes[:MAX_LISTED]
        ],
        more=max(0, len(changes) - MAX_LISTED),
    )


def _line_changes(diff: PackageDiff, names: _Names) -> Table:
    return Table(
        head=["Line", "Sector", "Priority", "Required", "Before", "After", "Shortfall"],
        rows=[
            [
                c.requirement + {"kept": "", "added": " (new)", "dropped": " (dropped)"}[c.line],
                names.sector(c.sector),
                c.priority,
                f"{c.required:,}",
                _count(c.provided_before),
                _count(c.provided_after),
                f"{_count(c.shortfall_before)} → {_count(c.shortfall_after)}",
            ]
            for c in diff.coverage[:MAX_LISTED]
        ],
        more=max(0, len(diff.coverage) - MAX_LISTED),
    )


def _count(value: int | None) -> str:
    """A figure of a line, or a dash where the line does not exist on that side."""
    return "–" if value is None else f"{value:,}"


def _no_diff_words(answer: WhatIf) -> str | None:
    if answer.diff is not None:
        return "Nothing changes: the package stays as it is." if answer.diff.is_empty() else None
    if answer.patched is None:
        return None  # (the withheld sentence says why)
    if not answer.baseline.has_package:
        return "The scenario as it stands has no package either: there is nothing to compare."
    return "With these changes no package remains."


# -- the timeline of a phased plan ---------------------------------------------------------------------

TIMELINE_WIDTH = 700.0
"""The timeline's drawing in its own units, as wide as the page's text."""

TIMELINE_LABEL = 112.0
"""Room for the rows' labels, left of the buckets."""

CAPABILITY_PALETTE = (
    "#1f6fb4", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a5a5", "#7f6a00", "#d35d9b", "#5b6b7f", "#8c564b",
)  # fmt: skip
"""Bar colours, one per capability in the scenario's order (repeating past ten)."""

FILL_COLOURS = {"fill-full": "#7cb58f", "fill-high": "#e9c866", "fill-low": "#e9a273", "fill-none": "#d9707c"}
"""A coverage strip's bucket by its fill, as the page colours it."""

MAX_TOURS_LISTED = 40
"""Tours listed by nation, the earliest arrivals first, before "and N more" (the brief stays within
three pages; every tour is in the answer)."""

SVG_STYLES: dict[str, dict[str, str]] = {
    "tick": {"stroke": "#e2e5ea", "stroke-width": "0.4"},
    "tick quarter": {"stroke": "#b9c0ca", "stroke-width": "0.4"},
    "sector-rule": {"stroke": "#c9d3e0", "stroke-width": "0.4"},
    "foc": {"stroke": "#2e7d32", "stroke-width": "1", "stroke-dasharray": "2.5 1.5"},
    "mark": {"stroke": "#b00020", "stroke-width": "1"},
    "capacity": {"stroke": "#b00020", "stroke-width": "0.5", "stroke-dasharray": "2 1"},
    "tour": {"stroke": "#222222", "stroke-width": "0.3"},
    "relief": {"fill-opacity": "0.35", "stroke": "#222222", "stroke-width": "0.3", "stroke-dasharray": "1 1"},
    "strip": {"stroke": "#ffffff", "stroke-width": "0.2"},
    "load": {},
    "sector": {"font-size": "6.4", "font-weight": "bold", "fill": "#1b3c5a"},
    "line": {"font-size": "5.4", "font-weight": "bold", "fill": "#111111"},
    "unit": {"font-size": "5.4", "fill": "#111111"},
    "tick-label": {"font-size": "5.4", "fill": "#555555"},
    "mark-label": {"font-size": "5.6", "font-weight": "bold", "fill": "#b00020"},
}
"""Each kind of part of a drawing, its presentation attributes."""


@dataclass(frozen=True)
class Shape:
    """A rectangle of a drawing, with the text a reader's tool may show for it."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    kind: str = ""
    title: str = ""


@dataclass(frozen=True)
class Label:
    """A text of a drawing."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    kind: str = ""


@dataclass(frozen=True)
class Rule:
    """A straight line of a drawing (a tick, a full-capability mark, a capacity)."""

    x1: float
    y1: float
    x2: float
    y2: float
    kind: str = ""


@dataclass(frozen=True)
class Drawing:
    """An SVG drawing in its own units, as wide as the page's text."""

    width: float
    height: float
    shapes: list[Shape]
    labels: list[Label]
    rules: list[Rule]


class _Canvas:
    """Collects a drawing's parts; x of a bucket from the label column on."""

    def __init__(self, buckets: int) -> None:
        self.step = (TIMELINE_WIDTH - TIMELINE_LABEL - 4) / max(1, buckets)
        self.shapes: list[Shape] = []
        self.labels: list[Label] = []
        self.rules: list[Rule] = []

    def x(self, bucket: float) -> float:
        return round(TIMELINE_LABEL + bucket * self.step, 2)

    def drawing(self, height: float) -> Drawing:
        return Drawing(TIMELINE_WIDTH, round(height, 2), self.shapes, self.labels, self.rules)


def _day(value: dt.date) -> str:
    return value.isoformat()


def _axis(canvas: _Canvas, found: Timeline, top: float, bottom: float) -> None:
    """Month ticks, quarters labelled (every month of a monthly plan)."""
    plan = found.plan
    month = None
    for bucket in plan.buckets:
        key = (bucket.start.year, bucket.start.month)
        if key == month:
            continue
        month = key
        quarter = plan.bucket == "month" or bucket.start.month % 3 == 1
        first = bucket.index == 0 and bucket.start.month % 3 == 2
        x = canvas.x(bucket.index)
        canvas.rules.append(Rule(x, top, x, bottom, "tick quarter" if quarter else "tick"))
        if quarter or first:
            canvas.labels.append(Label(x + 1, top - 1.5, bucket.start.strftime("%b %y"), kind="tick-label"))


def _timeline_drawing(found: Timeline, names: _Names, marks: list[tuple[int, str]]) -> Drawing:
    """Per sector: each line's coverage strip, then a row per unit line, its tours as bars (lighter
    while they take over), the full-capability day as a dashed line."""
    plan = found.plan
    canvas = _Canvas(len(plan.buckets))
    colours: dict[str, str] = {}
    top = 12.0
    y = top + 1
    for sector in found.sectors:
        start = y
        full = sector.full_from
        canvas.labels.append(
            Label(
                2,
                y + 7,
                f"{names.sector(sector.sector)}: "
                + (f"FOC {_day(found.start(full))}" if full is not None else "FOC not reached"),
                kind="sector",
            )
        )
        y += 10
        for line in sector.lines:
            canvas.labels.append(Label(TIMELINE_LABEL - 3, y + 5, line.requirement, "end", "line"))
            for run in line.runs:
                fill = FILL_COLOURS[_fill(run.fraction)]
                canvas.shapes.append(
                    Shape(
                        canvas.x(run.first),
                        y,
                        round(canvas.step * (run.last - run.first + 1), 2),
                        5.5,
                        fill,
                        "strip",
                        f"{line.requirement} {_day(found.start(run.first))} to {_day(found.end(run.last))}: "
                        f"{run.provided:,} of {run.required:,}",
                    )
                )
            y += 7.5
            colour = colours.setdefault(line.capability, CAPABILITY_PALETTE[len(colours) % len(CAPABILITY_PALETTE)])
            for row in line.units:
                canvas.labels.append(Label(TIMELINE_LABEL - 3, y + 5, f"{row.nation} {row.unit}", "end", "unit"))
                for placed in row.tours:
                    tour = placed.tour
                    bar = y + placed.lane * 6.5
                    words = (
                        f"{names.nation(tour.nation)} {tour.unit} on {tour.requirement}: "
                        f"{_day(found.start(tour.arrival))} to {_day(found.end(tour.last))}"
                    )
                    if tour.fills_from > tour.arrival:
                        canvas.shapes.append(
                            Shape(
                                canvas.x(tour.arrival),
                                bar + 0.5,
                                round(canvas.step * (tour.fills_from - tour.arrival), 2),
                                5,
                                colour,
                                "relief",
                                words,
                            )
                        )
                    canvas.shapes.append(
                        Shape(
                            canvas.x(tour.fills_from),
                            bar + 0.5,
                            round(canvas.step * (tour.last - tour.fills_from + 1), 2),
                            5,
                            colour,
                            "tour",
                            words,
                        )
                    )
                y += row.lanes * 6.5
            y += 1.5
        if full is not None:
            x = canvas.x(full)
            canvas.rules.append(Rule(x, start + 9, x, y, "foc"))
        y += 3
        canvas.rules.append(Rule(0, y - 1.5, TIMELINE_WIDTH, y - 1.5, "sector-rule"))
    _axis(canvas, found, top - 3, y)
    for bucket, label in marks:
        x = canvas.x(bucket)
        canvas.rules.append(Rule(x, 2, x, y, "mark"))
        canvas.labels.append(Label(x + 2, 4, label, kind="mark-label"))
    return canvas.drawing(y)


def _nodes_drawing(found: Timeline) -> Drawing | None:
    """Each node's load per bucket: a bar per bucket, as tall as the part of its capacity used (of its
    busiest bucket where it has no limit), the capacity dashed above."""
    if not found.nodes:
        return None
    plan = found.plan
    canvas = _Canvas(len(plan.buckets))
    y = 10.0
    for node in found.nodes:
        canvas.labels.append(Label(2, y + 6, node.name, kind="sector"))
        y += 9
        for value, capacity in (("personnel", "personnel_capacity"), ("tons", "tons_capacity")):
            amounts = [int(getattr(load, value)) for load in node.loads]
            limits = [getattr(load, capacity) for load in node.loads]
            if not any(amounts) and all(limit is None for limit in limits):
                continue
            canvas.labels.append(Label(TIMELINE_LABEL - 3, y + 9, value, "end", "unit"))
            canvas.rules.append(Rule(canvas.x(0), y, canvas.x(len(plan.buckets)), y, "capacity"))
            top = max([1, *amounts])
            for load, amount, limit in zip(node.loads, amounts, limits, strict=True):
                if not amount:
                    continue
                fraction = min(1.0, amount / limit) if limit else amount / top
                tall = max(0.6, round(12 * fraction, 2))
                canvas.shapes.append(
                    Shape(
                        canvas.x(load.bucket) + 0.3,
                        y + 12 - tall,
                        max(0.6, round(canvas.step - 0.6, 2)),
                        tall,
                        "#b00020" if fraction >= 1 else "#5b83b3",
                        "load",
                        f"{node.name} {_day(found.start(load.bucket))}: {amount:,}"
                        + (f" of {limit:,} {value}" if limit else f" {value}"),
                    )
                )
            y += 15
        y += 2
    _axis(canvas, found, 7, y)
    return canvas.drawing(y)


def _busiest_words(found: Timeline, load: NodeLoad | None, value: str, capacity: str) -> str:
    if load is None:
        return "none"
    amount = int(getattr(load, value))
    limit = getattr(load, capacity)
    return f"{_day(found.start(load.bucket))}: {amount:,}" + (
        f" of {limit:,} ({amount / limit:.0%})" if limit else " (no limit)"
    )


def _marks(found: Timeline, what_if: WhatIf | None) -> list[tuple[int, str]]:
    """A what-if's dated withdrawals, as buckets and words (nations by code: the drawing's room is short)."""
    ops = what_if.patch.get("ops") if what_if is not None else None
    if not isinstance(ops, list):
        return []
    marks = []
    for op in ops:
        if not isinstance(op, Mapping) or op.get("op") != "withdraw" or not op.get("starting"):
            continue
        day = dt.date.fromisoformat(str(op["starting"]))
        bucket = next((b.index for b in found.plan.buckets if b.start <= day <= b.end), None)
        if bucket is not None:
            listed = op.get("nations")
            nations = ", ".join(str(n) for n in listed) if isinstance(listed, list) else ""
            marks.append((bucket, f"{nations} withdraw from {_day(day)}"))
    return marks


def _timeline_page(
    solution: Solution, scenario: Scenario, names: _Names, what_if: WhatIf | None
) -> dict[str, Any] | None:
    """The plan in time: the sectors' drawing, full operational capability per sector, the nodes'
    loads (drawn and in figures), and each nation's tours by date."""
    assert solution.plan is not None
    found = timeline(solution.plan, scenario)
    plan = found.plan
    word = plan.bucket
    foc = Table(
        head=["Sector", "Opens", "Full operational capability", "Tours"],
        rows=[
            [
                names.sector(s.sector),
                _day(s.opens) if s.opens is not None else _day(plan.buckets[0].start),
                f"from {_day(found.start(s.full_from))} ({word} {s.full_from + 1} of {len(plan.buckets)})"
                if s.full_from is not None
                else "not reached within the horizon",
                f"{sum(len(row.tours) for line in s.lines for row in line.units):,}",
            ]
            for s in found.sectors
        ],
    )
    nodes = Table(
        head=["Node of entry", "A day", f"Busiest {word}, personnel", f"Busiest {word}, tons"],
        rows=[
            [
                node.name,
                " and ".join(
                    part
                    for part in (
                        f"{node.personnel_per_day:,} personnel" if node.personnel_per_day is not None else "",
                        f"{node.tons_per_day:,} tons" if node.tons_per_day is not None else "",
                    )
                    if part
                )
                or "no limit",
                _busiest_words(found, node.busiest_personnel, "personnel", "personnel_capacity"),
                _busiest_words(found, node.busiest_tons, "tons", "tons_capacity"),
            ]
            for node in found.nodes
        ],
    )
    by_nation: dict[str, list[str]] = {}
    ordered = sorted(plan.tours, key=lambda t: (t.arrival, t.nation, t.unit, t.requirement))
    for tour in ordered[:MAX_TOURS_LISTED]:
        by_nation.setdefault(tour.nation, []).append(
            f"{tour.units} x {tour.unit} on {tour.requirement} {_day(found.start(tour.arrival))} to "
            f"{_day(found.end(tour.last))}"
        )
    return {
        "heading": f"the plan {word} by {word}",
        "span": f"{len(plan.buckets):,} {word}s from {_day(plan.buckets[0].start)} to {_day(plan.buckets[-1].end)}",
        "drawing": _timeline_drawing(found, names, _marks(found, what_if)),
        "nodes_drawing": _nodes_drawing(found),
        "foc": foc,
        "nodes": nodes if found.nodes else None,
        "tours": [(names.nation(nation), "; ".join(items)) for nation, items in by_nation.items()],
        "more_tours": max(0, len(plan.tours) - MAX_TOURS_LISTED),
    }
