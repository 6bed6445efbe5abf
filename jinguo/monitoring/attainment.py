"""Target attainment for a unit and year, and the 监测评估报告 (.docx, GB/T 9704 layout)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jinguo.core import gbt9704
from jinguo.core.numbers import percent, with_unit
from jinguo.monitoring.models import Indicator
from jinguo.monitoring.services import check_unit, rollup


@dataclass
class Row:
    indicator: Indicator
    value: Decimal | None
    attained: bool | None
    note: str
    trend: list[tuple[int, Decimal | None]]


def attainment(org, year: int, *, years_back: int = 3) -> list[Row]:
    rows = []
    for indicator in Indicator.objects.exclude(target=None).select_related("numerator", "denominator"):
        rolled = rollup(org, str(year), indicator)
        trend = [(y, rollup(org, str(y), indicator).value) for y in range(year - years_back, year + 1)]
        rows.append(Row(indicator, rolled.value, indicator.attained(rolled.value), rolled.note, trend))
    return rows


def report(org, year: int) -> bytes:
    rows = attainment(org, year)
    blocks = [gbt9704.Block("title", f"{org.name}{year}年妇女儿童发展纲要监测评估报告")]
    with_data = [r for r in rows if r.attained is not None]
    met = [r for r in with_data if r.attained]
    rate = f"，达标率{percent(Decimal(len(met)) * 100 / len(with_data), 1)}" if with_data else ""
    blocks.append(gbt9704.Block("para", f"{year}年，纳入监测的有目标值指标{len(rows)}项，"
                                        f"其中可监测{len(with_data)}项，达标{len(met)}项{rate}。"))
    blocks.append(gbt9704.Block("h1", "一、分领域达标情况"))
    domains: dict[str, list[Row]] = {}
    for row in rows:
        domains.setdefault(f"{row.indicator.get_outline_display()}·{row.indicator.domain}", []).append(row)
    for domain, items in domains.items():
        measured = [r for r in items if r.attained is not None]
        blocks.append(gbt9704.Block("para", f"{domain}：监测指标{len(items)}项，可监测{len(measured)}项，"
                                            f"达标{sum(1 for r in measured if r.attained)}项。"))
    behind = [r for r in with_data if not r.attained]
    if behind:
        blocks.append(gbt9704.Block("h1", "二、未达标指标"))
        for index, row in enumerate(behind, start=1):
            sign = row.indicator.get_direction_display()
            unit = row.indicator.unit
            blocks.append(gbt9704.Block("para", f"{index}. {row.indicator.name}{with_unit(row.value, unit)}，"
                                                f"目标{sign}{with_unit(row.indicator.target, unit)}。"))
    problems = check_unit(org, str(year))
    if problems:
        blocks.append(gbt9704.Block("h1", f"{'三' if behind else '二'}、尚待核实的数据问题"))
        for index, violation in enumerate(problems, start=1):
            blocks.append(gbt9704.Block("para", f"{index}. {violation}"))
    return gbt9704.build(blocks)
