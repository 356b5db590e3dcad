"""End-to-end fixtures: a real uvicorn on loopback (temporary SQLite, the examples loaded) and a real
headless Chromium driven by Playwright.

Chromium is Debian's `chromium` package at `/usr/bin/chromium` (`FORCEPACK_CHROMIUM` names another);
Playwright's own browser download is never used (this network is closed). Without the browser the
tests fail, saying how to install it: CI installs it, and a silent skip would hide a missing gate.

Every request the page makes must go to the test server: any other address is refused and fails
the test (the page fetches nothing from the network). Screenshots go to `tests/e2e/artifacts/`
(git-ignored); with `FORCEPACK_UPDATE_SCREENSHOTS=1` the README's are written to `docs/screenshots/`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect, sync_playwright

from forcepack.api.auth import Role, create_token
from forcepack.api.db import Database, upgrade
from forcepack.api.setup import load_examples
from tests.api.conftest import EXAMPLES, FINISHED
from tests.api.test_crash import Server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FORCEPACK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
README_SCREENSHOTS = ROOT / "docs" / "screenshots"
README_HEIGHT = 2400
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000
"""How long an action or an expectation waits: a what-if whose explanation looks for ways out takes seconds."""

expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class Site:
    """The running service: its address, its database (for tokens), and an HTTP client to set the scene."""

    url: str
    database: Database
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, role: Role, nation: str | None = None) -> str:
        """A token of this role (and nation), made once."""
        key = f"{role}:{nation}"
        if key not in self.tokens:
            with self.database.write() as session:
                self.tokens[key] = create_token(session, role, nation).secret
        return self.tokens[key]

    def headers(self, role: Role, nation: str | None = None, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, nation)}", **extra}

    def call(self, method: str, path: str, role: Role, nation: str | None = None, **kwargs: Any) -> httpx.Response:
        """The API called directly (behind the page's back)."""
        headers = {**self.headers(role, nation), **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30.0, **kwargs)

    def solve(self, scenario: str, timeout_s: float = 60.0) -> str:
        """A coordinator's solve through the API, waited for; its job id."""
        return self.run(f"/v1/scenarios/{scenario}/solves", {"time_limit_s": 20}, timeout_s)

    def run(self, path: str, body: dict[str, Any], timeout_s: float = 60.0) -> str:
        """A coordinator's job (a solve or an analysis) through the API, waited for; its job id."""
        response = self.call("POST", path, Role.COORDINATOR, json=body)
        assert response.status_code == 202, response.text
        job_id: str = response.json()["id"]
        deadline = time.monotonic() + timeout_s
        while self.call("GET", f"/v1/jobs/{job_id}", Role.COORDINATOR).json()["status"] not in FINISHED:
            assert time.monotonic() < deadline, f"job {job_id} did not finish"
            time.sleep(0.05)
        return job_id


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A real uvicorn (`tests/api/forked_server.py`) on a free loopback port, a fresh SQLite file, the examples."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'forcepack.db'}"
    database = Database(url)
    upgrade(database)
    load_examples(database, EXAMPLES)
    server = Server(url)
    try:
        with httpx.Client(timeout=5.0) as client:
            server.start(client, timeout_s=60.0)
        yield Site(server.url, database)
    finally:
        server.close()
        database.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; the test fails (it does not skip) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the end-to-end tests need it. Install it as root with "
            "`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium` "
            "(or set FORCEPACK_CHROMIUM to a Chromium binary).",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@dataclass
class Visit:
    """A page in its own browser context, and what it tried that it must not."""

    page: Page
    context: BrowserContext
    site: Site
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, fragment: str = "") -> None:
        self.page.goto(f"{self.site.url}/{fragment}")

    def sign_in(self, role: Role, nation: str | None = None) -> None:
        """Sign in with the keyboard alone: focus the token field, type, press Enter."""
        token_field = self.page.get_by_label("Token")
        expect(token_field).to_be_focused()
        self.page.keyboard.type(self.site.token(role, nation))
        self.page.keyboard.press("Enter")
        expect(self.page.get_by_test_id("whoami")).to_contain_text("Signed in as")

    def screenshot(self, name: str, *, readme: bool = False) -> Path:
        """Save a full-page screenshot as a test artefact (and as the README's, when asked to update them)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if readme and os.environ.get("FORCEPACK_UPDATE_SCREENSHOTS") == "1":
            # The README's: the top of the page (summary, package or offer), not the whole scroll.
            README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            height = min(README_HEIGHT, self.page.evaluate("document.documentElement.scrollHeight"))
            clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height}
            self.page.screenshot(path=str(README_SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)
        return path


@pytest.fixture
def visit(browser: Browser, site: Site) -> Iterator[Visit]:
    """A fresh browser context on the site; at the end nothing may have gone elsewhere, and no script failed."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(page, context, site)

    def guard(route: Route) -> None:
        if route.request.url.startswith(site.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            visit.outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    yield visit
    context.close()
    assert visit.outside == [], f"the page tried to reach other addresses: {visit.outside}"
    assert visit.errors == [], f"the page's scripts failed: {visit.errors}"
