"""The shape every rule body has, and the two ways it is used.

A body is a pure function of one subject's facts (a case, a fine, an officer or an inspection;
``domain/facts.py``) and a :class:`Context` (other aggregates' facts), answering the breaches
it sees as :class:`Finding` objects. It never reads the clock: a finding that depends on time
says from when (``since``) and until when (``until``) it holds, so a report as of any moment is
a filter, and the same history gives the same answer at every ``as_of``.

- The **gate** (:func:`gate`) folds the proposed event into a copy of the facts, runs the gate
  bodies that read that event, and refuses with the first finding that names the new event.
- The **audit** (:func:`judge`) runs the bodies over recorded or imported facts, after each
  event that a body reads, and keeps what they answer.

Gate bodies judge each event against what came before it (entries of lower version), so the
audit of a gated history finds nothing the gate would have refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..certificates import CertState, certificate_state
from ..errors import RuleViolation
from ..facts import FOLDS, Entry, Facts
from ..rules import RULES

CALENDAR_NOTE = " (working days approximated as Monday–Friday: a date lies outside the official holiday calendar)"


@dataclass(frozen=True, slots=True)
class Finding:
    """One breach a body sees. ``events`` are versions of the subject's aggregate. ``since`` and
    ``until`` (facts times) bound when it holds; ``since`` None: from when its events were
    recorded. ``approx``: a working-day count left the official calendar."""

    rule: str
    message: str
    events: tuple[int, ...]
    officer_id: str | None = None
    since: str | None = None
    until: str | None = None
    severity: str | None = None
    approx: bool = False

    @property
    def text(self) -> str:
        return self.message + (CALENDAR_NOTE if self.approx else "")

    @property
    def level(self) -> str:
        return self.severity or RULES[self.rule].severity

    def key(self) -> str:
        """What makes two answers the same finding (a changed message or period is a new one)."""
        return "\x1f".join(
            (
                self.rule,
                self.text,
                ",".join(map(str, self.events)),
                self.officer_id or "",
                self.since or "",
                self.until or "",
                self.level,
            )
        )


Body = Callable[..., Iterable[Finding]]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per registration
class RuleBody:
    rule: str
    subject: str
    fn: Body
    reads: frozenset[str] | None  # event names whose folding can change the answer; None: every event
    context: frozenset[str] = field(default_factory=frozenset)  # "officers", "unit", "benchmark", "case"
    #: events each judged on their own (a finding's first event is the entry judged): after
    #: one of them only that entry is judged again; the body takes ``only`` (versions)
    entries: frozenset[str] = field(default_factory=frozenset)

    name: str = ""  # "<rule>:<function>": set on creation

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"{self.rule}:{self.fn.__name__}")
        object.__setattr__(self, "_every", "*" in self.entries)

    def per_entry(self, event_name: str) -> bool:
        return self._every or event_name in self.entries  # type: ignore[attr-defined]

    def run(self, facts: Facts, ctx: Context, only: frozenset[int] | None = None) -> list[Finding]:
        """The body's findings of its own rule (of the entries ``only`` names, if given)."""
        found = self.fn(facts, ctx, only=only) if self.entries else self.fn(facts, ctx)
        return [fd for fd in found if fd.rule == self.rule]


BODIES: list[RuleBody] = []
SUBJECTS = ("case", "fine", "officer", "inspection")


def rule(
    rule_id: str,
    subject: str,
    *,
    reads: Iterable[str] | None,
    context: Iterable[str] = (),
    entries: Iterable[str] = (),
) -> Callable[[Body], Body]:
    """Register a rule body. ``reads``: the events after which it is run again (None: all).
    ``entries``: events the body judges each on its own (it then takes ``only``, the versions
    to judge, and the first event of each finding is the entry it judges); ``("*",)``: every
    event. A function may be registered for several rules; each registration answers its own
    rule's findings only."""
    if rule_id not in RULES:
        raise KeyError(f"no rule {rule_id} in RULES.md")
    if subject not in SUBJECTS:
        raise ValueError(subject)

    def register(fn: Body) -> Body:
        BODIES.append(
            RuleBody(
                rule_id,
                subject,
                fn,
                frozenset(reads) if reads is not None else None,
                frozenset(context),
                frozenset(entries),
            )
        )
        _BY_EVENT.clear()
        return fn

    return register


_BY_EVENT: dict[tuple[str, str], list[RuleBody]] = {}


def bodies(subject: str, event_name: str | None = None, *, gate_only: bool = False) -> list[RuleBody]:
    """The bodies of a subject that read ``event_name`` (all of them if None)."""
    key = (subject, (event_name or "") + ("!" if gate_only else ""))
    found = _BY_EVENT.get(key)
    if found is None:
        found = [
            b
            for b in BODIES
            if b.subject == subject
            and (event_name is None or b.reads is None or event_name in b.reads)
            and (not gate_only or RULES[b.rule].kind == "gate")
        ]
        _BY_EVENT[key] = found
    return found


def using(subject: str, context: str) -> list[RuleBody]:
    """The bodies of a subject that read a kind of context (to re-judge when it changes)."""
    return [b for b in BODIES if b.subject == subject and context in b.context]


class Context:
    """What a body may read besides its subject's facts. The application answers from its
    aggregates; the audit projection from the facts it folded so far, in log order."""

    def __init__(self) -> None:
        self._certs: dict[tuple[str, int, str], CertState | None] = {}
        self._change_days: dict[tuple[str, int], frozenset[str]] = {}
        self._memo: dict[tuple[Any, ...], Any] = {}
        #: acting officers as an instant found them (``officers.officer_at``), by officer version
        self.seen: dict[tuple[Any, ...], Any] = {}

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A value the bodies share while they judge one subject once (e.g. its acts and their
        officers); ``forget`` before the next judgement."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def forget(self) -> None:
        self._memo.clear()

    def officer(self, officer_id: str) -> Facts | None:
        return None

    def unit(self, unit_id: str) -> Facts | None:
        return None

    def benchmark(self, matter_code: str) -> Facts | None:
        return None

    def case(self, case_id: str) -> Facts | None:
        return None

    def instant(self, officer_id: str, o: Facts, at: str) -> str:
        """``at`` as the certificate tells instants apart: its day, unless the certificate
        changed within that day (a suspension, reinstatement or revocation)."""
        v = int(o.get("v", 0))
        days = self._change_days.get((officer_id, v))
        if days is None:
            days = self._change_days[(officer_id, v)] = frozenset(c["at"][:10] for c in o["status_changes"])
        return at if at[:10] in days else at[:10]

    def cert(self, officer_id: str, at: str) -> CertState | None:
        """The officer's certificate at instant ``at``; None if the officer is unknown. A
        certificate changes within a day only at a suspension, reinstatement or revocation, so
        other days are judged once."""
        o = self.officer(officer_id)
        if o is None:
            return None
        key = (officer_id, int(o.get("v", 0)), self.instant(officer_id, o, at))
        if key not in self._certs:
            if len(self._certs) > 65536:
                self._certs.clear()
            self._certs[key] = certificate_state(o, at)
        return self._certs[key]


NO_CONTEXT = Context()


def judge(
    subject: str, facts: Facts, ctx: Context, selected: Iterable[RuleBody] | None = None
) -> dict[str, list[Finding]]:
    """Every selected body's answer over the facts, by body name."""
    out: dict[str, list[Finding]] = {}
    ctx.forget()
    for b in bodies(subject) if selected is None else selected:
        found = b.run(facts, ctx)
        if found:
            out[b.name] = found
    return out


def findings(subject: str, facts: Facts, ctx: Context) -> list[Finding]:
    return [fd for found in judge(subject, facts, ctx).values() for fd in found]


def copy(facts: Facts | None) -> Facts | None:
    return None if facts is None else orjson.loads(orjson.dumps(facts))


def gate(subject: str, facts: Facts | None, x: Entry, ctx: Context) -> None:
    """Refuse the event ``x`` if a gate body finds a breach that names it (nothing recorded)."""
    selected = bodies(subject, x["e"], gate_only=True)
    if not selected:
        return
    after = FOLDS[subject](copy(facts), x)
    if after is None:
        return
    only = frozenset({x["v"]})
    ctx.forget()
    breaches = [
        (fd.rule, fd.text)
        for b in selected
        for fd in b.run(after, ctx, only if b.per_entry(x["e"]) else None)
        if x["v"] in fd.events
    ]
    if breaches:
        raise RuleViolation(*breaches[0], also=list(dict.fromkeys(breaches)))


# ------------------------------------------------------------------ helpers shared by bodies
def chosen(items: Iterable[dict[str, Any]], only: frozenset[int] | None) -> Iterable[dict[str, Any]]:
    """The entries a body judges: all, or those of the versions ``only`` names."""
    return items if only is None else (i for i in items if i["v"] in only)


def before(items: Iterable[dict[str, Any]], v: int) -> list[dict[str, Any]]:
    """The entries recorded before version ``v`` of the aggregate (what a gate saw)."""
    return [i for i in items if i["v"] < v]


def fen(penalties: list[dict[str, Any]] | None, kind: str = "fine") -> int:
    return sum(int(p.get("amount_fen") or 0) for p in penalties or [] if p.get("type") == kind)
