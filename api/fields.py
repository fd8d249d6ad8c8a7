"""Field types shared by the request schemas."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from domain.base import normalise_identifier


def _identifier(value: Any) -> Any:
    return normalise_identifier(value) if isinstance(value, str) else value


#: An identifier users already have (case, decision, receipt, voucher and certificate numbers,
#: unit codes, inspection tasks): stored and compared after NFKC, zero-width removal and
#: trimming, so "Ｃ-１", "C-1 " and "C\u200b-1" are the same number. Letter case is significant.
Identifier = Annotated[
    str,
    BeforeValidator(_identifier),
    Field(
        min_length=1,
        max_length=100,
        description="compared after Unicode NFKC, removal of zero-width characters and trimming",
    ),
]
#: The same, where a blank number is for the gate to refuse with its rule (D5: an on-the-spot
#: collection issues a numbered finance receipt; D10: a bank payment carries its receipt number).
GatedIdentifier = Annotated[
    str,
    BeforeValidator(_identifier),
    Field(max_length=100, description="compared after Unicode NFKC, removal of zero-width characters and trimming"),
]
