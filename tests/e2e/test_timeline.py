"""A phased package's plan on the page (timeline.js): a coordinator solves the phased Gaza example and
reads its timeline (per sector the tours as bars with their text, the coverage over time, the day of
full operational capability; each node's load against its capacity), at a phone's width too; and
withdraws a nation from a day in a what-if, whose timeline marks the day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from forcepack.api.auth import Role
from tests.e2e.conftest import Site, Visit
from tests.e2e.test_layout import PHONE, overflow
from tests.test_phased_solve import with_replacement

pytestmark = pytest.mark.e2e

SOLVE_S = 30
"""The phased Gaza example's time limit: a plan comes back whatever the machine's speed (the plan by
construction comes before any search, `solver.phased_construct`), not proven optimal."""

JOB_MS = 360_000
"""How long the page may take to show the phased solve done."""


def latest_solve(site: Site, scenario: str) -> dict[str, Any]:
    """The scenario's latest done solve's answer, as the API gives it to a coordinator."""
    jobs = site.call("GET", f"/v1/scenarios/{scenario}/jobs?kind=solve&status=done&limit=1", Role.COORDINATOR)
    job = site.call("GET", f"/v1/jobs/{jobs.json()['items'][0]['id']}", Role.COORDINATOR).json()
    result: dict[str, Any] = job["result"]
    return result


def test_timeline_of_the_phased_gaza_example(visit: Visit) -> None:
    """The phased Gaza example solved on the page: the timeline shows a figure per sector needing a
    line, a bar per tour whose text says when it arrives and leaves, each sector's full operational
    capability as the plan has it (a mark where it is reached), and both nodes of entry against their
    capacity; at 390 px the page itself never scrolls sideways (a figure scrolls inside)."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    page.get_by_role("combobox", name="Scenario").select_option("gaza-phased")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "gaza-phased")
    page.get_by_label("Time limit (seconds)").fill(str(SOLVE_S))
    page.get_by_role("button", name="Solve the scenario").click()
    expect(page.locator("#job-status")).to_contain_text("Done.", timeout=JOB_MS)
    status = page.get_by_test_id("package-status").inner_text()
    result = latest_solve(visit.site, "gaza-phased")
    assert "OPTIMAL" in status or "FEASIBLE" in status, (status, result["run"])
    plan: dict[str, Any] = result["plan"]

    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_be_visible()
    expect(timeline.get_by_role("heading", name="Timeline: the plan week by week")).to_be_visible()
    sectors = timeline.get_by_test_id("timeline-sector")
    expect(sectors).to_have_count(7)  # every sector of the example needs a line within the horizon
    expect(sectors.first).to_contain_text("Civil-Military Coordination Center")

    bars = timeline.get_by_test_id("tour-bar")
    expect(bars).to_have_count(len(plan["tours"]))
    first = min(plan["tours"], key=lambda t: (t["arrival"], t["nation"], t["unit"], t["requirement"]))
    arrives = plan["buckets"][first["arrival"]]["start"]
    leaves = plan["buckets"][first["last"]]["end"]
    bar = timeline.locator(
        f'[data-testid="tour-bar"][data-nation="{first["nation"]}"][data-unit="{first["unit"]}"]'
    ).filter(has_text=f"arrives {arrives}")
    expect(bar.first).to_be_attached()
    label = bar.first.get_attribute("aria-label") or ""
    assert f"on {first['requirement']}; arrives {arrives}" in label and f"leaves {leaves}" in label, label
    assert bar.first.locator("title").text_content() == label

    reached = {s["sector"]: s["full_from"] for s in plan["sectors"]}
    for sector, full_from in reached.items():
        figure = timeline.locator(f'[data-testid="timeline-sector"][data-sector="{sector}"]')
        if full_from is None:
            expect(figure.locator("figcaption")).to_contain_text("not reached within the horizon")
            expect(figure.get_by_test_id("foc-mark")).to_have_count(0)
        else:
            start = plan["buckets"][full_from]["start"]
            expect(figure.locator("figcaption")).to_contain_text(f"full operational capability from {start}")
            expect(figure.get_by_test_id("foc-mark")).to_contain_text(f"FOC {start}")
    expect(timeline.get_by_test_id("foc-mark")).to_have_count(sum(1 for v in reached.values() if v is not None))

    nodes = timeline.get_by_test_id("node-load")
    expect(nodes).to_have_count(2)
    expect(nodes.first).to_contain_text("El Arish")
    expect(nodes.nth(1)).to_contain_text("Kerem Shalom")
    busiest = max(
        (n for n in plan["nodes"] if n["node"] == "el-arish"),
        key=lambda n: (n["personnel"] / n["personnel_capacity"], -n["bucket"]),
    )
    expect(nodes.first.locator("figcaption")).to_contain_text(
        f"busiest week of {plan['buckets'][busiest['bucket']]['start']}, "
        f"{busiest['personnel']:,} of {busiest['personnel_capacity']:,}"
    )
    # The figures as tables, for whoever does not read the drawing.
    sectors.first.get_by_text("the tours as a table").click()
    expect(sectors.first.get_by_test_id("tours-table").locator("tbody tr").first).to_be_visible()
    timeline.scroll_into_view_if_needed()
    visit.screenshot("timeline-gaza-phased")

    page.set_viewport_size(PHONE)
    expect(timeline).to_be_visible()
    assert overflow(page) == {"document": 0, "body": 0}
    scroll = sectors.nth(1).locator(".timeline-scroll")
    assert scroll.evaluate("(box) => box.scrollWidth > box.clientWidth")  # the figure scrolls, not the page
    visit.screenshot("timeline-gaza-phased-phone")


@pytest.fixture
def phased_scenario(visit: Visit, request: pytest.FixtureRequest) -> Iterator[str]:
    """A tiny phased scenario created through the API for one test (an id of its own: an archived
    scenario keeps its id), archived after it."""
    data = with_replacement().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["id"] = "timeline-" + request.node.name.removeprefix("test_timeline_").replace("_", "-")[:60]
    data["name"] = "Tiny phased what-if"
    response = visit.site.call("POST", "/v1/scenarios", Role.COORDINATOR, json=data)
    assert response.status_code == 201, response.text
    try:
        yield data["id"]
    finally:
        visit.site.call("DELETE", f"/v1/scenarios/{data['id']}", Role.COORDINATOR)


def test_timeline_what_if_withdraws_a_nation_from_a_day(visit: Visit, phased_scenario: str) -> None:
    """On a phased scenario the what-if form offers a day for a withdrawal (a static one does not):
    withdrawing BBB from 15 August runs `withdraw` with `starting`, and the what-if's timeline marks
    the day, BBB's tours all leaving before it."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    what_if = page.get_by_role("region", name="What if?")
    page.get_by_role("combobox", name="Scenario").select_option("tutorial")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    expect(what_if.get_by_label("Starting")).to_be_hidden()
    page.get_by_role("combobox", name="Scenario").select_option(phased_scenario)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", phased_scenario)
    what_if.locator('#what-if-nations input[value="BBB"]').check()
    day = what_if.get_by_label("Starting")
    expect(day).to_be_visible()
    day.fill("2026-08-15")
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.locator("#job-title")).to_contain_text("BBB withdraw from 2026-08-15")
    answer = page.get_by_test_id("what-if-answer")
    timeline = answer.get_by_test_id("timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("g.mark").first).to_contain_text("BBB withdraws from 2026-08-15")
    bbb = timeline.locator('[data-testid="tour-bar"][data-nation="BBB"]')
    expect(bbb.first).to_be_visible()
    for label in bbb.evaluate_all("(bars) => bars.map((b) => b.getAttribute('aria-label'))"):
        left = label.rsplit("leaves ", 1)[1][:10]
        assert left < "2026-08-15", label
    # The tours cut by the day are listed as changes: BBB's tour present on it, fewer units after.
    changes = answer.get_by_test_id("tour-changes")
    expect(changes).to_be_visible()
    expect(changes.locator("tr.row-reduced").filter(has_text="BBB").first).to_contain_text("→ 0")
    visit.screenshot("timeline-what-if-dated")


def test_timeline_helpers_place_reliefs_and_read_dated_patches(visit: Visit) -> None:
    """timeline.js's helpers in the browser: a tour arriving before the one it relieves leaves takes a
    second lane; coverage runs merge equal buckets; a patch's dated withdrawals become marks."""
    visit.open()
    result = visit.page.evaluate(
        """async () => {
          const { lanes, coverageRuns, patchMarks } = await import("/web/timeline.js");
          const placed = lanes([{ arrival: 5, last: 10 }, { arrival: 0, last: 5 }, { arrival: 11, last: 12 }]);
          return {
            lanes: placed.placed.map((p) => [p.tour.arrival, p.lane]),
            count: placed.count,
            runs: coverageRuns([
              { bucket: 0, required: 1, provided: 1 }, { bucket: 1, required: 1, provided: 1 },
              { bucket: 2, required: 2, provided: 1 },
            ]).map((r) => [r.first, r.last]),
            marks: patchMarks({ ops: [
              { op: "withdraw", nations: ["IDN"], starting: "2026-03-17" }, { op: "withdraw", nations: ["PAK"] },
            ] }),
          };
        }"""
    )
    assert result["lanes"] == [[0, 0], [5, 1], [11, 0]] and result["count"] == 2
    assert result["runs"] == [[0, 1], [2, 2]]
    assert result["marks"] == [{"date": "2026-03-17", "label": "IDN withdraws from 2026-03-17"}]


def test_timeline_what_if_offers_a_node_change_where_there_are_nodes(visit: Visit) -> None:
    """A phased scenario with nodes of entry offers "A node of entry's throughput" among the what-if's
    changes (a static one does not); a negative figure is refused next to its field."""
    page = visit.page
    visit.open("#scenario=tutorial")
    visit.sign_in(Role.COORDINATOR)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    what_if = page.get_by_role("region", name="What if?")
    chooser = what_if.get_by_label("Change", exact=True)
    expect(chooser.locator('option[value="set_node_capacity"]')).to_have_count(0)
    page.get_by_role("combobox", name="Scenario").select_option("gaza-phased")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "gaza-phased")
    chooser.select_option("set_node_capacity")
    what_if.get_by_role("button", name="Add this change").click()
    card = page.get_by_test_id("what-if-changes").locator("fieldset").first
    card.get_by_label("Node of entry").select_option("kerem-shalom")
    personnel = card.get_by_label("Personnel a day (empty: as it is)")
    personnel.fill("-5")
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(personnel).to_have_attribute("aria-invalid", "true")
    expect(card.locator(".field-error")).to_contain_text("ops[0].personnel_per_day: Input should be greater than")


def test_timeline_phased_options_offer_alternatives_and_resilience(visit: Visit, phased_scenario: str) -> None:
    """A phased scenario's Options tab offers alternatives (each package a plan) and the resilient
    option, whose fallbacks name the tours they add with their months."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    page.get_by_role("combobox", name="Scenario").select_option(phased_scenario)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", phased_scenario)
    page.get_by_role("button", name="Options", exact=True).click()
    page.get_by_label("Packages", exact=True).fill("2")
    page.get_by_label("Within (% of the best)").fill("100")
    page.get_by_role("button", name="Find alternatives").click()
    expect(page.locator("#job-status")).to_contain_text("Done.", timeout=JOB_MS)
    expect(page.get_by_test_id("alternatives-summary")).to_contain_text("the best")
    page.get_by_role("button", name="Find the resilient package").click()
    expect(page.locator("#job-status")).to_contain_text("Done.", timeout=JOB_MS)
    answer = page.get_by_test_id("resilience-answer")
    expect(answer.get_by_test_id("resilience-summary")).to_contain_text("survives every single withdrawal")
    bbb = answer.get_by_test_id("resilience-withdrawals").locator("tbody tr[data-nation='BBB']")
    expect(bbb).to_contain_text("Survived")
    expect(bbb).to_contain_text(re.compile(r"CCC: inf \+1 on r-inf, from the month of 2026-\d\d-01 to the month of"))


def test_timeline_phased_why_not_answers_with_a_plan(visit: Visit, phased_scenario: str) -> None:
    """A why-not on a phased scenario is asked as on any other: CCC, left out of the best plan, can
    be had at a price, and the answer says what it costs."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    page.get_by_role("combobox", name="Scenario").select_option(phased_scenario)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", phased_scenario)
    why_not = page.get_by_role("region", name="Why not?")
    why_not.get_by_label("Nation, unit, pledge or requirement line").fill("CCC")
    why_not.get_by_role("button", name="Ask why not").click()
    expect(page.locator("#job-status")).to_contain_text("Done.", timeout=JOB_MS)
    answer = page.get_by_test_id("why-not-answer")
    expect(answer.get_by_test_id("why-not-part-units")).to_contain_text("can be had at a price")
    expect(answer.get_by_test_id("why-not-deltas-units")).to_contain_text("cost")
