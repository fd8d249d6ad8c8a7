"""Keyset cursors: the last row's sort key, opaque to clients (base64url JSON)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from domain.errors import InvalidInputError


def encode(*key: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def decode(cursor: str | None, *types: type) -> list[Any] | None:
    """The key a cursor holds, checked against the expected types; a malformed one is a 422."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidInputError("cursor", "use the next_cursor of the previous page") from None
    if (
        not isinstance(key, list)
        or len(key) != len(types)
        or not all(isinstance(k, t) for k, t in zip(key, types, strict=False))
    ):
        raise InvalidInputError("cursor", "use the next_cursor of the previous page")
    return key
