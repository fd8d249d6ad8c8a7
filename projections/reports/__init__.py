"""Read queries over the read tables (SQL-first, shaped by the question asked). Every list is
one index range with a keyset cursor; unit totals are SQL aggregates; as of any moment."""

from __future__ import annotations

from .cases import case_audit, list_cases, load, officer_names, officers_of, units
from .csv import stream, stream_values, to_csv
from .disclosures import public_disclosures
from .findings import COLUMNS as FINDING_COLUMNS
from .findings import CSV_TEXT as FINDING_CSV_TEXT
from .findings import counts_by_month, counts_by_rule, findings_all, findings_page, findings_values
from .fines import CSV_JSON as FINE_CSV_JSON
from .fines import CSV_TEXT as FINE_CSV_TEXT
from .fines import (
    FINE_COLUMNS,
    SEPARATION_RULES,
    SHOW,
    fines_all,
    fines_page,
    fines_report,
    fines_values,
    unit_totals,
)
from .officers import COLUMNS as OFFICER_COLUMNS
from .officers import officer_acts_page, officers_page
from .scores import scorecard_report

__all__ = [
    "FINDING_COLUMNS",
    "FINDING_CSV_TEXT",
    "FINE_CSV_JSON",
    "FINE_CSV_TEXT",
    "FINE_COLUMNS",
    "OFFICER_COLUMNS",
    "SEPARATION_RULES",
    "SHOW",
    "case_audit",
    "counts_by_month",
    "counts_by_rule",
    "findings_all",
    "findings_page",
    "findings_values",
    "fines_all",
    "fines_page",
    "fines_report",
    "fines_values",
    "list_cases",
    "load",
    "officer_names",
    "officers_of",
    "officer_acts_page",
    "officers_page",
    "public_disclosures",
    "scorecard_report",
    "stream",
    "stream_values",
    "to_csv",
    "unit_totals",
    "units",
]
