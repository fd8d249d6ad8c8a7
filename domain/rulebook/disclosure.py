"""G. Public disclosure (行政执法公示): G2–G4. G5 holds by construction: the public view is
built from the allowed fields only (projections)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..calendar import deadline
from ..facts import Facts, day
from ..rules import LAW
from .core import Context, Finding, rule
from .procedure import benchmark_in_force, penalties


@rule("G2", "case", reads=("Decided",), context=("benchmark",))
def g2_benchmark_published_before_use(f: Facts, ctx: Context) -> Iterator[Finding]:
    for d in penalties(f):
        v = benchmark_in_force(ctx, f["matter_code"], d["at"])
        if v is not None and v["published_at"] > d["at"]:
            yield Finding("G2", f"benchmark version {v['version']} was not yet published", (d["v"],))


def in_disclosure_scope(f: Facts, d: dict[str, Any]) -> bool:
    """G3: whether the sector discloses this penalty decision (总局令45号 2: market regulation
    discloses ordinary-procedure decisions only, never a warning-only one)."""
    scope = LAW.disclosure_scope(f["matter_code"])
    if scope.ordinary_procedure_only and f["procedure"] != "general":
        return False
    return scope.warning_only_disclosed or any(p["type"] != "warning" for p in d["penalties"])


@rule("G3", "case", reads=("Decided", "Disclosed", "DecisionServed", "DecisionRevoked"))
def g3_disclosed_within_the_sectors_period(f: Facts, ctx: Context) -> Iterator[Finding]:
    d = f["decision"]
    if not d or d["outcome"] != "penalty" or not in_disclosure_scope(f, d):
        return
    if any(c["kind"] == "revoked" for c in f["changes"]):
        return
    scope = LAW.disclosure_scope(f["matter_code"])
    due = deadline(day(d["at"]), scope.period)
    dis = f["disclosure"]
    if dis is None:
        yield Finding("G3", f"penalty decision not disclosed by {due}", (d["v"],), since=due.over_at, approx=due.approx)
    elif day(dis["at"]) > due.last_day:
        yield Finding(
            "G3",
            f"penalty decision disclosed after {due} ({scope.period} after it)",
            (d["v"], dis["v"]),
            approx=due.approx,
        )
    srv = f["service"]
    if scope.tell_party_at_service and srv is not None and srv.get("disclosure_told") is False:
        yield Finding(
            "G3", "the party was not told in writing at service that the decision will be disclosed", (srv["v"],)
        )


CHANGE_RESULTS = ("changed", "revoked", "confirmed_illegal")


def first_change_after(f: Facts, since: str) -> dict[str, Any] | None:
    """G4: the first change of the decision (changed, revoked, confirmed unlawful or void, by the
    unit itself or by a reconsideration or court conclusion) at or after ``since``."""
    candidates = [{"at": c["at"], "v": c["v"]} for c in f["changes"] if c["at"] >= since] + [
        {"at": r["until"], "v": r["until_v"]}
        for r in f["remedies"]
        if r["until"] and r["result"] in CHANGE_RESULTS and r["until"] >= since
    ]
    return min(candidates, key=lambda c: (c["at"], c["v"])) if candidates else None


@rule(
    "G4",
    "case",
    reads=(
        "Disclosed",
        "DisclosureWithdrawn",
        "DecisionRevoked",
        "DecisionChanged",
        "DecisionConfirmedUnlawful",
        "RemedyConcluded",
    ),
)
def g4_withdrawn_within_3_working_days_of_a_change(f: Facts, ctx: Context) -> Iterator[Finding]:
    dis = f["disclosure"]
    if dis is None:
        return
    change = first_change_after(f, dis["at"])
    if change is None:
        return
    due = deadline(day(change["at"]), LAW.withdrawal)
    w = f["withdrawal"]
    if w is None:
        yield Finding(
            "G4",
            f"disclosure of a changed decision not withdrawn by {due}",
            (change["v"],),
            since=due.over_at,
            approx=due.approx,
        )
    elif day(w["at"]) > due.last_day:
        yield Finding(
            "G4", f"disclosure of a changed decision withdrawn after {due}", (change["v"], w["v"]), approx=due.approx
        )
