"""The rule bodies of RULES.md: one pure function per rule over one fact model, shared by the
gate (before anything is recorded) and the audit (over recorded or imported histories).

``grep '"C8"' domain/rulebook`` finds a rule's body; its constants, severity and citation are
in ``domain/rules.py``. See :mod:`domain.rulebook.core` for the shape of a body.
"""

from __future__ import annotations

from . import disclosure, enforcement, fines, officers, oversight, procedure, record, transfer  # noqa: F401 (registers)
from .core import BODIES, NO_CONTEXT, Context, Finding, RuleBody, bodies, findings, gate, judge, using
from .officers import acting
from .record import stages

__all__ = [
    "BODIES",
    "NO_CONTEXT",
    "Context",
    "Finding",
    "RuleBody",
    "acting",
    "bodies",
    "findings",
    "gate",
    "judge",
    "stages",
    "using",
]
