"""Numbers in Chinese prose and tables: one module for 件次/人次/份/元/万元, percentages and rounded style."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def plain_number(value) -> str:
    """12 → '12', Decimal('500.00') → '500', Decimal('1234.50') → '1234.5', with no thousands separators
    (Chinese official prose writes 12000, not 12,000)."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def with_unit(value, unit: str) -> str:
    """A figure with its unit as prose writes it: 12 in 1/10万 → '12/10万' (the '1/' of a per-unit is not a digit
    of the number: '121/10万' read as one hundred and twenty-one), 33.3333 → '33.33/10万', 74.8 in % → '74.8%'."""
    number = plain_number(Decimal(value).quantize(Decimal("0.01")))
    return f"{number}/{unit[2:]}" if unit.startswith("1/") else f"{number}{unit}"


def money(value) -> str:
    """Yuan with two decimals when there are fen: 1200 → '1200', 1200.5 → '1200.50'."""
    number = Decimal(value or 0)
    if number == number.to_integral_value():
        return str(int(number))
    return str(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def shares(counts: list[int], places: int = 1) -> list[Decimal]:
    """Each count's percentage of the total, rounded half up at `places` decimals: count ÷ total, as offices
    print them. Equal counts get equal shares (1 of 16 is 6.3% twice), so the printed shares may add up to 99.9
    or 100.1 — forcing them to 100 printed 6.3% and 6.2% for two equal counts.

    They are computed from the very counts that are printed, so "52件次，占60.5%" is always consistent.
    """
    total = sum(counts)
    if total == 0:
        return [Decimal(0) for _ in counts]
    unit = Decimal(1).scaleb(-places)
    return [(Decimal(c) * 100 / total).quantize(unit, rounding=ROUND_HALF_UP) for c in counts]


def percent(value: Decimal, places: int = 1) -> str:
    """60.5 → '60.5%'; with places=0, 60 → '60%'."""
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def count_text(value, unit: str, *, rounded: bool = False) -> str:
    """A count in official prose: exact by default ('850人次'); rounded style never overstates:
    '800余人次', '近3万份' (within 3% below a whole 万), '2.4万份' (floored to 0.1万)."""
    n = int(value)
    if not rounded or n < 100:
        return f"{n}{unit}"
    if n < 10000:
        floor = n // 100 * 100
        return f"{floor}{unit}" if floor == n else f"{floor}余{unit}"
    whole = -(-n // 10000)  # the next whole 万 at or above n
    if whole * 10000 > n and n >= whole * 10000 * Decimal("0.97"):
        return f"近{whole}万{unit}"
    tenths = Decimal(n // 1000) / 10
    return f"{plain_number(tenths)}万{unit}"


def money_text(value, *, rounded: bool = False) -> str:
    """Yuan in prose: '3600元', '12.5万元' (exact in 万 when it is), rounded: '12.5万余元' floors to 0.01万."""
    amount = Decimal(value or 0)
    if amount >= 10000:
        wan = amount / 10000
        if wan == wan.quantize(Decimal("0.01")):
            return f"{plain_number(wan)}万元"
        if rounded:
            return f"{plain_number(wan.quantize(Decimal('0.01'), rounding='ROUND_FLOOR'))}万余元"
    elif rounded and amount != amount.to_integral_value():
        return f"{int(amount)}余元"
    return f"{money(amount)}元"


def date_text(day, *, year: bool = False) -> str:
    """A date as offices write it in prose: '3月8日', with year=True '2025年3月8日'."""
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def date_range_text(start, end=None, *, year: bool = False) -> str:
    """A date or a span in prose, the repeated parts left out: '3月8日', '3月1日至7日', '3月28日至4月2日',
    '2024年12月30日至2025年1月2日' (across a year the years are always written)."""
    if end is None or end == start:
        return date_text(start, year=year)
    if end.year != start.year:
        return f"{date_text(start, year=True)}至{date_text(end, year=True)}"
    head = date_text(start, year=year)
    if end.month == start.month:
        return f"{head}至{end.day}日"
    return f"{head}至{end.month}月{end.day}日"


def reach_text(value, unit: str, *, rounded: bool = False, money_kind: bool = False) -> str:
    """A figure with its measure word: counts through count_text, money through money_text."""
    return money_text(value, rounded=rounded) if money_kind else count_text(value, unit, rounded=rounded)
