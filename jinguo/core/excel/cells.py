"""Cell values as users type them: headers, column letters and the parsers of each column kind.

Every parser takes what calamine hands over (str, float, int, bool, date, datetime or None) and returns a plain
value, or raises CellError with a message shown to the user.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d")
_HEADER_MARKS = re.compile(r"[*＊]|[（(]必填[)）]|\s+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}\b)")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def normalize_header(text: Any) -> str:
    """'活动名称*', ' 活动名称（必填）' and '活动名称' are the same header; full-width brackets become half-width."""
    text = _HEADER_MARKS.sub("", str(text or ""))
    return text.replace("（", "(").replace("）", ")")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- Cell parsing ----------------------------------------------------------------------------------------------
class CellError(ValueError):
    """A value that cannot be read as its column's kind; the message is shown to the user."""


def parse_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # calamine reads 13800000000 as 13800000000.0
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # an Excel serial number the reader did not convert
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_("“%(value)s”不是日期") % {"value": parse_text(value)})
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s”不是有效日期，请写成 2025-03-01、2025/3/1 或 2025年3月1日") % {"value": text})


def parse_decimal(value: Any, *, unit: str = "") -> Decimal | None:
    """Exact numbers: '1,000', '500份' (the column's unit), 12.5; never '1000余' or '约500'."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为数字"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # The shortest repr round-trips what the user typed: 0.1, not 0.1000000000000000055.
        return _plain(Decimal(repr(value)))
    text = _THOUSANDS.sub("", str(value).strip())
    if unit and text.endswith(unit):
        text = text[: -len(unit)].strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s”不是确切的数字（请填写阿拉伯数字，不要写“余”“约”“近”等）")
                        % {"value": str(value).strip()}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s”不是确切的数字") % {"value": str(value).strip()})
    return _plain(number)


def _plain(number: Decimal) -> Decimal:
    """40.0 (how Excel stores 40) is the integer 40; 12.50 stays 12.50."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def parse_int(value: Any, *, unit: str = "") -> int | None:
    number = parse_decimal(value, unit=unit)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("应为整数，“%(value)s”带有小数") % {"value": parse_text(value)})
    return int(number)


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗"}


def parse_bool(value: Any) -> bool | None:
    text = parse_text(value).lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("应填“是”或“否”"))

