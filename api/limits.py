"""Request bodies: their size cap (413), and scenario documents read from JSON or YAML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcepack.api.auth import authenticate
from forcepack.api.errors import (
    InvalidRequest,
    Unauthorized,
    UnsupportedMediaType,
    problem_response,
    validation_problems,
)
from forcepack.models.errors import ScenarioInputError
from forcepack.models.loading import read_document, shown_value
from forcepack.models.wording import plural

MAX_OFFSET = 10**9
"""The most a list may skip (a database integer holds it; more is a 422)."""
JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""A workbook (`models.workbook`): a scenario's, or one nation's offer sheets."""


class BodySizeLimit:
    """ASGI middleware: a body larger than `max_bytes` gets 413 before the application sees it.

    A declared `Content-Length` is checked at once; a body sent without one (chunked) is read up
    to the cap and refused as soon as it passes it. The application then reads the body as usual.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in str(scope.get("path", "")):
            # No resource is named with a NUL (and PostgreSQL's text refuses one): answered as any
            # unknown address, before a store is asked.
            await problem_response(404, "Not found", "no resource has this address")(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        sends_body = b"transfer-encoding" in headers or (declared is not None and declared.strip() not in (b"0", b""))
        takes_body = scope["method"] in BODY_METHODS and str(scope["path"]).startswith("/v1/")
        if sends_body and not takes_body:
            # No other request reads a body: the application sees none, and not a byte of the one
            # sent is read (the server drops it with the connection).
            async def no_body() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            await self.app(scope, no_body, send)
            return
        if takes_body:
            # Every route that takes a body needs a token: check it before reading a byte of the
            # body, so that nobody without one can make the server hold megabytes.
            refused = await _refused_caller(scope)
            if refused is not None:
                await refused(scope, receive, send)
                return
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await problem_response(400, "Bad request", "Content-Length is not a number")(scope, receive, send)
                return
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        body = bytearray()
        first: list[Message] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first.append(message)  # a disconnect: pass it on
                break
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": bytes(body), "more_body": False}, *first]

        async def replayed() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            "Request body too large",
            f"the request body is larger than the server accepts ({plural(self.max_bytes, 'byte')})",
            [f"(body): at most {plural(self.max_bytes, 'byte')}"],
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


BODY_METHODS = ("POST", "PUT", "PATCH")


async def _refused_caller(scope: Scope) -> JSONResponse | None:
    """The 401 answer for a request without a valid bearer token, None when its token is valid."""
    app = scope.get("app")
    database = getattr(getattr(app, "state", None), "database", None)
    if database is None:
        return None  # not started (the route itself will answer)
    header = dict(scope["headers"]).get(b"authorization")

    def check() -> None:
        with database.read() as session:
            authenticate(session, header.decode("latin-1") if header is not None else None)

    try:
        await anyio.to_thread.run_sync(check)
    except Unauthorized as exc:
        headers = {**exc.headers, "Connection": "close"}
        return problem_response(exc.status, exc.title, exc.detail, exc.problems, headers=headers)
    return None


def read_body_document(
    body: bytes, content_type: str | None, source: str, *, workbook: Callable[[bytes, str], Any] | None = None
) -> Any:
    """A JSON or YAML request body, parsed (syntax errors name line and column, as for files); an
    XLSX workbook too where the route reads one (`workbook`: its reader, `models.workbook`).

    Parsing is bounded (the body's size by `BodySizeLimit`, nesting, YAML's values, a number's
    digits: `models.loading.read_document`; a workbook's rows) and never runs inside a database
    transaction: callers read the body before they take the write lock."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == XLSX_TYPE and workbook is not None:
        return workbook(body, source)
    accepted = JSON_TYPES + YAML_TYPES + ((XLSX_TYPE,) if workbook is not None else ())
    if media and media not in accepted:
        raise UnsupportedMediaType(
            f"expected a {'JSON, YAML or XLSX' if workbook is not None else 'JSON or YAML'} body, "
            f"got `{shown_value(media)}`",
            ["Content-Type: one of " + ", ".join(accepted)],
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioInputError(source, ["(body): not UTF-8 text"]) from None
    if not text.strip():
        raise ScenarioInputError(source, ["(body): empty; expected a document"])
    as_json = media in JSON_TYPES if media else text.lstrip().startswith(("{", "["))
    return read_document(text, source, as_json=as_json)


M = TypeVar("M", bound=BaseModel)


def read_request(body: bytes, content_type: str | None, model: type[M], source: str) -> M:
    """A job request's body (JSON or YAML; empty means every field's default) as `model`, read the
    same way for every kind of job: 415 for another media type, 422 naming each field."""
    try:
        data: Any = {} if not body.strip() else read_body_document(body, content_type, source)
    except ScenarioInputError as exc:  # (a request, not a scenario: titled as one)
        raise InvalidRequest("the request is not a readable document", exc.problems) from None
    if not isinstance(data, dict):
        raise InvalidRequest("the request does not match its schema", ["(body): expected a JSON object"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise InvalidRequest("the request does not match its schema", validation_problems(errors)) from None
