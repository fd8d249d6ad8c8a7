"""Unit (执法主体): region, listed powers (权责清单), designated banks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .base import Base, derive_id
from .errors import InvalidInputError


class Unit(Base):
    class Registered(Base.Created):
        class_version = 1
        code: str
        name: str
        region: str

        def apply(self, u: Unit) -> None:
            u.code, u.name, u.region = self.code, self.name, self.region
            u.matters = []
            u.banks = []
            u.own_enforcement = False
            u.enforcement_basis = None

    class PowersListed(Base.Event):
        class_version = 1
        matters: list[str]

        def apply(self, u: Unit) -> None:
            u.matters = list(self.matters)

    class BankDesignated(Base.Event):
        class_version = 1
        bank_code: str

        def apply(self, u: Unit) -> None:
            if self.bank_code not in u.banks:
                u.banks.append(self.bank_code)

    class EnforcementPowerDeclared(Base.Event):
        """Whether the unit may enforce its decisions itself (行政强制执行权, granted only by law:
        强制法 13) or must apply to a court (强制法 53; E4). Undeclared: it must apply to a court."""

        class_version = 1
        own: bool
        basis: str | None

        def apply(self, u: Unit) -> None:
            u.own_enforcement, u.enforcement_basis = self.own, self.basis

    if TYPE_CHECKING:
        own_enforcement: bool
        enforcement_basis: str | None
        code: str
        name: str
        region: str
        matters: list[str]
        banks: list[str]

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
        unit = cls._create(
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
        return {
            "id": str(self.id),
            "code": self.code,
            "name": self.name,
            "region": self.region,
            "matters": self.matters,
            "banks": self.banks,
            "own_enforcement_power": self.own_enforcement,
            "enforcement_power_basis": self.enforcement_basis,
            "version": self.version,
        }
