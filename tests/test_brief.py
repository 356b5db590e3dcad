"""The brief for the meeting (`models.brief`, `forcepack brief`): its text holds the package's figures
as the solution document has them, one to three A4 pages for every example, a what-if's counts,
and every name a delegate wrote printed as text, never as markup.

The figures expected are computed here from the solution, not written down; each brief's pages
are rendered to PNG under `tests/artifacts/brief/` (git-ignored) to be looked at.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from forcepack.cli.main import app
from forcepack.models.brief import STATUS_WORDS, brief_html, brief_pdf, usd
from forcepack.models.loading import load_scenario, parse_scenario
from forcepack.models.patch import Patch, apply_patch
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check
from forcepack.solver.whatif import what_if
from tests.test_phased_solve import PARAMS as PHASED
from tests.test_phased_solve import tiny, with_replacement

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
ARTIFACTS = ROOT / "tests" / "artifacts" / "brief"
README_BRIEF = ROOT / "docs" / "brief-gaza.png"
"""The README's picture of the Gaza brief's first page (written with FORCEPACK_UPDATE_SCREENSHOTS=1)."""
PARAMS = SolveParams(time_limit_s=60, seed=0, workers=1)
DAY = dt.date(2026, 7, 1)


class PdfText:
    """Every page's text, read without its whitespace: a line may wrap anywhere (after a `/` too), so
    `expected in text` compares both without spaces and line breaks."""

    def __init__(self, pdf: bytes) -> None:
        reader = PdfReader(io.BytesIO(pdf))
        self.squashed = "".join("".join(page.extract_text() for page in reader.pages).split())

    def __contains__(self, expected: str) -> bool:
        return "".join(expected.split()) in self.squashed

    def count(self, expected: str) -> int:
        return self.squashed.count("".join(expected.split()))


def pdf_text(pdf: bytes) -> PdfText:
    return PdfText(pdf)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def keep_pages(pdf: bytes, name: str) -> list[Path]:
    """The brief's pages as PNG artefacts, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    paths = []
    for i in range(len(document)):
        path = ARTIFACTS / f"{name}-{i + 1}.png"
        document[i].render(scale=1.5).to_pil().save(path, optimize=True)
        paths.append(path)
    document.close()
    return paths


def nation_words(scenario: Scenario, code: str) -> str:
    """A nation as the brief names it: its name and code (its code alone when it has no name)."""
    name = scenario.nation_by_code[code].name if code in scenario.nation_by_code else None
    return f"{name} ({code})" if name and name != code else code


def lines_met(solution: Solution, scenario: Scenario) -> str:
    """The coverage totals, counted from the coverage lines (priorities as the scenario has them)."""
    priority = {r.id: r.priority.value for r in scenario.requirements}
    rows = solution.coverage
    essential = [c for c in rows if priority.get(c.requirement, c.priority) == "essential"]
    desirable = [c for c in rows if priority.get(c.requirement, c.priority) != "essential"]
    met = [c for c in rows if c.shortfall == 0]
    return (
        f"Lines fully met: {len(met)} of {len(rows)} "
        f"(essential {sum(1 for c in essential if c.shortfall == 0)} of {len(essential)}, "
        f"desirable {sum(1 for c in desirable if c.shortfall == 0)} of {len(desirable)})."
    )


def assert_package_figures(text: str, package: Solution, scenario: Scenario) -> None:
    """The package's nations, personnel, coverage totals and funding balance are in the text."""
    for nation in package.nations:
        assert nation_words(scenario, nation.nation) in text, nation.nation
    assert f"{package.totals.personnel:,}" in text
    assert lines_met(package, scenario) in text
    assert f"Total cost: {usd(package.funding.total_cost_usd)}" in text
    assert f"Drawn from pledges: {usd(package.funding.used_usd)}" in text
    sectors = {c.sector for c in package.coverage}
    for sector in sectors:
        here = [c for c in package.coverage if c.sector == sector]
        assert f"{sum(1 for c in here if c.shortfall == 0)} of {len(here)} met" in text


def assert_plan_figures(text: PdfText, package: Solution, scenario: Scenario) -> None:
    """A phased package's timeline is in the text: each sector's full operational capability (its day
    and bucket, or that it is not reached), each node of entry by name, and the first nation to
    arrive with its first tour's dates."""
    plan = package.plan
    assert plan is not None
    assert f"Timeline: the plan {plan.bucket} by {plan.bucket}" in text
    sector_names = {s.id: s.name or s.id for s in scenario.sectors}
    for readiness in plan.sectors:
        if readiness.full_from is None:
            foc = "not reached within the horizon"
        else:
            start = plan.buckets[readiness.full_from].start.isoformat()
            foc = f"from {start} ({plan.bucket} {readiness.full_from + 1} of {len(plan.buckets)})"
        assert f"{sector_names[readiness.sector]} " in text and foc in text, readiness
    assert scenario.phasing is not None
    node_names = {n.id: n.name or n.id for n in scenario.phasing.nodes}
    for node in {load.node for load in plan.nodes}:
        assert node_names[node] in text, node
    first = min(plan.tours, key=lambda t: (t.arrival, t.nation, t.unit, t.requirement))
    arrives, leaves = plan.buckets[first.arrival].start, plan.buckets[first.last].end
    said = f"{first.units} x {first.unit} on {first.requirement} {arrives} to {leaves}"
    assert f"{nation_words(scenario, first.nation)}: {said}" in text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_brief_of_every_example_is_one_to_three_pages_with_its_figures(path: Path) -> None:
    """Each example's brief: its name, the illustrative label, the status in words, the package's (or
    the best effort's) nations and coverage totals, or the causes and ways out; 1 to 3 pages."""
    scenario = load_scenario(path)
    solution = solve(scenario, PARAMS)
    printed = brief_pdf(solution, scenario, prepared=DAY)
    assert printed.pdf.startswith(b"%PDF")
    assert printed.pages == page_count(printed.pdf)
    assert 1 <= printed.pages <= 3, f"{path.name}: {printed.pages} pages"
    pages = keep_pages(printed.pdf, path.stem)
    assert len(pages) == printed.pages
    if path.stem == "gaza-isf" and os.environ.get("FORCEPACK_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(pages[0], README_BRIEF)
    text = pdf_text(printed.pdf)
    assert scenario.name in text and DAY.isoformat() in text
    assert ("Illustrative: the quantities are invented" in text) == scenario.illustrative
    assert f"{solution.status.upper()} {STATUS_WORDS[solution.status]}" in text
    if solution.has_package:
        assert ("Proven optimal: gap 0%." in text) == (solution.status == "optimal")
        assert_package_figures(text, solution, scenario)
        assert ("Timeline: the plan" in text) == (solution.plan is not None)
        if solution.plan is not None:
            assert_plan_figures(text, solution, scenario)
        return
    assert solution.status == "infeasible"  # a phased example always has its constructed plan
    explanation = solution.explanation
    assert explanation is not None
    assert "Why no package exists" in text
    for conflict in explanation.conflicts or []:
        for element in conflict.elements:
            assert element.id in text
    assert text.count("Relax ") == min(len(explanation.relaxations), 5)
    effort = explanation.best_effort
    if effort is not None and effort.package is not None and effort.package.has_package:
        assert f"which gives up {', '.join(effort.lines_short)}" in text
        assert_package_figures(text, effort.package, scenario)


def test_brief_of_a_what_if_holds_its_diff_counts() -> None:
    """A what-if's brief says what changes: the counts of placements and lines changed, the nations
    leaving, the churn, as the diff has them, and the patched package's figures."""
    scenario = load_scenario(ROOT / "examples" / "gaza-isf.yaml")
    answer = what_if(scenario, Patch.withdraw("BGD"), mode="resolve", params=PARAMS)
    assert answer.diff is not None and answer.patched is not None and not answer.diff.is_empty()
    printed = brief_pdf(answer, scenario, prepared=DAY)
    keep_pages(printed.pdf, "what-if-gaza-bgd")
    assert 1 <= printed.pages <= 3
    text = pdf_text(printed.pdf)
    diff = answer.diff
    assert "What if: BGD withdraw" in text
    assert f"Placements added or grown: {len(diff.added)}" in text
    assert f"Placements removed or cut: {len(diff.removed)}" in text
    assert f"Lines whose coverage changes: {len(diff.coverage)}" in text
    assert f"Units moved, added or removed: {diff.churn}" in text
    assert f"Nations leaving: {', '.join(nation_words(scenario, n) for n in diff.nations_out)}" in text
    for change in diff.coverage:
        assert f"{change.requirement} " in text
    assert_package_figures(text, answer.patched, scenario)


def test_brief_of_a_what_if_with_no_package_left_explains_it() -> None:
    """A what-if that leaves no package prints why (the patched scenario's causes), not a diff."""
    scenario = load_scenario(ROOT / "examples" / "tutorial.yaml")
    answer = what_if(scenario, Patch.withdraw("IDN"), mode="resolve", params=PARAMS)
    assert answer.patched is not None and not answer.patched.has_package and answer.diff is None
    text = pdf_text(brief_pdf(answer, scenario, prepared=DAY).pdf)
    assert "With these changes no package remains." in text
    assert f"INFEASIBLE {STATUS_WORDS['infeasible']}" in text and "Why no package exists" in text
    assert "Placements added or grown" not in text


def test_brief_of_a_phased_plan_has_its_timeline() -> None:
    """A phased package's brief gains the plan in time: full operational capability per sector, the
    nodes of entry with their busiest month against capacity, every nation's tours with their dates,
    and a drawing per sector (an SVG with a bar per tour, its dates as the bar's title)."""
    scenario = tiny()
    solution = solve(scenario, PARAMS)
    assert solution.plan is not None and solution.has_package
    printed = brief_pdf(solution, scenario, prepared=DAY)
    keep_pages(printed.pdf, "phased-tiny")
    assert 1 <= printed.pages <= 3
    text = pdf_text(printed.pdf)
    assert_plan_figures(text, solution, scenario)
    plan = solution.plan
    for tour in plan.tours:
        words = (
            f"{tour.units} x {tour.unit} on {tour.requirement} {plan.buckets[tour.arrival].start} to "
            f"{plan.buckets[tour.last].end}"
        )
        assert words in text, tour
    busiest = max(plan.nodes, key=lambda n: (n.personnel / (n.personnel_capacity or 1), -n.bucket))
    assert f"{plan.buckets[busiest.bucket].start}: {busiest.personnel:,} of {busiest.personnel_capacity:,}" in text
    html = brief_html(solution, scenario, prepared=DAY)
    assert html.count("<svg") == 2  # the sectors, the node
    for tour in plan.tours:
        assert f"<title>{tour.nation} {tour.unit} on {tour.requirement}: {plan.buckets[tour.arrival].start}" in html


GAZA_PHASED_SOLUTION = ROOT / "tests" / "data" / "gaza-phased-solution.json"
"""A package of examples/gaza-phased.yaml found by the solver in 60 s (feasible, not proven optimal),
kept so the brief's timeline of the example is read whatever a solve finds in time on a busy
machine; the checker re-verifies it against the example, so a change to the example that makes it
stale fails here (solve the example again and store its `--json`)."""


def test_brief_of_the_phased_gaza_plan_has_its_timeline_within_three_pages() -> None:
    """The phased Gaza example's stored package: the checker still accepts it; its brief is 1 to 3
    pages and holds every sector's full operational capability, both nodes of entry, and the first
    nation to arrive with its first tour's dates, besides the package's figures."""
    scenario = load_scenario(ROOT / "examples" / "gaza-phased.yaml")
    solution = Solution.model_validate_json(GAZA_PHASED_SOLUTION.read_text(encoding="utf-8"))
    assert check(scenario, solution) == []
    assert solution.plan is not None and solution.has_package
    printed = brief_pdf(solution, scenario, prepared=DAY)
    keep_pages(printed.pdf, "gaza-phased-stored")
    assert 1 <= printed.pages <= 3, printed.pages
    text = pdf_text(printed.pdf)
    assert_package_figures(text, solution, scenario)
    assert_plan_figures(text, solution, scenario)
    assert "El Arish" in text and "Kerem Shalom" in text


def test_brief_of_a_static_package_has_no_timeline() -> None:
    """A static scenario's package has no plan, and its brief no timeline."""
    scenario = load_scenario(ROOT / "examples" / "tutorial.yaml")
    html = brief_html(solve(scenario, PARAMS), scenario, prepared=DAY)
    assert "Timeline" not in html and "<svg" not in html


def test_brief_never_calls_a_package_cut_short_proven() -> None:
    """A package whose status is feasible reads "not proven" even when its gap rounds to 0 (its bound
    met its value within rounding when the time ran out); an optimal one reads proven."""
    scenario = load_scenario(ROOT / "examples" / "tutorial.yaml")
    solution = solve(scenario, PARAMS)
    assert solution.status == "optimal"
    assert "Proven optimal" in brief_html(solution, scenario, prepared=DAY)
    cut_short = solution.model_copy(update={"status": "feasible", "gap": 0.0})
    html = brief_html(cut_short, scenario, prepared=DAY)
    assert "Not proven optimal: gap under 0.1%" in html and "Proven optimal" not in html
    # Shortfall at its bound, cost never optimised (bound 0): the gap is the cost's, and named so.
    objective = [o.model_copy(update={"bound": 0.0}) if o.criterion == "cost" else o for o in solution.objective]
    cost_open = solution.model_copy(update={"status": "feasible", "gap": 1.0, "objective": objective})
    assert "Not proven optimal: gap 100.0% on cost" in brief_html(cost_open, scenario, prepared=DAY)


def test_brief_of_a_dated_withdrawal_marks_its_day() -> None:
    """A what-if withdrawing a nation from a day says so, and draws the day across the what-if's
    timeline; the nation's tours end before it."""
    scenario = with_replacement()
    patch = Patch.model_validate(
        {"schema": "forcepack.patch/1", "ops": [{"op": "withdraw", "nations": ["BBB"], "starting": "2026-08-15"}]}
    )
    answer = what_if(scenario, patch, params=PHASED)
    assert answer.patched is not None and answer.patched.plan is not None
    printed = brief_pdf(answer, scenario, prepared=DAY)
    keep_pages(printed.pdf, "what-if-phased-dated")
    assert 1 <= printed.pages <= 3
    text = pdf_text(printed.pdf)
    assert "What if: BBB withdraw from 2026-08-15" in text
    assert text.count("BBB withdraw from 2026-08-15") == 3  # the heading, the changes, the drawing's mark
    assert_plan_figures(text, answer.patched, apply_patch(scenario, patch))


HOSTILE = "<img src=x onerror=alert(1)></style><script>alert(2)</script>"


def test_brief_prints_hostile_names_as_text() -> None:
    """Names, ids and red-line texts are the delegates' own: markup in them (an image with a script,
    a closing style tag) is escaped in the HTML and printed as the characters written."""
    data = load_scenario(ROOT / "examples" / "infeasible-khan-younis-police.yaml").model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    data["name"] = f"Scenario {HOSTILE}"
    data["nations"] = [{**n, "name": f"{n['code']} {HOSTILE}"} for n in data["nations"]]
    data["sectors"] = [{**s, "name": f"{s['id']} {HOSTILE}"} for s in data["sectors"]]
    scenario = parse_scenario(data, "hostile")
    solution = solve(scenario, PARAMS)
    assert solution.explanation is not None  # (its causes quote the sectors' names)
    html = brief_html(solution, scenario, prepared=DAY)
    assert "<img" not in html and "<script" not in html and html.count("</style>") == 1
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;/style&gt;" in html
    printed = brief_pdf(solution, scenario, prepared=DAY)
    keep_pages(printed.pdf, "hostile")
    text = pdf_text(printed.pdf)
    assert f"Scenario {HOSTILE}" in text
    effort = solution.explanation.best_effort
    assert effort is not None and effort.package is not None
    for nation in effort.package.nations:
        assert f"{nation.nation} {HOSTILE} ({nation.nation})" in text


def test_brief_command_writes_the_pdf_and_exits_as_solve(tmp_path: Path) -> None:
    """`forcepack brief FILE -o brief.pdf` writes the brief and exits as `solve` does (1 for an
    infeasible scenario, its brief written all the same); `--what-if` briefs the what-if."""
    runner = CliRunner()
    out = tmp_path / "brief.pdf"
    result = runner.invoke(app, ["brief", "examples/tutorial.yaml", "-o", str(out), "--date", "2026-07-01"])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert load_scenario(ROOT / "examples" / "tutorial.yaml").name in text
    assert "2026-07-01" in text and "OPTIMAL" in text
    assert f"({page_count(out.read_bytes())} page" in result.output
    result = runner.invoke(app, ["brief", "examples/infeasible-funding.yaml", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "INFEASIBLE" in pdf_text(out.read_bytes())
    result = runner.invoke(
        app, ["brief", "examples/gaza-isf.yaml", "-o", str(out), "--what-if", "--withdraw", "KAZ", "--mode", "repair"]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "What if: KAZ withdraw" in text and "Mode: repair" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-o", "brief.txt"], "expected a .pdf file to write, got `.txt`"),
        (["-o", "brief.pdf", "--withdraw", "KAZ"], "add --what-if"),
        (["-o", "brief.pdf", "--what-if"], "give --withdraw NATION or --patch FILE"),
        (["-o", "brief.pdf", "--what-if", "--withdraw", "XXX"], "nation `XXX` is not a nation of this scenario"),
        (["-o", "brief.pdf", "--what-if", "--withdraw", "KAZ", "--mode", "fresh"], "expected `resolve` or `repair`"),
        (["-o", "brief.pdf", "--date", "2026-13-01"], "expected a date as YYYY-MM-DD"),
        (["-o", "no-such-folder/brief.pdf"], "cannot be written"),
    ],
)
def test_brief_command_bad_input_exits_2_naming_it(args: list[str], said: str, tmp_path: Path) -> None:
    """Bad options get exit 2 and a message naming the problem; no traceback, nothing written."""
    output = [str(tmp_path / a) if a.endswith((".pdf", ".txt")) else a for a in args]
    result = CliRunner().invoke(app, ["brief", "examples/gaza-isf.yaml", *output])
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not list(tmp_path.rglob("*.pdf")) and not list(tmp_path.rglob("*.txt"))
