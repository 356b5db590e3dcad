"""The diagnosis in a real browser: every cause of an infeasible scenario with its figures, the best that can be
had, ways out tried as what-ifs, why-not, and criticality's fewest lines lost."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forcepack.api.auth import Role
from tests.api.conftest import EXAMPLES
from tests.e2e.conftest import Visit

pytestmark = pytest.mark.e2e

# The example with several independent causes, when the examples have it.
SEVERAL_CAUSES = "three-causes" if (EXAMPLES / "three-causes.yaml").exists() else "infeasible-khan-younis-police"


def open_scenario(visit: Visit, scenario: str) -> None:
    """Pick a scenario in the page and wait until it is loaded."""
    visit.page.get_by_role("combobox", name="Scenario").select_option(scenario)
    expect(visit.page.locator("#scenario-summary")).to_have_attribute("data-scenario", scenario)


def solve(visit: Visit, scenario: str) -> None:
    """Solve a scenario from the page and wait for the job to be done."""
    open_scenario(visit, scenario)
    visit.page.get_by_role("button", name="Solve the scenario").click()
    expect(visit.page.locator("#job-status")).to_contain_text("Done.")


def test_explanation_shows_every_cause_its_figures_and_the_best_effort(visit: Visit) -> None:
    """An infeasible example shows each cause with its figures, each way out's cost, and the best-effort package
    labelled as such in place of an empty coverage matrix."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, SEVERAL_CAUSES)
    expect(page.get_by_test_id("package-status")).to_contain_text("INFEASIBLE")
    explanation = page.get_by_test_id("explanation")
    causes = explanation.get_by_test_id("causes").locator("> li")
    if SEVERAL_CAUSES == "three-causes":
        expect(causes).to_have_count(3)
        for line in ("hq-staff", "police-training", "crossing-logistics"):
            expect(explanation.get_by_test_id("causes")).to_contain_text(line)
        expect(causes.nth(0)).to_contain_text("In figures: needs 3 units; 2 offered in all")
        expect(causes.nth(2)).to_contain_text("no-turkish-troops")
    else:
        expect(causes.first).to_contain_text("In figures: needs 2 units")
    way_out = explanation.get_by_test_id("way-out-0")
    expect(way_out).to_contain_text("Relax cost")
    expect(way_out).to_contain_text("Removes")
    expect(way_out).to_contain_text("Then: a package exists")
    expect(way_out.get_by_role("button", name="Try this as a what-if")).to_be_visible()

    # No empty matrix: the best that can be had, saying what it gives up and that it is not the answer.
    expect(page.get_by_test_id("matrix")).to_have_count(0)
    best = page.get_by_test_id("best-effort")
    expect(best.get_by_role("heading", level=3).first).to_contain_text("The best that can be had: gives up")
    expect(best).to_contain_text("Not an answer")
    expect(best.get_by_test_id("best-effort-package-status")).to_contain_text("BEST EFFORT")
    expect(best.get_by_test_id("best-effort-matrix")).to_be_visible()
    expect(best.get_by_test_id("best-effort-assignments")).to_be_visible()
    visit.screenshot("coordinator-diagnosis")


def test_a_way_out_runs_as_a_what_if(visit: Visit) -> None:
    """The first way out's button submits its patch as a what-if; the answer shows the package after the change."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    solve(visit, SEVERAL_CAUSES)
    way_out = page.get_by_test_id("explanation").get_by_test_id("way-out-0")
    way_out.get_by_role("button", name="Try this as a what-if").click()
    expect(page.locator("#job-title")).to_contain_text("What if: give up")
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("what-if-answer")
    expect(answer.get_by_role("heading", name="What changes")).to_be_focused()
    expect(answer.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    expect(answer.get_by_test_id("matrix")).to_be_visible()
    visit.screenshot("coordinator-way-out")


def test_a_way_out_of_a_what_if_builds_on_its_patch(visit: Visit) -> None:
    """Without Indonesia the tutorial has no package; trying a way out keeps the withdrawal and finds one."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    open_scenario(visit, "tutorial")
    what_if = page.get_by_role("region", name="What if?")
    what_if.get_by_role("checkbox", name="Indonesia (IDN)").check()
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("what-if-answer")
    expect(answer.get_by_test_id("what-if-infeasible")).to_be_visible()
    answer.get_by_test_id("way-out-0").get_by_role("button", name="Try this as a what-if").click()
    expect(page.locator("#job-title")).to_contain_text("IDN withdraw; then give up")
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("what-if-answer")
    expect(answer.get_by_test_id("what-if-summary")).to_be_visible()
    expect(answer.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    # The withdrawal still holds: against the current package, Indonesia leaves.
    expect(answer.get_by_test_id("what-if-diff")).to_contain_text("Indonesia")
    expect(answer.get_by_test_id("matrix-what-if")).to_be_visible()


def test_why_not_a_requirement_line_shows_its_supply(visit: Visit) -> None:
    """A why-not on the tutorial's Rafah engineers lists every unit line offered for it and what keeps each out."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    open_scenario(visit, "tutorial")
    why_not = page.get_by_role("region", name="Why not?")
    field = why_not.get_by_label("Nation, unit, pledge or requirement line")
    field.fill("rafah-eng")
    field.press("Enter")  # the form submits from the keyboard
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("why-not-answer")
    expect(answer.get_by_test_id("why-not-summary")).to_contain_text("rafah-eng")
    supply = answer.get_by_test_id("why-not-supply")
    expect(supply.locator("thead")).to_contain_text("Could provide")
    expect(supply.locator("thead")).to_contain_text("Kept out by")
    expect(supply.locator("tr", has_text="idn-eng")).to_contain_text("3")
    expect(supply.locator("tr", has_text="tur-eng")).to_contain_text("veto `isr-tur`")
    visit.screenshot("coordinator-why-not")


def test_why_not_a_nation_shows_its_units_and_money_apart(visit: Visit) -> None:
    """Turkey is answered on its units (vetoed) and its money (welcome), each with its own summary."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    open_scenario(visit, "tutorial")
    why_not = page.get_by_role("region", name="Why not?")
    why_not.get_by_label("Nation, unit, pledge or requirement line").fill("TUR")
    why_not.get_by_role("button", name="Ask why not").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("why-not-answer")
    expect(answer.get_by_test_id("why-not-part-units")).to_contain_text("cannot be had")
    expect(answer.get_by_test_id("why-not-part-money")).to_contain_text("can be had")
    expect(answer.get_by_test_id("why-not-deltas-money")).to_contain_text("cost")


def test_criticality_row_says_the_fewest_possible_and_opens_its_package(visit: Visit) -> None:
    """Gaza without Indonesia gives up an essential line, the fewest possible; its best-effort package opens."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    open_scenario(visit, "gaza-isf")
    page.get_by_role("button", name="Rank the nations").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    table = page.get_by_test_id("criticality-table")
    row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Indonesia", exact=True))
    expect(row).to_contain_text("the fewest possible")
    row.get_by_role("button", name="Open the package without Indonesia").click()
    shown = page.get_by_test_id("criticality-package")
    expect(shown.get_by_role("heading", level=3).first).to_be_focused()
    expect(shown.get_by_role("heading", level=3).first).to_contain_text("the best that can be had, giving up")
    expect(shown.get_by_test_id("criticality-package-status")).to_contain_text("BEST EFFORT")
    expect(shown.get_by_test_id("criticality-matrix")).to_be_visible()
    visit.screenshot("coordinator-criticality-package")


def test_delegate_reads_the_diagnosis_without_the_coordinators_controls(visit: Visit) -> None:
    """A delegate reads the causes and the best effort as the API gives them: no way out to try, no why-not form."""
    page = visit.page
    job = visit.site.solve(SEVERAL_CAUSES)
    visit.open(f"#scenario={SEVERAL_CAUSES}&job={job}")
    visit.sign_in(Role.DELEGATE, "IDN")
    expect(page.get_by_test_id("package-status")).to_contain_text("INFEASIBLE")
    expect(page.get_by_test_id("causes").locator("> li").first).to_contain_text("In figures")
    expect(page.get_by_test_id("best-effort")).to_contain_text("The best that can be had")
    expect(page.get_by_role("button", name="Try this as a what-if")).to_have_count(0)
    expect(page.get_by_role("region", name="Why not?")).to_be_hidden()


def test_delegate_reads_a_why_not_with_its_package_withheld(visit: Visit) -> None:
    """A why-not job opened by a delegate: its own and the package's supply rows, and why a package is withheld."""
    page = visit.page
    job = visit.site.run("/v1/scenarios/gaza-isf/why-nots", {"subject": "ky-checkpoints"})
    visit.open(f"#scenario=gaza-isf&job={job}")
    visit.sign_in(Role.DELEGATE, "IDN")
    answer = page.get_by_test_id("why-not-answer")
    expect(answer.get_by_test_id("why-not-summary")).to_contain_text("ky-checkpoints")
    expect(answer.get_by_test_id("why-not-supply")).to_contain_text("idn-inf")
    expect(answer.get_by_test_id("why-not-withheld")).to_contain_text("withheld")
    expect(page.locator("#why-not-form")).to_be_hidden()
