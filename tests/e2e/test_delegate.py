"""A delegate's and an observer's walkthrough in a real browser: the nation's own offer, and the package."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from forcepack.api.auth import Role
from forcepack.models.loading import load_scenario
from tests.api.conftest import EXAMPLES
from tests.e2e.conftest import Visit

pytestmark = pytest.mark.e2e

OFFER = "/v1/scenarios/gaza-isf/offers/{}"


def other_nations_red_lines(nation: str) -> list[str]:
    """Ids of every red line of the Gaza example that belongs to another nation."""
    scenario = load_scenario(EXAMPLES / "gaza-isf.yaml")
    return [line.id for offer in scenario.offers if offer.nation != nation for line in offer.red_lines]


def test_delegate_edits_and_saves_the_offer(visit: Visit) -> None:
    """Indonesia's delegate edits its own offer in a form, saves it with the version check, and reads the package."""
    page = visit.page
    job = visit.site.solve("gaza-isf")
    visit.open(f"#scenario=gaza-isf&job={job}")
    visit.sign_in(Role.DELEGATE, "IDN")
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as the delegate of Indonesia (IDN)")
    expect(page.get_by_role("button", name="Solve the scenario")).to_be_hidden()
    expect(page.get_by_role("region", name="What if?")).to_be_hidden()
    expect(page.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    expect(page.get_by_test_id("offer-version")).to_contain_text("IDN: version 1")

    unit = page.get_by_test_id("unit-0")
    expect(unit.get_by_label("Id")).to_have_value("idn-inf")
    unit.get_by_label("Count").fill("4")
    page.get_by_test_id("offer-save").click()
    expect(page.get_by_test_id("offer-message")).to_have_text("Saved: version 2 of IDN's offer.")
    expect(page.get_by_test_id("offer-version")).to_contain_text("IDN: version 2")
    stored = visit.site.call("GET", OFFER.format("IDN"), Role.DELEGATE, "IDN").json()
    assert stored["version"] == 2
    assert stored["offer"]["units"][0] == {**stored["offer"]["units"][0], "id": "idn-inf", "count": 4}

    text = page.locator("body").inner_text()
    assert "idn-no-combat" in text  # its own red lines, in its form
    leaked = [line for line in other_nations_red_lines("IDN") if line in text]
    assert leaked == [], f"another nation's red lines are on the delegate's page: {leaked}"
    page.evaluate("window.scrollTo(0, 0)")
    visit.screenshot("delegate", readme=True)


def test_delegate_meets_a_stale_version_and_takes_the_newer_one(visit: Visit) -> None:
    """An offer changed behind the page's back: saving says so (412), shows the newer version, saves on top of it."""
    page = visit.page
    visit.open("#scenario=gaza-isf")
    visit.sign_in(Role.DELEGATE, "MAR")
    expect(page.get_by_test_id("offer-version")).to_contain_text("MAR: version 1")

    # Another member of Morocco's delegation adds an engineer company through the API meanwhile.
    current = visit.site.call("GET", OFFER.format("MAR"), Role.DELEGATE, "MAR")
    offer = current.json()["offer"]
    added = {"id": "mar-eng-api", "capability": "engineer", "count": 1, "personnel": 150}
    written = visit.site.call(
        "PUT",
        OFFER.format("MAR"),
        Role.DELEGATE,
        "MAR",
        json={**offer, "units": [*offer["units"], added]},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert written.status_code == 200, written.text

    page.get_by_test_id("unit-0").get_by_label("Personnel per unit").fill("150")
    page.get_by_test_id("offer-save").click()
    message = page.get_by_test_id("offer-message")
    expect(message).to_contain_text("The offer changed meanwhile: version 2 was written")
    expect(message).to_contain_text("Your changes are not saved yet")
    conflict = page.get_by_test_id("offer-conflict")
    expect(conflict.get_by_test_id("offer-summary")).to_contain_text("mar-eng-api")
    expect(conflict.get_by_role("heading", name="The newer version (2)")).to_be_focused()
    visit.screenshot("delegate-conflict")

    conflict.get_by_role("button", name="Take the newer version (drop my changes)").click()
    expect(page.get_by_test_id("offer-version")).to_contain_text("MAR: version 2")
    cards = page.locator("[data-section=units]")
    expect(cards.last.get_by_label("Id")).to_have_value("mar-eng-api")
    page.get_by_test_id("unit-0").get_by_label("Personnel per unit").fill("150")
    page.get_by_test_id("offer-save").click()
    expect(page.get_by_test_id("offer-message")).to_have_text("Saved: version 3 of MAR's offer.")
    stored = visit.site.call("GET", OFFER.format("MAR"), Role.DELEGATE, "MAR").json()
    assert stored["version"] == 3
    assert stored["offer"]["units"][0]["personnel"] == 150
    assert stored["offer"]["units"][-1]["id"] == "mar-eng-api"


def test_delegate_opening_a_scenario_reads_its_latest_package(visit: Visit) -> None:
    """Without a link to a job, the page shows the scenario's latest finished solve (the API's jobs list)."""
    page = visit.page
    job = visit.site.solve("tutorial")
    visit.open("#scenario=tutorial")
    visit.sign_in(Role.DELEGATE, "MAR")
    expect(page.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    expect(page.get_by_role("link", name=job)).to_be_visible()


def test_observer_reads_the_package_and_no_offer(visit: Visit) -> None:
    """An observer opening a shared package link reads the package; no offer, no solve, no red line."""
    page = visit.page
    job = visit.site.solve("tutorial")
    visit.open(f"#scenario=tutorial&job={job}")
    visit.sign_in(Role.OBSERVER)
    expect(page.get_by_test_id("whoami")).to_have_text("Signed in as an observer")
    expect(page.get_by_test_id("package-status")).to_contain_text("OPTIMAL")
    expect(page.get_by_test_id("matrix")).to_contain_text("rafah-eng")
    expect(page.locator("#offer")).to_be_hidden()
    expect(page.get_by_role("button", name="Solve the scenario")).to_be_hidden()
    assert "idn-no-combat" not in page.locator("body").inner_text()
    visit.screenshot("observer")


def test_delegate_saving_keeps_what_the_form_does_not_show(visit: Visit) -> None:
    """Egypt's offer in the phased example names its nodes of entry (`entry`), which the form does not
    show: saved from the page, the new version keeps them, and every phased field of its units."""
    page = visit.page
    path = "/v1/scenarios/gaza-phased/offers/EGY"
    before = visit.site.call("GET", path, Role.DELEGATE, "EGY").json()
    assert before["offer"]["entry"] == ["el-arish"]
    visit.open("#scenario=gaza-phased")
    visit.sign_in(Role.DELEGATE, "EGY")
    expect(page.get_by_test_id("offer-version")).to_contain_text(f"EGY: version {before['version']}")
    page.get_by_test_id("offer-save").click()
    expect(page.get_by_test_id("offer-message")).to_contain_text("Saved: version")
    after = visit.site.call("GET", path, Role.DELEGATE, "EGY").json()
    assert after["version"] == before["version"] + 1
    assert after["offer"] == before["offer"]


def test_delegate_sees_every_problem_of_the_offer_at_once(visit: Visit) -> None:
    """Two bad fields (an empty id, a count of 0): the browser does not stop at the first with a
    tooltip; the service's two problems are shown, each next to its field, and nothing is saved."""
    page = visit.page
    visit.open("#scenario=gaza-isf")
    visit.sign_in(Role.DELEGATE, "IDN")
    expect(page.get_by_test_id("offer-version")).to_contain_text("IDN: version")
    before = visit.site.call("GET", OFFER.format("IDN"), Role.DELEGATE, "IDN").json()["version"]
    unit = page.get_by_test_id("unit-0")
    unit.get_by_label("Id").fill("")
    unit.get_by_label("Count").fill("0")
    page.get_by_test_id("offer-save").click()
    errors = page.locator(".offer-form .field-error")
    expect(errors).to_have_count(2)
    expect(unit.get_by_label("Id")).to_have_attribute("aria-invalid", "true")
    expect(unit.get_by_label("Count")).to_have_attribute("aria-invalid", "true")
    assert visit.site.call("GET", OFFER.format("IDN"), Role.DELEGATE, "IDN").json()["version"] == before
