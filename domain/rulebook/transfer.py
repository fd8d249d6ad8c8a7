"""F. Transfer of suspected crimes (行刑衔接; no 以罚代刑): F1–F3."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ..calendar import deadline, deadline_instant
from ..facts import Facts, day, iso
from ..rules import LAW
from .core import Context, Finding, before, rule


def transferred(f: Facts) -> bool:
    return bool(f["transfer"] and f["transfer"]["approved"])


@rule("F1", "case", reads=("Filed", "Decided", "TransferReported", "Closed"))
def f1_transfer_not_replaced_by_a_penalty(f: Facts, ctx: Context) -> Iterator[Finding]:
    """以罚代刑: a case meeting its matter's prosecution threshold closed without a transfer (a
    fine alone, no penalty, or withdrawn); and a "transfer" outcome with no transfer recorded."""
    d = f["decision"]
    if d and d["outcome"] == "transfer" and not transferred(f):
        due = deadline(day(d["at"]), LAW.transfer_decision)
        yield Finding(
            "F1", f"decided to transfer the case, but no transfer is recorded by {due}", (d["v"],), since=due.over_at
        )
    threshold = LAW.prosecution_thresholds_fen.get(f["matter_code"])
    amount = f.get("amount_involved_fen")
    if not threshold or amount is None or amount < threshold or transferred(f):
        return
    if d and d["outcome"] in ("penalty", "no_penalty"):
        what = "penalised" if d["outcome"] == "penalty" else "not penalised"
        yield Finding("F1", f"amount involved meets the prosecution threshold: {what}, not transferred", (d["v"],))
    elif d is None and f["closure"]:
        yield Finding(
            "F1",
            f"amount involved meets the prosecution threshold: closed ({f['closure']['reason']}), not transferred",
            (f["closure"]["v"],),
        )


@rule("F2", "case", reads=("TransferReported",))
def f2_transfer_decided_in_3_days_and_sent_in_24_hours(f: Facts, ctx: Context) -> Iterator[Finding]:
    t = f["transfer"]
    if not t:
        return
    due = deadline(day(t["at"]), LAW.transfer_decision)
    if t["decided_at"] is None:
        yield Finding("F2", f"transfer report not decided by {due}", (t["v"],), since=due.over_at)
        return
    if day(t["decided_at"]) > due.last_day:
        yield Finding(
            "F2", f"transfer report decided after {due} ({LAW.transfer_decision} after it was made)", (t["v"],)
        )
    if t["approved"]:
        send_by = iso(deadline_instant(datetime.fromisoformat(t["decided_at"]), LAW.transfer_sending))
        if t["sent_at"] is None or t["sent_at"] > send_by:
            yield Finding("F2", f"approved transfer not sent to the police within {LAW.transfer_sending}", (t["v"],))


SEIZING = ("sealing", "seizure", "registration_preservation")


def transfer_package(f: Facts, v: int) -> list[str]:
    """F3 (310号 6): the documents a transfer at version ``v`` needs: the letter and the
    investigation report; the seized-items list where items were seized, sealed or preserved;
    the test or expert reports where there were any."""
    needed = list(LAW.transfer_documents)
    if any(a["type"] in SEIZING for a in before(f["acts"], v)):
        needed.append(LAW.transfer_items_document)
    expert = any(e["kind"] == "expert_opinion" for e in before(list(f["evidence"].values()), v))
    if expert or before(f["testing"], v):
        needed.append(LAW.transfer_expert_document)
    return needed


@rule("F3", "case", reads=("TransferReported",))
def f3_transfer_package_complete(f: Facts, ctx: Context) -> Iterator[Finding]:
    t = f["transfer"]
    if not t or not t["approved"]:
        return
    missing = [d for d in transfer_package(f, t["v"]) if d not in (t.get("documents") or [])]
    if missing:
        yield Finding("F3", "the transfer package lacks: " + ", ".join(missing), (t["v"],))
