"""Request bodies: their size cap (413), and scenario documents read from JSON or YAML."""

from __future__ import annotations

from typing import Any

import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import UnsupportedMediaType, problem_response
from models.errors import ScenarioInputError
from models.loading import read_document

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


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
        declared = dict(scope["headers"]).get(b"content-length")
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
            f"the request body is larger than the server accepts ({self.max_bytes:,} bytes)",
            [f"(body): at most {self.max_bytes} bytes"],
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def read_body_document(body: bytes, content_type: str | None, source: str) -> Any:
    """A JSON or YAML request body, parsed (syntax errors name line and column, as for files)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in JSON_TYPES + YAML_TYPES:
        raise UnsupportedMediaType(
            f"expected a JSON or YAML body, got `{media}`",
            ["Content-Type: one of " + ", ".join(JSON_TYPES + YAML_TYPES)],
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioInputError(source, ["(body): not UTF-8 text"]) from None
    if not text.strip():
        raise ScenarioInputError(source, ["(body): empty; expected a scenario document"])
    as_json = media in JSON_TYPES if media else text.lstrip().startswith("{")
    if not as_json:
        _refuse_yaml_aliases(text, source)
    try:
        return read_document(text, source, as_json=as_json)
    except RecursionError:
        raise ScenarioInputError(source, ["(body): nested too deeply"]) from None


def _refuse_yaml_aliases(text: str, source: str) -> None:
    """YAML aliases can make a small body expand without bound (a "billion laughs"): refused in requests."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                mark = token.start_mark
                raise ScenarioInputError(
                    source,
                    [f"line {mark.line + 1}, column {mark.column + 1}: YAML anchors and aliases are not accepted here"],
                )
    except yaml.YAMLError:
        return  # the parser reports syntax errors with their place
