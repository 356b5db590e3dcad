"""The brief's button in a real browser: a coordinator's package and a delegate's both download a PDF
of the job (fetched with the token), the brief the API gives that caller."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forcepack.api.auth import Role
from tests.e2e.conftest import ARTIFACTS, Visit
from tests.test_brief import PdfText, page_count

pytestmark = pytest.mark.e2e


def download_brief(visit: Visit, name: str) -> bytes:
    """Click the brief's button, wait for the download, keep it as an artefact; its bytes."""
    with visit.page.expect_download() as download:
        visit.page.get_by_role("button", name="Brief for the meeting (PDF)").first.click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith("-brief.pdf")
    return path.read_bytes()


def test_brief_button_downloads_the_packages_brief(visit: Visit) -> None:
    """A coordinator solves the tutorial; the button under the package downloads its brief (1-3 pages,
    the scenario's name, the status); a delegate opening the package's link downloads the same job's."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    page.get_by_role("combobox", name="Scenario").select_option("tutorial")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    page.get_by_role("button", name="Solve the scenario").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    pdf = download_brief(visit, "brief-coordinator")
    assert pdf.startswith(b"%PDF") and 1 <= page_count(pdf) <= 3
    text = PdfText(pdf)
    summary = page.locator("#scenario-summary h3").inner_text()
    assert summary in text and "OPTIMAL" in text
    link = page.get_by_test_id("package-link").get_attribute("href")
    assert link is not None
    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    visit.sign_in(Role.DELEGATE, "IDN")
    expect(page.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    delegate = download_brief(visit, "brief-delegate")
    assert summary in PdfText(delegate) and "OPTIMAL" in PdfText(delegate)


def test_brief_button_of_a_what_if_downloads_its_brief(visit: Visit) -> None:
    """A what-if's answer carries its own button: the brief says what if, and why no package remains."""
    page = visit.page
    visit.open()
    visit.sign_in(Role.COORDINATOR)
    page.get_by_role("combobox", name="Scenario").select_option("tutorial")
    expect(page.locator("#scenario-summary")).to_have_attribute("data-scenario", "tutorial")
    what_if = page.get_by_role("region", name="What if?")
    what_if.get_by_role("checkbox", name="Indonesia (IDN)").check()
    what_if.get_by_role("button", name="Run the what-if").click()
    expect(page.locator("#job-status")).to_contain_text("Done.")
    expect(page.get_by_test_id("what-if-answer")).to_be_visible()
    with page.expect_download() as download:
        what_if.get_by_role("button", name="Brief for the meeting (PDF)").click()
    path = ARTIFACTS / "brief-what-if.pdf"
    download.value.save_as(path)
    text = PdfText(path.read_bytes())
    assert "What if: IDN withdraw" in text and "With these changes no package remains." in text
