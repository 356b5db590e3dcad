"""The planner's page at `/`: served by the app itself, with the right content types, beside the API."""

from __future__ import annotations

import re

import pytest

from forcepack.api.auth import Role
from forcepack.api.routes.web import STATIC
from tests.api.conftest import Service


def test_web_root_serves_the_page(service: Service) -> None:
    """`/` answers the page's HTML, which loads its own script and style sheet and nothing from elsewhere."""
    response = service.client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert '<script type="module" src="/web/app.js">' in html
    assert '<link rel="stylesheet" href="/web/style.css">' in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("api.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
    ],
)
def test_web_assets_have_their_content_types(service: Service, name: str, content_type: str) -> None:
    """Every file of the page is served under /web/ with its content type (ES modules need a JavaScript type)."""
    response = service.client.get(f"/web/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (STATIC / name).read_bytes()


def test_web_modules_import_only_their_neighbours() -> None:
    """The scripts import only modules of the page itself (no CDN, no npm package, no build step)."""
    for script in STATIC.glob("*.js"):
        for target in re.findall(r"""^import .* from ["']([^"']+)["'];""", script.read_text(), flags=re.M):
            assert target.startswith("./"), f"{script.name} imports {target}"
            assert (STATIC / target[2:]).is_file(), f"{script.name} imports a missing {target}"


@pytest.mark.parametrize("path", ["/web/../app.py", "/web/.hidden", "/web/missing.js", "/web/app.py", "/nowhere"])
def test_web_unknown_files_are_not_found(service: Service, path: str) -> None:
    """Only the page's own files are served: anything else is the API's 404 problem document."""
    response = service.client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_web_page_leaves_the_api_alone(service: Service) -> None:
    """With the page mounted, /v1, /health, /ready, /docs and /openapi.json still answer; the schema omits the page."""
    assert service.client.get("/v1/scenarios", headers=service.coordinator).json()["total"] >= 1
    assert service.client.get("/v1/scenarios").status_code == 401
    assert service.client.get("/v1/scenarios/tutorial", headers=service.auth(Role.OBSERVER)).status_code == 200
    assert service.client.get("/health").json()["status"] == "ok"
    assert service.client.get("/ready").status_code == 200
    assert "text/html" in service.client.get("/docs").headers["content-type"]
    paths = service.client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert not any(path.startswith("/web") for path in paths)


def test_web_me_names_the_callers_role_and_nation(service: Service) -> None:
    """`GET /v1/me` answers each token's role (and a delegate's nation), never the token; no token is a 401."""
    assert service.client.get("/v1/me", headers=service.coordinator).json() == {"role": "coordinator", "nation": None}
    assert service.client.get("/v1/me", headers=service.auth(Role.DELEGATE, "IDN")).json() == {
        "role": "delegate",
        "nation": "IDN",
    }
    assert service.client.get("/v1/me", headers=service.auth(Role.OBSERVER)).json() == {
        "role": "observer",
        "nation": None,
    }
    assert service.client.get("/v1/me").status_code == 401
