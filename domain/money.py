"""Money: integer fen (分) inside, decimal-string yuan outside."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import InvalidInputError


def yuan_to_fen(value: str | int | Decimal, field: str = "amount") -> int:
    """Parse a yuan amount with at most 2 decimals into fen; refuse anything else."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidInputError(field, 'give money as a decimal string of yuan, e.g. "1500.00"')
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInputError(field, f"not a decimal amount: {value!r}") from None
    if not d.is_finite():
        raise InvalidInputError(field, "not a finite amount")
    if d < 0:
        raise InvalidInputError(field, "must not be negative")
    fen = d * 100
    if fen != fen.to_integral_value():
        raise InvalidInputError(field, "at most 2 decimals")
    if fen > 10**15:
        raise InvalidInputError(field, "amount too large")
    return int(fen)


#: yuan strings already formatted: reports write the same few amounts (0.00 above all) many
#: times over; bounded, so a store of many distinct amounts costs at most this many entries
_YUAN: dict[int, str] = {}
_YUAN_MAX = 65_536


def fen_to_yuan(fen: int) -> str:
    s = _YUAN.get(fen)
    if s is not None:
        return s
    if fen >= 0:
        y, f = divmod(fen, 100)
        s = f"{y}.{f:02d}"
    else:
        y, f = divmod(-fen, 100)
        s = f"-{y}.{f:02d}"
    if len(_YUAN) < _YUAN_MAX:
        _YUAN[fen] = s
    return s
