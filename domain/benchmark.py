"""Discretion benchmark (裁量基准) per matter code: versions with tiers and ranges (C11, G2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .base import Base, derive_id
from .errors import AlreadyExistsError, InvalidInputError


class Benchmark(Base):
    class Started(Base.Created):
        class_version = 1
        matter_code: str

        def apply(self, b: Benchmark) -> None:
            b.matter_code = self.matter_code
            b.versions = []

    class VersionPublished(Base.Event):
        class_version = 1
        version: str
        legal_basis: str
        statutory_min_fen: int
        statutory_max_fen: int
        tiers: list[dict[str, Any]]
        effective_from: date
        published_at: datetime

        def apply(self, b: Benchmark) -> None:
            b.versions.append(
                {
                    "version": self.version,
                    "legal_basis": self.legal_basis,
                    "statutory_min_fen": self.statutory_min_fen,
                    "statutory_max_fen": self.statutory_max_fen,
                    "tiers": [dict(t) for t in self.tiers],
                    "effective_from": self.effective_from,
                    "published_at": self.published_at,
                }
            )

    if TYPE_CHECKING:
        matter_code: str
        versions: list[dict[str, Any]]

    @staticmethod
    def id_for(matter_code: str) -> UUID:
        return derive_id("benchmark", matter_code)

    @classmethod
    def start(cls, *, by: str, at: datetime, matter_code: str) -> Benchmark:
        return cls._create(
            cls.Started, id=cls.id_for(matter_code), recorded_by=by, occurred_at=at, matter_code=matter_code
        )

    def publish_version(
        self,
        *,
        by: str,
        at: datetime,
        version: str,
        legal_basis: str,
        statutory_min_fen: int,
        statutory_max_fen: int,
        tiers: list[dict[str, Any]],
        effective_from: date,
        published_at: datetime,
    ) -> None:
        if any(v["version"] == version for v in self.versions):
            raise AlreadyExistsError(f"benchmark {self.matter_code} version {version} exists")
        if statutory_max_fen < statutory_min_fen:
            raise InvalidInputError("statutory_max", "below statutory_min")
        if not tiers:
            raise InvalidInputError("tiers", "at least one tier")
        for i, t in enumerate(tiers):
            if not (statutory_min_fen <= t["min_fen"] <= t["max_fen"] <= statutory_max_fen):
                raise InvalidInputError(f"tiers[{i}]", "range must lie within the statutory range")
        self._trigger(
            self.VersionPublished,
            by,
            at,
            version=version,
            legal_basis=legal_basis,
            statutory_min_fen=statutory_min_fen,
            statutory_max_fen=statutory_max_fen,
            tiers=tiers,
            effective_from=effective_from,
            published_at=published_at,
        )

    def in_force_on(self, d: date) -> dict[str, Any] | None:
        """The version in force on a date: the latest effective_from on or before it."""
        best = None
        for v in self.versions:
            if v["effective_from"] <= d and (best is None or v["effective_from"] >= best["effective_from"]):
                best = v
        return best
