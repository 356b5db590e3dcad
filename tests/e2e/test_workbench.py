"""The coordinator's workbench in a real browser, the issue's whole flow on the page alone: a scenario
from the Gaza example as a template (without its offers), a sector and two requirement lines added
(a bad quantity shown next to its field first), a workbook of offers imported, solved, a what-if on
a mandate condition compared with the baseline in columns, the brief downloaded as a PDF, the
version history's changes read; then a delegate downloads its offer as a sheet and uploads it back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from forcepack.api.auth import Role
from forcepack.models import load_scenario
from forcepack.models.workbook import TABLES, write_workbook
from tests.api.conftest import EXAMPLES
from tests.e2e.conftest import ARTIFACTS, Visit
from tests.test_brief import PdfText, page_count

pytestmark = pytest.mark.e2e

NEW = "gaza-workbench"


def tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("button", name=name).click()


def keep(page: Page, selector: str, name: str) -> None:
    """A screenshot of one part of the page, kept as an artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def field(page: Page, path: str) -> object:
    """A control of the editor by the path of its field in the scenario (`requirements[3].quantity`)."""
    return page.locator(f"#author-edit [data-path='{path}']")


def test_workbench_from_template_to_brief_and_a_delegates_sheet(visit: Visit, tmp_path: Path) -> None:
    """From nothing to a solved, compared and briefed plan on the page; the delegate's sheet round trip."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "gaza-isf")  # the first listed

    # A scenario from the Gaza example as a template, without its offers.
    tab(page, "Scenario")
    create = page.get_by_test_id("create-form")
    create.get_by_label("Template", exact=True).select_option("gaza-isf")
    create.get_by_label("Keep its offers").uncheck()
    create.get_by_label("Id of the new scenario").fill(NEW)
    create.get_by_label("Name", exact=True).fill("Gaza workbench")
    create.get_by_role("button", name="Create the scenario").click()
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", NEW)
    expect(page.get_by_test_id("editor-version")).to_have_text(f"Scenario {NEW}: version 1")
    expect(page.get_by_role("combobox", name="Scenario")).to_have_value(NEW)

    # A sector, and two requirement lines in it: the second a copy of the first, edited inline.
    sectors = len(load_scenario(EXAMPLES / "gaza-isf.yaml").sectors)
    lines = len(load_scenario(EXAMPLES / "gaza-isf.yaml").requirements)
    page.get_by_role("button", name="Add a sector").click()
    field(page, f"sectors[{sectors}].id").fill("el-arish")
    field(page, f"sectors[{sectors}].name").fill("El Arish staging area")
    page.get_by_role("button", name="Add a line").click()
    field(page, f"requirements[{lines}].id").fill("el-arish-med")
    field(page, f"requirements[{lines}].sector").select_option("el-arish")
    field(page, f"requirements[{lines}].capability").fill("medical_role2")
    field(page, f"requirements[{lines}].quantity").fill("0")
    field(page, f"requirements[{lines}].priority").select_option("desirable")
    page.get_by_role("button", name="Save the scenario").click()
    # The service's problem, in its words, next to the field it names.
    quantity = field(page, f"requirements[{lines}].quantity")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    problem = page.locator("#author-edit .field-error").first
    expect(problem).to_contain_text(
        f"requirements[{lines}].quantity (id: el-arish-med): Input should be greater than or equal to 1"
    )
    expect(page.get_by_test_id("editor-message")).to_contain_text("Not saved.")
    keep(page, "#author-edit tr:has([aria-invalid=true])", "workbench-problem-row")
    visit.screenshot("workbench-problem")
    quantity.fill("1")
    page.get_by_role("button", name=f"Copy line {lines + 1}", exact=True).click()
    field(page, f"requirements[{lines + 1}].id").fill("el-arish-eng")
    field(page, f"requirements[{lines + 1}].capability").fill("engineer")
    page.get_by_role("button", name="Save the scenario").click()
    expect(page.get_by_test_id("editor-message")).to_contain_text("Saved: version 2 (sectors, requirements)")
    expect(page.locator("#author-edit .field-error")).to_have_count(0)
    # Sorting shows the lines in another order; their fields keep their paths.
    page.locator("#author-edit [data-testid=author-requirements] th button.sort", has_text="Id").click()
    expect(page.locator("#author-edit [data-testid=author-requirements] th[aria-sort=ascending]")).to_have_count(1)
    expect(field(page, f"requirements[{lines + 1}].id")).to_have_value("el-arish-eng")

    # The version history says what changed, element by element.
    history = page.get_by_role("region", name="Versions")
    history.get_by_role("button", name="Show the changes").click()
    diff = page.get_by_test_id("version-diff")
    expect(diff).to_contain_text("From version 1 to 2: 3 added.")
    expect(diff).to_contain_text("requirement el-arish-eng")
    expect(diff).to_contain_text("sector el-arish")

    # A workbook of offers: the Gaza example's, as `forcepack export` writes it, imported.
    workbook = tmp_path / "gaza-offers.xlsx"
    workbook.write_bytes(write_workbook(load_scenario(EXAMPLES / "gaza-isf.yaml")))
    page.get_by_label("Workbook of offers").set_input_files(str(workbook))
    page.get_by_role("button", name="Import the offers").click()
    nations = len(load_scenario(EXAMPLES / "gaza-isf.yaml").offers)
    expect(page.get_by_test_id("sheets-message")).to_contain_text(f"Imported the offers of {nations} nation(s)")
    keep(page, "#author-create", "workbench-create")
    keep(page, "#author-history", "workbench-history")
    visit.screenshot("workbench-editor", readme=True)

    # Solve, then a what-if on a mandate condition, compared with the baseline in columns.
    tab(page, "Package")
    page.get_by_role("button", name="Solve the scenario").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    tab(page, "What if?")
    what_if = page.get_by_role("region", name="What if?")
    what_if.get_by_label("full_cessation_of_hostilities").select_option("true")
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.get_by_test_id("what-if-summary")).to_be_visible()
    what_if.get_by_role("button", name="Compare with the baseline").click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison).to_be_visible()
    expect(comparison.locator("thead th")).to_contain_text(
        ["Figure", "Baseline", "What if: full_cessation_of_hostilities holds"]
    )
    expect(comparison.locator("td.differs").first).to_be_visible()
    expect(page.get_by_test_id("comparison-summary")).to_contain_text("differ from Baseline")
    keep(page, "#compare", "workbench-compare-columns")
    visit.screenshot("workbench-compare")

    # The brief of the package, as a PDF holding the scenario's name and the status.
    tab(page, "Package")
    with page.expect_download() as download:
        page.get_by_role("button", name="Brief for the meeting (PDF)").first.click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "workbench-brief.pdf"
    download.value.save_as(path)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF") and 1 <= page_count(pdf) <= 3
    text = PdfText(pdf)
    assert "Gaza workbench" in text and "OPTIMAL" in text

    # The scenario's jobs: the solve and the what-if.
    tab(page, "Scenario")
    page.get_by_role("button", name="Refresh the list").click()
    jobs = page.get_by_test_id("jobs")
    expect(jobs).to_contain_text("solve")
    expect(jobs).to_contain_text("what-if")

    # A delegate downloads its offer as a sheet, raises a count, and uploads it back.
    page.get_by_role("button", name="Sign out").click()
    visit.open(f"#scenario={NEW}")
    visit.sign_in(Role.DELEGATE, "IDN")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", NEW)
    sheets = page.get_by_test_id("offer-sheets")
    with page.expect_download() as download:
        sheets.get_by_role("button", name="Download the offer as a sheet (XLSX)").click()
    sheet = tmp_path / "idn-offer.xlsx"
    download.value.save_as(sheet)
    book = load_workbook(io.BytesIO(sheet.read_bytes()))
    units = book["units"]
    count = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[next(t for t in TABLES if t.sheet == "units").columns.index("count")]
    before = units[f"{count}2"].value
    units[f"{count}2"] = before + 1
    book.save(sheet)
    sheets.get_by_label("Filled-in sheet").set_input_files(str(sheet))
    sheets.get_by_role("button", name="Upload the sheet").click()
    expect(page.get_by_test_id("offer-message")).to_contain_text("Uploaded: version 2 of IDN's offer")
    expect(page.locator("[name='units[0].count']")).to_have_value(str(before + 1))
    visit.screenshot("workbench-delegate-sheet")


def test_workbench_what_if_changes_a_line_and_names_a_bad_field(visit: Visit) -> None:
    """A what-if's further changes: a line's quantity of 0 is refused with the service's message next
    to the quantity; at 3 the what-if runs and the line asks 3 in the answer."""
    page = visit.page
    visit.open("#scenario=tutorial")
    visit.sign_in(Role.COORDINATOR)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    tab(page, "What if?")
    what_if = page.get_by_role("region", name="What if?")
    what_if.get_by_label("Change", exact=True).select_option("set_quantity")
    what_if.get_by_role("button", name="Add this change").click()
    card = page.get_by_test_id("what-if-changes").locator("fieldset").first
    card.get_by_label("Line").select_option("rafah-eng")
    quantity = card.get_by_label("New quantity")
    quantity.fill("0")
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(card.locator(".field-error")).to_contain_text("ops[0].quantity: Input should be greater than or equal to 1")
    expect(page.locator("#notice")).to_contain_text("the patch does not apply (1 problem)")
    keep(page, "[data-testid=what-if-changes]", "what-if-change-problem")
    quantity.fill("3")
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(card.locator(".field-error")).to_have_count(0)
    expect(page.get_by_test_id("what-if-answer")).to_contain_text("rafah-eng")
    expect(page.locator("#notice")).to_be_hidden()  # the refusal's notice does not outlive it


def test_workbench_creates_from_a_file_and_blank_and_names_a_taken_id(visit: Visit, tmp_path: Path) -> None:
    """A scenario from a YAML file and a blank one are created from the page; an id already taken is
    refused with the service's message next to the id; saved jobs are compared from the jobs list."""
    page = visit.page
    visit.open("#scenario=tutorial")
    visit.sign_in(Role.COORDINATOR)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    tab(page, "Scenario")
    create = page.get_by_test_id("create-form")
    create.get_by_role("radio", name="a file").check()
    source = (EXAMPLES / "tutorial.yaml").read_text().replace("id: tutorial", "id: tutorial-from-file", 1)
    upload = tmp_path / "tutorial-from-file.yaml"
    upload.write_text(source)
    create.get_by_label("Scenario file (YAML, JSON or workbook)").set_input_files(str(upload))
    create.get_by_role("button", name="Create the scenario").click()
    expect(page.get_by_test_id("create-message")).to_contain_text("Created scenario tutorial-from-file")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial-from-file")

    create.get_by_role("radio", name="a blank scenario").check()
    create.get_by_label("Id of the new scenario").fill("tutorial")
    create.get_by_label("Name", exact=True).fill("A blank plan")
    create.get_by_role("button", name="Create the scenario").click()
    identifier = create.get_by_label("Id of the new scenario")
    expect(identifier).to_have_attribute("aria-invalid", "true")
    expect(create.locator(".field-error")).to_contain_text("id: `tutorial` is taken")
    identifier.fill("blank-plan")
    create.get_by_role("button", name="Create the scenario").click()
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "blank-plan")
    expect(page.get_by_test_id("editor-version")).to_have_text("Scenario blank-plan: version 1")

    # Two saved solves of the file's scenario compared from its jobs.
    for _ in range(2):
        visit.site.solve("tutorial-from-file")
    page.get_by_role("combobox", name="Scenario").select_option("tutorial-from-file")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial-from-file")
    tab(page, "Scenario")
    jobs = page.get_by_test_id("jobs")
    expect(jobs.get_by_role("button", name="Compare")).to_have_count(2)
    jobs.get_by_role("button", name="Compare").first.click()
    jobs.get_by_role("button", name="Compare").last.click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison.locator("thead th")).to_have_count(3)
    expect(page.get_by_test_id("comparison-summary")).to_contain_text("0 figure(s) differ")


def test_workbench_what_if_replaces_an_offer_in_a_form(visit: Visit) -> None:
    """`replace_offer` as the delegate's form, filled with the nation's offer as it stands: a count of 0
    is refused next to that unit's count (`ops[0].offer.units[0].count`); at 1 the what-if runs and
    Morocco sends one unit fewer."""
    page = visit.page
    visit.open("#scenario=tutorial")
    visit.sign_in(Role.COORDINATOR)
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    tab(page, "What if?")
    what_if = page.get_by_role("region", name="What if?")
    what_if.get_by_label("Change", exact=True).select_option("replace_offer")
    what_if.get_by_role("button", name="Add this change").click()
    card = page.get_by_test_id("what-if-changes").locator("fieldset.card[data-op=replace_offer]").first
    card.get_by_label("Nation", exact=True).select_option("MAR")
    draft = card.get_by_test_id("offer-draft")
    unit = draft.get_by_test_id("unit-0")
    expect(unit.get_by_label("Id", exact=True)).to_have_value("mar-inf")
    count = unit.get_by_label("Count")
    expect(count).to_have_value("2")
    count.fill("0")
    what_if.get_by_role("button", name="Run the what-if").click()
    # (the browser's own check refuses 0 below the field's minimum before anything is sent)
    expect(page.locator("#job-status")).not_to_contain_text("Done.")
    count.evaluate("node => node.removeAttribute('min')")
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(count).to_have_attribute("aria-invalid", "true")
    expect(unit.locator(".field-error")).to_contain_text("ops[0].offer.units[0].count")
    keep(page, "[data-testid=what-if-changes]", "what-if-offer-form-problem")
    count.fill("1")
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    answer = page.get_by_test_id("what-if-answer")
    expect(answer.get_by_test_id("what-if-summary")).to_be_visible()
    job = page.locator("#job-status").inner_text().rsplit("job ", 1)[1].rstrip(")")
    ops = visit.site.call("GET", f"/v1/jobs/{job}", Role.COORDINATOR).json()["params"]["patch"]["ops"]
    assert ops[0]["op"] == "replace_offer"
    offer = ops[0]["offer"]
    assert offer["nation"] == "MAR"
    assert [(u["id"], u["count"]) for u in offer["units"]] == [("mar-inf", 1)]
    assert [r["id"] for r in offer["red_lines"]] == ["mar-mandate"]  # what the form left alone is kept
