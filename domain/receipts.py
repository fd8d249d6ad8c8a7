"""Request receipts: the answer to a request sent with an ``Idempotency-Key``, recorded in the
transaction that records the command's events.

A retry after a crash then finds exactly one of two things: the receipt (the command
committed: its answer is replayed) or nothing (nothing was recorded: the command runs). Two
requests with one key cannot both commit: the receipt's key is the table's primary key, and
its row is inserted before the events in the same transaction.

The API puts a :class:`Receipt` in :data:`RECEIPT` around one command; the application
service fills in the answer just before it records (:func:`expect`); the recorder writes the
row with the answer's ``position`` once the events have their positions
(``domain/store.py``). Only the standard library and the database drivers appear here.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

TABLE = "oversight_receipts"


@dataclass
class Receipt:
    principal_id: str
    key: str
    fingerprint: str  # the request's method, path and body, hashed
    status: int
    #: the answer, but its position (set by the service before it records)
    answer: dict[str, Any] | None = None
    #: the answer as the transaction stored it (set by the recorder)
    recorded: dict[str, Any] | None = None


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    status: int
    body: bytes


RECEIPT: ContextVar[Receipt | None] = ContextVar("oversight_receipt", default=None)


def expect(answer: dict[str, Any]) -> None:
    """The answer the command will give once recorded (its ``position`` filled in then)."""
    r = RECEIPT.get()
    if r is not None:
        r.answer = dict(answer)
        r.recorded = None


def pending() -> Receipt | None:
    """The receipt to write in the transaction now recording, if any."""
    r = RECEIPT.get()
    return r if r is not None and r.answer is not None and r.recorded is None else None


def first_row(r: Receipt) -> tuple[str, str, str, int, bytes, str]:
    """The row inserted before the events (its answer completed after them)."""
    return (r.principal_id, r.key, r.fingerprint, r.status, b"", datetime.now(UTC).isoformat())


def completed(r: Receipt, positions: Any) -> bytes:
    answer = dict(r.answer or {})
    if "position" in answer and positions:
        answer["position"] = max(positions)
    r.recorded = answer
    return orjson.dumps(answer)


def template(r: Receipt, mark: str) -> str:
    """The answer as stored, with ``mark`` (a JSON string) where its position goes: the
    recorder's function puts the position in (``domain/store.py``)."""
    answer = dict(r.answer or {})
    if "position" in answer:
        answer["position"] = mark
    return orjson.dumps(answer).decode()


def create_sql(qualified: str, blob: str) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {qualified} ("
        "principal_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
        f"status INTEGER NOT NULL, answer {blob} NOT NULL, recorded_at TEXT NOT NULL, "
        "PRIMARY KEY (principal_id, key))"
    )
