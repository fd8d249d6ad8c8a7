"""The base every aggregate and event shares: who recorded it and when it happened."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from . import clock

# Ids that users already have map to aggregate ids deterministically (uuid5), so a duplicate
# submission collides in the store instead of creating a twin.
NAMESPACE = uuid.UUID("6f0c5c3e-6a0e-5d7c-9a51-2f7e1f0b8a11")

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalise_identifier(value: str) -> str:
    """An identifier users already have (case, decision, receipt, voucher, certificate numbers,
    unit codes, inspection tasks) as it is compared: Unicode NFKC (full-width digits and
    letters become ASCII, NFC/NFD variants one form), zero-width characters removed, surrounding
    white space trimmed. Letter case is kept and significant: folding it would change the ids
    already derived from every identifier with a capital letter."""
    return unicodedata.normalize("NFKC", value).translate(_ZERO_WIDTH).strip()


def derive_id(kind: str, *parts: str) -> uuid.UUID:
    # Normalised here too, as a last line of defence for callers that did not (a no-op for
    # identifiers already normal, so ids derived before stay the same).
    return uuid.uuid5(NAMESPACE, ":".join((kind, *map(normalise_identifier, parts))))


class Base(Aggregate):
    """Aggregates are not dataclasses; their state is set by their events' ``apply``."""

    def __init__(self) -> None:
        pass

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

        #: principal id of whoever recorded the event ("who wrote this" is part of the record)
        recorded_by: str
        #: business time: when it happened in the field (timezone-aware)
        occurred_at: datetime

    class Created(Event, Aggregate.Created):
        pass

    def _trigger(self, event_class: type[Any], by: str, at: datetime, **kwargs: Any) -> None:
        self.trigger_event(event_class, recorded_by=by, occurred_at=at, **kwargs)
