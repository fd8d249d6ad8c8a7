"""Dependencies: the application, the current principal, and the command runner that gives
every POST its Idempotency-Key and If-Match handling."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.application import Oversight
from domain.errors import AuthenticationError, InvalidInputError
from domain.principal import Actor
from domain.receipts import RECEIPT, Receipt

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <token>")


def app_of(request: Request) -> Oversight:
    app: Oversight = request.app.state.oversight
    return app


async def get_app(request: Request) -> Oversight:  # async: no worker thread for a lookup
    return app_of(request)


App = Annotated[Oversight, Depends(get_app)]


def current_principal(app: App, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
    if creds is None or creds.scheme.lower() != "bearer":
        raise AuthenticationError("missing bearer token")
    return app.authenticate(creds.credentials)


CurrentPrincipal = Annotated[Actor, Depends(current_principal)]


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    v = value.strip()
    if v.startswith("W/"):
        v = v[2:]
    v = v.strip('"')
    if not v.isdigit():
        raise InvalidInputError("If-Match", 'give the aggregate version, e.g. "3"')
    return int(v)


class Command:
    """Runs one command for a route: Idempotency-Key, If-Match, and the answer."""

    def __init__(
        self,
        request: Request,
        app: Oversight,
        actor: Actor,
        idempotency_key: str | None,
        if_match: str | None,
        body: bytes,
    ) -> None:
        self.request = request
        self.body = body
        self.app = app
        self.actor = actor
        self.key = idempotency_key
        self.expected_version = _if_match(if_match)

    def run(self, fn: Callable[[], dict[str, Any]], status: int = 200) -> Response:
        """The command's answer. With an Idempotency-Key: the answer recorded for the key (in
        the transaction of the command's events, ``domain/receipts.py``) if there is one, else
        the command, run with its receipt.

        The receipt is not looked up first: the command runs, and its transaction inserts the
        receipt's row before its events, so a key that already has an answer makes the
        transaction fail and record nothing. Any failure is then answered from the receipt if
        there is one (the replay, or 422 for the key used with another request). A first
        attempt saves a round trip; a retry costs the command once more, which records
        nothing."""
        with self.app.caught_up():  # by ``current_principal``
            return self._run(fn, status)

    def _run(self, fn: Callable[[], dict[str, Any]], status: int) -> Response:
        if self.key is None:
            return JSONResponse(fn(), status_code=status)
        fp = fingerprint(self.request.method, self.request.url.path, self.body)
        receipt = Receipt(self.actor.id, self.key, fp, status)
        token = RECEIPT.set(receipt)
        try:
            result = fn()
        except Exception:
            replay = self._replayed(fp)  # a request with this key committed first
            if replay is not None:
                return replay
            raise
        finally:
            RECEIPT.reset(token)
        if receipt.recorded is None:  # nothing recorded in the command's transaction
            replay = self._replayed(fp)
            if replay is not None:
                return replay
            self.app.put_receipt(receipt, orjson.dumps(result))
        return JSONResponse(result, status_code=status)

    def _replayed(self, fp: str) -> Response | None:
        assert self.key is not None
        stored = self.app.find_receipt(self.actor.id, self.key)
        if stored is None:
            return None
        if stored.fingerprint != fp:
            raise InvalidInputError("Idempotency-Key", "this key was used with a different request")
        return Response(
            stored.body,
            status_code=stored.status,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _parsed(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:  # what FastAPI itself accepts (e.g. a lone surrogate escape), so it is checked too
        return json.loads(body)
    except ValueError:
        return None


async def command(
    request: Request,
    app: App,
    actor: CurrentPrincipal,
    body: Annotated[bytes, Depends(raw_body)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Command:
    """Runs after the route's guard (roles before bodies) and before the body is validated:
    the input limits of api/inputs.py and the officers the body names. On the event loop: the
    checks read the body and what the lookups remember (``guards.remembered``)."""
    from .guards import check_references, remembered
    from .inputs import check_body, check_text

    if idempotency_key is not None:
        check_text("Idempotency-Key", idempotency_key, multiline=False)
        if not 0 < len(idempotency_key) <= 200:
            raise InvalidInputError("Idempotency-Key", "1 to 200 characters")
    if body:
        data = _parsed(body)
        check_body(request, data)
        await remembered(check_references, request, data)
    return Command(request, app, actor, idempotency_key, if_match, body)


Cmd = Annotated[Command, Depends(command)]


MinPosition = Annotated[int | None, Query(ge=0, le=2**63 - 1)]


async def _position(request: Request, response: Response, names: tuple[str, ...], min_position: int | None) -> int:
    """The wait is asynchronous (api/waiting.py): a waiting read holds no worker thread."""
    from .errors import ProjectionLagError, ProjectionUnavailableError
    from .waiting import watch

    runner = request.app.state.runner
    why = await run_in_threadpool(runner.unavailable, names)
    if why is not None:
        raise ProjectionUnavailableError(why)
    ok, pos = await watch(request.app).wait(names, min_position or 0, timeout=5.0)
    if not ok:
        raise ProjectionLagError(min_position or 0, pos)
    response.headers["X-Projection-Position"] = str(pos)
    return pos


async def case_index_position(request: Request, response: Response, min_position: MinPosition = None) -> int:
    """Read-your-writes for the case list: wait (at most 5 s) until the case index processed
    ``min_position``; answer the position reached in ``X-Projection-Position``; 503 with
    Retry-After if it lags, or while a new version is still being built beside the one serving."""
    return await _position(request, response, ("case_index",), min_position)


async def audit_position(request: Request, response: Response, min_position: MinPosition = None) -> int:
    """As ``case_index_position``, for the reports (they read the audit projection and the case index)."""
    return await _position(request, response, ("case_index", "audit"), min_position)


CaseIndexPosition = Annotated[int, Depends(case_index_position)]
AuditPosition = Annotated[int, Depends(audit_position)]
