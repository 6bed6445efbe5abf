"""Numbers in Chinese prose and tables: one module for 件次/人次/份/元/万元, percentages and rounded style."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def plain_number(value) -> str:
    """12 → '12', Decimal('500.00') → '500', Decimal('1234.50') → '1234.5', with no thousands separators
    (Chinese official prose writes 12000, not 12,000)."""
    if value is None:
        return ""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def money(value) -> str:
    """Yuan with two decimals when there are fen: 1200 → '1200', 1200.5 → '1200.50'."""
    number = Decimal(value or 0)
    if number == number.to_integral_value():
        return str(int(number))
    return str(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
