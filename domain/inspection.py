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
from typing import Any
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


def draw_reproducible(x: dict[str, Any]) -> bool:
    """Whether a recorded draw (its entry) is what its algorithm, seed and registers give (I1)."""
    teams: dict[str, list[str]] = x["assignments"]
    sizes = {len(team) for team in teams.values()}
    return (
        x["algorithm"] == ALGORITHM
        and bool(x["seed"])
        and len(sizes) == 1
        and register_sha256(x["targets_register"]) == x["targets_register_sha256"]
        and register_sha256(x["inspectors_register"]) == x["inspectors_register_sha256"]
        and draw(x["seed"], x["targets_register"], x["inspectors_register"], len(teams), sizes.pop()) == teams
    )


class Inspection(Base):
    """One random inspection task (抽查任务) of a unit."""

    SUBJECT = "inspection"

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

    class ResultRecorded(Base.Event):
        class_version = 1
        target: str
        officers: list[str]
        outcome: str
        case_id: str | None

    class ResultsPublished(Base.Event):
        class_version = 1
        channel: str

    @property
    def unit_id(self) -> str:
        return str(self.f["unit_id"])

    @property
    def seed(self) -> str:
        return str(self.f["seed"])

    @property
    def assignments(self) -> dict[str, list[str]]:
        return dict(self.f["assignments"])

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
        i: Inspection = cls._create(
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
        return i

    def record_result(
        self, *, by: str, at: datetime, target: str, officers: list[str], outcome: str, case_id: str | None
    ) -> None:
        if target not in self.f["assignments"]:
            raise InvalidInputError("target", "not drawn in this inspection")
        if target in self.f["results"]:
            raise StateError(f"the result for {target} is already recorded")
        if outcome not in OUTCOMES:
            raise InvalidInputError("outcome", ", ".join(OUTCOMES))
        if not officers:
            raise InvalidInputError("officers", "name the inspectors")
        if at < datetime.fromisoformat(self.f["drawn"]["at"]):
            raise InvalidInputError("inspected_at", "before the draw")
        self._trigger(self.ResultRecorded, by, at, target=target, officers=officers, outcome=outcome, case_id=case_id)

    def publish(self, *, by: str, at: datetime, channel: str) -> None:
        if not self.f["results"]:
            raise StateError("no results to publish yet")
        if at < max(datetime.fromisoformat(r["at"]) for r in self.f["results"].values()):
            raise InvalidInputError("published_at", "before the last result")
        self._trigger(self.ResultsPublished, by, at, channel=channel)

    def view(self) -> dict[str, Any]:
        f = self.f
        return {
            "id": str(self.id),
            "unit_id": f["unit_id"],
            "task": f["task"],
            "matter_code": f["matter_code"],
            "algorithm": ALGORITHM,
            "seed": f["seed"],
            "assignments": f["assignments"],
            "drawn_at": f["drawn"]["at"],
            "results": {
                t: {"at": r["at"], "officers": r["officers"], "outcome": r["outcome"]} for t, r in f["results"].items()
            },
            "published_at": f["publications"][-1]["at"] if f["publications"] else None,
            "version": self.version,
        }
