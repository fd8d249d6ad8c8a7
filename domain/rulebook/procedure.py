"""C. Procedure and decision (C1–C17), and J. remedies stated in the decision (J1, J2)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ..calendar import deadline
from ..facts import Facts, day
from ..rules import LAW, Period
from .core import Context, Finding, before, chosen, fen, rule

LIGHTEST = frozenset({"warning", "public_criticism"})
CHECKLIST = ("authority", "qualification", "procedure", "facts", "law", "benchmark", "crime")


def penalties(f: Facts) -> list[dict[str, Any]]:
    return [d for d in f["decisions"] if d["outcome"] == "penalty"]


def notice_before(f: Facts, d: dict[str, Any]) -> dict[str, Any] | None:
    """The latest notice served before the decision."""
    served = [n for n in before(f["notices"], d["v"]) if n["at"] <= d["at"]]
    return served[-1] if served else None


def hearing_right_due(party_kind: str | None, proposed: list[dict[str, Any]]) -> bool:
    """C5: penalties that give the party a hearing right (处罚法 63), thresholds by party kind."""
    person = party_kind == "person"
    fine_limit = LAW.hearing_fine_fen_person if person else LAW.hearing_fine_fen_organisation
    conf_limit = LAW.hearing_confiscation_fen_person if person else LAW.hearing_confiscation_fen_organisation
    if fen(proposed) >= fine_limit or fen(proposed, "confiscation") >= conf_limit:
        return True
    return any(p.get("type") in LAW.hearing_penalty_types for p in proposed)


@rule("C1", "case", reads=("Filed", "Decided"))
def c1_time_bar(f: Facts, ctx: Context) -> Iterator[Finding]:
    start = f.get("continuing_until") or f["occurred_on"]
    years = LAW.time_bar_years(f["matter_code"], f.get("harm", False))
    due = deadline(date.fromisoformat(start), Period(years, "years", LAW.time_bar.law))
    if date.fromisoformat(f["discovered_on"]) <= due.last_day:
        return
    counted = "the end of the continuing violation" if f.get("continuing_until") else "the violation"
    for d in penalties(f):
        yield Finding(
            "C1",
            f"penalty for a violation undiscovered for more than {years} years after {counted} "
            f"({start}; the period ended {due})",
            (d["v"],),
        )


@rule("C2", "case", reads=("Filed",))
def c2_filed_promptly(f: Facts, ctx: Context) -> Iterator[Finding]:
    period = LAW.filing
    if f.get("filing_extension_approved_by"):
        period = Period(period.count + LAW.filing_extension.count, period.unit, period.law)
    due = deadline(date.fromisoformat(f["discovered_on"]), period)
    if day(f["filed"]["at"]) > due.last_day:
        yield Finding("C2", f"filed after {period} from discovery (by {due})", (f["filed"]["v"],), approx=due.approx)


@rule("C3", "case", reads=("NoticeServed", "Decided", "StatementReceived", "StatementWaived"))
def c3_notice_before_the_decision(f: Facts, ctx: Context) -> Iterator[Finding]:
    for n in f["notices"]:
        if not (n.get("facts") or "").strip():
            yield Finding("C3", "the notice (告知) states the facts", (n["v"],))
        if n.get("reasons") is not None and not n["reasons"].strip():
            yield Finding("C3", "the notice (告知) states the reasons (理由)", (n["v"],))
        if not (n.get("legal_basis") or "").strip():
            yield Finding("C3", "the notice (告知) states the legal basis", (n["v"],))
    for d in penalties(f):
        n = notice_before(f, d)
        if n is None:
            yield Finding("C3", "no served notice (告知) precedes the decision", (d["v"],))
            continue
        if n["hearing_right"] or f["procedure"] != "general":
            continue  # the hearing-request period applies (C5); on the spot, the party speaks there
        answered = any(n["at"] <= s["at"] <= d["at"] for s in before(f["statements"], d["v"])) or any(
            n["at"] <= w["at"] <= d["at"] for w in before(f["statement_waivers"], d["v"])
        )
        due = deadline(day(n["at"]), LAW.statement_period)
        if not answered and day(d["at"]) <= due.last_day:
            yield Finding(
                "C3",
                f"the party may state its case (陈述、申辩) until {due}; decide after that, "
                "on its statement, or on its waiver",
                (n["v"], d["v"]),
                approx=due.approx,
            )


@rule("C4", "case", reads=("Decided", "StatementReceived", "RecheckDone", "NoticeServed"))
def c4_statements_rechecked_never_heavier(f: Facts, ctx: Context) -> Iterator[Finding]:
    for d in penalties(f):
        rechecks = before(f["rechecks"], d["v"])
        for s in before(f["statements"], d["v"]):
            if s["at"] <= d["at"] and not any(s["at"] <= r["at"] <= d["at"] for r in rechecks):
                yield Finding(
                    "C4", "a statement (陈述申辩) was not re-checked (复核) before the decision", (s["v"], d["v"])
                )
        n = notice_before(f, d)
        if n is None:
            continue
        noticed = {p["type"] for p in n["proposed"]}
        # A kind not noticed is heavier, unless it is of the lightest (处罚法 9(1): 警告、通报批评)
        # and the notice proposed something else.
        lighter = noticed - LIGHTEST
        heavier = [
            p["type"] for p in d["penalties"] if p["type"] not in noticed and not (p["type"] in LIGHTEST and lighter)
        ]
        if (
            heavier
            or fen(d["penalties"]) > fen(n["proposed"])
            or fen(d["penalties"], "confiscation") > fen(n["proposed"], "confiscation")
        ):
            yield Finding("C4", "the decision is heavier than the served notice; serve a new notice", (n["v"], d["v"]))


@rule("C5", "case", reads=("NoticeServed", "HearingRequested", "HearingHeld", "HearingWaived", "Decided"))
def c5_hearing_right_and_periods(f: Facts, ctx: Context) -> Iterator[Finding]:
    kind = (f.get("party") or {}).get("kind")
    for n in f["notices"]:
        if hearing_right_due(kind, n["proposed"]) and not n["hearing_right"]:
            yield Finding(
                "C5", "the proposed penalty gives the party a hearing right; the notice must say so", (n["v"],)
            )
    h = f["hearing"]
    req, held, waived = h.get("requested"), h.get("held"), h.get("waived")
    if req:
        served = [n for n in before(f["notices"], req["v"]) if n["hearing_right"]]
        if served:
            due = deadline(day(served[-1]["at"]), LAW.hearing_request)
            if day(req["at"]) > due.last_day:
                yield Finding(
                    "C5",
                    f"a hearing is requested within {LAW.hearing_request} of the notice (by {due})",
                    (req["v"],),
                    approx=due.approx,
                )
    if held:
        earliest = deadline(day(held["noticed_at"]), LAW.hearing_notice)
        if day(held["at"]) < earliest.last_day:
            yield Finding(
                "C5",
                f"the hearing is noticed {LAW.hearing_notice} ahead (held no earlier than {earliest})",
                (held["v"],),
                approx=earliest.approx,
            )
    for d in penalties(f):
        n = notice_before(f, d)
        if n is None or not n["hearing_right"]:
            continue
        r = req if req and req["v"] < d["v"] else None
        hd = held if held and held["v"] < d["v"] else None
        w = waived if waived and waived["v"] < d["v"] else None
        if r and not hd and not (w and w["at"] >= r["at"]):
            yield Finding("C5", "the decision waits for the requested hearing", (r["v"], d["v"]))
        if not r and not w:
            due = deadline(day(n["at"]), LAW.hearing_request)
            if day(d["at"]) <= due.last_day:
                yield Finding(
                    "C5",
                    f"the period to request a hearing runs until {due}; decide after it or on a waiver",
                    (d["v"],),
                    approx=due.approx,
                )


@rule("C6", "case", reads=("HearingHeld", "Decided"))
def c6_decision_rests_on_the_hearing_record(f: Facts, ctx: Context) -> Iterator[Finding]:
    held = f["hearing"].get("held")
    if not held:
        return
    for d in penalties(f):
        if d["v"] > held["v"] and not d.get("hearing_record_cited"):
            yield Finding("C6", "decision after a hearing does not rest on the hearing record", (held["v"], d["v"]))


def _collective(x: dict[str, Any]) -> bool:
    return len(set(x["attendees"])) >= LAW.heads_per_discussion


@rule("C7", "case", reads=("Decided", "DiscussionHeld"))
def c7_collective_discussion(f: Facts, ctx: Context) -> Iterator[Finding]:
    for x in f["discussions"]:
        if not _collective(x):
            yield Finding(
                "C7", f"a collective discussion needs the unit's heads ({LAW.heads_per_discussion} or more)", (x["v"],)
            )
    if not (f["complex"] or f["major"]):
        return
    for d in penalties(f):
        if not any(x["at"] <= d["at"] and _collective(x) for x in before(f["discussions"], d["v"])):
            yield Finding("C7", "a complex or major case is decided by collective discussion (集体讨论)", (d["v"],))


@rule("C8", "case", reads=("Decided", "LegalReviewed", "HearingHeld"))
def c8_major_decision_needs_a_passed_legal_review(f: Facts, ctx: Context) -> Iterator[Finding]:
    for d in penalties(f):
        held = f["hearing"].get("held")
        if not (f["major"] or f["complex"] or (held and held["v"] < d["v"])):
            continue
        reviews = [r for r in before(f["reviews"], d["v"]) if r["at"] <= d["at"]]
        if not reviews:
            yield Finding("C8", "a major decision needs a passed legal review (法制审核)", (d["v"],))
        elif reviews[-1]["result"] != "passed":
            yield Finding("C8", "the latest legal review failed; a later pass is needed", (d["v"],))


@rule("C9", "case", reads=("LegalReviewed",), entries=("LegalReviewed",))
def c9_review_covers_the_checklist(f: Facts, ctx: Context, only: frozenset[int] | None = None) -> Iterator[Finding]:
    for r in chosen(f["reviews"], only):
        missing = [k for k in CHECKLIST if not (r["checklist"] or {}).get(k)]
        if not r.get("opinion"):
            missing.append("written opinion")
        if missing:
            yield Finding("C9", "legal review does not cover: " + ", ".join(missing), (r["v"],), r["reviewer_id"])


@rule("C16", "case", reads=("Decided",))
def c16_simplified_procedure(f: Facts, ctx: Context) -> Iterator[Finding]:
    if f["procedure"] != "simplified":
        return
    person = (f.get("party") or {}).get("kind") == "person"
    limit = LAW.simplified_max_fen_person if person else LAW.simplified_max_fen_organisation
    for d in penalties(f):
        if any(p["type"] not in ("warning", "fine") for p in d["penalties"]) or fen(d["penalties"]) > limit:
            yield Finding(
                "C16",
                f"the simplified procedure allows only a warning or a fine up to {limit // 100} yuan for this party",
                (d["v"],),
            )
        if not d.get("certificate_shown"):
            yield Finding("C16", "on-the-spot decisions need the certificate shown", (d["v"],))
        if not d.get("form_no"):
            yield Finding("C16", "on-the-spot decisions use a numbered form (form_no)", (d["v"],))


@rule("C10", "case", reads=("Decided",))
def c10_decision_contents(f: Facts, ctx: Context) -> Iterator[Finding]:
    for d in f["decisions"]:
        if not (d.get("legal_basis") or "").strip():
            yield Finding("C10", "a decision states its legal basis", (d["v"],))
        if d["outcome"] != "penalty":
            continue
        if not d["penalties"]:
            yield Finding("C10", "a penalty decision states the penalty", (d["v"],))
        if not d["evidence_ids"]:
            yield Finding("C10", "a penalty decision cites its evidence", (d["v"],))
        if fen(d["penalties"]):
            pay = d.get("payment") or {}
            if not pay.get("bank_code"):
                yield Finding("C10", "a fine decision names the collecting bank", (d["v"],))
            if pay.get("surcharge") is None:
                yield Finding("C10", "a fine decision says whether a late surcharge applies", (d["v"],))


def benchmark_in_force(ctx: Context, matter_code: str, on: str) -> dict[str, Any] | None:
    """C11: the benchmark version in force on a date: the latest effective on or before it."""
    b = ctx.benchmark(matter_code)
    versions = [v for v in (b or {}).get("versions", []) if v["effective_from"] <= on[:10]]
    return max(versions, key=lambda v: (v["effective_from"], v["v"])) if versions else None


@rule("C11", "case", reads=("Decided",), context=("benchmark",))
def c11_discretion_benchmark_applied(f: Facts, ctx: Context) -> Iterator[Finding]:
    for d in penalties(f):
        amount = fen(d["penalties"])
        if not amount:
            continue
        v = benchmark_in_force(ctx, f["matter_code"], d["at"])
        choice = d.get("benchmark") or {}
        if v is None:
            if LAW.benchmark_required:
                yield Finding(
                    "C11", f"no discretion benchmark (裁量基准) is in force for matter {f['matter_code']}", (d["v"],)
                )
            continue
        if not choice.get("version"):
            yield Finding("C11", "a fine decision names the benchmark version it applied", (d["v"],))
            continue
        if choice["version"] != v["version"]:
            yield Finding(
                "C11",
                f"benchmark version {v['version']} was in force on the decision date, not {choice['version']}",
                (d["v"],),
            )
            continue
        if not v["statutory_min_fen"] <= amount <= v["statutory_max_fen"]:
            yield Finding("C11", "the fine lies outside the statutory range", (d["v"],))
            continue
        tier = next((t for t in v["tiers"] if t["tier"] == choice.get("tier")), None)
        if tier is None:
            yield Finding("C11", f"benchmark tier {choice.get('tier')!r} does not exist", (d["v"],))
        elif not tier["min_fen"] <= amount <= tier["max_fen"] and not (choice.get("reason") or "").strip():
            yield Finding("C11", "a fine outside the tier's range needs a written reason", (d["v"],))


def _excluded(f: Facts) -> list[tuple[date, date]] | None:
    """C12: the periods that do not count (suspension 中止, testing, the hearing); None while one
    of them is still open (no deadline runs)."""
    out: list[tuple[date, date]] = []
    for s in f["case_suspensions"]:
        if s["ended"] is None:
            return None
        out.append((day(s["at"]), day(s["ended"]["at"])))
    for t in f["testing"]:
        out.append((day(t["start"]), day(t["end"])))
    h = f["hearing"]
    if h.get("requested"):
        if not h.get("held") and not h.get("waived"):
            return None
        end = (h.get("held") or h.get("waived"))["at"]
        out.append((day(h["requested"]["at"]), day(end)))
    return out


def decision_extension_days(f: Facts) -> int:
    """C12: approved extensions: the first up to the department's 30 days with the head's
    approval, any further one only by collective discussion."""
    total = 0
    for i, x in enumerate(e for e in f["extensions"] if e["period"] == "decision"):
        if not x.get("approved_by"):
            continue
        if i == 0 and x["days"] <= LAW.decision_extension.count or i > 0 and x.get("discussion"):
            total += int(x["days"])
    return total


@rule(
    "C12",
    "case",
    reads=(
        "Filed",
        "Decided",
        "TransferReported",
        "Closed",
        "CaseSuspended",
        "CaseResumed",
        "PeriodExtended",
        "TestingRecorded",
        "HearingRequested",
        "HearingHeld",
        "HearingWaived",
    ),
)
def c12_decided_within_90_days(f: Facts, ctx: Context) -> Iterator[Finding]:
    excluded = _excluded(f)
    if excluded is None:
        return
    extra = decision_extension_days(f)
    due = deadline(day(f["filed"]["at"]), LAW.decision, extra_days=extra, excluded=excluded)
    ends = [x["at"] for x in (f["decision"], f["closure"]) if x] + (
        [f["transfer"]["at"]] if f["transfer"] and f["transfer"]["approved"] else []
    )
    end = min(ends) if ends else None
    more = f" plus {extra} days' extension" if extra else ""
    if end is None:
        yield Finding(
            "C12", f"no decision {LAW.decision}{more} after filing (by {due})", (f["filed"]["v"],), since=due.over_at
        )
    elif day(end) > due.last_day:
        yield Finding("C12", f"decided after {due}, more than {LAW.decision}{more} after filing", (f["filed"]["v"],))


def service_effective_on(srv: dict[str, Any] | None) -> date | None:
    """C13: the day a service takes effect, by method: on handing over (direct, on the spot), on
    the return receipt's date (mail), 30 days after publication (announcement), and electronically
    only with the party's consent and a signed confirmation (确认书). None: not effective."""
    if srv is None:
        return None
    served = day(srv["at"])
    method = srv["method"]
    if method == "mail":
        return date.fromisoformat(srv["receipt_on"]) if srv.get("receipt_on") else served
    if method == "electronic":
        return served if srv.get("party_consent") and srv.get("confirmation_sha256") else None
    if method == "announcement":
        from datetime import timedelta

        return served + timedelta(days=LAW.announcement_effect.count)
    return served


@rule("C13", "case", reads=("Decided", "DecisionServed"))
def c13_decision_served(f: Facts, ctx: Context) -> Iterator[Finding]:
    d, srv = f["decision"], f["service"]
    if d is None:
        return
    due = deadline(day(d["at"]), LAW.service)
    if srv is None:
        yield Finding("C13", f"decision not served by {due}", (d["v"],), since=due.over_at, approx=due.approx)
        return
    if day(srv["at"]) > due.last_day:
        yield Finding(
            "C13", f"decision served after {due} ({LAW.service} after it)", (d["v"], srv["v"]), approx=due.approx
        )
    if srv["method"] == "electronic" and service_effective_on(srv) is None:
        yield Finding(
            "C13",
            "electronic service without the party's consent and a signed confirmation (确认书): not effective",
            (srv["v"],),
        )


@rule("C14", "case", reads=("Decided",))
def c14_not_fined_twice(f: Facts, ctx: Context) -> Iterator[Finding]:
    fined = [d for d in f["decisions"] if fen(d["penalties"])]
    for d in fined[1:]:
        yield Finding(
            "C14",
            f"the same act is not fined twice: this case already has fine decision {fined[0]['decision_no']}",
            (d["v"],),
        )


@rule("C17", "case", reads=("Decided", "Closed", "ActRecorded"))
def c17_education_after_no_penalty(f: Facts, ctx: Context) -> Iterator[Finding]:
    d, closure = f["decision"], f["closure"]
    if d and d["outcome"] == "no_penalty" and closure and not any(a["type"] == "education" for a in f["acts"]):
        yield Finding("C17", "no-penalty case closed without education of the party", (closure["v"],))


@rule("J1", "case", reads=("Decided",))
def j1_remedies_stated(f: Facts, ctx: Context) -> Iterator[Finding]:
    for d in penalties(f):
        r = d.get("remedies") or {}
        if (
            int(r.get("reconsideration_days") or 0) < LAW.reconsideration_period.count
            or int(r.get("litigation_months") or 0) < LAW.suing_period.count
        ):
            yield Finding(
                "J1",
                f"decision does not state reconsideration ({LAW.reconsideration_period}) "
                f"and litigation ({LAW.suing_period})",
                (d["v"],),
            )


@rule("J2", "case", reads=("Decided",))
def j2_on_the_spot_decision_states_reconsideration_first(f: Facts, ctx: Context) -> Iterator[Finding]:
    if f["procedure"] != "simplified":
        return
    for d in penalties(f):
        if not (d.get("remedies") or {}).get("reconsideration_first"):
            yield Finding(
                "J2", "an on-the-spot penalty decision states that reconsideration comes before litigation", (d["v"],)
            )
