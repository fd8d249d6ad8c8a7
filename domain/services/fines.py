"""Fine commands: the designated bank's payments and remittances, on-the-spot cash, deferrals,
demands and court applications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from .. import access
from ..base import Base
from ..case import Case
from ..errors import AlreadyExistsError, NotFoundError
from ..fine import Fine, ReceiptClaim
from ..money import yuan_to_fen
from ..principal import Actor
from .base import AppContext, Result, Service, _is_uuid, now

#: what a fine command hands back: other aggregates it changed (a receipt claim, the case)
Others = list[Base] | None


class FineCommands(Service):
    def _fine_cmd(
        self,
        actor: Actor,
        fine_id: str,
        check: Callable[[Fine], None],
        fn: Callable[[Fine, AppContext], Others],
        expected_version: int | None,
    ) -> Result:
        if not _is_uuid(fine_id):
            raise NotFoundError(f"fine {fine_id} not found")
        fid = UUID(fine_id)
        with self._locked(fid):
            case_id = UUID(self._get(Fine, fid, "fine").case_id)  # never changes

        def run() -> Result:
            # The case's lock first, then the fine's: a payment may settle the case, and a case
            # command may change the fine (service, remedies); one order, no deadlock.
            with self._locked(case_id), self._locked(fid):
                f = self._get(Fine, fid, "fine")
                check(f)
                self._check_version(f, expected_version)
                others = fn(f, self.context()) or []
                return self._save(f, *others)

        return self._retrying(run)

    def get_fine(self, actor: Actor, fine_id: str, as_of: datetime | None = None) -> Result:
        f = self._fresh(Fine, fine_id, "fine")
        access.require_fine_reader(actor, f.unit_id, f.bank_code)
        with self._locked(f.id):
            return f.view(as_of or now())

    def _claim(self, actor: Actor, at: datetime, series: str, number: str, fine: Fine) -> ReceiptClaim:
        if self._exists(ReceiptClaim.id_for(series, number)):
            raise AlreadyExistsError(f"receipt number {number} is already used")
        return ReceiptClaim.claim(by=actor.id, at=at, series=series, number=number, fine_id=str(fine.id))

    def _settle_if_paid(self, actor: Actor, f: Fine, at: datetime) -> list[Base]:
        """Once the principal is paid in full, the case's execution stage is recorded."""
        if f.outstanding_fen > 0 or any(
            e["e"] == "FineSettled" for e in self._get(Case, f.case_id, "case").f["events"]
        ):
            return []
        case = self._get(Case, f.case_id, "case")
        case.settle_fine(by=actor.id, at=at, fine_id=str(f.id))
        return [case]

    def record_payment(
        self,
        actor: Actor,
        fine_id: str,
        *,
        receipt_no: str,
        amount: str,
        paid_at: datetime,
        expected_version: int | None = None,
    ) -> Result:
        """The designated bank received fine (and surcharge) money (D1, D8, 235号 9)."""
        amount_fen = yuan_to_fen(amount)

        def pay(f: Fine, ctx: AppContext) -> Others:
            claim = self._claim(actor, paid_at, f"bank:{f.bank_code}", receipt_no, f)
            f.receive_payment(
                ctx,
                by=actor.id,
                paid_at=paid_at,
                bank_code=actor.bank_code or "",
                receipt_no=receipt_no,
                amount_fen=amount_fen,
            )
            return [claim, *self._settle_if_paid(actor, f, paid_at)]

        return self._fine_cmd(
            actor, fine_id, lambda f: access.require_fine_bank(actor, f.bank_code), pay, expected_version
        )

    def collect_on_the_spot(
        self,
        actor: Actor,
        fine_id: str,
        *,
        receipt_no: str,
        amount: str,
        collected_at: datetime,
        officers: list[str],
        remote_area: bool,
        reason: str | None,
        hard_to_collect: bool = False,
        expected_version: int | None = None,
    ) -> Result:
        amount_fen = yuan_to_fen(amount)
        officers = self._officer_ids(officers)

        def collect(f: Fine, ctx: AppContext) -> Others:
            claims = [self._claim(actor, collected_at, "finance", receipt_no, f)] if receipt_no.strip() else []
            f.collect_on_the_spot(
                ctx,
                by=actor.id,
                collected_at=collected_at,
                receipt_no=receipt_no,
                amount_fen=amount_fen,
                officers=officers,
                remote_area=remote_area,
                reason=reason,
                hard_to_collect=hard_to_collect,
            )
            return [*claims, *self._settle_if_paid(actor, f, collected_at)]

        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS),
            collect,
            expected_version,
        )

    def hand_over_cash(
        self, actor: Actor, fine_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS),
            lambda f, ctx: f.hand_over_cash(by=actor.id, at=at),
            expected_version,
        )

    def deposit_cash(self, actor: Actor, fine_id: str, *, at: datetime, expected_version: int | None = None) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_fine_bank(actor, f.bank_code),
            lambda f, ctx: f.deposit_cash(by=actor.id, at=at, bank_code=f.bank_code),
            expected_version,
        )

    def approve_deferral(
        self,
        actor: Actor,
        fine_id: str,
        *,
        applied_at: datetime | None,
        approved_at: datetime,
        kind: str,
        until: date,
        expected_version: int | None = None,
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, "unit_head"),
            lambda f, ctx: f.approve_deferral(
                ctx, by=actor.id, applied_at=applied_at, approved_at=approved_at, kind=kind, until=until
            ),
            expected_version,
        )

    def serve_demand(
        self, actor: Actor, fine_id: str, *, served_at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS),
            lambda f, ctx: f.serve_demand(by=actor.id, served_at=served_at),
            expected_version,
        )

    def remit_to_treasury(
        self,
        actor: Actor,
        fine_id: str,
        *,
        remitted_at: datetime,
        voucher_no: str,
        amount: str,
        expected_version: int | None = None,
    ) -> Result:
        """The designated bank paid the fine's money into the treasury (D9)."""
        amount_fen = yuan_to_fen(amount)
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_fine_bank(actor, f.bank_code),
            lambda f, ctx: f.remit_to_treasury(
                ctx,
                by=actor.id,
                at=remitted_at,
                bank_code=actor.bank_code or "",
                voucher_no=voucher_no,
                amount_fen=amount_fen,
            ),
            expected_version,
        )

    def apply_to_court(
        self, actor: Actor, fine_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._fine_cmd(
            actor,
            fine_id,
            lambda f: access.require_unit_role(actor, f.unit_id, *access.CASE_WRITERS),
            lambda f, ctx: f.apply_to_court(ctx, by=actor.id, at=at),
            expected_version,
        )
