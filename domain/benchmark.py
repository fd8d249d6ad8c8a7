"""Discretion benchmark (裁量基准) per matter code: versions with tiers and ranges (C11, G2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from .base import Base, derive_id
from .errors import AlreadyExistsError, InvalidInputError


class Benchmark(Base):
    SUBJECT = "benchmark"

    class Started(Base.Created):
        class_version = 1
        matter_code: str

    class VersionPublished(Base.Event):
        class_version = 1
        version: str
        legal_basis: str
        statutory_min_fen: int
        statutory_max_fen: int
        tiers: list[dict[str, Any]]
        effective_from: date
        published_at: datetime

    @staticmethod
    def id_for(matter_code: str) -> UUID:
        return derive_id("benchmark", matter_code)

    @classmethod
    def start(cls, *, by: str, at: datetime, matter_code: str) -> Benchmark:
        b: Benchmark = cls._create(
            cls.Started, id=cls.id_for(matter_code), recorded_by=by, occurred_at=at, matter_code=matter_code
        )
        return b

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
        if any(v["version"] == version for v in self.f["versions"]):
            raise AlreadyExistsError(f"benchmark {self.f['matter_code']} version {version} exists")
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
