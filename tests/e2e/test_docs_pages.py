"""The documentation pages in a real browser, with no network: both render the API from local files."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit

pytestmark = pytest.mark.e2e


def test_docs_swagger_ui_renders_offline(visit: Visit) -> None:
    """`/docs` shows every tag and the scenario routes; nothing is fetched from another address."""
    visit.page.goto(f"{visit.site.url}/docs")
    expect(visit.page.locator(".swagger-ui .info .title")).to_contain_text("forcepack")
    expect(visit.page.locator(".opblock-tag", has_text="scenarios")).to_be_visible()
    expect(visit.page.locator(".opblock-summary-path", has_text="/v1/scenarios/{scenario_id}/diff")).to_be_visible()
    visit.screenshot("docs-swagger")


def test_docs_redoc_renders_offline(visit: Visit) -> None:
    """`/redoc` shows the API's title and its operations; nothing is fetched from another address."""
    visit.page.goto(f"{visit.site.url}/redoc")
    expect(visit.page.locator("h1").first).to_contain_text("forcepack")
    expect(visit.page.get_by_text("/v1/scenarios/{scenario_id}/versions").first).to_be_attached()
    visit.screenshot("docs-redoc")
