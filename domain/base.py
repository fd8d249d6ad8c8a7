"""The base every aggregate and event shares: who recorded it, when it happened, its facts,
and the gate every event passes before it is recorded."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from . import clock
from .facts import FOLDS, Facts, entry
from .rulebook import NO_CONTEXT, Context, gate

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
    """Aggregates are not dataclasses; their state is their facts (``domain/facts.py``), folded
    from their events by the same function the audit projection uses."""

    #: the fact model and the rule bodies this aggregate's events are judged by
    SUBJECT: ClassVar[str]
    if TYPE_CHECKING:  # set by the events (an annotation here would become an __init__ field)
        f: Facts

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

        def apply(self, aggregate: Any) -> None:
            aggregate.f = FOLDS[aggregate.SUBJECT](getattr(aggregate, "f", None), entry(self))

    class Created(Event, Aggregate.Created):
        pass

    def _trigger(self, event_class: type[Any], by: str, at: datetime, ctx: Context = NO_CONTEXT, **kwargs: Any) -> None:
        """Guard first, then record: the gate rules judge the event against the facts before
        it; a breach raises (nothing recorded)."""
        event = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=event_class.create_timestamp(),
            recorded_by=by,
            occurred_at=at,
            **kwargs,
        )
        gate(self.SUBJECT, self.__dict__.get("f"), entry(event), ctx)
        event.mutate(self)
        self._pending_events.append(event)

    @classmethod
    def _create_checked(
        cls,
        event_class: type[Any],
        *,
        id: uuid.UUID,
        ctx: Context = NO_CONTEXT,
        **kwargs: Any,  # noqa: A002
    ) -> Any:
        """``_create`` with the gate: the created event is judged before the aggregate exists."""
        event = event_class(
            originator_topic=get_topic(cls),
            originator_id=id,
            originator_version=cls.INITIAL_VERSION,
            timestamp=event_class.create_timestamp(),
            **kwargs,
        )
        gate(cls.SUBJECT, None, entry(event), ctx)
        agg = event.mutate(None)
        agg.pending_events.append(event)
        return agg
