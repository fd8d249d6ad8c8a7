"""Unit (执法主体): region, listed powers (权责清单), designated banks."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from .base import Base, derive_id
from .errors import InvalidInputError


class Unit(Base):
    SUBJECT = "unit"

    class Registered(Base.Created):
        class_version = 1
        code: str
        name: str
        region: str

    class PowersListed(Base.Event):
        class_version = 1
        matters: list[str]

    class BankDesignated(Base.Event):
        class_version = 1
        bank_code: str

    class EnforcementPowerDeclared(Base.Event):
        """Whether the unit may enforce its decisions itself (行政强制执行权, granted only by law:
        强制法 13) or must apply to a court (强制法 53; E4). Undeclared: it must apply to a court."""

        class_version = 1
        own: bool
        basis: str | None

    @property
    def region(self) -> str:
        return str(self.f["region"])

    @property
    def code(self) -> str:
        return str(self.f["code"])

    @property
    def banks(self) -> list[str]:
        return list(self.f["banks"])

    @staticmethod
    def id_for(code: str) -> UUID:
        return derive_id("unit", code)

    @classmethod
    def register(
        cls,
        *,
        by: str,
        at: datetime,
        code: str,
        name: str,
        region: str,
        matters: list[str],
        banks: list[str],
        own_enforcement_power: bool = False,
        enforcement_power_basis: str | None = None,
    ) -> Unit:
        unit: Unit = cls._create(
            cls.Registered,
            id=cls.id_for(code),
            recorded_by=by,
            occurred_at=at,
            code=code,
            name=name,
            region=region,
        )
        unit.list_powers(by=by, at=at, matters=matters)
        for bank in banks:
            unit.designate_bank(by=by, at=at, bank_code=bank)
        if own_enforcement_power:
            unit.declare_enforcement_power(by=by, at=at, own=True, basis=enforcement_power_basis)
        return unit

    def declare_enforcement_power(self, *, by: str, at: datetime, own: bool, basis: str | None) -> None:
        if own and not (basis or "").strip():
            raise InvalidInputError(
                "enforcement_power_basis", "cite the law that grants the unit its own enforcement power"
            )
        self._trigger(self.EnforcementPowerDeclared, by, at, own=own, basis=basis)

    def list_powers(self, *, by: str, at: datetime, matters: list[str]) -> None:
        self._trigger(self.PowersListed, by, at, matters=sorted(set(matters)))

    def designate_bank(self, *, by: str, at: datetime, bank_code: str) -> None:
        self._trigger(self.BankDesignated, by, at, bank_code=bank_code)

    def view(self) -> dict[str, Any]:
        f = self.f
        return {
            "id": str(self.id),
            "code": f["code"],
            "name": f["name"],
            "region": f["region"],
            "matters": f["matters"],
            "banks": f["banks"],
            "own_enforcement_power": f["own_enforcement"],
            "enforcement_power_basis": f["enforcement_basis"],
            "version": self.version,
        }
