"""Random inspections (双随机、一公开, 国办发〔2015〕58号): targets and inspectors drawn at random
from registers, reproducibly, inspected by at least two certified inspectors, results published.

The draw is a pure function of the two registers and a seed: each target ranks by
SHA-256(seed ‖ "target" ‖ entry), and each drawn target's inspectors rank by
SHA-256(seed ‖ "inspector" ‖ target ‖ officer). Anyone holding the registers (they are in the
event) and the seed can redo it; the audit does (I1).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .base import Base, derive_id
from .errors import InvalidInputError, StateError

ALGORITHM = "sha256-rank/v1"
OUTCOMES = ("compliant", "non_compliant", "not_found")


def register_sha256(entries: list[str]) -> str:
    """The hash of a register snapshot: its entries, sorted, one per line."""
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def _rank(seed: str, *parts: str) -> str:
    return hashlib.sha256("\x1f".join((seed, *parts)).encode()).hexdigest()


def draw(
    seed: str, targets_register: list[str], inspectors_register: list[str], targets: int, per_target: int
) -> dict[str, list[str]]:
    """The draw: {target: [inspectors]} for ``targets`` targets, ``per_target`` inspectors each."""
    chosen = sorted(set(targets_register), key=lambda e: _rank(seed, "target", e))[:targets]
    pool = sorted(set(inspectors_register))
    return {t: sorted(pool, key=lambda o: _rank(seed, "inspector", t, o))[:per_target] for t in chosen}


class Inspection(Base):
    """One random inspection task (抽查任务) of a unit."""

    class Drawn(Base.Created):
        class_version = 1
        unit_id: str
        task: str
        matter_code: str
        algorithm: str
        seed: str
        targets_register: list[str]
        targets_register_sha256: str
        inspectors_register: list[str]
        inspectors_register_sha256: str
        assignments: dict[str, list[str]]

        def apply(self, i: Inspection) -> None:
            i.unit_id, i.task, i.matter_code = self.unit_id, self.task, self.matter_code
            i.seed, i.assignments = self.seed, dict(self.assignments)
            i.drawn_at = self.occurred_at
            i.results = {}
            i.published_at = None

    class ResultRecorded(Base.Event):
        class_version = 1
        target: str
        officers: list[str]
        outcome: str
        case_id: str | None

        def apply(self, i: Inspection) -> None:
            i.results[self.target] = {"at": self.occurred_at, "officers": self.officers, "outcome": self.outcome}

    class ResultsPublished(Base.Event):
        class_version = 1
        channel: str

        def apply(self, i: Inspection) -> None:
            i.published_at = self.occurred_at

    if TYPE_CHECKING:
        unit_id: str
        task: str
        matter_code: str
        seed: str
        assignments: dict[str, list[str]]
        drawn_at: datetime
        results: dict[str, dict[str, Any]]
        published_at: datetime | None

    @staticmethod
    def id_for(unit_id: str, task: str) -> UUID:
        return derive_id("inspection", unit_id, task)

    @classmethod
    def make_draw(
        cls,
        *,
        by: str,
        at: datetime,
        unit_id: str,
        task: str,
        matter_code: str,
        targets_register: list[str],
        inspectors_register: list[str],
        targets: int,
        inspectors_per_target: int,
        seed: str | None,
    ) -> Inspection:
        if not task.strip():
            raise InvalidInputError("task", "name the inspection task")
        if not targets_register:
            raise InvalidInputError("targets_register", "the register of inspection targets is empty")
        if targets < 1 or targets > len(set(targets_register)):
            raise InvalidInputError("targets", f"between 1 and the register's {len(set(targets_register))} entries")
        if inspectors_per_target < 2:
            raise InvalidInputError("inspectors_per_target", "at least two inspectors (I1)")
        if len(set(inspectors_register)) < inspectors_per_target:
            raise InvalidInputError("inspectors_register", f"fewer than {inspectors_per_target} inspectors")
        seed = seed or secrets.token_hex(32)
        return cls._create(
            cls.Drawn,
            id=cls.id_for(unit_id, task),
            recorded_by=by,
            occurred_at=at,
            unit_id=unit_id,
            task=task,
            matter_code=matter_code,
            algorithm=ALGORITHM,
            seed=seed,
            targets_register=sorted(set(targets_register)),
            targets_register_sha256=register_sha256(targets_register),
            inspectors_register=sorted(set(inspectors_register)),
            inspectors_register_sha256=register_sha256(inspectors_register),
            assignments=draw(seed, targets_register, inspectors_register, targets, inspectors_per_target),
        )

    def record_result(
        self, *, by: str, at: datetime, target: str, officers: list[str], outcome: str, case_id: str | None
    ) -> None:
        if target not in self.assignments:
            raise InvalidInputError("target", "not drawn in this inspection")
        if target in self.results:
            raise StateError(f"the result for {target} is already recorded")
        if outcome not in OUTCOMES:
            raise InvalidInputError("outcome", ", ".join(OUTCOMES))
        if not officers:
            raise InvalidInputError("officers", "name the inspectors")
        if at < self.drawn_at:
            raise InvalidInputError("inspected_at", "before the draw")
        self._trigger(self.ResultRecorded, by, at, target=target, officers=officers, outcome=outcome, case_id=case_id)

    def publish(self, *, by: str, at: datetime, channel: str) -> None:
        if not self.results:
            raise StateError("no results to publish yet")
        if at < max(r["at"] for r in self.results.values()):
            raise InvalidInputError("published_at", "before the last result")
        self._trigger(self.ResultsPublished, by, at, channel=channel)

    def view(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "unit_id": self.unit_id,
            "task": self.task,
            "matter_code": self.matter_code,
            "algorithm": ALGORITHM,
            "seed": self.seed,
            "assignments": self.assignments,
            "drawn_at": self.drawn_at.isoformat(),
            "results": {
                t: {"at": r["at"].isoformat(), "officers": r["officers"], "outcome": r["outcome"]}
                for t, r in self.results.items()
            },
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "version": self.version,
        }
