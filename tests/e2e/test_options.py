"""Options on the page, in a real browser: why-not asked by a click in the package, alternatives side
by side, the resilient option with its fallbacks, and what a delegate reads of them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from forcepack.api.auth import Role
from tests.e2e.conftest import Visit
from tests.e2e.test_diagnosis import open_scenario, solve

pytestmark = pytest.mark.e2e


def test_why_not_is_asked_by_a_click_on_a_nation_a_unit_or_a_line(visit: Visit) -> None:
    """Gaza: the nations the package leaves out are listed; a click on one (AZE) asks why not and
    shows the answer; a click on a requirement line in the matrix asks what the line gets."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, "gaza-isf")
    left_out = page.get_by_test_id("left-out")
    expect(left_out).to_contain_text("Nations taking no part")
    left_out.get_by_test_id("why-not-link-AZE").click()
    expect(page.locator("#job-title")).to_contain_text("Why not AZE")
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.locator("#why-not-subject")).to_have_value("AZE")
    answer = page.get_by_test_id("why-not-answer")
    expect(answer.get_by_test_id("why-not-summary")).to_contain_text("AZE")

    page.get_by_role("button", name="Package", exact=True).click()
    line = page.get_by_test_id("matrix").locator("[data-requirement='ky-checkpoints'] button.why-not-link")
    line.click()
    expect(page.locator("#job-title")).to_contain_text("Why not ky-checkpoints")
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.get_by_test_id("why-not-supply")).to_be_visible()

    # A unit in the placements asks about that unit (NATION/unit).
    page.get_by_role("button", name="Package", exact=True).click()
    unit = page.get_by_test_id("assignments").locator("button.why-not-link[data-subject*='/']").first
    subject = unit.get_attribute("data-subject")
    assert subject is not None and "/" in subject
    unit.click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.locator("#why-not-subject")).to_have_value(subject)
    visit.screenshot("coordinator-why-not-click")


def test_alternatives_are_shown_side_by_side_and_kept_for_comparison(visit: Visit) -> None:
    """Three packages of the Gaza example within 5 %, differing in 2 placements: the best and two
    alternatives in columns, what differs from the best marked, each described; kept, they are the
    comparison's columns."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    open_scenario(visit, "gaza-isf")
    page.get_by_role("button", name="Options", exact=True).click()
    page.get_by_label("Packages", exact=True).fill("3")
    page.get_by_label("Within (% of the best)").fill("5")
    page.get_by_label("Differing in at least (placements)").fill("2")
    page.get_by_role("button", name="Find alternatives").click()
    expect(page.locator("#job-status")).to_contain_text("Done.", timeout=120_000)
    answer = page.get_by_test_id("alternatives-answer")
    expect(answer.get_by_test_id("alternatives-summary")).to_contain_text("3 packages: the best and 2 alternatives")
    expect(answer.get_by_test_id("alternatives-descriptions").locator("li")).to_have_count(3)
    table = answer.get_by_test_id("alternatives-comparison")
    expect(table.locator("thead th")).to_have_count(4)  # the figure, then the three packages
    expect(table.locator("thead")).to_contain_text("Alternative 2")
    expect(table).to_contain_text("Units by nation and sector")
    assert answer.get_by_test_id("alternatives-differs").count() >= 2
    visit.screenshot("coordinator-alternatives")

    answer.get_by_test_id("keep-alternatives").click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison.locator("thead th")).to_have_count(4)
    expect(comparison.locator("thead")).to_contain_text("Best")

    # The columns outlive a reload: read again from their job, which the service keeps.
    page.reload()
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "gaza-isf")
    comparison = page.get_by_test_id("comparison")
    expect(comparison.locator("thead th")).to_have_count(4)
    expect(comparison.locator("thead")).to_contain_text("Alternative 2")
    comparison.get_by_role("button", name="Drop Alternative 2 from the comparison").click()
    expect(comparison.locator("thead th")).to_have_count(3)
    page.reload()
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "gaza-isf")
    expect(page.get_by_test_id("comparison").locator("thead th")).to_have_count(3)


def test_the_resilient_option_shows_each_withdrawal_and_its_fallback(visit: Visit) -> None:
    """The tutorial's resilient package: the summary, the cost per criterion, a row per nation
    taking part (survived with the units its fallback adds, or fatal with the reason); a fallback is
    compared with the package in columns."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    open_scenario(visit, "tutorial")
    page.get_by_role("button", name="Options", exact=True).click()
    page.get_by_role("button", name="Find the resilient package").click()
    expect(page.locator("#job-status")).to_contain_text("Done.", timeout=120_000)
    answer = page.get_by_test_id("resilience-answer")
    expect(answer.get_by_test_id("resilience-summary")).to_contain_text("No package survives every single withdrawal")
    expect(answer.get_by_test_id("resilience-cost")).to_contain_text("shortfall")
    rows = answer.get_by_test_id("resilience-withdrawals").locator("tbody tr")
    expect(rows.first).to_be_visible()
    fatal = answer.get_by_test_id("resilience-withdrawals").locator("tbody tr.row-fatal")
    expect(fatal.first).to_contain_text("no package exists without")
    survived = answer.get_by_test_id("resilience-withdrawals").locator("tbody tr:not(.row-fatal)").first
    expect(survived).to_contain_text("Survived")
    nation = survived.get_attribute("data-nation")
    visit.screenshot("coordinator-resilience")

    survived.get_by_role("button", name="Compare").click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison.locator("thead")).to_contain_text("Resilient package")
    expect(comparison.locator("thead")).to_contain_text(f"If {nation} withdraws")


def test_a_delegate_reads_an_options_job_without_its_answer(visit: Visit) -> None:
    """A link to a resilience job opened by a delegate: the job, and why its answer is for coordinators."""
    page = visit.page
    job = visit.site.run("/v1/scenarios/tutorial/resilience", {"time_limit_s": 5})
    visit.open(f"#scenario=tutorial&job={job}")
    visit.sign_in(Role.DELEGATE, "IDN")
    expect(page.get_by_test_id("resilience-withheld")).to_contain_text(re.compile("For coordinators"))
    expect(page.locator("#resilience-form")).to_be_hidden()
    expect(page.get_by_test_id("resilience-answer")).to_have_count(0)
