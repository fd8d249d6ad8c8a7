"""The audit projection's tables.

- ``facts``: each aggregate's facts (``domain/facts.py``), as the aggregate itself holds them,
  and what each rule body last answered about it (``found``).
- ``findings``: every finding as an interval of time: it holds from ``since`` until ``until``
  (null: still). ``since`` is when it became known or, for a deadline, when the deadline passed,
  whichever is later; ``until`` is when it stopped holding, as known then. So "the findings as
  of T" is ``since <= T < until``: one index range, at any ``as_of``, the same after a rebuild.
- ``acts``: every act of every officer (case, fine and inspection acts), with the certificate's
  state at that instant, so a later event in the officer's history re-judges exactly the acts
  it changes, and an officer's acts are one index range.

Times are facts times (ISO 8601 in China time, ``+08:00``), which compare as strings.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text  # noqa: F401

#: bump when stored facts or findings change shape or meaning: the new version is built beside
#: the old one and takes over when it reaches the head (projections/runner.py)
VERSION = 3
metadata = MetaData()

facts = Table(
    f"p_audit_v{VERSION}_facts",
    metadata,
    Column("kind", String(12), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("unit_id", String(36)),
    Column("case_id", String(36)),
    Column("facts", Text, nullable=False),
    Column("found", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Index(f"ix_audit_v{VERSION}_facts_unit", "kind", "unit_id"),
)

findings = Table(
    f"p_audit_v{VERSION}_findings",
    metadata,
    Column("subject_id", String(36), primary_key=True),
    Column("fkey", String(24), primary_key=True),
    Column("subject_kind", String(12), nullable=False),
    Column("rule", String(8), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("case_id", String(36)),
    Column("inspection_id", String(36)),
    Column("unit_id", String(36), nullable=False),
    Column("officer_id", String(36)),
    Column("message", Text, nullable=False),
    Column("events", Text, nullable=False),
    Column("since", String(40), primary_key=True),
    Column("until", String(40)),
    # pages run in the order findings became known: (since, subject_id, fkey) is unique
    Index(f"ix_audit_v{VERSION}_findings_since", "since", "subject_id", "fkey"),
    Index(f"ix_audit_v{VERSION}_findings_rule", "rule", "since", "subject_id", "fkey"),
    Index(f"ix_audit_v{VERSION}_findings_unit", "unit_id", "since", "subject_id", "fkey"),
    Index(f"ix_audit_v{VERSION}_findings_unit_rule", "unit_id", "rule", "since", "subject_id", "fkey"),
    Index(f"ix_audit_v{VERSION}_findings_officer", "officer_id", "since", "subject_id", "fkey"),
    Index(f"ix_audit_v{VERSION}_findings_severity", "severity", "since", "subject_id", "fkey"),
    Index(f"ix_audit_v{VERSION}_findings_case", "case_id", "since"),
    # the next moment a finding ends (the counts as of now hold until then: reports/findings.py)
    Index(f"ix_audit_v{VERSION}_findings_until", "until"),
)

acts = Table(
    f"p_audit_v{VERSION}_acts",
    metadata,
    Column("officer_id", String(36), primary_key=True),
    Column("subject_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("subject_kind", String(12), nullable=False),
    Column("case_id", String(36)),
    Column("unit_id", String(36), nullable=False),
    Column("what", String(60), nullable=False),
    Column("label", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("rec", String(40), nullable=False),
    Column("status", String(12), nullable=False),
    Index(f"ix_audit_v{VERSION}_acts_officer_at", "officer_id", "at", "subject_id", "version"),
)

#: the public disclosure list (G5: redacted rows only), one row per disclosed decision, written
#: when a disclosure, a withdrawal or a change of the decision is folded
disclosures = Table(
    f"p_audit_v{VERSION}_disclosures",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("unit_id", String(36), nullable=False),
    Column("published_at", String(40), nullable=False),
    Column("withdrawn_at", String(40)),
    Column("stop_at", String(40)),
    Column("item", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Index(f"ix_audit_v{VERSION}_disclosures_published", "published_at", "case_id"),
)

#: each fine's money from a moment on (``from_at`` ≤ T < ``to_at``): what was decided, paid and
#: remitted then, and the surcharge as a line from its anchor day, so a unit's totals as of any
#: moment are one SQL aggregate (the surcharge at day d is min(amount, (accrued_milli +
#: rate_milli · max(0, d − anchor_day)) / 1000))
ledger = Table(
    f"p_audit_v{VERSION}_ledger",
    metadata,
    Column("fine_id", String(36), primary_key=True),
    Column("from_at", String(40), primary_key=True),
    Column("to_at", String(40)),
    Column("unit_id", String(36), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("decision_no", String(200), nullable=False),
    Column("bank", String(100), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("principal_paid_fen", BigInteger, nullable=False),
    Column("surcharge_paid_fen", BigInteger, nullable=False),
    Column("outstanding_fen", BigInteger, nullable=False),
    Column("refund_fen", BigInteger, nullable=False),
    Column("void", Integer, nullable=False),
    Column("due_on", String(10)),
    Column("due_day", Integer),  # the due date's ordinal (overdue: due_day < today)
    Column("anchor_day", Integer, nullable=False),
    Column("accrued_milli", BigInteger, nullable=False),
    Column("rate_milli", BigInteger, nullable=False),
    Column("cash_pending_fen", BigInteger, nullable=False),
    Column("at_bank_fen", BigInteger, nullable=False),
    Column("remitted_fen", BigInteger, nullable=False),
    Index(f"ix_audit_v{VERSION}_ledger_unit", "unit_id", "fine_id", "from_at"),
    # the rows valid as of T are those with ``to_at`` null or later than T: the unit totals read
    # them through this index (a bitmap of the two ranges) instead of every row of every fine's
    # history (about four rows a fine; at 1M events 37k current rows of 143k)
    Index(f"ix_audit_v{VERSION}_ledger_to", "to_at"),
)
# the current rows only (``to_at`` null: a fine as it stands), by fine and by unit: a page of
# fines as of now reads these instead of every row of every fine's history (reports/fines.py)
Index(
    f"ix_audit_v{VERSION}_ledger_current",
    ledger.c.fine_id,
    postgresql_where=ledger.c.to_at.is_(None),
    sqlite_where=ledger.c.to_at.is_(None),
)
Index(
    f"ix_audit_v{VERSION}_ledger_unit_current",
    ledger.c.unit_id,
    ledger.c.fine_id,
    postgresql_where=ledger.c.to_at.is_(None),
    sqlite_where=ledger.c.to_at.is_(None),
)

#: each closed case's file score (案卷评查, RULES.md K) from a moment on
scores = Table(
    f"p_audit_v{VERSION}_scores",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("from_at", String(40), primary_key=True),
    Column("to_at", String(40)),
    Column("unit_id", String(36), nullable=False),
    Column("case_no", String(200), nullable=False),
    Column("total", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("score", Text, nullable=False),
    Index(f"ix_audit_v{VERSION}_scores_unit", "unit_id", "case_id", "from_at"),
    # the next moment a score row starts or ends (the unit totals as of now hold until then)
    Index(f"ix_audit_v{VERSION}_scores_from", "from_at"),
    Index(f"ix_audit_v{VERSION}_scores_to", "to_at"),
)
