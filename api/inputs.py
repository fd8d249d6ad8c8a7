"""Input limits at the boundary, checked the same way for every route before anything is read
from or written to the store (API.md "Operations"; the numbers are in the README).

- A body larger than ``MAX_BODY_BYTES`` is refused with 413 before it is parsed.
- Every string of a body, query or path: no NUL, no other control character (C0, DEL, C1)
  and no lone surrogate. Tab and line breaks are allowed only in free-text fields (a declared
  maximum length over ``ONE_LINE`` characters: summaries, facts, reasons); identifiers, codes,
  names and ids allow none.
- Strings without a declared maximum length: at most ``ONE_LINE`` characters; lists without a
  declared maximum: at most ``MAX_ITEMS`` entries; integers without declared bounds: within
  ±(2^53 − 1) (what every JSON client can hold); nesting at most ``MAX_DEPTH`` levels.
- Business dates and times (``format: date`` / ``date-time``): RFC 3339 strings, a time with
  an offset, between ``EARLIEST`` and ``LATEST``.
- ``cursor`` is what a previous page's ``next_cursor`` gave (a decimal position, or base64url
  text the report decodes and checks).

The checks read the route's own JSON schema, so a field added to a schema is covered without
further code, and ``api/openapi.py`` writes the same defaults into the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import InvalidInputError

MAX_BODY_BYTES = 2 * 1024 * 1024
ONE_LINE = 200
MAX_ITEMS = 1_000
MAX_DEPTH = 16
MAX_SAFE_INTEGER = 2**53 - 1
EARLIEST = date(1949, 1, 1)
LATEST = date(2100, 12, 31)
DATE_RANGE = f"between {EARLIEST} and {LATEST}"
#: a cursor is a previous page's ``next_cursor``: a decimal position or base64url text
MAX_CURSOR_CHARS = 400
_CURSOR_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$")


def check_text(field: str, value: str, multiline: bool) -> None:
    bad = (_CONTROL if multiline else _CONTROL_ONE_LINE).search(value)
    if bad is not None:
        ch = bad.group()
        what = "tab or line break" if ch in "\t\n\r" else f"control character U+{ord(ch):04X}"
        where = "" if multiline else " (only free-text fields may hold tabs and line breaks)"
        if 0xD800 <= ord(ch) <= 0xDFFF:
            what, where = "a lone surrogate (not Unicode text)", ""
        raise InvalidInputError(field, f"contains a {what}{where}")


def parse_time(field: str, value: str) -> datetime:
    """An RFC 3339 time with an offset, within the business range."""
    if not _DATETIME.match(value):
        raise InvalidInputError(field, "give an RFC 3339 time with an offset, e.g. 2026-03-02T10:00:00+08:00")
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInputError(field, "not a valid time") from None
    if not EARLIEST <= t.date() <= LATEST:
        raise InvalidInputError(field, f"business times lie {DATE_RANGE}")
    return t


def parse_date(field: str, value: str) -> date:
    if not _DATE.match(value):
        raise InvalidInputError(field, "give a date as YYYY-MM-DD")
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(field, "not a valid date") from None
    if not EARLIEST <= d <= LATEST:
        raise InvalidInputError(field, f"business dates lie {DATE_RANGE}")
    return d


# ------------------------------------------------------------------ bodies
class _Schema:
    """A JSON schema with its $defs, for walking a value alongside it."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = root.get("$defs", {})
        self.root = root

    def resolve(self, node: dict[str, Any], value: Any) -> dict[str, Any]:
        while True:
            ref = node.get("$ref")
            if ref is not None:
                node = self.defs.get(ref.rsplit("/", 1)[-1], {})
                continue
            branches = node.get("anyOf") or node.get("oneOf")
            if branches:
                node = _branch(branches, value)
                continue
            all_of = node.get("allOf")
            if all_of and len(all_of) == 1:
                node = all_of[0]
                continue
            return node


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _branch(branches: list[dict[str, Any]], value: Any) -> dict[str, Any]:
    kind = _json_type(value)
    for b in branches:
        t = b.get("type")
        if t == kind or (kind == "integer" and t == "number") or (t is None and kind != "null"):
            return b
    return {}


def _walk(schema: _Schema, node: dict[str, Any], value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInputError(path or "body", f"nested deeper than {MAX_DEPTH} levels")
    node = schema.resolve(node, value)
    if isinstance(value, str):
        declared = node.get("maxLength")
        check_text(path, value, multiline=declared is not None and declared > ONE_LINE)
        if declared is None and len(value) > ONE_LINE:
            raise InvalidInputError(path, f"at most {ONE_LINE} characters")
        fmt = node.get("format")
        if fmt == "date-time":
            parse_time(path, value)
        elif fmt == "date":
            parse_date(path, value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        _check_integer(path, value, node)
    elif isinstance(value, float):
        if node.get("format") in ("date", "date-time"):
            raise InvalidInputError(path, "give an RFC 3339 string")
    elif isinstance(value, list):
        limit = node.get("maxItems", MAX_ITEMS)
        if len(value) > limit:
            raise InvalidInputError(path, f"at most {limit} entries")
        items = node.get("items", {})
        for i, v in enumerate(value):
            _walk(schema, items, v, f"{path}[{i}]", depth + 1)
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise InvalidInputError(path or "body", f"at most {MAX_ITEMS} fields")
        props: dict[str, Any] = node.get("properties", {})
        extra = node.get("additionalProperties", {})
        extra = extra if isinstance(extra, dict) else {}
        for k, v in value.items():
            sub = f"{path}.{k}" if path else k
            check_text(sub, k, multiline=False)
            if len(k) > ONE_LINE:
                raise InvalidInputError(path or "body", f"a field name longer than {ONE_LINE} characters")
            _walk(schema, props.get(k, extra), v, sub, depth + 1)
    if node.get("format") in ("date", "date-time") and not isinstance(value, str):
        raise InvalidInputError(path, "give an RFC 3339 string")


def _per_route(key: str, route: APIRoute, make: Callable[[APIRoute], Any]) -> Any:
    """Computed once per route and kept on it (routes are not hashable)."""
    cache: dict[str, Any] = route.__dict__.setdefault("_oversight_inputs", {})
    if key not in cache:
        cache[key] = make(route)
    return cache[key]


def _make_body_schema(route: APIRoute) -> _Schema | None:
    field = route.body_field
    if field is None:
        return None
    try:
        return _Schema(TypeAdapter(field.field_info.annotation).json_schema())
    except Exception:  # noqa: BLE001 - a body type without a schema is checked with the defaults
        return _Schema({})


def _body_schema(route: APIRoute) -> _Schema | None:
    schema: _Schema | None = _per_route("body", route, _make_body_schema)
    return schema


def check_body(request: Request, data: Any) -> None:
    """Every string, list and number of a parsed JSON body (see the module docstring)."""
    route = request.scope.get("route")
    schema = _body_schema(route) if isinstance(route, APIRoute) else None
    schema = schema or _Schema({})
    _walk(schema, schema.root, data, "", 0)


# ------------------------------------------------------------------ query and path
def _check_integer(field: str, value: int, schema: dict[str, Any]) -> None:
    """Integers stay within ±(2^53 − 1) where the schema states no bound of its own."""
    if ("maximum" not in schema and value > MAX_SAFE_INTEGER) or (
        "minimum" not in schema and value < -MAX_SAFE_INTEGER
    ):
        raise InvalidInputError(field, f"out of range (at most ±{MAX_SAFE_INTEGER})")


def _make_time_params(route: APIRoute) -> dict[str, Any]:
    """The query parameters that are dates or times (their format), or integers (their schema)."""
    out: dict[str, Any] = {}
    for p in route.dependant.query_params:
        try:
            schema = TypeAdapter(p.field_info.annotation).json_schema()
        except Exception:  # noqa: BLE001, S112 - a type without a JSON schema is no date either
            continue
        branches = [schema, *schema.get("anyOf", [])]
        kind = next((b["format"] for b in branches if b.get("format") in ("date", "date-time")), None)
        if kind:
            out[p.alias] = kind
        if any(b.get("type") == "integer" for b in branches):
            bounds: dict[str, Any] = {}
            for m in p.field_info.metadata:  # Query(ge=…, le=…)
                for attr, key in (("ge", "minimum"), ("gt", "minimum"), ("le", "maximum"), ("lt", "maximum")):
                    if getattr(m, attr, None) is not None:
                        bounds[key] = getattr(m, attr)
            out[p.alias] = bounds
    return out


def _time_params(route: APIRoute) -> dict[str, Any]:
    found: dict[str, Any] = _per_route("times", route, _make_time_params)
    return found


async def check_query(request: Request) -> None:
    """Query and path values: no control characters, one line, times with an offset in range,
    cursors as given. Runs before everything else on every route."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_text(name, value, multiline=False)
            if len(value) > ONE_LINE:
                raise InvalidInputError(name, f"at most {ONE_LINE} characters")
    route = request.scope.get("route")
    times = _time_params(route) if isinstance(route, APIRoute) else {}
    for name, value in request.query_params.multi_items():
        check_text(name, value, multiline=False)
        if len(value) > ONE_LINE:
            raise InvalidInputError(name, f"at most {ONE_LINE} characters")
        if name == "cursor" and not (0 < len(value) <= MAX_CURSOR_CHARS and _CURSOR_CHARS.issuperset(value)):
            raise InvalidInputError("cursor", "use the next_cursor of the previous page")
        kind = times.get(name)
        if kind == "date-time":
            parse_time(name, value)
        elif kind == "date":
            parse_date(name, value)
        elif isinstance(kind, dict) and value.lstrip("+-").isascii() and value.lstrip("+-").isdigit():
            _check_integer(name, int(value), kind)


# ------------------------------------------------------------------ body size
class BodyLimit:
    """413 for a body over ``limit`` bytes, before it is parsed: at once when Content-Length
    says so, else as soon as the streamed body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                length = int(v) if v.isdigit() else None
        if length is not None and length > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        from .errors import problem

        response = problem(413, f"the body is larger than {self.limit} bytes; nothing was recorded")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": bytes(response.body)})


class _TooLarge(HTTPException):
    """Raised while the body is read; FastAPI passes HTTP exceptions on to the handlers."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is larger than {limit} bytes; nothing was recorded")
