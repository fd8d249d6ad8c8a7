"""E. Enforcement after the deadline (行政强制): E1–E8."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ..calendar import deadline, is_statutory_holiday, is_workday
from ..facts import Facts, day
from ..ledger import ledger
from ..rules import LAW
from .core import Context, Finding, chosen, rule


def pending_at(remedies: list[dict[str, Any]], t: str, start_key: str = "at") -> dict[str, Any] | None:
    """The reconsideration or suit pending at instant ``t``, if any."""
    for r in remedies:
        if r[start_key] <= t and (r["until"] is None or r["until"] > t):
            return r
    return None


_SUSPENDING_BODY = {"reconsideration_organ": "reconsideration", "court": "litigation"}


@rule("E1", "case", reads=("ExecutionSuspended", "RemedySought", "RemedyConcluded"))
def e1_a_remedy_does_not_suspend_the_penalty(f: Facts, ctx: Context) -> Iterator[Finding]:
    """E1 (处罚法 73): a reconsideration or suit does not suspend the penalty; execution stops
    only on a decision of the respondent, the reconsideration organ or the court during the
    remedy (复议法 42, 诉讼法 56), or where a law says so."""
    for sus in f["suspensions"]:
        pending = pending_at(f["remedies"], sus["at"])
        if sus["ground"] == "pending_remedy":
            what = f"a {pending['kind']} was pending" if pending else "a remedy was sought"
            yield Finding(
                "E1", f"execution suspended because {what}: a remedy does not suspend the penalty", (sus["v"],)
            )
        elif sus["ground"] in ("respondent", "reconsideration_organ", "court") and pending is None:
            yield Finding(
                "E1", f"execution suspended by the {sus['ground']} with no reconsideration or suit pending", (sus["v"],)
            )
        elif sus["ground"] in _SUSPENDING_BODY and pending and pending["kind"] != _SUSPENDING_BODY[sus["ground"]]:
            yield Finding(
                "E1", f"execution suspended by the {sus['ground']} while a {pending['kind']} was pending", (sus["v"],)
            )


@rule("E2", "fine", reads=("CourtEnforcementApplied",))
def e2_written_demand_before_enforcement(f: Facts, ctx: Context) -> Iterator[Finding]:
    court, demand = f["court"], f["demand"]
    if court and not (demand and demand["v"] < court["v"] and demand["at"] <= court["at"]):
        yield Finding("E2", "a written demand (催告) is served before enforcement", (court["v"],))


@rule("E3", "fine", reads=("CourtEnforcementApplied", "DemandServed"))
def e3_court_application_after_ten_working_days(f: Facts, ctx: Context) -> Iterator[Finding]:
    court, demand = f["court"], f["demand"]
    if not (court and demand and demand["at"] <= court["at"]):
        return
    due = deadline(day(demand["at"]), LAW.demand_wait)
    if day(court["at"]) <= due.last_day:
        yield Finding(
            "E3",
            f"court application on {day(court['at'])}, before {LAW.demand_wait} had elapsed since the demand "
            f"(the last of them: {due})",
            (court["v"],),
            approx=due.approx,
        )


def remedy_period_end(f: Facts, ctx: Context) -> date | None:
    """E4: the day the party's time for remedies ends: 6 months after (effective) service, or
    60 days where reconsideration comes first (on-the-spot decisions, 复议法 23), or 15 days after
    the reconsideration decision (upholding, changing or dismissing; 诉讼法 45), each end rolled
    past holidays; then the end of an approved deferral if later (处罚法 72 ¶2)."""
    if not f.get("due"):
        return None
    case = ctx.case(f["case_id"]) or {}
    first = bool(((case.get("decision") or {}).get("remedies") or {}).get("reconsideration_first"))
    served = date.fromisoformat(f["due"]["served_on"])
    end = deadline(served, LAW.reconsideration_period if first else LAW.suing_period).last_day
    for r in f["remedies"]:  # a reconsideration decided: 15 days to sue from receiving it
        if r.get("kind") == "reconsideration" and r["until"] and r.get("result") != "withdrawn":
            end = deadline(day(r["until"]), LAW.suit_after_reconsideration).last_day
    deferral = f.get("deferral")
    if deferral and deferral.get("until"):
        end = max(end, date.fromisoformat(deferral["until"]))
    return end


@rule(
    "E4",
    "fine",
    reads=(
        "DueDateSet",
        "CourtEnforcementApplied",
        "RemedyPending",
        "RemedyEnded",
        "DeferralApproved",
        "Voided",
        "PaymentReceived",
        "CollectedOnTheSpot",
        "Amended",
    ),
    context=("unit", "case"),
)
def e4_court_application_window(f: Facts, ctx: Context) -> Iterator[Finding]:
    """E4 (强制法 53) for a unit without its own enforcement power."""
    unit = ctx.unit(f["unit_id"])
    if unit is None or unit["own_enforcement"] or f.get("void"):
        return
    if any(r.get("kind") == "litigation" and r["until"] for r in f["remedies"]):
        return  # after a judgment, enforcement follows the judgment
    start = remedy_period_end(f, ctx)
    if start is None:
        return
    window = deadline(start, LAW.court_application)
    court = f["court"]
    if court:
        pending = pending_at(f["remedies"], court["at"], "from")
        if pending:
            yield Finding("E4", f"court enforcement applied for while a {pending['kind']} was pending", (court["v"],))
        elif day(court["at"]) <= start:
            yield Finding(
                "E4",
                f"court enforcement applied for on {day(court['at'])}, "
                f"before the party's time for remedies ended on {start}",
                (court["v"],),
            )
        elif day(court["at"]) > window.last_day:
            yield Finding(
                "E4",
                f"court enforcement applied for on {day(court['at'])}, "
                f"after the window ({LAW.court_application}) ended on {window}",
                (court["v"],),
            )
        return
    if any(r["until"] is None for r in f["remedies"]):
        return  # no window runs while a remedy is pending
    settled = ledger(f, date.max).settled_on
    if settled is None or settled > window.last_day:
        yield Finding(
            "E4",
            f"unpaid, and no court enforcement applied for by {window} ({LAW.court_application} after {start})",
            (f["due"]["v"],),
            since=window.over_at,
        )


@rule("E7", "case", reads=("EnforcementCarriedOut",), entries=("EnforcementCarriedOut",))
def e7_no_enforcement_at_night_or_on_holidays(
    f: Facts, ctx: Context, only: frozenset[int] | None = None
) -> Iterator[Finding]:
    """E7 (强制法 43) over enforcement (划拨、拍卖、代履行、排除妨碍…), not coercive measures."""
    for x in chosen(f["enforcement"], only):
        if x.get("emergency") and (x.get("emergency_reason") or "").strip():
            continue
        hour = int(x["at"][11:13])
        d = day(x["at"])
        night = hour >= LAW.night_from_hour or hour < LAW.night_until_hour
        holiday, approx = is_statutory_holiday(d)
        if LAW.enforcement_rest_days_count and not is_workday(d)[0]:
            holiday = True
        if night or holiday:
            when = "at night" if night else "on a statutory holiday"
            yield Finding(
                "E7",
                f"enforcement ({x['kind']}) {when} ({x['at'][:16].replace('T', ' ')}) without a recorded emergency",
                (x["v"],),
                approx=approx,
            )


def _sealing_extension(f: Facts, a: dict[str, Any]) -> int:
    for x in f["extensions"]:
        if x["period"] == "sealing" and x.get("act_version") == a["v"] and x.get("approved_by"):
            return min(int(x["days"]), LAW.sealing_extension.count)
    return 0


@rule("E8", "case", reads=("ActRecorded", "PeriodExtended", "TestingRecorded"))
def e8_sealing_at_most_30_days(f: Facts, ctx: Context) -> Iterator[Finding]:
    for a in f["acts"]:
        if a["type"] not in ("sealing", "seizure"):
            continue
        testing = [(day(t["start"]), day(t["end"])) for t in f["testing"] if t.get("act_version") in (None, a["v"])]
        extra = _sealing_extension(f, a)
        due = deadline(day(a["at"]), LAW.sealing, extra_days=extra, excluded=testing)
        release = next((x for x in f["acts"] if x["type"] == "release" and x["at"] >= a["at"]), None)
        if release is None or day(release["at"]) > due.last_day:
            more = f" plus {extra} days' approved extension" if extra else ""
            yield Finding(
                "E8", f"{a['type']} lasted beyond {LAW.sealing}{more} (to {due})", (a["v"],), since=due.over_at
            )
