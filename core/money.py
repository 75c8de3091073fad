"""Money: ``Decimal`` with two places, quantized in exactly one helper (R-40)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import DecimalField, Sum

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


class MoneyOutput(DecimalField):
    """The output field of money computed in SQL (sums, CASE, subqueries): PostgreSQL's numeric keeps its
    scale, SQLite's REAL/integer does not (``SUM`` of 580.00 + 580.00 comes back as ``1160``), so every
    value read back is quantized to two places here, on both databases."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else money(value)


def MoneySum(expression, **extra) -> Sum:  # noqa: N802 - reads like the aggregate it builds
    """``Sum`` of a money column or expression, Decimal with two places on every database."""
    return Sum(expression, output_field=MoneyOutput(), **extra)
