"""Money: ``Decimal`` with two places, quantized in exactly one helper (R-40)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    """Any number-ish value (Decimal, int, str, Excel float) → Decimal with two places, half up.

    Floats from Excel cells go through ``str`` first so 1000.1 stays 1000.10, never 1000.0999….
    Raises ``InvalidOperation`` for something that is not a number.
    """
    if value is None or value == "":
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("，", "")
    result = Decimal(value)
    if not result.is_finite():
        raise InvalidOperation(value)
    return result.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value) -> str:
    """The API/Excel text form: ``"1000.00"``."""
    return f"{money(value):.2f}"
