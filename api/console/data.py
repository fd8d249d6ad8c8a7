"""Everything the console reads, in one place.

The pages never call ``projections`` or the store themselves: each page asks one method here
and gets exactly what its template shows. The methods wrap the read side
(``projections.reports``: keyset pages of cases, findings, officers, an officer's acts, fines
and scores, each as of a moment, and their SQL counts), the application's replays
(``Oversight.get_case`` with ``as_of``/``version``, ``case_events``, ``get_fine``) and the seal
(``projections.seal``: checkpoints and inclusion proofs). A replayed case's audit is the audit
as of the playhead's moment: the findings are stored as intervals of time, so the index
answers "as it stood then" exactly.

Scoping is the API's: ``domain.access`` for cases and fines; for the reports, the rule of
``/v1/audits`` (auditors and supervisors: every unit; a unit head: their own; nobody else).
The console adds one restriction the API documents but its routes do not enforce yet: the
admin manages principals, units, officers and benchmarks and reads no case content (API.md
"Operations"); a bank sees nothing here.
"""

from __future__ import annotations

import base64
import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.engine import Engine

from domain import access
from domain.application import Oversight, event_view, now
from domain.calendar import CHINA
from domain.case import STATUS_ORDER
from domain.certificates import certificate_state
from domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from domain.facts import FOLDS, Facts, entry, iso
from domain.money import fen_to_yuan
from domain.principal import Actor
from domain.rulebook import acting as acting_of
from domain.rules import RULES
from projections import reports
from projections import seal as sealing
from projections.case_index import CaseIndex
from projections.merkle import entry_bytes, leaf_hash, node_hash
from projections.runner import Runner

from ..errors import ProjectionUnavailableError

PAGE_SIZE = 50
#: bars in the findings-per-rule chart (the table below it lists every rule)
TOP_RULES = 15
SEVERITIES = ("critical", "major", "minor", "info")
CONTENT_ROLES = ("officer", "unit_head", "legal_reviewer", "supervisor", "auditor")
REPORT_READERS = ("supervisor", "auditor")
#: the API's CSV exports the lists link to
EXPORTS = {"findings": "/v1/audits/findings", "officers": "/v1/audits/officers", "fines": "/v1/audits/fines"}
#: a stage is late when the audit found its deadline missed (RULES.md ids)
STAGE_DEADLINES = {
    "filing": ("C2",),  # filed promptly after discovery
    "transfer": ("F2",),  # transfer decided within 3 days
    "decision": ("C12",),  # decided within 90 days
    "service": ("C13",),  # served within 7 working days
    "execution": ("D2", "E4"),  # paid within 15 days; court applied to in time
}


@dataclass(frozen=True)
class Playhead:
    """Where the case page stands: the replayed version and the moment it stood then."""

    version: int
    head: int
    at: datetime
    replay: bool


class ConsoleData:
    def __init__(self, app: Oversight, engine: Engine, runner: Runner, seal: sealing.Seal) -> None:
        self.app = app
        self.engine = engine
        self.runner = runner
        self.seal = seal

    # ================================================================== scope
    @staticmethod
    def _content(actor: Actor) -> None:
        if actor.role not in CONTENT_ROLES:
            raise ForbiddenError(f"role {actor.role} reads no case content in the console")

    @staticmethod
    def _report_scope(actor: Actor, unit_id: str | None) -> str | None:
        """The unit a report is limited to (None: every unit), as /v1/audits scopes it."""
        if actor.role in REPORT_READERS:
            return unit_id or None
        if actor.role == "unit_head":
            if unit_id and unit_id != actor.unit_id:
                raise ForbiddenError("reports of another unit")
            return actor.unit_id
        raise ForbiddenError(f"role {actor.role} does not read audit reports")

    def may_read_reports(self, actor: Actor, unit_id: str | None = None) -> bool:
        try:
            self._report_scope(actor, unit_id)
        except ForbiddenError:
            return False
        return True

    def navigation(self, actor: Actor) -> list[str]:
        """The pages this principal may open (the menu)."""
        pages = ["cases"] if actor.role in CONTENT_ROLES else []
        if self.may_read_reports(actor):
            pages += ["findings", "officers", "fines", "scorecard"]
        return pages

    def _ready(self, *names: str) -> None:
        why = self.runner.unavailable(names)
        if why is not None:
            raise ProjectionUnavailableError(why)

    # ================================================================== small lookups
    def _units(self) -> dict[str, dict[str, Any]]:
        return reports.units(self.engine)

    def units(self, actor: Actor) -> list[dict[str, Any]]:
        """The units this principal may pick in a filter."""
        mine = None if actor.role in REPORT_READERS else actor.unit_id
        return sorted(
            (
                {"id": uid, "code": u.get("code"), "name": u.get("name"), "matters": u.get("matters") or []}
                for uid, u in self._units().items()
                if mine is None or uid == mine
            ),
            key=lambda u: u["code"] or "",
        )

    def _officer_names(self, unit_id: str | None = None) -> dict[str, str]:
        return reports.officer_names(self.engine, unit_id)

    def _case_numbers(self, case_ids: set[str]) -> dict[str, str]:
        if not case_ids:
            return {}
        t = CaseIndex.cases
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.case_id, t.c.case_no).where(t.c.case_id.in_(case_ids)))
            return {r[0]: r[1] for r in rows}

    def checkpoint(self) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            cp = sealing.latest_checkpoint(conn)
        if cp is None:
            return None
        return cp.view() | {"signed_at_dt": cp.signed_at, "signature_ok": cp.signature_ok(self.public_key())}

    def public_key(self) -> Any:
        return self.seal.key.public_key()

    # ================================================================== home
    def home(self, actor: Actor) -> dict[str, Any]:
        unit = self._units().get(actor.unit_id or "") if actor.unit_id else None
        return {
            "pages": self.navigation(actor),
            "unit": unit,
            "checkpoint": self.checkpoint() if actor.role in CONTENT_ROLES else None,
            "position": self.app.max_position(),
        }

    # ================================================================== cases
    def cases(
        self,
        actor: Actor,
        *,
        unit_id: str | None = None,
        status: str | None = None,
        matter_code: str | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        self._content(actor)
        scope = access.case_list_scope(actor, unit_id or None)
        if status and status not in STATUS_ORDER:
            raise InvalidInputError("status", f"one of {', '.join(STATUS_ORDER)}")
        if cursor and not cursor.isdigit():
            raise InvalidInputError("cursor", "use the link to the next page")
        self._ready("case_index")
        page = reports.list_cases(
            self.engine,
            unit_id=scope,
            status=status or None,
            matter_code=matter_code or None,
            limit=PAGE_SIZE,
            cursor=int(cursor) if cursor else None,
        )
        units = self.units(actor)
        names = {u["id"]: u["name"] for u in units}
        return {
            "items": [c | {"unit_name": names.get(c["unit_id"], c["unit_id"])} for c in page["items"]],
            "next_cursor": page["next_cursor"],
            "units": units,
            "statuses": STATUS_ORDER,
            "matters": sorted({m for u in units for m in u["matters"]}),
        }

    # ------------------------------------------------------------------ one case, replayed
    def case(
        self, actor: Actor, case_id: str, *, as_of: datetime | None = None, version: int | None = None
    ) -> dict[str, Any]:
        """The case page: the case as it stood at the playhead (``as_of``: the events recorded
        by then; ``version``: the first n events), its timeline with both clocks, and, as of
        the same moment, the stage checklist, findings and score, the acting officers'
        certificates, the fine with its payments and remittances, and each event's seal."""
        self._content(actor)
        state = self.app.get_case(actor, case_id, as_of=as_of, version=version)  # scoped replay
        events = self.app.case_events(actor, case_id)
        v, head = int(state["version"]), len(events)
        playhead = Playhead(version=v, head=head, at=_moment(events, v, as_of), replay=as_of is not None or v < head)
        shown = events[:v]
        facts = self._facts(case_id, v)
        unit_id = facts["unit_id"]
        self._ready("case_index", "audit")
        unit = self._units().get(unit_id, {})
        fine_id = (facts["decision"] or {}).get("fine_id")
        fine = self._fine(actor, fine_id, playhead) if fine_id else None
        audit_view = self._case_audit(facts, playhead) if self.may_read_reports(actor, unit_id) else None
        by_version: dict[int, list[str]] = {}
        for f in (audit_view or {}).get("findings", []):
            for ref in f["events"]:
                if ref["aggregate_id"] == case_id:
                    by_version.setdefault(ref["version"], []).append(f["rule"])
        seals = self._seals(case_id)
        acts = list(acting_of(facts))
        officers = reports.officers_of(self.engine, {o for a in acts for o in a.officers})
        known = iso(playhead.at)
        acting_rows = []
        for a in acts:
            for oid in a.officers:
                o = officers.get(oid)
                st = certificate_state(_known(o, known), a.entry["at"]) if o and o["kind"] != "auxiliary" else None
                acting_rows.append(
                    {
                        "version": a.entry["v"],
                        "type": a.what,
                        "at": a.entry["at"],
                        "officer_id": oid,
                        "name": (o or {}).get("name", oid),
                        "status": st.status if st else "auxiliary" if o else "unknown",
                        "number": st.number if st else None,
                        "valid_until": st.valid_until.isoformat() if st and st.valid_until else None,
                    }
                )
        acting = acting_rows
        acting.sort(key=lambda r: (r["at"], r["version"]))
        return {
            "case": state,
            "unit": unit,
            "playhead": playhead,
            "events": [
                e | {"rules": sorted(set(by_version.get(e["version"], []))), "seal": seals.get(e["version"])}
                for e in shown
            ],
            "later_events": len(events) - v,
            "audit": audit_view,
            "acting": acting,
            "fine": fine,
            "officer_names": {oid: o.get("name", oid) for oid, o in officers.items()},
            "checkpoint": self.checkpoint(),
        }

    def _facts(self, case_id: str, version: int) -> Facts:
        """The case's facts from its first ``version`` events, folded as the aggregate and the
        audit projection fold them."""
        f: Facts | None = None
        for e in self.app.events.get(UUID(case_id), lte=version):
            f = FOLDS["case"](f, entry(e))
        if f is None:
            raise NotFoundError(f"case {case_id} not found")
        return f

    def _case_audit(self, facts: Facts, playhead: Playhead) -> dict[str, Any]:
        """Stages, findings and score as of the playhead's moment (the audit's intervals)."""
        found = reports.case_audit(self.engine, facts["id"], playhead.at)
        if found is None:
            raise NotFoundError(f"case {facts['id']} is not in the audit projection yet")
        result = found
        rules = {f["rule"] for f in result["findings"]}
        stages = result["stages"]
        ended = bool(facts["closure"] or facts["archive"])
        for i, s in enumerate(stages):
            late = sorted(rules & set(STAGE_DEADLINES.get(s["stage"], ())))
            passed = ended or any(t["present"] and t["at"] for t in stages[i + 1 :])
            if not s["required"] and s["at"] is None:
                s["state"] = "na"  # not on this case's path (a stage with nothing to do counts as present)
            elif not s["present"]:
                s["state"] = "missing" if passed else "pending"  # skipped, or not reached yet
            else:
                s["state"] = "late" if late else "present"
            s["late_rules"] = late
        for f in result["findings"]:
            f["title"] = RULES[f["rule"]].title
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        result["findings"].sort(key=lambda f: (rank.get(f["severity"], len(rank)), f["rule"]))
        return result

    def _fine(self, actor: Actor, fine_id: str, playhead: Playhead) -> dict[str, Any] | None:
        """The fine as of the playhead: the Fine aggregate replayed from its events recorded by
        then (its view computes outstanding and surcharge), and those events themselves."""
        current = self.app.get_fine(actor, fine_id)  # scoped like GET /v1/fines/{id}
        evs = [e for e in self.app.events.get(UUID(fine_id)) if not playhead.replay or e.timestamp <= playhead.at]
        if not evs:
            return {"view": None, "events": [], "facts": None, "id": fine_id}
        view = current
        if playhead.replay:
            agg: Any = None
            for e in evs:
                agg = e.mutate(agg)
            view = agg.view(playhead.at)
        facts: Facts | None = None
        for e in evs:
            facts = FOLDS["fine"](facts, entry(e))
        rows = []
        for e in evs:
            ev = event_view(e)
            d = ev["data"]
            amount = d.get("amount_fen")
            rows.append(ev | {"amount": fen_to_yuan(amount) if isinstance(amount, int) else None})
        remitted = sum(r["amount_fen"] for r in (facts or {}).get("remittances", []))
        return {
            "id": fine_id,
            "view": view,
            "events": rows,
            "facts": facts,
            "remitted": fen_to_yuan(remitted),
        }

    # ------------------------------------------------------------------ the seal of each event
    def _positions(self, aggregate_id: str) -> dict[int, int]:
        """{version: log position} of an aggregate's stored events (the store's own index on
        originator id and version)."""
        cfg = self.app.store
        uid = UUID(aggregate_id)
        recorder: Any = self.app.recorder
        if hasattr(recorder, "events_record_cls"):  # OVERSIGHT_RECORDER=sqlalchemy
            rec = recorder.events_record_cls
            with recorder.transaction(commit=False) as session:
                rows = session.query(rec.originator_version, rec.id).filter(rec.originator_id == uid)
                return {int(v): int(p) for v, p in rows}
        if cfg.kind == "sqlite":
            sql = f"SELECT originator_version AS v, rowid AS p FROM {cfg.events_table} WHERE originator_id = ?"
            param: Any = uid.hex
        else:
            table = f'"{cfg.pg_schema}"."{cfg.events_table}"'
            sql = f"SELECT originator_version AS v, notification_id AS p FROM {table} WHERE originator_id = %s"
            param = uid
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(sql, (param,))
            return {int(r["v"]): int(r["p"]) for r in c.fetchall()}

    def _seals(self, aggregate_id: str) -> dict[int, dict[str, Any]]:
        """Per version: the log position, whether the latest signed checkpoint covers it, and
        whether the stored event still hashes to the leaf that was sealed."""
        positions = self._positions(aggregate_id)
        stored = {s.originator_version: s for s in self.app.recorder.select_events(UUID(aggregate_id))}
        lv = sealing.leaves
        with self.engine.connect() as conn:
            cp = sealing.latest_checkpoint(conn)
            rows = conn.execute(
                select(lv.c.position, lv.c.idx, lv.c.hash).where(lv.c.position.in_(list(positions.values())))
            ).all()
        sealed = {int(r.position): (int(r.idx), bytes(r.hash)) for r in rows}
        out = {}
        for v, pos in positions.items():
            leaf = sealed.get(pos)
            s = stored.get(v)
            now_hash = leaf_hash(entry_bytes(s.originator_id, s.originator_version, s.topic, s.state)) if s else None
            out[v] = {
                "position": pos,
                "sealed": leaf is not None,
                "covered": bool(leaf and cp and leaf[0] < cp.size),
                "intact": bool(leaf and now_hash is not None and hmac.compare_digest(leaf[1], now_hash)),
            }
        return out

    def proof(self, actor: Actor, case_id: str, version: int) -> dict[str, Any]:
        """The inclusion proof of one event in the latest signed checkpoint, checked here:
        the checkpoint's signature against the published key, the leaf recomputed from the
        stored row as it is now, and the audit path from that leaf up to the signed root
        (RFC 9162 2.1.3.2)."""
        self._content(actor)
        events = self.app.case_events(actor, case_id)  # scoped
        if not 1 <= version <= len(events):
            raise NotFoundError(f"case {case_id} has no event {version}")
        self._ready("seal")
        event = events[version - 1]
        position = self._positions(case_id)[version]
        stored = self.app.recorder.select_events(UUID(case_id), gt=version - 1, lte=version)[0]
        recomputed = leaf_hash(entry_bytes(stored.originator_id, stored.originator_version, stored.topic, stored.state))
        public = self.public_key()
        with self.engine.connect() as conn:
            cp = sealing.latest_checkpoint(conn)
            idx = sealing.TreeReader(conn, self.seal.node_level).index_of(position)
            covered = cp is not None and idx is not None and idx < cp.size
            proof = sealing.inclusion(conn, self.seal.node_level, position, cp.size) if covered and cp else None
        result: dict[str, Any] = {
            "event": event,
            "position": position,
            "leaf_index": idx,
            "checkpoint": cp.view() if cp else None,
            "key_id": sealing.key_id(public),
            "public_key": base64.b64encode(sealing.public_key_bytes(public)).decode(),
            "recomputed_leaf": recomputed.hex(),
            "proof": proof,
            "covered": covered,
            "checks": [],
            "verified": False,
        }
        if proof is None or cp is None or idx is None:
            return result
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        root_from_leaf = root_from_inclusion_path(idx, cp.size, recomputed, path)
        checks = [
            ("signature", cp.signature_ok(public)),
            ("sealed_leaf", hmac.compare_digest(bytes.fromhex(proof["leaf_hash"]), recomputed)),
            ("path_root", root_from_leaf is not None and hmac.compare_digest(root_from_leaf, cp.root)),
            ("proof_root", bytes.fromhex(proof["root"]) == cp.root),
        ]
        result["root_from_leaf"] = root_from_leaf.hex() if root_from_leaf else None
        result["checks"] = checks
        result["verified"] = all(ok for _, ok in checks)
        return result

    # ================================================================== reports
    def findings(
        self,
        actor: Actor,
        *,
        rule: str | None = None,
        severity: str | None = None,
        unit_id: str | None = None,
        officer_id: str | None = None,
        from_: date | None = None,
        to: date | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        self._content(actor)
        scope = self._report_scope(actor, unit_id)
        if rule and rule not in RULES:
            raise InvalidInputError("rule", "a rule id of RULES.md, e.g. C8")
        if severity and severity not in SEVERITIES:
            raise InvalidInputError("severity", f"one of {', '.join(SEVERITIES)}")
        self._ready("case_index", "audit")
        query = finding_query(rule=rule, severity=severity, unit_id=scope, officer_id=officer_id, from_=from_, to=to)
        at = now()
        page = reports.findings_page(self.engine, as_of=at, limit=PAGE_SIZE, cursor=cursor or None, **query)
        per_rule = reports.counts_by_rule(self.engine, as_of=at, **(query | {"rule": None}))
        per_month = Counter(reports.counts_by_month(self.engine, as_of=at, **query))
        total = per_rule.get(rule, 0) if rule else sum(per_rule.values())
        names = self._officer_names(scope)
        cases = self._case_numbers({r["case_id"] for r in page["items"] if r["case_id"]})
        return {
            "total": total,
            "items": [
                r
                | {
                    "title": RULES[r["rule"]].title,
                    "case_no": cases.get(r["case_id"] or ""),
                    "officer_name": names.get(r["officer_id"] or ""),
                }
                for r in page["items"]
            ],
            "next_cursor": page["next_cursor"],
            "offset": None,
            "per_rule": [
                {"rule": r, "title": RULES[r].title, "count": n}
                for r, n in sorted(per_rule.items(), key=lambda kv: _rule_order(kv[0]))
            ],
            "top_rules": [
                {"rule": r, "title": RULES[r].title, "count": n}
                for r, n in sorted(per_rule.items(), key=lambda kv: (-kv[1], _rule_order(kv[0])))[:TOP_RULES]
            ],
            "per_month": _months(per_month),
            "rules": [{"id": r.id, "title": r.title} for r in RULES.values() if r.kind == "audit" or r.id in per_rule],
            "severities": SEVERITIES,
            "units": self.units(actor),
            "officers": sorted(names.items(), key=lambda kv: kv[1]),
            "api": {"path": EXPORTS["findings"], "query": _api_query(query)},
        }

    def officers(self, actor: Actor, *, unit_id: str | None = None, cursor: str | None = None) -> dict[str, Any]:
        self._content(actor)
        scope = self._report_scope(actor, unit_id)
        self._ready("case_index", "audit")
        page = reports.officers_page(self.engine, unit_id=scope, as_of=now(), limit=PAGE_SIZE, cursor=cursor or None)
        units = self.units(actor)
        names = {u["id"]: u["name"] for u in units}
        statuses = Counter(r["certificate_status"] for r in page["items"] if r["kind"] != "auxiliary")
        return {
            "total": None,
            "items": [r | {"unit_name": names.get(r["unit_id"], r["unit_id"])} for r in page["items"]],
            "next_cursor": page["next_cursor"],
            "offset": None,
            "statuses": sorted(statuses.items()),
            "units": units,
            "api": {"path": EXPORTS["officers"], "query": _api_query({"unit_id": scope})},
        }

    def officer(self, actor: Actor, officer_id: str, cursor: str | None = None) -> dict[str, Any]:
        self._content(actor)
        self._report_scope(actor, None)  # only report readers reach an officer's acts
        self._ready("case_index", "audit")
        at = now()
        acts = reports.officer_acts_page(self.engine, officer_id, as_of=at, limit=500, cursor=cursor or None)
        if acts is None:
            raise NotFoundError(f"officer {officer_id} not found")
        self._report_scope(actor, acts["unit_id"])
        rows = reports.officers_page(self.engine, unit_id=acts["unit_id"], as_of=at, officer_id=officer_id)["items"]
        if not rows:
            raise NotFoundError(f"officer {officer_id} not found")
        return {
            "officer": rows[0],
            "unit": self._units().get(acts["unit_id"], {}),
            "acts": acts["items"],
            "next_cursor": acts["next_cursor"],
        }

    def fines(
        self, actor: Actor, *, unit_id: str | None = None, show: str | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        self._content(actor)
        scope = self._report_scope(actor, unit_id)
        if show and show not in reports.SHOW:
            raise InvalidInputError("show", f"one of {', '.join(reports.SHOW)}")
        self._ready("case_index", "audit")
        report = reports.fines_report(
            self.engine, scope, now(), limit=PAGE_SIZE, cursor=cursor or None, show=show or "all"
        )
        units = {u["id"]: u for u in self.units(actor)}
        return {
            "units": [u | {"name": units.get(u["unit_id"], {}).get("name", u["unit_code"])} for u in report["units"]],
            "total": None,
            "items": report["fines"],
            "next_cursor": report["next_cursor"],
            "offset": None,
            "unit_choices": list(units.values()),
            "views": list(reports.SHOW),
            "api": {"path": EXPORTS["fines"], "query": _api_query({"unit_id": scope})},
        }

    def scorecard(self, actor: Actor, *, unit_id: str | None = None, cursor: str | None = None) -> dict[str, Any]:
        self._content(actor)
        scope = self._report_scope(actor, unit_id)
        self._ready("case_index", "audit")
        units = self.units(actor)
        at = now()
        summary = []
        chosen = None
        for u in units:
            mine = u["id"] == scope or (scope is None and len(units) == 1)
            report = reports.scorecard_report(
                self.engine, u["id"], at, limit=PAGE_SIZE if mine else 1, cursor=cursor or None if mine else None
            )
            summary.append(u | {"average": report["average"], "failed": report["failed"], "cases": report["count"]})
            if mine:
                chosen = u | report
        if scope is not None and chosen is None:
            raise NotFoundError(f"unit {scope} not found")
        if chosen is not None:
            chosen["page"] = chosen["cases"]
            chosen["offset"] = None
        return {"summary": summary, "unit": chosen}

    # ================================================================== CSV
    def export_path(
        self,
        actor: Actor,
        name: str,
        *,
        rule: str | None = None,
        severity: str | None = None,
        unit_id: str | None = None,
        officer_id: str | None = None,
        from_: date | None = None,
        to: date | None = None,
    ) -> str:
        """The API export a list's CSV link stands for, with the list's filters and scope."""
        if name not in EXPORTS:
            raise NotFoundError(f"no export {name}")
        self._content(actor)
        scope = self._report_scope(actor, unit_id)
        if name == "findings":
            query = finding_query(
                rule=rule, severity=severity, unit_id=scope, officer_id=officer_id, from_=from_, to=to
            )
        else:
            query = {"unit_id": scope}
        return EXPORTS[name] + "?" + _urlencode(_api_query(query) | {"format": "csv"})


# ---------------------------------------------------------------------- helpers
def finding_query(
    *,
    rule: str | None,
    severity: str | None,
    unit_id: str | None,
    officer_id: str | None,
    from_: date | None,
    to: date | None,
) -> dict[str, Any]:
    """The findings report's filters; dates are whole China days (``to`` included)."""
    return {
        "rule": rule or None,
        "severity": severity or None,
        "unit_id": unit_id or None,
        "officer_id": officer_id or None,
        "from_": datetime.combine(from_, time(0), CHINA) if from_ else None,
        "to": datetime.combine(to, time(0), CHINA) + timedelta(days=1) - timedelta(microseconds=1) if to else None,
    }


def _api_query(query: dict[str, Any]) -> dict[str, str]:
    out = {}
    for k, v in query.items():
        if v is None:
            continue
        out["from" if k == "from_" else k] = v.isoformat() if isinstance(v, datetime) else str(v)
    return out


def _urlencode(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def _months(counts: Counter[str]) -> list[tuple[str, int]]:
    """Counts per month (YYYY-MM), every month from the first to the last, empty ones as 0."""
    if not counts:
        return []
    first, last = min(counts), max(counts)
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        key = f"{y:04d}-{m:02d}"
        out.append((key, counts.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _rule_order(rule_id: str) -> tuple[str, int]:
    return rule_id[0], int(rule_id[1:]) if rule_id[1:].isdigit() else 0


def _moment(events: list[dict[str, Any]], version: int, as_of: datetime | None) -> datetime:
    """The instant a playhead stands at: ``as_of``, or just before the event after ``version``
    was recorded (so a fine saved with the case's event, a moment later, belongs to it), or
    now at the head; the earlier of the two when both are given."""
    moments = [as_of] if as_of is not None else []
    if version < len(events):
        moments.append(datetime.fromisoformat(events[version]["recorded_at"]) - timedelta(microseconds=1))
    return min(moments) if moments else now()


def root_from_inclusion_path(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """The root an audit path leads to from a leaf (RFC 9162 2.1.3.2), or None when the path
    does not fit a tree of that size."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def _known(o: Facts | None, known_by: str) -> Facts:
    """An officer's facts as recorded by ``known_by`` (the certificate then)."""
    assert o is not None
    out = dict(o)
    for key in ("exams", "certs", "validations", "status_changes", "trainings"):
        out[key] = [x for x in o[key] if x["rec"] <= known_by]
    return out
