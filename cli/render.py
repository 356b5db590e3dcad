"""A solution document as a planner reads it: status, coverage per sector, nations, funding."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from forcepack.models import phases
from forcepack.models.analysis import Alternatives, Criticality, PackageDiff, Resilient, WhatIf, WhyNot, Withdrawal
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Conflict, Solution
from forcepack.models.wording import figure, millions, millions_change, plural, signed

usd = millions
"""An amount in millions with one decimal, the unit planners brief in (`33.2M`)."""


def headline(solution: Solution) -> Text:
    colour = {"optimal": "green", "feasible": "yellow", "infeasible": "red", "unknown": "red"}[solution.status]
    text = Text()
    text.append(f"{solution.scenario.name} ({solution.scenario.id}): ", style="bold")
    text.append(solution.status.upper(), style=f"bold {colour}")
    if solution.status == "feasible":
        text.append(f"  gap {'under 0.01%' if solution.gap < 0.00005 else format(solution.gap, '.2%')}")
    if solution.objective:
        parts = []
        for item in solution.objective:
            value = figure(item.value) if item.criterion != "cost" else f"USD {usd(item.value)}"
            parts.append(f"{item.criterion} {value}")
        text.append("  |  " + ", ".join(parts))
    text.append(f"  |  {solution.run.wall_s:.2f}s, {plural(solution.run.workers, 'worker')}", style="dim")
    return text


def coverage_table(solution: Solution, scenario: Scenario) -> Table:
    """Each line's coverage; in a phased plan over the buckets it is needed in: what it needs and has
    from the least to the most bucket, its worst shortfall with the buckets short, and the tours that
    fill it (a static line's `2xunit` would count a relief's overlap as more units)."""
    plan = solution.plan
    title = "Coverage by sector" + (f" (over the {plan.bucket}s each line is needed)" if plan is not None else "")
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in ("sector", "line", "capability", "priority", "required", "provided", "short", "filled by"):
        table.add_column(column, justify="right" if column in ("required", "provided", "short") else "left")
    fillers: dict[str, list[str]] = defaultdict(list)
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    if plan is None:
        for a in solution.assignments:
            fillers[a.requirement].append(f"{a.nation} {a.units}x{a.unit}")
    else:
        tours: dict[tuple[str, str, str], int] = defaultdict(int)
        for t in plan.tours:
            tours[(t.requirement, t.nation, t.unit)] += 1
        for (requirement, nation, unit), n in tours.items():
            fillers[requirement].append(f"{nation} {unit} ({plural(n, 'tour')})")
        for c in plan.coverage:
            spans[c.requirement].append((c.required, c.provided, c.shortfall))
    for row in solution.coverage:
        sector = scenario.sector_by_id[row.sector]
        style = "red" if row.shortfall and row.priority == "essential" else ("yellow" if row.shortfall else "")
        unit = " pers" if row.measure == "personnel" else ""
        required, provided, short = f"{row.required:,}{unit}", f"{row.provided:,}", f"{row.shortfall:,}"
        if spans[row.requirement]:
            needs, has, shorts = zip(*spans[row.requirement], strict=True)
            required, provided = f"{_range(needs)}{unit}", _range(has)
            missing = sum(1 for s in shorts if s)
            short = f"{max(shorts):,} in {plural(missing, plan.bucket if plan is not None else 'bucket')}"
        table.add_row(
            f"{sector.name or sector.id} ({sector.control.value})",
            row.requirement,
            row.capability,
            row.priority,
            required,
            provided,
            short if row.shortfall else "",
            ", ".join(fillers[row.requirement]),
            style=style,
        )
    return table


def _range(values: tuple[int, ...]) -> str:
    """The least and the most of a line's figures over its buckets: `2 to 4`, or `3` when alike."""
    least, most = min(values), max(values)
    return f"{least:,}" if least == most else f"{least:,} to {most:,}"


def nations_table(solution: Solution) -> Table:
    table = Table(title="Contributions by nation", title_justify="left")
    for column in ("nation", "personnel", "share", "units", "sectors", "cost", "pledged", "money used"):
        table.add_column(column, justify="left" if column in ("nation", "sectors") else "right")
    for n in solution.nations:
        table.add_row(
            n.nation,
            f"{n.personnel:,}",
            f"{n.share:.1%}",
            str(n.units),
            ", ".join(n.sectors),
            usd(n.cost_usd),
            usd(n.funding_pledged_usd),
            usd(n.funding_used_usd),
        )
    t = solution.totals
    table.add_row(
        "total",
        f"{t.personnel:,}",
        "",
        str(t.units),
        f"{t.nations_contributing} contributing / {t.nations_participating} participating",
        usd(solution.funding.total_cost_usd),
        "",
        usd(solution.funding.used_usd),
        style="bold",
    )
    return table


def funding_text(solution: Solution) -> Text:
    f = solution.funding
    text = Text("Funding balance: ", style="bold")
    text.append(
        f"total cost USD {usd(f.total_cost_usd)} = self-funded {usd(f.self_funded_usd)} + pooled "
        f"{usd(f.pooled_cost_usd)}; pledges usable {usd(f.pledged_usd)}, drawn {usd(f.used_usd)}, "
    )
    text.append(f"gap {usd(f.gap_usd)}", style="red" if f.gap_usd else "green")
    return text


def explanation_text(solution: Solution, *, with_summary: bool = True) -> RenderableType:
    e = solution.explanation
    if e is None:
        if solution.status == "infeasible":
            return Text("No package satisfies every rule of this scenario.", style="red")
        return Text("No package was found within the time limit.", style="red")
    lines: list[RenderableType] = [Text(e.summary, style="bold red")] if with_summary else []
    conflicts = e.conflicts or [Conflict(elements=e.conflict, minimal=e.minimal, summary=e.summary)]
    shown = [c for c in conflicts if c.elements]  # (a cause of no element: the summary says why)
    for i, conflict in enumerate(shown, 1):
        title = f"Cause {i} of {len(shown)}" if len(shown) > 1 else "Conflict"
        lines.append(Text(f"{title} ({'minimal' if conflict.minimal else 'not proven minimal'}):", style="bold"))
        for c in conflict.elements:
            lines.append(Text(f"  - [{c.type}] {c.id}: {c.text}"))
            if c.figures:
                lines.append(Text(f"      {c.figures}", style="dim"))
    if e.relaxations:
        lines.append(Text("Ways out:", style="bold"))
        for i, r in enumerate(e.relaxations, 1):
            changes = "; ".join(f"{c.type} {c.id}" for c in r.changes)
            cost = f" (relax cost {r.cost})" if r.cost is not None else ""
            lines.append(Text(f"  {i}. relax {changes}{cost}: {r.effect}"))
            if r.patch is not None:
                ops = ", ".join(str(op.get("op")) for op in r.patch.get("ops", []))
                lines.append(Text(f"      as a what-if patch: {ops}", style="dim"))
            elif r.unpatchable:
                lines.append(Text(f"      not a patch: {'; '.join(r.unpatchable)}", style="dim"))
    return Group(*lines)


def best_effort_text(solution: Solution, scenario: Scenario) -> RenderableType | None:
    """The best package that can be had without every essential line, and what it gives up."""
    effort = solution.explanation.best_effort if solution.explanation is not None else None
    if effort is None:
        return None
    package = effort.package
    if package is None or not package.has_package:
        return Text("Best effort: no package even with the essential lines made desirable.", style="bold")
    short = ", ".join(f"`{rid}`" for rid in effort.lines_short) or "none"
    fewest = " (the fewest possible)" if effort.least is not None else " (fewer not ruled out)"
    head = Text("Best effort: ", style="bold")
    head.append(
        f"{package.totals.personnel:,} personnel from {plural(package.totals.nations_contributing, 'nation')}, "
        "cost USD "
        f"{usd(package.funding.total_cost_usd)}; essential lines short: {short}{fewest if effort.lines_short else ''}"
    )
    # The package is the scenario's with essential lines made desirable: show them as the scenario has them.
    priority = {r.id: r.priority.value for r in scenario.requirements}
    rows = [c.model_copy(update={"priority": priority.get(c.requirement, c.priority)}) for c in package.coverage]
    return Group(head, coverage_table(package.model_copy(update={"coverage": rows}), scenario))


def render(solution: Solution, scenario: Scenario, console: Console) -> None:
    """Print the readable summary of a solution."""
    console.print(headline(solution))
    if solution.has_package:
        console.print(coverage_table(solution, scenario))
        console.print(nations_table(solution))
        console.print(funding_text(solution))
    else:
        console.print(explanation_text(solution))
        effort = best_effort_text(solution, scenario)
        if effort is not None:
            console.print(effort)


def render_why_not(answer: WhyNot, console: Console) -> None:
    """Print a why-not answer: the verdict, the criteria compared, or the conflict."""
    console.print(Text(answer.summary, style="bold"))
    if answer.deltas:
        table = Table(title=f"Best package against the best with {answer.subject}", title_justify="left")
        for column in ("criterion", "optimum", f"with {answer.subject}", "change"):
            table.add_column(column, justify="left" if column == "criterion" else "right")
        for d in answer.deltas:
            fmt = usd if d.criterion == "cost" else figure
            table.add_row(d.criterion, fmt(d.optimum), fmt(d.with_subject), fmt(d.delta))
        console.print(table)
    if answer.with_subject is not None and not answer.with_subject.has_package:
        console.print(explanation_text(answer.with_subject, with_summary=False))
    if answer.supply:
        table = Table(title=f"Offered for `{answer.subject}`", title_justify="left")
        for column in ("nation", "unit", "could provide", "provides", "kept out by"):
            table.add_column(column, justify="right" if column in ("could provide", "provides") else "left")
        for row in answer.supply:
            table.add_row(
                row.nation, row.unit, f"{row.offered:,}", f"{row.placed:,}", "; ".join(row.kept_out_by) or "-"
            )
        console.print(table)


def render_what_if(answer: WhatIf, scenario: Scenario, console: Console) -> None:
    """Print a what-if: the verdict, then what changed, as a planner reads a diff."""
    console.print(Text(answer.summary, style="bold"))
    diff = answer.diff
    if diff is None:
        if answer.patched is not None and not answer.patched.has_package:
            console.print(explanation_text(answer.patched, with_summary=False))
        elif answer.patched is not None and scenario is not None:
            render(answer.patched, scenario, console)  # (no diff: the baseline had no package)
        return
    if diff.is_empty():
        return
    if diff.added or diff.removed:
        console.print(_placements_table(diff))
    if diff.tours_added or diff.tours_removed:
        console.print(_tours_table(diff, scenario))
    if diff.coverage:
        phased = any(c.short_over_before is not None or c.short_over_after is not None for c in diff.coverage)
        cov = Table(title="Coverage changed", title_justify="left")
        columns = ["line", "sector", "priority", "required", "before", "after"]
        columns += ["short over the plan, before", "after"] if phased else []
        for column in columns:
            cov.add_column(column, justify="left" if column in ("line", "sector", "priority") else "right")
        for c in diff.coverage:
            row = [
                c.requirement + {"kept": "", "added": " (new)", "dropped": " (dropped)"}[c.line],
                c.sector,
                c.priority,
                f"{c.required:,}",
                "-" if c.provided_before is None else f"{c.provided_before:,}",
                "-" if c.provided_after is None else f"{c.provided_after:,}",
            ]
            if phased:
                row += [
                    "-" if c.short_over_before is None else f"{c.short_over_before:,}",
                    "-" if c.short_over_after is None else f"{c.short_over_after:,}",
                ]
            cov.add_row(*row, style="red" if c.lost else "dim" if c.line == "dropped" else "green")
        if phased:
            cov.caption = "before and after: the worst bucket's; short over the plan: summed over the buckets"
        console.print(cov)
    console.print(
        f"cost USD {millions_change(diff.cost_delta_usd)}, personnel {diff.personnel_delta:+,}, "
        f"shortfall {signed(diff.shortfall_delta)}, churn {plural(diff.churn, 'unit')}"
    )


def _tours_table(diff: PackageDiff, scenario: Scenario) -> Table:
    """A phased plan's tours with fewer units after the change, then those with more."""
    table = Table(title="Tours changed", title_justify="left")
    for column in ("", "nation", "unit", "line", "arrives", "leaves after", "units"):
        table.add_column(column)
    for sign, changes, style in (("-", diff.tours_removed, "red"), ("+", diff.tours_added, "green")):
        for t in changes:
            table.add_row(
                sign,
                t.nation,
                t.unit,
                t.requirement,
                phases.bucket_words(scenario, t.arrival),
                phases.bucket_words(scenario, t.last),
                f"{t.before} -> {t.after}",
                style=style,
            )
    return table


def _placements_table(diff: PackageDiff) -> Table:
    table = Table(title="Placements changed", title_justify="left")
    for column in ("", "nation", "unit", "line", "sector", "units"):
        table.add_column(column)
    for change in diff.removed:
        table.add_row(
            "-",
            change.nation,
            change.unit,
            change.requirement,
            change.sector,
            f"{change.before} -> {change.after}",
            style="red",
        )
    for change in diff.added:
        table.add_row(
            "+",
            change.nation,
            change.unit,
            change.requirement,
            change.sector,
            f"{change.before} -> {change.after}",
            style="green",
        )
    return table


def render_criticality(answer: Criticality, console: Console) -> None:
    """Print the withdrawals, most critical first."""
    console.print(headline(answer.baseline))
    table = Table(title="Withdrawals, most critical first", title_justify="left")
    for column in ("withdrawn", "package?", "essential lines lost", "shortfall", "cost", "filled by"):
        table.add_column(column)
    for w in answer.withdrawals:
        table.add_row(
            ", ".join(w.nations),
            "yes" if w.feasible else ("NO" if w.feasible is False else "?"),
            _lines_lost(w),
            signed(w.shortfall_delta) if w.shortfall_delta is not None else "",
            millions_change(w.cost_delta_usd) if w.cost_delta_usd is not None else "",
            ", ".join(w.fillers),
            style="" if w.feasible else "red",
        )
    console.print(table)
    if not answer.baseline.has_package:
        console.print("No package exists to withdraw nations from: see the explanation above.", style="bold")
    console.print(f"{plural(len(answer.withdrawals), 're-solve')} in {answer.wall_s:.1f}s", style="dim")


def _lines_lost(w: Withdrawal) -> str:
    """The essential lines a withdrawal gives up, and whether fewer would do."""
    if not w.essential_lines_lost:
        return w.reason or "" if not w.feasible else ""
    lost = ", ".join(w.essential_lines_lost)
    return f"{lost} (the fewest possible)" if w.least_lines_lost is not None else f"{lost} (fewer not ruled out)"


def render_alternatives(answer: Alternatives, console: Console) -> None:
    """Print what was found, then each package's headline, what it is and where it differs."""
    if answer.summary:
        console.print(Text(answer.summary, style="bold"))
    for i, package in enumerate(answer.packages, 1):
        console.print(Text(f"Package {i}: ", style="bold") + headline(package))
        if i <= len(answer.descriptions):
            console.print(f"   {answer.descriptions[i - 1]}", markup=False)
        sectors: dict[str, list[str]] = defaultdict(list)
        for a in package.assignments:
            if a.nation not in sectors[a.sector]:
                sectors[a.sector].append(a.nation)
        for sector, nations in sectors.items():
            console.print(f"   {sector}: {', '.join(nations)}", markup=False)
    console.print(f"placements differing, pairwise: {answer.differences}", style="dim")


def render_resilient(answer: Resilient, scenario: Scenario, console: Console) -> None:
    """Print the resilient package and a line per fallback; without a package, why none exists (the
    plain solve's explanation)."""
    console.print(Text(answer.summary, style="bold"))
    render(answer.package, scenario, console)
    if not answer.package.has_package:
        return
    for fb in answer.fallbacks:
        console.print(f"if {fb.nation} withdraws: " + headline(fb.package).plain, markup=False)
    for fatal in answer.fatal:
        console.print(f"if {fatal.nation} withdraws: no fallback ({fatal.reason})", style="red", markup=False)
    for open_ in answer.undecided:
        console.print(f"if {open_.nation} withdraws: not decided ({open_.reason})", style="yellow", markup=False)
