"""Roles before bodies: a command's role, unit and bank are checked before its body is read.

Every command route runs ``command_guard`` first (it is attached to the routers in
``api/main.py``). The guard names the route's command, asks ``domain.access`` whether the
caller's role may ever run it, and, for a route on one record (``/cases/{case_id}/…``,
``/fines/{fine_id}/…``, ``/inspections/{inspection_id}/…``) or a body that names its unit
(filing a case, drawing an inspection), whether the record is the caller's unit's or bank's.
Only then is the body validated. The application checks all of this again with the record
loaded; the guard only answers first, and cheaply: a record's unit and bank never change, so
they are read once from its first event and remembered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from domain import access
from domain.application import Oversight
from domain.errors import InvalidInputError, NotFoundError
from domain.principal import Actor

from .deps import CurrentPrincipal, app_of

#: Route functions named otherwise than the application command they run.
ROUTE_COMMANDS = {
    "hand_over": "hand_over_cash",
    "deposit": "deposit_cash",
    "remit": "remit_to_treasury",
    "suspend": "suspend_certificate",
    "reinstate": "reinstate_certificate",
    "revoke": "revoke_qualification",
    "draw": "draw_inspection",
    "record_result": "record_inspection_result",
    "publish": "publish_inspection_results",
}
#: Path parameters that name a record; a value that is no id at all is a 404 before anything.
RECORD_PARAMS = ("case_id", "fine_id", "inspection_id", "principal_id", "officer_id", "unit_id")
#: Of those, the records that belong to a unit (and a fine also to a bank).
OWNED_PARAMS = ("case_id", "fine_id", "inspection_id")
#: Commands whose body names the unit they act in.
BODY_UNIT_COMMANDS = ("file_case", "draw_inspection")


def command_of(route: APIRoute) -> str:
    return ROUTE_COMMANDS.get(route.name, route.name)


def is_command(route: APIRoute) -> bool:
    return bool(route.methods & {"POST", "PUT", "PATCH", "DELETE"})


class _Remembered:
    """A bounded map of facts that never change once true (a record's owner, an officer's
    existence)."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)


class NotRemembered(Exception):
    """A lookup needs the store where only remembered facts may be read (``remembered``)."""


_REMEMBERED_ONLY: ContextVar[bool] = ContextVar("oversight_remembered_only", default=False)


@contextmanager
def _remembered_only() -> Iterator[None]:
    token = _REMEMBERED_ONLY.set(True)
    try:
        yield
    finally:
        _REMEMBERED_ONLY.reset(token)


async def remembered(check: Callable[..., None], *args: Any) -> None:
    """Run a check on the event loop with what the lookups remember (a record's owner, an
    officer's registration: almost always known); only a check that must read the store
    goes to a worker thread, and runs there from the start."""
    try:
        with _remembered_only():
            check(*args)
    except NotRemembered:
        await run_in_threadpool(check, *args)


class Lookups:
    """Cheap reads for the guards and the reference checks: the first event of a record."""

    def __init__(self, app: Oversight) -> None:
        self.app = app
        self._owners = _Remembered()
        self._known = _Remembered()

    def _first_event(self, record_id: str) -> Any:
        try:
            uid = UUID(record_id)
        except ValueError:
            return None
        if _REMEMBERED_ONLY.get():
            raise NotRemembered(record_id)
        for event in self.app.events.get(uid, limit=1):
            return event
        return None

    def owner(self, record_id: str) -> access.Owner | None:
        """The record's unit and bank, or None if there is no such record."""
        known: access.Owner | None = self._owners.get(record_id)
        if known is not None:
            return known
        event = self._first_event(record_id)
        if event is None:
            return None
        owner = access.Owner(getattr(event, "unit_id", None), getattr(event, "bank_code", None))
        self._owners.put(record_id, owner)
        return owner

    def _is(self, record_id: str, created: type) -> bool:
        key = f"{created.__qualname__}:{record_id}"
        if self._known.get(key):
            return True
        if isinstance(self._first_event(record_id), created):
            self._known.put(key, True)  # a registration is never undone
            return True
        return False

    def is_officer(self, officer_id: str) -> bool:
        from domain.officer import Officer

        return self._is(officer_id, Officer.Registered)

    def is_unit(self, unit_id: str) -> bool:
        from domain.unit import Unit

        return self._is(unit_id, Unit.Registered)


def lookups(request: Request) -> Lookups:
    found: Lookups | None = getattr(request.app.state, "lookups", None)
    if found is None:
        found = request.app.state.lookups = Lookups(app_of(request))
    return found


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _body_unit(body: bytes) -> str | None:
    """The ``unit_id`` a body names, if it is well-formed enough to name one."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    unit = data.get("unit_id") if isinstance(data, dict) else None
    return unit if isinstance(unit, str) else None


def check_command(request: Request, actor: Actor, body: bytes | None) -> None:
    """Role, then the record named in the path, then the unit named in the body."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not is_command(route):
        return
    command = command_of(route)
    access.require_command(actor, command)
    params = request.path_params
    for name in RECORD_PARAMS:
        value = params.get(name)
        if value is not None and not _is_uuid(value):
            raise NotFoundError(f"{name.removesuffix('_id')} {value} not found")
    for name in OWNED_PARAMS:
        value = params.get(name)
        if value is None:
            continue
        owner = lookups(request).owner(value)
        if owner is None:
            raise NotFoundError(f"{name.removesuffix('_id')} {value} not found")
        access.require_command(actor, command, owner)
    if command in BODY_UNIT_COMMANDS and body:
        unit = _body_unit(body)
        if unit is not None:
            access.require_command(actor, command, access.Owner(unit))


async def _body(request: Request) -> bytes:
    return await request.body()


async def command_guard(request: Request, actor: CurrentPrincipal, body: Annotated[bytes, Depends(_body)]) -> None:
    """Runs before a command's body is validated (see the module docstring); on the event
    loop unless it must read the store (``remembered``)."""
    await remembered(check_command, request, actor, body)


def precheck(request: Request) -> None:
    """The guard on its own (the caller and the path, no body), for a body that did not parse."""
    from fastapi.security.utils import get_authorization_scheme_param

    from domain.errors import AuthenticationError

    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not is_command(route):
        return
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("missing bearer token")
    check_command(request, app_of(request).authenticate(token), None)


def report_guard(actor: CurrentPrincipal) -> None:
    """Audit reports: supervisors, auditors, unit heads (their own unit, checked by the report)."""
    access.require_report_reader(actor)


def admin_guard(actor: CurrentPrincipal) -> None:
    access.require_role(actor, "admin")


def check_references(request: Request, data: Any) -> None:
    """Officers a body names exist (422 naming the field otherwise)."""
    if not isinstance(data, dict):
        return
    look = lookups(request)
    for name in OFFICER_FIELDS:
        value = data.get(name)
        values = value if isinstance(value, list) else [value]
        for i, v in enumerate(values):
            if isinstance(v, str) and not look.is_officer(v):
                field = f"{name}[{i}]" if isinstance(value, list) else name
                raise InvalidInputError(field, f"no officer {v} is registered")


#: Body fields (at the top level) that name registered officers.
OFFICER_FIELDS = (
    "approved_by",
    "decided_by",
    "host_id",
    "reviewer_id",
    "officer_id",
    "handlers",
    "officers",
    "attendees",
)
