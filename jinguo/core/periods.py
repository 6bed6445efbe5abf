"""Reporting periods as values: 2025 (year), 2025H1/2025H2 (half-years), 2025Q1…Q4, 2025M03 (month).

Parsed in one place; everything else asks a Period for its dates, label and the same period a year earlier.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[HQM])(?P<n>\d{1,2}))?$")
_SPAN = {"Y": 12, "H": 6, "Q": 3, "M": 1}
_COUNT = {"H": 2, "Q": 4, "M": 12}
# Years a statistics period may name: the records start long after 1900, and the year before and after any period
# (comparisons, "next half-year") must still be a calendar date.
FIRST_YEAR, LAST_YEAR = 1900, 2099


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str = "Y"  # Y | H | Q | M
    number: int = 1

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(str(text).strip().upper())
        if not match:
            raise ValueError(_("“%(text)s”不是有效的统计期，应写成 2025、2025H1、2025Q3 或 2025M03") % {"text": text})
        year, kind, number = int(match["year"]), match["kind"] or "Y", int(match["n"] or 1)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(_("“%(text)s”不是有效的统计期：年份应在%(first)d至%(last)d之间") % {
                "text": text, "first": FIRST_YEAR, "last": LAST_YEAR})
        if kind != "Y" and not 1 <= number <= _COUNT[kind]:
            raise ValueError(_("“%(text)s”不是有效的统计期") % {"text": text})
        return cls(year, kind, number)

    @classmethod
    def containing(cls, day: dt.date, kind: str = "Y") -> Period:
        number = 1 if kind == "Y" else (day.month - 1) // _SPAN[kind] + 1
        return cls(day.year, kind, number)

    def __str__(self) -> str:
        if self.kind == "Y":
            return str(self.year)
        number = f"{self.number:02d}" if self.kind == "M" else str(self.number)
        return f"{self.year}{self.kind}{number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.number - 1) * _SPAN[self.kind] + 1, 1)

    @property
    def end(self) -> dt.date:
        month = self.number * _SPAN[self.kind] if self.kind != "Y" else 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        """上半年 / 第三季度 / 3月 / 全年, as prose uses it: '2025年上半年'."""
        if self.kind == "Y":
            return _("%(y)d年") % {"y": self.year}
        if self.kind == "H":
            return _("%(y)d年上半年") % {"y": self.year} if self.number == 1 else _("%(y)d年下半年") % {"y": self.year}
        if self.kind == "Q":
            return _("%(y)d年第%(q)s季度") % {"y": self.year, "q": "一二三四"[self.number - 1]}
        return _("%(y)d年%(m)d月") % {"y": self.year, "m": self.number}

    def year_earlier(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)

    def next(self) -> Period:
        if self.kind == "Y":
            return Period(self.year + 1)
        if self.number == _COUNT[self.kind]:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.number + 1)

    def months(self, until: dt.date | None = None) -> list[tuple[str, str]]:
        """("YYYY-MM", "3月") for every month of the period, up to the month of `until` when given: charts and
        tables show a month without records as 0 instead of leaving it out."""
        last = self.end if until is None else min(self.end, until)
        out, day, label = [], self.start, _("%(m)d月")  # translated once, not once a month
        while day <= last:
            out.append((f"{day.year:04d}-{day.month:02d}", label % {"m": day.month}))
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def month_key(value: dt.date | dt.datetime | str) -> str:
    """"YYYY-MM" of a month as the database returns a month (TruncMonth): a date, a datetime or a string."""
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]
