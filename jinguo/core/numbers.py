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


def shares(counts: list[int], places: int = 1) -> list[Decimal]:
    """Percentages of `counts` that add up to exactly 100 at `places` decimals (largest remainder).

    They are computed from the very counts that are printed, so "52件次，占60.5%" is always consistent.
    """
    total = sum(counts)
    if total == 0:
        return [Decimal(0) for _ in counts]
    unit = Decimal(1).scaleb(-places)
    raw = [Decimal(c) * 100 / total for c in counts]
    floors = [r.quantize(unit, rounding="ROUND_FLOOR") for r in raw]
    missing = int(((Decimal(100) - sum(floors)) / unit).to_integral_value())
    order = sorted(range(len(counts)), key=lambda i: (raw[i] - floors[i], counts[i]), reverse=True)
    for i in order[:missing]:
        floors[i] += unit
    return floors


def percent(value: Decimal, places: int = 1) -> str:
    """60.5 → '60.5%'; with places=0, 60 → '60%'."""
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"
