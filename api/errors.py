"""problem+json (RFC 9457) for every error, in one place: domain errors → 4xx, never 5xx
for bad input."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import OperationalError, PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    AlreadyExistsError,
    AuthenticationError,
    ConcurrencyError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    OversightError,
    RuleViolation,
    StateError,
    VersionMismatchError,
)
from domain.rules import RULES
from projections.runner import reason

log = logging.getLogger("oversight.api")
PROBLEM = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    422: "Invalid input",
    500: "Internal error",
    503: "Unavailable",
}


class ProjectionLagError(Exception):
    def __init__(self, wanted: int, reached: int) -> None:
        super().__init__(f"projections reached position {reached}, not yet {wanted}")
        self.wanted, self.reached = wanted, reached


class ProjectionUnavailableError(Exception):
    """A new version of a projection is being built beside the one serving."""


def problem(
    status: int, detail: str, *, type_: str = "about:blank", headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": type_, "title": _TITLES.get(status, "Error"), "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def to_problem(exc: OversightError) -> JSONResponse:
    if isinstance(exc, RuleViolation):
        return problem(
            409,
            exc.message,
            type_=f"urn:oversight:rule:{exc.rule}",
            rule=exc.rule,
            citation=exc.citation,
            violations=[{"rule": r, "citation": RULES[r].citation, "detail": m} for r, m in exc.also],
        )
    if isinstance(exc, InvalidInputError):
        return problem(422, exc.message, errors=[{"field": exc.field, "message": exc.message}])
    if isinstance(exc, VersionMismatchError):
        return problem(412, exc.message, version=exc.actual)
    if isinstance(exc, NotFoundError):
        return problem(404, exc.message)
    if isinstance(exc, AuthenticationError):
        return problem(401, exc.message, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, ForbiddenError):
        return problem(403, exc.message, rule=exc.rule, citation=exc.citation)
    if isinstance(exc, (StateError, AlreadyExistsError, ConcurrencyError)):
        return problem(409, exc.message)
    return problem(400, exc.message)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _role_first(request: Request) -> JSONResponse | None:
    from fastapi.concurrency import run_in_threadpool

    from .guards import precheck

    try:
        await run_in_threadpool(precheck, request)
    except OversightError as refused:
        return to_problem(refused)
    return None


def install(app: FastAPI) -> None:
    @app.exception_handler(OversightError)
    async def _domain(_: Request, exc: OversightError) -> JSONResponse:
        return to_problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            # The body could not even be parsed, which happens before any dependency runs:
            # the caller's role is still checked first (roles before bodies).
            refused = await _role_first(request)
            if refused is not None:
                return refused
        errors = [{"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # A body FastAPI could not even read as text (not UTF-8): malformed input, 422, after
            # the caller's role (roles before bodies).
            refused = await _role_first(request)
            if refused is not None:
                return refused
            message = "the body is not JSON in UTF-8"
            return problem(422, message, errors=[{"field": "body", "message": message}])
        return problem(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(ProjectionLagError)
    async def _lag(_: Request, exc: ProjectionLagError) -> JSONResponse:
        return problem(503, str(exc), headers={"Retry-After": "1", "X-Projection-Position": str(exc.reached)})

    @app.exception_handler(ProjectionUnavailableError)
    async def _building(_: Request, exc: ProjectionUnavailableError) -> JSONResponse:
        return problem(503, str(exc), headers={"Retry-After": "30"})

    @app.exception_handler(OperationalError)
    async def _busy(_: Request, exc: OperationalError) -> JSONResponse:
        log.warning("store busy: %s", exc)
        return problem(503, "the store is busy; retry shortly", headers={"Retry-After": "1"})

    @app.exception_handler(SQLAlchemyOperationalError)
    @app.exception_handler(SQLAlchemyTimeoutError)
    async def _read_busy(_: Request, exc: Exception) -> JSONResponse:
        log.warning("read side busy: %s", reason(exc))  # without the statement's parameters
        return problem(503, "the read side is busy or timed out; retry shortly", headers={"Retry-After": "1"})

    @app.exception_handler(PersistenceError)
    async def _store(_: Request, exc: PersistenceError) -> JSONResponse:
        log.exception("store error")
        return problem(503, "the store refused the operation; nothing was recorded", headers={"Retry-After": "1"})
