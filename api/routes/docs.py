"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served whole from here.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so offline (or behind a closed network)
they are blank. Here both are served from the files the pinned PyPI package `fastapi-offline`
ships (Swagger UI 5 and ReDoc 2, which read this OpenAPI 3.1 document), at `/docs/assets/<name>`,
and the pages name nothing but this origin: Swagger UI's options are in `/web/swagger-init.js`
(no inline script), its validator badge is off (it would call validator.swagger.io), and a
Content-Security-Policy keeps anything else, such as ReDoc's footer logo from its CDN, from
being fetched at all.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from forcepack.api.errors import NotFound

ASSETS = Path(str(files("fastapi_offline") / "static"))
"""Swagger UI's and ReDoc's files, as the pinned `fastapi-offline` ships them."""
ASSET_URL = "/docs/assets"
OPENAPI_URL = "/openapi.json"

MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}

DOCS_HEADERS = {
    # Both viewers set styles inline (React, styled-components) and ReDoc searches in a worker made
    # from a blob; scripts, images, fonts and requests stay on this origin.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

SWAGGER_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>forcepack API: Swagger UI</title>
  <link rel="icon" href="{ASSET_URL}/favicon.png">
  <link rel="stylesheet" href="{ASSET_URL}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi="{OPENAPI_URL}"></div>
  <script src="{ASSET_URL}/swagger-ui-bundle.js"></script>
  <script src="/web/swagger-init.js"></script>
</body>
</html>
"""

REDOC_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>forcepack API: ReDoc</title>
  <link rel="icon" href="{ASSET_URL}/favicon.png">
</head>
<body>
  <redoc spec-url="{OPENAPI_URL}"></redoc>
  <script src="{ASSET_URL}/redoc.standalone.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI on the OpenAPI document: try the API from the browser."""
    return HTMLResponse(SWAGGER_PAGE, headers=DOCS_HEADERS)


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc on the OpenAPI document: the API as a reference to read."""
    return HTMLResponse(REDOC_PAGE, headers=DOCS_HEADERS)


@router.get(f"{ASSET_URL}/{{name}}")
def asset(name: str) -> FileResponse:
    """A file of Swagger UI or ReDoc (only the package's own files, by name)."""
    path = ASSETS / name
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or "/" in name or name.startswith(".") or not path.is_file():
        raise NotFound(f"no file `{name[:80]}` in the documentation pages")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})
