"""Import of histories from older systems (``oversight import FILE.ndjson``).

Imported events are recorded as they happened, **without gates** (the old system decided
them); a case's Filed event is marked ``imported``, so the audits judge it. One JSON object a
line:

    {"aggregate": "case", "id": "<uuid>", "event": "ActRecorded",
     "occurred_at": "2025-05-06T10:00:00+08:00", "data": {...the event's fields...}}

``aggregate`` is unit, officer, case, fine or inspection; ``event`` is the event class name (see
``GET /v1/cases/{id}/events`` for the fields of each); the first event of an aggregate
creates it. Nothing is recorded unless the whole file is valid.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

from .base import Base
from .case import Case
from .errors import InvalidInputError
from .fine import Fine
from .inspection import Inspection
from .officer import Officer
from .unit import Unit

AGGREGATES: dict[str, type[Base]] = {
    "unit": Unit,
    "officer": Officer,
    "case": Case,
    "fine": Fine,
    "inspection": Inspection,
}
_META = {"originator_id", "originator_version", "timestamp", "recorded_by", "occurred_at", "originator_topic"}


def _convert(value: Any, hint: Any) -> Any:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
    if hint is datetime and isinstance(value, str):
        t = datetime.fromisoformat(value)
        if t.tzinfo is None:
            raise ValueError(f"{value!r} has no UTC offset")
        return t
    if hint is date and isinstance(value, str):
        return date.fromisoformat(value)
    _check_type(value, hint)
    return value


def _check_type(value: Any, hint: Any) -> None:
    """Refuse a value whose JSON type does not match the event field's annotation (so no
    malformed history reaches the projections); ``Any`` and unknown hints pass."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return
        hint = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    kinds: dict[Any, type | tuple[type, ...]] = {
        str: str,
        int: int,
        bool: bool,
        float: (int, float),
        list: list,
        dict: dict,
    }
    expected = kinds.get(origin or hint)
    if expected is None:
        return
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise TypeError(f"{value!r} is not {getattr(origin or hint, '__name__', hint)}")
    if origin is list and args and isinstance(value, list):
        for v in value:
            _check_type(v, args[0])
    elif origin is dict and len(args) == 2 and isinstance(value, dict):
        for k, v in value.items():
            _check_type(k, args[0])
            _check_type(v, args[1])


def build(lines: Iterable[str], by: str, load: typing.Callable[[UUID], Base | None]) -> list[Base]:
    """Parse and apply every line; returns the aggregates with pending events."""
    aggs: dict[UUID, Base] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
            cls = AGGREGATES[rec["aggregate"]]
            ev_cls = getattr(cls, str(rec["event"]), None)
            if not (isinstance(ev_cls, type) and issubclass(ev_cls, Base.Event)):
                raise KeyError(rec["event"])
            hints = typing.get_type_hints(ev_cls)
            data = {k: _convert(v, hints[k]) for k, v in rec.get("data", {}).items() if k not in _META}
            for k, hint in hints.items():  # optional fields a file from an older version lacks
                if k not in data and k not in _META and type(None) in typing.get_args(hint):
                    data[k] = None
            unknown = [k for k in rec.get("data", {}) if k not in hints]
            if unknown:
                raise ValueError(f"unknown fields {unknown}")
            at = _convert(rec["occurred_at"], datetime)
            aid = UUID(rec["id"])
            if issubclass(ev_cls, Base.Created):
                if ev_cls is Case.Filed:
                    data["imported"] = True
                agg = cls._create(ev_cls, id=aid, recorded_by=by, occurred_at=at, **data)
                aggs[aid] = agg
            else:
                agg = aggs.get(aid) or load(aid)  # type: ignore[assignment]
                if agg is None:
                    raise ValueError(f"{rec['aggregate']} {aid} does not exist yet")
                aggs[aid] = agg
                agg.trigger_event(ev_cls, recorded_by=by, occurred_at=at, **data)
        except (KeyError, ValueError, TypeError, AttributeError, StopIteration, orjson.JSONDecodeError) as e:
            raise InvalidInputError(f"line {n}", f"{type(e).__name__}: {e}") from None
    return list(aggs.values())
