"""The documentation pages, `/docs` and `/redoc`: served whole from this origin, nothing from a CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from forcepack.api.routes.docs import ASSETS
from tests.api.conftest import Service


class _Addresses(HTMLParser):
    """Every address an HTML page names (`src`, `href`, ReDoc's `spec-url`)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href", "spec-url") and value]


def _addresses(html: str) -> list[str]:
    parser = _Addresses()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_name_only_this_origin(service: Service, page: str) -> None:
    """Each page's scripts, style sheets, icon and document are paths on this server, each of which
    answers 200; no address of another host, and no inline script."""
    response = service.client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    addresses = _addresses(response.text)
    assert addresses, "the page names no asset"
    for address in addresses:
        assert address.startswith("/") and not address.startswith("//"), address
        assert service.client.get(address).status_code == 200, address
    assert not re.search(r"https?://", response.text)
    assert "<script>" not in response.text  # every script is a file (the policy allows no inline one)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "img-src 'self' data:;" in policy and "default-src 'none'" in policy


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "text/javascript"),
        ("favicon.png", "image/png"),
    ],
)
def test_docs_assets_are_served_from_the_pinned_package(service: Service, name: str, media_type: str) -> None:
    """Swagger UI's and ReDoc's files are served as the installed package holds them, byte for byte."""
    response = service.client.get(f"/docs/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content == (ASSETS / name).read_bytes()


def test_docs_swagger_ui_reads_openapi_3_1() -> None:
    """The Swagger UI shipped is of major version 5 (4 and earlier cannot read the OpenAPI 3.1 that
    FastAPI writes), and ReDoc of major version 2."""
    swagger = (ASSETS / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    redoc = (ASSETS / "redoc.standalone.js").read_text(encoding="utf-8")
    assert re.search(r'"5\.\d+\.\d+"', swagger)
    assert re.search(r'"2\.\d+\.\d+"', redoc)


@pytest.mark.parametrize("name", ["../routes/docs.py", ".hidden", "nothing.js", "swagger-ui-bundle.js.map"])
def test_docs_assets_only_the_packages_files(service: Service, name: str) -> None:
    """Anything else under `/docs/assets/` is a 404 problem document."""
    response = service.client.get(f"/docs/assets/{name}")
    assert response.status_code == 404


def test_docs_pages_are_not_in_the_schema(service: Service) -> None:
    """The pages and their assets are left out of the OpenAPI document."""
    paths = service.client.get("/openapi.json").json()["paths"]
    assert not any(path.startswith(("/docs", "/redoc")) for path in paths)
