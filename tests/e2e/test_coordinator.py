"""The coordinator's walkthrough in a real browser: solve, read the package, what-if, criticality, explanations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forcepack.api.auth import Role
from tests.e2e.conftest import Visit

pytestmark = pytest.mark.e2e


def solve(visit: Visit, scenario: str) -> None:
    """Pick a scenario and solve it from the page; wait for the job to be done."""
    page = visit.page
    page.get_by_role("combobox", name="Scenario").select_option(scenario)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", scenario)
    page.get_by_role("button", name="Solve the scenario").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")


def test_coordinator_solves_gaza_and_reads_the_package(visit: Visit) -> None:
    """Signed in as coordinator, the Gaza example solves; matrix, contributions, funding and a sortable table appear."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as a coordinator")
    solve(visit, "gaza-isf")
    expect(page.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    matrix = page.get_by_test_id("matrix")
    expect(matrix.locator("td.fill-full").first).to_be_visible()
    # Colour is not the only signal: each line carries its figures and percentage as text.
    expect(matrix.locator("[data-requirement='rafah-eng'] .percent")).to_have_text("100%")
    expect(matrix.locator("[data-requirement='rafah-eng'] .essential")).to_contain_text("essential")
    expect(page.get_by_test_id("chart-personnel").locator("svg[role=img]")).to_be_visible()
    expect(page.get_by_test_id("chart-money").locator("svg[role=img]")).to_be_visible()
    expect(page.get_by_test_id("funding")).to_contain_text("Gap")
    table = page.get_by_test_id("assignments")
    header = table.get_by_role("button", name="Personnel")
    header.focus()
    page.keyboard.press("Enter")  # sorting works from the keyboard
    expect(table.locator("th[data-key=personnel]")).to_have_attribute("aria-sort", "ascending")
    page.keyboard.press("Enter")
    expect(table.locator("th[data-key=personnel]")).to_have_attribute("aria-sort", "descending")
    visit.screenshot("coordinator", readme=True)


def test_coordinator_what_if_withdrawal_shows_the_diff(visit: Visit) -> None:
    """Withdrawing Pakistan runs a what-if job; the page says what changed and marks it in the matrix and the table."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, "gaza-isf")
    what_if = page.get_by_role("region", name="What if?")
    toggle = what_if.get_by_role("checkbox", name="Pakistan (PAK)")
    toggle.focus()
    page.keyboard.press("Space")  # toggles work from the keyboard
    expect(toggle).to_be_checked()
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("what-if-answer")
    expect(answer.get_by_test_id("what-if-summary")).to_contain_text("PAK withdraw")
    expect(answer.get_by_test_id("what-if-diff")).to_contain_text("Pakistan")
    expect(answer.get_by_test_id("coverage-changes")).to_contain_text("coverage lost")
    changed = answer.get_by_test_id("matrix-what-if").locator("td.changed")
    expect(changed.first).to_be_visible()
    expect(changed.first.locator(".was")).to_contain_text("was")
    removed = answer.get_by_test_id("assignments-what-if").locator("tr.row-removed")
    expect(removed.filter(has_text="pak-qrf")).to_contain_text("removed (was 1)")
    # Struck through but for the cell that says what happened to it.
    struck = (
        removed.filter(has_text="pak-qrf")
        .locator("td, th")
        .evaluate_all("(cells) => cells.map((c) => getComputedStyle(c).textDecorationLine)")
    )
    assert struck[:-1] == ["line-through"] * (len(struck) - 1) and struck[-1] == "none", struck
    visit.screenshot("coordinator-what-if")


def test_coordinator_infeasible_what_if_explains_in_words(visit: Visit) -> None:
    """Without Indonesia the tutorial's essential Rafah engineers go unfilled: the page says why, and the ways out."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    page.get_by_role("combobox", name="Scenario").select_option("tutorial")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    what_if = page.get_by_role("region", name="What if?")
    what_if.get_by_role("checkbox", name="Indonesia (IDN)").check()
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("what-if-answer")
    expect(answer.get_by_test_id("what-if-infeasible")).to_contain_text("no package remains")
    explanation = answer.get_by_test_id("explanation")
    expect(explanation).to_contain_text("rafah-eng")
    expect(explanation.get_by_test_id("relaxations").locator("li").first).to_contain_text("Relax")
    visit.screenshot("coordinator-what-if-infeasible")


def test_coordinator_infeasible_example_shows_conflict_and_ways_out(visit: Visit) -> None:
    """Solving the infeasible Khan Younis example shows the minimal conflict and each relaxation's effect."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, "infeasible-khan-younis-police")
    expect(page.get_by_test_id("package-status")).to_contain_text("INFEASIBLE")
    explanation = page.get_by_test_id("explanation")
    expect(explanation).to_contain_text("minimal")
    for element in ("ky-fpu", "bgd-secure-only", "mar-secure-only"):
        expect(explanation.locator("ul.conflict")).to_contain_text(element)
    relaxations = explanation.get_by_test_id("relaxations").locator("li")
    expect(relaxations.first).to_contain_text("Then: a package exists")
    visit.screenshot("coordinator-explanation")


def test_coordinator_criticality_ranks_withdrawals(visit: Visit) -> None:
    """The criticality job re-solves each participating nation's withdrawal and the page ranks them in a table."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    page.get_by_role("combobox", name="Scenario").select_option("tutorial")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    page.get_by_role("button", name="Rank the nations").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    table = page.get_by_test_id("criticality-table")
    expect(table.locator("tbody tr").first).to_contain_text("1")
    expect(table).to_contain_text("Indonesia")
    expect(table).to_contain_text("no package")
    visit.screenshot("coordinator-criticality")
