"""The planner's web page at `/`: static HTML, CSS and JavaScript modules that call the public API.

The page is plain files under `api/web/static/` (no build step, nothing fetched from the network);
this router serves `index.html` at `/` and the other files under `/web/`. It holds no logic of
its own: everything the page shows comes from `/v1/...` with the user's bearer token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from forcepack.api.errors import NotFound

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
"""Where the page's files are (package data of `api`)."""

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

# Everything from this origin, nothing inline, nothing from elsewhere; the page sets styles through
# the CSSOM (element.style), which `style-src 'self'` allows.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

MAX_NAME = 100
"""Longest file name looked for (a longer one is no file of the page, and the system would refuse it)."""

router = APIRouter(include_in_schema=False)


def _file(name: str) -> FileResponse:
    path = STATIC / name
    media_type = MEDIA_TYPES.get(path.suffix)
    # Only plain files of the folder itself: no sub-paths, no hidden files, known types, short names.
    if media_type is None or "/" in name or name.startswith(".") or len(name) > MAX_NAME or not path.is_file():
        raise NotFound(f"no file `{name[:80]}` in the web page")
    return FileResponse(path, media_type=media_type, headers=SECURITY_HEADERS)


@router.get("/")
def page() -> FileResponse:
    """The planner's page."""
    return _file("index.html")


@router.get("/web/{name}")
def asset(name: str) -> FileResponse:
    """A file of the page: its scripts (ES modules) and style sheet."""
    return _file(name)
