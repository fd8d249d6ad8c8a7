"""The application: one service for the whole record (units, officers, benchmarks,
principals, cases, fines, inspections), its commands grouped by resource in
``domain/services/``. All events share one global notification log."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from . import access, importer, receipts
from .base import Base
from .errors import AlreadyExistsError, StateError
from .principal import Actor
from .services.base import Result, event_view, now
from .services.cases import CaseCommands
from .services.fines import FineCommands
from .services.inspections import InspectionCommands
from .services.registry import RegistryCommands


class Oversight(RegistryCommands, CaseCommands, FineCommands, InspectionCommands):
    """One application for the whole record. Its methods load aggregates, call one domain
    method each, and save (several aggregates in one atomic save where a command touches
    more than one); they return plain data, never aggregates."""

    def import_history(self, actor: Actor, lines: Any, source: str) -> Result:
        """Record histories from an older system, without gates (see domain/importer.py)."""

        access.require_role(actor, "admin")

        def load(aid: UUID) -> Base | None:
            try:
                agg: Any = self.repository.get(aid)
            except AggregateNotFoundError:
                return None
            return agg if isinstance(agg, Base) else None

        aggs = importer.build(lines, f"import:{source}", load)
        receipts.expect({"aggregates": len(aggs), "events": sum(len(a.pending_events) for a in aggs), "position": None})
        try:
            recordings = self.save(*aggs)
        except IntegrityError:
            self._evict(*(a.id for a in aggs))
            raise AlreadyExistsError("the file repeats events already recorded") from None
        return {
            "aggregates": len(aggs),
            "events": len(recordings),
            "position": max((r.notification.id for r in recordings), default=None),
        }


__all__ = ["Oversight", "StateError", "event_view", "now"]
