"""The whole-process record audit: the facts of every aggregate, folded from the log with the
same functions the aggregates use (``domain/facts.py``), and the findings of the rule bodies
(``domain/rulebook``), judged as each event is folded.

A body runs again for a subject whenever an event it reads is folded into that subject, and
what it answers is compared with what it answered before: a new finding is stored from now on
(or from when its deadline passes), one it no longer answers stops holding now. "Now" is the
moment the event was recorded (the latest recording time seen so far in log order), so a
rebuild stores the same intervals, and a report as of any past moment is exact.

An officer's later event (a back-dated suspension, a validation, an imported history) changes
the certificate at past instants: the acts whose certificate state it changes are re-judged. A
unit's later event re-judges its cases and fines for the bodies that read the unit. Benchmarks
are read as known when the decision was recorded, so a later version changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import and_, bindparam, delete, or_, select, tuple_, update
from sqlalchemy.engine import Connection

from domain.benchmark import Benchmark
from domain.case import Case
from domain.facts import FOLDS, Entry, Facts, entry
from domain.fine import Fine
from domain.inspection import Inspection
from domain.ledger import ledger as fine_ledger
from domain.ledger import line
from domain.officer import Officer
from domain.rulebook import Context, Finding, RuleBody, bodies, using
from domain.rulebook.officers import OfficerAt, officers_at
from domain.unit import Unit

from . import disclosure, scorecard
from .audit_tables import VERSION, acts, disclosures, facts, findings, ledger, metadata, scores
from .db import bulk_insert, bulk_insert_rows
from .runner import Item, SqlProjection

__all__ = ["VERSION", "Audit", "ProjectionContext", "acts", "facts", "findings", "fkey", "subject_of"]

_KINDS: tuple[tuple[type[Any], str], ...] = (
    (Case.Event, "case"),
    (Fine.Event, "fine"),
    (Officer.Event, "officer"),
    (Unit.Event, "unit"),
    (Benchmark.Event, "benchmark"),
    (Inspection.Event, "inspection"),
)
_KIND_OF: dict[type[Any], str | None] = {}
JUDGED = ("case", "fine", "officer", "inspection")
REGISTRY = frozenset({"officer", "unit", "benchmark"})
REGISTRY_ROWS = 200_000  # officers, units and benchmarks held between pages, at most


#: the columns of an act's row as ``Page._write_acts`` lists them
_ACT_COLUMNS = (
    "officer_id",
    "subject_id",
    "version",
    "subject_kind",
    "case_id",
    "unit_id",
    "what",
    "label",
    "at",
    "rec",
    "status",
)
if _ACT_COLUMNS != tuple(c.name for c in acts.columns):
    raise RuntimeError("the acts table's columns moved: update _ACT_COLUMNS and Page._write_acts")
_AT, _STATUS = _ACT_COLUMNS.index("at"), _ACT_COLUMNS.index("status")


def kind_of(e: Any) -> str | None:
    cls = type(e)
    if cls not in _KIND_OF:
        _KIND_OF[cls] = next((k for base, k in _KINDS if isinstance(e, base)), None)
    return _KIND_OF[cls]


def fkey(body: str, fd: Finding) -> str:
    return hashlib.blake2b(f"{body}\x1e{fd.key()}".encode(), digest_size=12).hexdigest()


def subject_of(kind: str, sid: str, f: Facts) -> dict[str, Any]:
    """The columns a finding about this subject carries (case, inspection, unit)."""
    if kind == "case":
        return {"case_id": sid, "inspection_id": None, "unit_id": f["unit_id"]}
    if kind == "fine":
        return {"case_id": f["case_id"], "inspection_id": None, "unit_id": f["unit_id"]}
    if kind == "inspection":
        return {"case_id": None, "inspection_id": sid, "unit_id": f["unit_id"]}
    return {"case_id": None, "inspection_id": None, "unit_id": f["unit_id"]}


def _status_of(o: OfficerAt) -> str:
    if not o.known:
        return "unknown"
    return "auxiliary" if o.auxiliary else o.status or "unknown"


def act_status(ctx: Context, oid: str, at: str) -> str:
    o = ctx.officer(oid)
    if o is None:
        return "unknown"
    if o["kind"] == "auxiliary":
        return "auxiliary"
    st = ctx.cert(oid, at)
    return st.status if st else "unknown"


class Page:
    """One page's working set: the facts it touched, their findings, the acts it recorded."""

    def __init__(self, conn: Connection, registry: dict[tuple[str, str], Any] | None = None) -> None:
        self.conn = conn
        #: officers', units' and benchmarks' rows as the previous pages left them (few, read by
        #: most events): {key: (facts, found, position)}, or None
        self.registry = registry if registry is not None else {}
        self.docs: dict[tuple[str, str], Facts | None] = {}
        self.found: dict[tuple[str, str], dict[str, dict[str, list[str | None]]]] = {}
        self.segs: dict[tuple[str, str], dict[str, Any]] = {}
        #: entries waiting to be judged by the bodies that judge them on their own: {(kind,
        #: id): {body: {version: the moment it was known}}}
        self.pending: dict[tuple[str, str], dict[RuleBody, dict[int, str]]] = {}
        self.pending_acts: dict[tuple[str, str], set[int]] = {}
        self.stored: set[tuple[str, str]] = set()  # rows that exist in the table
        self.dirty: set[tuple[str, str]] = set()
        self.positions: dict[tuple[str, str], int] = {}  # the last event folded into each
        self.inserts: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.deletes: list[tuple[str, str, str]] = []
        self.updates: list[dict[str, Any]] = []
        #: this page's acts as rows of ``acts`` (values in column order), by (officer, subject,
        #: version)
        self.new_acts: dict[tuple[str, str, int], list[Any]] = {}
        self.public: dict[str, dict[str, Any]] = {}
        self.act_status: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- facts
    def preload(self, keys: Iterable[tuple[str, str]]) -> None:
        wanted = {k for k in keys if k not in self.docs}
        by_kind: dict[str, list[str]] = {}
        registry = self.registry
        for kind, sid in wanted:
            held = registry.get((kind, sid))
            if held is not None:
                doc, found, position = held
                self.docs[(kind, sid)] = orjson.loads(doc) if doc is not None else None
                self.found[(kind, sid)] = orjson.loads(found)
                if position is not None:
                    self.stored.add((kind, sid))
                    self.positions[(kind, sid)] = position
                continue
            by_kind.setdefault(kind, []).append(sid)
            self.docs[(kind, sid)] = None
            self.found[(kind, sid)] = {}
        for kind, ids in by_kind.items():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                rows = self.conn.execute(
                    select(facts.c.id, facts.c.facts, facts.c.found, facts.c.position).where(
                        facts.c.kind == kind, facts.c.id.in_(chunk)
                    )
                )
                for sid, doc, found, position in rows:
                    self.docs[(kind, sid)] = orjson.loads(doc)
                    self.found[(kind, sid)] = orjson.loads(found)
                    self.stored.add((kind, sid))
                    self.positions[(kind, sid)] = position
                    if kind in REGISTRY:
                        registry[(kind, sid)] = (doc, found, position)
                if kind in REGISTRY:  # known to have no row yet
                    for sid in chunk:
                        registry.setdefault((kind, sid), (None, "{}", None))

    def get(self, kind: str, sid: str) -> Facts | None:
        if (kind, sid) not in self.docs:
            self.preload([(kind, sid)])
        return self.docs[(kind, sid)]

    def put(self, kind: str, sid: str, doc: Facts, position: int) -> None:
        self.docs[(kind, sid)] = doc
        self.dirty.add((kind, sid))
        self.positions[(kind, sid)] = position

    # ---------------------------------------------------------------- findings
    def judge(
        self,
        kind: str,
        sid: str,
        doc: Facts,
        selected: Sequence[RuleBody],
        ctx: Context,
        now: str,
        *,
        event: str | None = None,
        only: frozenset[int] | None = None,
    ) -> None:
        """Run the bodies and store what changed in their answers, as of ``now``. A body that
        judges entries on their own judges only the entry of ``event`` (later, with the
        subject's other new entries: it reads nothing recorded after an entry, and the
        officers' histories do not change before the page's next officer or unit event) or
        the versions ``only`` names; its other answers stand."""
        ctx.forget()
        pending = self.pending.setdefault((kind, sid), {})
        changed = False
        for b in selected:
            if event is not None and only is None and b.per_entry(event):
                pending.setdefault(b, {})[doc["v"]] = now
                continue
            waiting = pending.pop(b, None)
            if waiting:
                changed |= self._apply(kind, sid, doc, b, ctx, frozenset(waiting), waiting.get)
            part = only if only is not None and b.entries else None
            changed |= self._apply(kind, sid, doc, b, ctx, part, lambda _v: now)
        if changed:
            self.rescore_case(ctx, kind, sid, doc, now)

    def flush_pending(self, ctx: Context) -> None:
        """Judge every entry waiting to be judged (before an officer or unit event, and at the
        end of the page)."""
        for key in list(self.pending.keys() | self.pending_acts.keys()):
            kind, sid = key
            doc = self.docs.get(key)
            waiting = self.pending.pop(key, {})
            acted = self.pending_acts.pop(key, set())
            if doc is None:
                continue
            ctx.forget()
            changed = False
            latest = ""
            for b, versions in waiting.items():
                changed |= self._apply(kind, sid, doc, b, ctx, frozenset(versions), versions.get)
                latest = max(latest, *versions.values())
            if acted:
                self._write_acts(kind, sid, doc, frozenset(acted), ctx)
            if changed:
                self.rescore_case(ctx, kind, sid, doc, latest)

    def _apply(
        self,
        kind: str,
        sid: str,
        doc: Facts,
        b: RuleBody,
        ctx: Context,
        part: frozenset[int] | None,
        now_of: Callable[[int], str | None],
    ) -> bool:
        """One body's answer, compared with what it answered before (for the entries ``part``
        names, or all): a new finding holds from its entry's moment, one gone ends then."""
        found = self.found.setdefault((kind, sid), {})
        new = {fkey(b.name, fd): fd for fd in b.run(doc, ctx, part)}
        old = found.get(b.name, {})
        judged = old if part is None else {k: sp for k, sp in old.items() if sp[4] in part}
        if judged.keys() == new.keys():
            return False
        fallback = doc["rec"]
        kept = {k: sp for k, sp in old.items() if k not in judged}
        for k, span in judged.items():
            if k in new:
                kept[k] = span
            else:
                self._close(sid, k, span, now_of(span[4]) or fallback)  # type: ignore[arg-type]
        for k, fd in new.items():
            if k in judged:
                continue
            now = now_of(fd.events[0]) if fd.events else None
            now = now or fallback
            since = max(fd.since or now, now)
            if fd.until is not None and fd.until <= since:
                continue  # it never holds from now on
            kept[k] = [since, fd.until, fd.rule, fd.text, fd.events[0] if fd.events else None]
            self.inserts[(sid, k, since)] = {
                "subject_id": sid,
                "fkey": k,
                "subject_kind": kind,
                "rule": fd.rule,
                "severity": fd.level,
                **subject_of(kind, sid, doc),
                "officer_id": fd.officer_id,
                "message": fd.text,
                "events": orjson.dumps([{"aggregate_id": sid, "version": v} for v in fd.events]).decode(),
                "since": since,
                "until": fd.until,
            }
        if kept:
            found[b.name] = kept
        else:
            found.pop(b.name, None)
        self.dirty.add((kind, sid))
        return True

    def rescore_case(self, ctx: Context, kind: str, sid: str, doc: Facts, now: str) -> None:
        if kind in ("case", "fine"):
            self.rescore(ctx, subject_of(kind, sid, doc)["case_id"], now)

    def rescore(self, ctx: Context, case_id: str, now: str) -> None:
        """The closed case's file score from ``now`` on, one row per stretch of time in which
        its findings (the case's and its fine's) do not change."""
        f = self.get("case", case_id)
        if f is None:
            return
        if f["closure"] is None:
            self.segment(scores, "case_id", case_id, now, [])
            return
        fid = (f["decision"] or {}).get("fine_id")
        if fid:
            self.get("fine", fid)  # its findings count too: loaded if another page folded it
        for key in (("case", case_id), ("fine", fid or "")):
            waiting = self.pending.get(key)
            doc = self.docs.get(key)
            if waiting and doc is not None:  # the score counts every finding known by now
                self.pending[key] = {}
                for b, versions in waiting.items():
                    self._apply(key[0], key[1], doc, b, ctx, frozenset(versions), versions.get)
        spans = [sp for body in self.found.get(("case", case_id), {}).values() for sp in body.values()]
        if fid:
            spans += [sp for body in self.found.get(("fine", fid), {}).values() for sp in body.values()]
        unit = ctx.unit(f["unit_id"]) or {}
        within = not unit.get("matters") or f["matter_code"] in unit["matters"]
        cuts = sorted({now} | {t for sp in spans for t in sp[:2] if t is not None and t > now})
        rows = []
        for i, start in enumerate(cuts):
            end = cuts[i + 1] if i + 1 < len(cuts) else None
            active = [
                {"rule": sp[2], "message": sp[3]}
                for sp in spans
                if sp[0] is not None and sp[0] <= start and (sp[1] is None or sp[1] > start)
            ]
            sc = scorecard.score(active, within)
            if rows and rows[-1]["score"] == orjson.dumps(sc).decode():
                rows[-1]["to_at"] = end
                continue
            rows.append(
                {
                    "case_id": case_id,
                    "from_at": start,
                    "to_at": end,
                    "unit_id": f["unit_id"],
                    "case_no": f["case_no"],
                    "total": sc["total"],
                    "failed": int(sc["grade"] == "不合格"),
                    "score": orjson.dumps(sc).decode(),
                }
            )
        self.segment(scores, "case_id", case_id, now, rows)

    # ---------------------------------------------------------------- time segments
    def segment(self, table: Any, key: str, sid: str, now: str, rows: list[dict[str, Any]]) -> None:
        """Replace the subject's rows of ``table`` from ``now`` on: rows that began earlier end
        at ``now``, later ones go, and ``rows`` (each from ``now`` or later) follow."""
        s = self.segs.get((table.name, sid))
        if s is None:
            s = self.segs[(table.name, sid)] = {
                "table": table,
                "key": key,
                "sid": sid,
                "cut": now,
                "rows": [],
                # a subject first seen in this page has no rows stored to cut (a rebuild's case)
                "stored": self._has_rows(table, key, sid),
            }
        # a later call of the page may start earlier (an officer's event recorded before the
        # case's latest one, as clocks of concurrent writers allow): the stored rows are cut there
        s["cut"] = min(s["cut"], now)
        kept = []
        for r in s["rows"]:
            if r["from_at"] >= now:
                continue
            if r["to_at"] is None or r["to_at"] > now:
                r["to_at"] = now
            kept.append(r)
        s["rows"] = kept + rows

    def _close(self, sid: str, k: str, span: list[str | None], now: str) -> None:
        since, until = span[0], span[1]
        assert since is not None
        end = now if until is None or now < until else until
        pending = self.inserts.get((sid, k, since))
        if end <= since:
            if pending is not None:
                del self.inserts[(sid, k, since)]
            else:
                self.deletes.append((sid, k, since))
        elif end != until:
            if pending is not None:
                pending["until"] = end
            else:
                self.updates.append({"b_subject": sid, "b_fkey": k, "b_since": since, "until": end})

    # ---------------------------------------------------------------- acts
    def record_acts(self, kind: str, sid: str, doc: Facts, v: int) -> None:
        """The entry just folded (version ``v``) may be an act: recorded with the entries
        waiting to be judged, when the officers' certificates are judged anyway."""
        self.pending_acts.setdefault((kind, sid), set()).add(v)

    def _write_acts(self, kind: str, sid: str, doc: Facts, versions: frozenset[int], ctx: Context) -> None:
        """The acts of these versions, each officer with the certificate's state then."""
        if kind == "inspection":
            items = [
                ("inspection", r, [(o, act_status(ctx, o, r["at"])) for o in r["officers"]])
                for r in doc["results"].values()
                if r["v"] in versions
            ]
        else:
            items = [
                (a.what, a.entry, [(o.id, _status_of(o)) for o in seen]) for a, seen in officers_at(doc, ctx, versions)
            ]
        if not items:
            return
        case_id = subject_of(kind, sid, doc)["case_id"]
        if kind == "case":
            label = doc["case_no"]
        elif kind == "fine":
            label = (ctx.case(doc["case_id"]) or {}).get("case_no", doc["decision_no"])
        else:
            label = doc["task"]
        unit, label = doc["unit_id"], str(label)[:200]
        new = self.new_acts
        for what, x, officers in items:
            v, at, rec, what = x["v"], x["at"], x["rec"], what[:60]
            for oid, status in dict(officers).items():
                # in the order of ``acts``' columns (checked once, in ``_ACT_COLUMNS``)
                new[(oid, sid, v)] = [oid, sid, v, kind, case_id, unit, what, label, at, rec, status]

    def officer_acts(self, oid: str, since: str = "") -> list[dict[str, Any]]:
        """The officer's acts at or after instant ``since`` (all of them if empty): stored ones
        by the (officer, at) index, then this page's."""
        q = select(acts.c.subject_id, acts.c.version, acts.c.subject_kind, acts.c.at, acts.c.status).where(
            acts.c.officer_id == oid
        )
        if since:
            q = q.where(acts.c.at >= since)
        rows = [dict(r) for r in self.conn.execute(q).mappings()]
        seen = {(r["subject_id"], r["version"]) for r in rows}
        rows += [
            dict(zip(_ACT_COLUMNS, a, strict=True))
            for (o, s, v), a in self.new_acts.items()
            if o == oid and (s, v) not in seen and a[_AT] >= since
        ]
        return rows

    def _has_rows(self, table: Any, key: str, sid: str) -> bool:
        """Whether the subject may have rows of ``table`` from earlier pages: not if its facts
        were first folded in this page."""
        kind = "fine" if key == "fine_id" else "case"
        return (kind, sid) in self.stored

    @staticmethod
    def _seg_id(seg: dict[str, Any]) -> str:
        return str(seg["sid"])

    # ---------------------------------------------------------------- write
    def flush(self) -> None:
        conn = self.conn
        keys = [k for k in self.dirty if self.docs.get(k) is not None]
        if keys:
            existing = [k for k in keys if k in self.stored]
            for i in range(0, len(existing), 500):
                chunk = existing[i : i + 500]
                conn.execute(delete(facts).where(tuple_(facts.c.kind, facts.c.id).in_(chunk)))
            rows = []
            for kind, sid in keys:
                doc = self.docs[(kind, sid)]
                assert doc is not None
                row = {
                    "kind": kind,
                    "id": sid,
                    "unit_id": doc.get("unit_id"),
                    "case_id": doc.get("case_id"),
                    "facts": orjson.dumps(doc).decode(),
                    "found": orjson.dumps(self.found.get((kind, sid), {})).decode(),
                    "position": self.positions.get((kind, sid), 0),
                }
                rows.append(row)
                if kind in REGISTRY:
                    self.registry[(kind, sid)] = (row["facts"], row["found"], row["position"])
            bulk_insert_rows(conn, facts, rows)
        for sid, k, since in self.deletes:
            conn.execute(
                delete(findings).where(findings.c.subject_id == sid, findings.c.fkey == k, findings.c.since == since)
            )
        if self.updates:
            conn.execute(
                update(findings)
                .where(
                    and_(
                        findings.c.subject_id == bindparam("b_subject"),
                        findings.c.fkey == bindparam("b_fkey"),
                        findings.c.since == bindparam("b_since"),
                    )
                )
                .values(until=bindparam("until")),
                self.updates,
            )
        if self.inserts:
            bulk_insert_rows(conn, findings, list(self.inserts.values()))
        if self.new_acts:  # each act is folded once: a page inserts its acts, never twice
            bulk_insert(conn, acts, list(self.new_acts.values()))
        if self.public:
            ids = list(self.public)
            for i in range(0, len(ids), 500):
                conn.execute(delete(disclosures).where(disclosures.c.case_id.in_(ids[i : i + 500])))
            rows = [dict(r, item=orjson.dumps(r["item"]).decode()) for r in self.public.values()]
            conn.execute(disclosures.insert(), rows)
        by_table: dict[str, list[dict[str, Any]]] = {}
        for (name, _), seg in self.segs.items():
            by_table.setdefault(name, []).append(seg)
        for segs in by_table.values():
            table = segs[0]["table"]
            col = table.c[segs[0]["key"]]
            cuts = [{"b_sid": sid, "b_cut": seg["cut"]} for seg in segs for sid in [self._seg_id(seg)]]
            stored = [c for c, seg in zip(cuts, segs, strict=True) if seg["stored"]]
            if stored:
                conn.execute(
                    delete(table).where(col == bindparam("b_sid"), table.c.from_at >= bindparam("b_cut")), stored
                )
                conn.execute(
                    update(table)
                    .where(
                        col == bindparam("b_sid"),
                        table.c.from_at < bindparam("b_cut"),
                        or_(table.c.to_at.is_(None), table.c.to_at > bindparam("b_cut")),
                    )
                    .values(to_at=bindparam("b_cut")),
                    stored,
                )
            bulk_insert_rows(conn, table, [r for seg in segs for r in seg["rows"]])
        for u in self.act_status:
            conn.execute(
                update(acts)
                .where(acts.c.officer_id == u["o"], acts.c.subject_id == u["s"], acts.c.version == u["v"])
                .values(status=u["status"])
            )


class ProjectionContext(Context):
    """What the bodies read besides their subject: the facts folded so far, in log order."""

    def __init__(self, page: Page) -> None:
        super().__init__()
        self.page = page

    def officer(self, officer_id: str) -> Facts | None:
        return self.page.get("officer", officer_id)

    def unit(self, unit_id: str) -> Facts | None:
        return self.page.get("unit", unit_id)

    def benchmark(self, matter_code: str) -> Facts | None:
        return self.page.get("benchmark", str(Benchmark.id_for(matter_code)))

    def case(self, case_id: str) -> Facts | None:
        return self.page.get("case", case_id)


class Audit(SqlProjection):
    name = "audit"
    version = VERSION
    metadata = metadata

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._registry: dict[tuple[str, str], Any] = {}
        self._registry_at: int | None = None  # the position the registry rows are as of

    def apply(self, conn: Connection, items: Sequence[Item]) -> None:
        # The rows of officers, units and benchmarks are kept between pages of this process,
        # as of the position the last page ended at: a page that starts anywhere else (a page
        # that did not commit, another worker's pages) reads them from the table again.
        base = self.view.base_position
        if base is None or base != self._registry_at:
            self._registry.clear()
        self._registry_at = None  # until this page has written them
        page = Page(conn, self._registry)
        ctx = ProjectionContext(page)
        work = []
        for i in items:
            kind = kind_of(i.event)
            if kind is not None:
                work.append((i, kind, str(i.event.originator_id)))
        page.preload((kind, sid) for _, kind, sid in work)
        for i, kind, sid in work:
            x = entry(i.event)
            if kind in ("officer", "unit"):
                page.flush_pending(ctx)  # the entries waiting were judged by the officers before
            doc = FOLDS[kind](page.get(kind, sid), x)
            if doc is None:
                continue  # an event of an aggregate created before this projection's first page
            page.put(kind, sid, doc, i.position)
            now = doc["rec"]  # what was known of the subject from then on
            if kind in JUDGED:
                page.judge(kind, sid, doc, bodies(kind, x["e"]), ctx, now, event=x["e"])
                if kind != "officer":
                    page.record_acts(kind, sid, doc, x["v"])
            if kind == "fine":
                page.segment(ledger, "fine_id", sid, now, [ledger_row(sid, doc, now)])
            elif kind == "case" and x["e"] == "Closed":
                page.rescore(ctx, sid, now)
            if kind == "case" and x["e"] in disclosure.TRIGGERS:
                row = disclosure.public_row(doc, ctx.unit(doc["unit_id"]), i.position)
                if row is not None:
                    page.public[sid] = row
            if kind == "officer" and x["e"] != "Registered":
                self._rejudge_officer(page, ctx, sid, x, x["rec"])
            elif kind == "unit" and x["e"] != "Registered":
                self._rejudge_unit(page, ctx, sid, x["rec"])
        page.flush_pending(ctx)
        page.flush()
        if len(self._registry) > REGISTRY_ROWS:
            self._registry.clear()
        self._registry_at = items[-1].position if items else base

    @staticmethod
    def _rejudge_officer(page: Page, ctx: ProjectionContext, oid: str, x: Entry, now: str) -> None:
        """Acts whose certificate state this officer event changed are judged again."""
        since = affected_from(x)
        if since is None:
            return
        changed: dict[tuple[str, str], set[int]] = {}
        for a in page.officer_acts(oid, since):
            status = act_status(ctx, oid, a["at"])
            if status != a["status"]:
                changed.setdefault((a["subject_kind"], a["subject_id"]), set()).add(a["version"])
                key = (oid, a["subject_id"], a["version"])
                if key in page.new_acts:
                    page.new_acts[key][_STATUS] = status
                else:
                    page.act_status.append({"o": oid, "s": a["subject_id"], "v": a["version"], "status": status})
        page.preload(changed)
        for (kind, sid), versions in sorted(changed.items()):
            doc = page.get(kind, sid)
            if doc is not None:
                page.judge(kind, sid, doc, using(kind, "officers"), ctx, max(now, doc["rec"]), only=frozenset(versions))

    @staticmethod
    def _rejudge_unit(page: Page, ctx: ProjectionContext, uid: str, now: str) -> None:
        """The bodies that read the unit (its banks, its enforcement power) judge its cases and
        fines again (a unit's events are rare: registration, powers, banks)."""
        for kind in ("case", "fine"):
            selected = using(kind, "unit")
            if not selected:
                continue
            ids = [
                r[0] for r in page.conn.execute(select(facts.c.id).where(facts.c.kind == kind, facts.c.unit_id == uid))
            ]
            ids += [sid for (k, sid), d in page.docs.items() if k == kind and d is not None and d.get("unit_id") == uid]
            page.preload((kind, sid) for sid in ids)
            for sid in sorted(set(ids)):
                doc = page.get(kind, sid)
                if doc is not None:
                    page.judge(kind, sid, doc, selected, ctx, max(now, doc["rec"]))


def affected_from(x: Entry) -> str | None:
    """The earliest instant at which this officer event can change the certificate's state
    (``certificate_state`` reads a certificate from its ``valid_from``, a validation from its
    day, a status change from its instant); "" for any instant, None for none (an exam or a
    training changes no certificate)."""
    name = x["e"]
    if name in ("ExamTaken", "TrainingRecorded"):
        return None
    if name == "CertificateIssued":
        return str(x["valid_from"])
    if name == "CertificateValidated":
        return str(x["on"])
    if name in ("CertificateSuspended", "CertificateReinstated", "QualificationRevoked"):
        return str(x["at"])
    return ""


def ledger_row(fine_id: str, f: Facts, now: str) -> dict[str, Any]:
    """The fine's money from ``now`` on (see ``audit_tables.ledger``)."""
    from datetime import date

    led = fine_ledger(f, date.max)
    anchor, milli, rate = line(f)
    due = f["due"]["due_on"] if f["due"] else None
    deferral = (f.get("deferral") or {}).get("until")
    last_day = max(due, deferral) if due and deferral else due
    at_bank = sum(int(p["amount_fen"]) for p in f["payments"]) + sum(
        int(c["amount_fen"]) for c in f["cash"] if c["deposited"]
    )
    return {
        "fine_id": fine_id,
        "from_at": now,
        "to_at": None,
        "unit_id": f["unit_id"],
        "case_id": f["case_id"],
        "decision_no": f["decision_no"],
        "bank": f["bank"],
        "amount_fen": led.amount_fen,
        "principal_paid_fen": led.principal_paid_fen,
        "surcharge_paid_fen": led.surcharge_paid_fen,
        "outstanding_fen": led.outstanding_fen,
        "refund_fen": led.refund_fen,
        "void": int(led.void),
        "due_on": last_day,
        "due_day": date.fromisoformat(last_day).toordinal() if last_day else None,
        "anchor_day": anchor.toordinal(),
        "accrued_milli": milli,
        "rate_milli": rate,
        "cash_pending_fen": sum(int(c["amount_fen"]) for c in f["cash"] if not c["deposited"]),
        "at_bank_fen": at_bank,
        "remitted_fen": sum(int(r["amount_fen"]) for r in f["remittances"]),
    }
