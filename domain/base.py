"""The base every aggregate and event shares: who recorded it and when it happened."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from . import clock

# Ids that users already have map to aggregate ids deterministically (uuid5), so a duplicate
# submission collides in the store instead of creating a twin.
NAMESPACE = uuid.UUID("6f0c5c3e-6a0e-5d7c-9a51-2f7e1f0b8a11")


def derive_id(kind: str, *parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join((kind, *parts)))


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
