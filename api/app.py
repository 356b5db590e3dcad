"""The FastAPI application: `create_app(settings)` wires settings, database, job runner and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcepack.api.db import Database, upgrade
from forcepack.api.errors import install_error_handlers, internal_error
from forcepack.api.jobs import JobRunner, SolveFunction, fail_unfinished
from forcepack.api.limits import BodySizeLimit
from forcepack.api.openapi import install_openapi
from forcepack.api.routes import analyses, docs, health, jobs, me, offers, scenarios, web
from forcepack.api.settings import Settings
from forcepack.models.wording import plural

logger = logging.getLogger("forcepack.api")

DESCRIPTION = """\
Coalition force generation as a service. Coordinators own scenarios and solve them; nation
delegates submit and revise their own nation's offer; observers read packages.

Every answer that is a package is the solution document of the domain reference
(`forcepack.solution/1`). Errors are problem documents (`application/problem+json`) whose
`problems` name the field. Offers and scenario changes need `If-Match`; solves are jobs.
"""

TAGS = [
    {"name": "scenarios", "description": "Planning problems: the coordinator's parts and who offers what."},
    {"name": "offers", "description": "Each nation's offer: units, funding, red lines; every version kept."},
    {"name": "jobs", "description": "Solves and analyses, run in the background: submit, poll, follow, cancel."},
    {"name": "analyses", "description": "What-if, criticality (N-1, N-2) and explanations, as jobs."},
    {"name": "health", "description": "Liveness and readiness, and who the caller is."},
]


def create_app(settings: Settings | None = None, *, solve: SolveFunction | None = None) -> FastAPI:
    """The service, for `settings` (default: from `FORCEPACK_*` environment variables).

    `solve` replaces `solver.solve` for the jobs (tests).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url, busy_timeout_ms=settings.busy_timeout_ms)
        if settings.migrate_on_startup:
            upgrade(database)
        failed = fail_unfinished(database, "the server stopped before this job finished; submit it again")
        if failed:
            logger.warning("%s left unfinished by the last run marked failed", plural(failed, "job"))
        runner = JobRunner(
            database,
            max_concurrent=settings.max_concurrent_solves,
            queue_length=settings.queue_length,
            retry_after_s=settings.retry_after_seconds,
            solve=solve,
        )
        app.state.settings, app.state.database, app.state.runner = settings, database, runner
        try:
            yield
        finally:
            runner.shutdown()
            database.dispose()

    app = FastAPI(
        title="forcepack",
        version="1",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect would name the host the request claimed
        docs_url=None,  # FastAPI's pages load their viewers from a CDN: `routes/docs` serves them whole
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in (
        scenarios.router,
        offers.router,
        jobs.router,
        analyses.router,
        me.router,
        health.router,
        web.router,
        docs.router,
    ):
        app.include_router(router)
    install_openapi(app)
    app.add_middleware(CatchAll)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(NoStore)
    return app


class CatchAll:
    """ASGI middleware: an unexpected error (a bug) becomes the 500 problem document naming only
    the incident it is logged under (`api.errors.internal_error`), answered like any other answer
    (with `Cache-Control: no-store`), and the connection stays usable: nothing is re-raised to the
    server, which would reset it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:  # the answer is under way: nothing to replace it with
                raise
            response = internal_error(scope.get("method", "?"), scope.get("path", "?"), exc)
            await response(scope, receive, send)


class NoStore:
    """ASGI middleware: every answer under `/v1` says `Cache-Control: no-store`.

    Answers carry offers, red lines and packages meant for one caller: no shared cache (a proxy,
    a browser's disk) may keep them. Clients that want to read an offer cheaply send `If-None-Match`
    with the ETag they hold, and get 304."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith("/v1/"):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)
