"""D. Fines: the unit that decides never collects (罚缴分离、收支两条线): D1–D10."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..calendar import deadline, start_of_day
from ..facts import Facts, day
from ..ledger import ledger, receipts
from ..money import fen_to_yuan
from ..rules import LAW
from .core import Context, Finding, fen, rule


@rule("D1", "case", reads=("Decided",), context=("unit",))
def d1_decision_names_a_designated_bank(f: Facts, ctx: Context) -> Iterator[Finding]:
    unit = ctx.unit(f["unit_id"])
    if unit is None:
        return
    for d in f["decisions"]:
        bank = (d.get("payment") or {}).get("bank_code")
        if fen(d["penalties"]) and bank and bank not in unit["banks"]:
            yield Finding("D1", f"bank {bank} is not designated to collect this unit's fines", (d["v"],))


@rule("D1", "fine", reads=("PaymentReceived", "RemittedToTreasury"))
def d1_only_the_designated_bank_handles_the_money(f: Facts, ctx: Context) -> Iterator[Finding]:
    for p in f["payments"]:
        if p["bank_code"] != f["bank"]:
            yield Finding("D1", f"payment recorded by {p['bank_code']}, not the designated bank {f['bank']}", (p["v"],))
    for r in f["remittances"]:
        if r["bank_code"] != f["bank"]:
            yield Finding(
                "D1", f"treasury remittance by {r['bank_code']}, not the designated bank {f['bank']}", (r["v"],)
            )


def due_on(f: Facts) -> date | None:
    """D2: the last day to pay (the end of an approved deferral where later)."""
    if not f.get("due"):
        return None
    due = date.fromisoformat(f["due"]["due_on"])
    deferral = f.get("deferral")
    if deferral and deferral.get("until"):
        due = max(due, date.fromisoformat(deferral["until"]))
    return due


@rule(
    "D2", "fine", reads=("DueDateSet", "PaymentReceived", "CollectedOnTheSpot", "DeferralApproved", "Voided", "Amended")
)
def d2_paid_within_15_days(f: Facts, ctx: Context) -> Iterator[Finding]:
    due = due_on(f)
    if due is None or f.get("void"):
        return
    settled = ledger(f, date.max).settled_on
    if settled is None or settled > due:
        yield Finding(
            "D2", f"fine not paid in full by the due date {due}", (f["due"]["v"],), since=start_of_day_after(due)
        )


def start_of_day_after(d: date) -> str:
    from datetime import timedelta

    return start_of_day(d + timedelta(days=1))


@rule("D3", "fine", reads=("CollectedOnTheSpot",), context=("case",))
@rule("D4", "fine", reads=("CollectedOnTheSpot",))
@rule("D5", "fine", reads=("CollectedOnTheSpot",))
def d3_d4_d5_on_the_spot_collection(f: Facts, ctx: Context) -> Iterator[Finding]:
    """D3–D5 (处罚法 68–70): one body, since a collection is judged once, by its conditions."""
    seen: set[str] = set()
    for c in f["cash"]:
        number = (c.get("receipt_no") or "").strip()
        if not number:
            yield Finding("D5", "on-the-spot collection issues a numbered finance receipt (专用票据)", (c["v"],))
        elif number in seen:
            yield Finding("D5", f"receipt number {number} used twice", (c["v"],))
        seen.add(number)
        if c.get("remote_area"):
            if not (c.get("reason") or "").strip():
                yield Finding(
                    "D4",
                    "on-the-spot collection in a remote area is at the party's request; record the reason",
                    (c["v"],),
                )
            continue
        case = ctx.case(f["case_id"])
        if case is not None and case["procedure"] != "simplified":
            yield Finding("D3", "on-the-spot collection only under the simplified procedure", (c["v"],))
        elif f["amount_fen"] > LAW.on_the_spot_max_fen and not (
            c.get("hard_to_collect") and (c.get("reason") or "").strip()
        ):
            yield Finding(
                "D3",
                f"on-the-spot collection is for fines up to {fen_to_yuan(LAW.on_the_spot_max_fen)} yuan, "
                "or where later collection would be hard (state the reason)",
                (c["v"],),
            )


@rule("D6", "fine", reads=("CollectedOnTheSpot", "CashHandedOver", "CashDeposited"))
def d6_cash_to_the_unit_and_the_bank(f: Facts, ctx: Context) -> Iterator[Finding]:
    for c in f["cash"]:
        due = deadline(day(c["at"]), LAW.cash_to_unit)
        handed = c["handed"]
        if handed is None or day(handed["at"]) > due.last_day:
            yield Finding(
                "D6",
                f"on-the-spot cash not handed to the unit by {due}",
                (c["v"],),
                since=due.over_at,
                approx=due.approx,
            )
        if handed is not None:
            due2 = deadline(day(handed["at"]), LAW.cash_to_bank)
            dep = c["deposited"]
            if dep is None or day(dep["at"]) > due2.last_day:
                yield Finding(
                    "D6",
                    f"cash not deposited at the bank by {due2}",
                    (handed["v"],),
                    since=due2.over_at,
                    approx=due2.approx,
                )


# D7 is judged at approval; the gate refuses it.
@rule("D7", "fine", reads=("DeferralApproved",))
def d7_deferral_on_application_and_approval(f: Facts, ctx: Context) -> Iterator[Finding]:
    d = f.get("deferral")
    if d is None:
        return
    if not d.get("applied_at"):
        yield Finding("D7", "deferral or instalments only on the party's application", (d["v"],))
    elif d["applied_at"] > d["at"]:
        yield Finding("D7", "approval precedes the party's application", (d["v"],))


@rule(
    "D8",
    "fine",
    reads=(
        "PaymentReceived",
        "CollectedOnTheSpot",
        "DueDateSet",
        "DeferralApproved",
        "RemedyPending",
        "RemedyEnded",
        "Voided",
        "Amended",
    ),
)
def d8_surcharge_accrued_and_collected(f: Facts, ctx: Context) -> Iterator[Finding]:
    """D8 once the principal is paid: the surcharge the decision provided for had accrued by
    then and was not (all) collected (info); or more was collected than the fine and the
    surcharge due (major)."""
    if f.get("void"):
        return
    final = ledger(f, date.max)
    if final.settled_on is None:
        return
    at_settlement = ledger(f, final.settled_on)
    got = receipts(f)
    last = got[-1]["v"] if got else f["v"]
    if final.excess_fen > 0 and not final.amended:  # after a changed decision it is a refund
        what = (
            f"the {fen_to_yuan(at_settlement.surcharge_accrued_fen)} yuan surcharge accrued"
            if f["surcharge"]
            else "no surcharge (none was decided)"
        )
        yield Finding(
            "D8", f"{fen_to_yuan(final.excess_fen)} yuan collected beyond the fine; {what}", (last,), severity="major"
        )
    elif at_settlement.surcharge_accrued_fen > final.surcharge_paid_fen:
        yield Finding(
            "D8",
            f"a surcharge of {fen_to_yuan(at_settlement.surcharge_accrued_fen)} yuan had accrued "
            f"when the fine was paid on {final.settled_on}; "
            f"{fen_to_yuan(final.surcharge_paid_fen)} yuan of it was collected",
            (last,),
        )


@rule("D9", "fine", reads=("PaymentReceived", "CashDeposited", "RemittedToTreasury"))
def d9_everything_reaches_the_treasury(f: Facts, ctx: Context) -> Iterator[Finding]:
    """Every amount the bank received (its payments, and cash deposited with it) reaches the
    treasury within ``treasury_remittance``; remittances cover receipts in order."""
    received = [(p["at"], p["amount_fen"], p["v"]) for p in f["payments"]] + [
        (c["deposited"]["at"], c["amount_fen"], c["deposited"]["v"]) for c in f["cash"] if c["deposited"]
    ]
    remitted = sorted((r["at"], r["amount_fen"]) for r in f["remittances"])
    cumulative = 0
    for at, amount, v in sorted(received):
        cumulative += amount
        due = deadline(day(at), LAW.treasury_remittance)
        total, covered = 0, None
        for r_at, r_amount in remitted:
            total += r_amount
            if total >= cumulative:
                covered = day(r_at)
                break
        if covered is None:
            yield Finding(
                "D9",
                f"{fen_to_yuan(amount)} yuan received on {day(at)} not in the treasury by {due}",
                (v,),
                since=due.over_at,
                approx=due.approx,
            )
        elif covered > due.last_day:
            yield Finding(
                "D9",
                f"{fen_to_yuan(amount)} yuan received on {day(at)} reached the treasury on {covered}, after {due}",
                (v,),
                approx=due.approx,
            )


@rule("D10", "fine", reads=("PaymentReceived",))
def d10_bank_receipts(f: Facts, ctx: Context) -> Iterator[Finding]:
    for p in f["payments"]:
        if not (p.get("receipt_no") or "").strip():
            yield Finding("D10", "bank payment without a receipt number", (p["v"],))
