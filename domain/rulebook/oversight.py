"""H. Interference by leading officials (H1) and I. random inspections (I1)."""

from __future__ import annotations

from collections.abc import Iterator

from ..calendar import deadline
from ..facts import Facts, day
from ..rules import LAW
from .core import Context, Finding, chosen, rule


@rule("H1", "case", reads=("InterventionRecorded",), entries=("InterventionRecorded",))
def h1_every_intervention_is_reported(f: Facts, ctx: Context, only: frozenset[int] | None = None) -> Iterator[Finding]:
    for i in chosen(f["interventions"], only):
        yield Finding("H1", f"intervention by {i['official']} ({i['position']}) via {i['channel']}", (i["v"],))


@rule("I1", "inspection", reads=None, context=("officers",))
def i1_random_draw_two_certified_inspectors_results_published(i: Facts, ctx: Context) -> Iterator[Finding]:
    """I1: the draw redone from its seed and registers gives the recorded assignments; each
    target is inspected by at least two of the inspectors drawn for it, each certified at that
    instant; the results are published within ``inspection_publication`` of the last one."""
    drawn = i["drawn"]
    teams: dict[str, list[str]] = i["assignments"]
    if not i["reproducible"]:
        yield Finding("I1", "the draw is not reproducible from its seed and registers", (drawn["v"],))
    for target, team in sorted(teams.items()):
        if len(team) < LAW.officers_per_act:
            yield Finding("I1", f"fewer than {LAW.officers_per_act} inspectors drawn for {target}", (drawn["v"],))
    for target, r in sorted(i["results"].items()):
        if len(set(r["officers"])) < LAW.officers_per_act:
            yield Finding("I1", f"{target} inspected by fewer than {LAW.officers_per_act} inspectors", (r["v"],))
        for oid in r["officers"]:
            o = ctx.officer(oid)
            name = o["name"] if o else oid
            if oid not in teams.get(target, []):
                yield Finding("I1", f"inspector {name} was not drawn for {target}", (r["v"],), oid)
            if o is not None:
                st = ctx.cert(oid, r["at"])
                if o["kind"] == "auxiliary" or st is None or st.status != "valid":
                    yield Finding("I1", f"inspector {name} had no valid certificate at the inspection", (r["v"],), oid)
    if i["results"]:
        last = max(i["results"].values(), key=lambda r: r["at"])
        due = deadline(day(last["at"]), LAW.inspection_publication)
        published = [p for p in i["publications"] if p["at"] >= last["at"]]
        if not published:
            yield Finding("I1", f"results not published by {due}", (last["v"],), since=due.over_at, approx=due.approx)
        elif day(published[0]["at"]) > due.last_day:
            yield Finding("I1", f"results published after {due}", (published[0]["v"],), approx=due.approx)
