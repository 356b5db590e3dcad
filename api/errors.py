"""Every user error the service can answer, one type per kind, mapped to HTTP in one place.

Answers are problem documents (RFC 9457, `application/problem+json`): `title`, `status`,
`detail`, and `problems`, one line per problem, each starting with the path of the field, as
`models.ScenarioInputError` words them for files. A user error is a 4xx, never a 5xx.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from forcepack.models.errors import ForcepackError, ScenarioInputError
from forcepack.models.loading import describe_error, format_location, shown_value
from forcepack.models.patch import PatchError

logger = logging.getLogger("forcepack.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An error answer: what went wrong, and where in the request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str = Field(default="about:blank", description="Problem type (RFC 9457).")
    title: str = Field(description="Short, the same for every problem of this kind.")
    status: int = Field(description="The HTTP status.")
    detail: str = Field(description="What went wrong, in one sentence.")
    problems: list[str] = Field(
        default_factory=list, description="One line per problem, each starting with the path of the field."
    )


class ApiError(ForcepackError):
    """Base of the service's own user errors; `status` and `title` say how HTTP answers it."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, problems: Sequence[str] = (), headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)
        self.headers = headers or {}


class Unauthorized(ApiError):
    """No bearer token, or one that is unknown or revoked."""

    status, title = 401, "Unauthorized"

    def __init__(self, detail: str = "a valid bearer token is required") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="forcepack"'})


class Forbidden(ApiError):
    """The caller's role may not do this, whatever the resource."""

    status, title = 403, "Forbidden"


class NotFound(ApiError):
    """No such resource, or none the caller may see: both answer alike, so ids cannot be probed."""

    status, title = 404, "Not found"


class Conflict(ApiError):
    """The request contradicts the resource's state (an id already taken, a job already finished)."""

    status, title = 409, "Conflict"


class PreconditionFailed(ApiError):
    """`If-Match` names a version that is no longer current."""

    status, title = 412, "Precondition failed"


class BodyTooLarge(ApiError):
    """The request body is larger than the server accepts."""

    status, title = 413, "Request body too large"


class UnsupportedMediaType(ApiError):
    """A body that is neither JSON nor YAML."""

    status, title = 415, "Unsupported media type"


class InvalidRequest(ApiError):
    """A request that is well-formed but wrong (e.g. an idempotency key reused with another body)."""

    status, title = 422, "Invalid request"


class PreconditionRequired(ApiError):
    """An update without `If-Match`: it could silently overwrite someone else's change."""

    status, title = 428, "Precondition required"


class QueueFull(ApiError):
    """Every job slot and queue place is taken (solves and analyses share them)."""

    status, title = 429, "Too many jobs"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"every job slot and queue place is taken; retry in {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )


def problem_response(
    status: int, title: str, detail: str, problems: Sequence[str] = (), headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one place a problem document is written (text that could not be encoded, such as a lone
    UTF-16 surrogate a request held, is written with a replacement character)."""
    body = Problem(title=title, status=status, detail=_writable(detail), problems=[_writable(p) for p in problems])
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _writable(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def validation_problems(errors: Sequence[Any]) -> list[str]:
    """FastAPI's validation errors (query, header, JSON body) as `path: message` lines."""
    lines: list[str] = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        where = loc[0] if loc else "body"
        path = format_location(loc[1:]) if len(loc) > 1 else "(top level)"
        lines.append(describe_error(err, path if where == "body" else f"{where} {path}"))
    return lines


_HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 400: "Bad request"}


def install_error_handlers(app: FastAPI) -> None:
    """Map every user error to its status and problem document: the one table of the service."""

    @app.exception_handler(ApiError)
    def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, exc.problems, exc.headers)

    @app.exception_handler(ScenarioInputError)
    def _scenario_input(request: Request, exc: ScenarioInputError) -> JSONResponse:
        count = len(exc.problems)
        detail = f"{exc.source}: {count} problem{'s' if count != 1 else ''} in the scenario"
        return problem_response(422, "Invalid scenario", detail, exc.problems)

    @app.exception_handler(PatchError)
    def _patch(request: Request, exc: PatchError) -> JSONResponse:
        count = len(exc.problems)
        detail = f"{exc.source}: the patch does not apply ({count} problem{'s' if count != 1 else ''})"
        return problem_response(422, "Invalid patch", detail, exc.problems)

    @app.exception_handler(RequestValidationError)
    def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = validation_problems(exc.errors())
        return problem_response(422, "Invalid request", "the request does not match its schema", problems)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _HTTP_TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI could not read a JSON body (bytes that are not UTF-8): an invalid document, like bad JSON.
            return problem_response(
                422, "Invalid request", "the request does not match its schema", ["(body): not UTF-8 text"]
            )
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(app, request))
        return problem_response(exc.status_code, title, detail, headers=headers)

    @app.exception_handler(OperationalError)
    def _database_busy(request: Request, exc: OperationalError) -> JSONResponse:
        # SQLite: a writer waited the whole busy timeout for the lock. Not the caller's fault: retry.
        if database_busy(exc):
            return _busy()
        return internal_error(request.method, request.url.path, exc)

    @app.exception_handler(PoolTimeout)
    def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        return _busy()


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette's 405 names only the first route's)."""
    allowed = []
    for method in ("DELETE", "GET", "PATCH", "POST", "PUT"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed


def _busy() -> JSONResponse:
    return problem_response(503, "Database busy", "the database is busy; retry shortly", headers={"Retry-After": "1"})


def database_busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked" or "busy": another writer held the lock past the busy timeout."""
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def new_incident() -> str:
    """An id to find an unexpected error in the log by, from an answer that shows nothing else of it."""
    return uuid.uuid4().hex[:12]


def failure_message(incident: str) -> str:
    """What every role reads of an unexpected failure: nothing of the error but where it is logged."""
    return f"the server failed unexpectedly; the error is logged as incident {incident}"


def internal_error(method: str, path: str, exc: Exception) -> JSONResponse:
    """A bug, not the caller's doing: logged with its traceback under an incident id, answered
    with the id alone (no text of the exception, which may quote anyone's data)."""
    incident = new_incident()
    logger.error("unexpected error on %s %s (incident %s)", method, shown_value(path), incident, exc_info=exc)
    return problem_response(500, "Internal error", failure_message(incident), headers={"Cache-Control": "no-store"})
