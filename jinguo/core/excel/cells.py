"""Cell values as users type them: headers, column letters and the parsers of each column kind.

Every parser takes what calamine hands over (str, float, int, bool, date, datetime or None) and returns a plain
value, or raises CellError with a message shown to the user.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d")
_HEADER_MARKS = re.compile(r"[*＊]|[（(]必填[)）]|\s+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}\b)")
EXCEL_EPOCH = dt.date(1899, 12, 30)


_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


def normalize_header(text: Any) -> str:
    """'活动名称*', ' 活动名称（必填）' and '活动名称' are the same header; full-width brackets, digits and spaces
    become half-width (NFKC) and spaces and line breaks go."""
    return _HEADER_MARKS.sub("", unicodedata.normalize("NFKC", str(text or ""))).rstrip(":：")


def without_unit(text: str) -> str:
    """A normalized header without the unit in brackets at its end: 发放资料(份) → 发放资料."""
    return _UNIT_SUFFIX.sub("", text)


def loose_header(text: Any) -> str:
    """A header with its unit in brackets and a 类/类别/类型 suffix dropped: 参与人数（人） → 参与人数,
    问题类 → 问题 (as 问题类别), 婚姻家庭类 → 婚姻家庭. Used only after the exact and synonym matches found nothing."""
    text = normalize_header(text)
    while _UNIT_SUFFIX.search(text) and len(_UNIT_SUFFIX.sub("", text)) >= 2:
        text = _UNIT_SUFFIX.sub("", text)
    for suffix in ("类别", "类型", "类"):  # 问题类别, 问题类型, 问题类 are one header; 婚姻家庭类 is 婚姻家庭
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            return text[: -len(suffix)]
    return text


def plain_value(value: Any) -> str:
    """A value as people type it into a coded column: full-width letters and digits made half-width, every space
    dropped (“ 已 办结 ” → “已办结”, “１２３３８” → “12338”)."""
    return "".join(unicodedata.normalize("NFKC", parse_text(value)).split())


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


def shown(value: Any) -> str:
    """A cell as an error quotes it: its text, TRUE/FALSE as Excel shows a logical value, a date without its
    midnight."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime) and value.time() == dt.time():  # an Excel date read as midnight
        return value.date().isoformat()
    return parse_text(value)


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def refuse_numeric_id_number(value: Any) -> None:
    """An ID number Excel stored as a number has lost its last digits (Excel keeps 15 significant digits; 18-digit
    numbers end in 000 and an X cannot be a number at all): refused with the fix, never guessed at. A 15-digit
    first-generation number survives exactly and is read as text. The error quotes what the cell holds, masked."""
    from jinguo.core.idcard import mask_id_number

    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise CellError(_("身份证号“%(value)s”被 Excel 存成了数字，请将该列设为文本格式后重新填写") % {
            "value": mask_id_number(parse_text(value))})
    if len(str(int(value))) == 15:
        return
    raise CellError(_("身份证号“%(value)s”被 Excel 存成了数字，末几位已丢失；请将该列设为文本格式后重新填写") % {
        "value": mask_id_number(str(int(value)))})


def parse_date(value: Any) -> dt.date | None:
    """Dates as offices write them: Excel dates, 2025-3-5, 2025/3/5, 2025.3.5, 2025年3月5日, 20250305 (also typed as
    a number), with full-width digits or stray spaces."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("“%(value)s”不是日期") % {"value": shown(value)})
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise CellError(_("“%(value)s”不是日期") % {"value": value})
        if value == int(value) and 19000101 <= value <= 29991231:  # 20250305 typed as a number
            return parse_date(str(int(value)))
        if 1 <= value < 2958466:  # an Excel serial number the reader did not convert
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_("“%(value)s”不是日期") % {"value": parse_text(value)})
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    if text == "":
        return None
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(_("“%(value)s”不是有效日期，请写成 2025-03-01、2025/3/1 或 2025年3月1日") % {
        "value": str(value).strip()})


def parse_decimal(value: Any, *, unit: str = "") -> Decimal | None:
    """Exact numbers: '1,000', '500份' (the column's unit), 12.5; never '1000余' or '约500'."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s”不是数字") % {"value": shown(value)})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # The shortest repr round-trips what the user typed: 0.1, not 0.1000000000000000055.
        return _plain(Decimal(repr(value)))
    text = _THOUSANDS.sub("", "".join(unicodedata.normalize("NFKC", str(value)).split()))
    if text == "":
        return None
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
    """40.0 (how Excel stores 40) is the integer 40; 12.50 stays 12.50. A number past 28 digits (1e+28, what a
    stray cell can hold) is no figure anyone keeps: refused, not a traceback."""
    try:
        return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
    except InvalidOperation:
        raise CellError(_("“%(value)s”超出可填写的数值范围") % {"value": number}) from None


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
    text = plain_value(value).lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("“%(value)s”不在可选值中，可选：是、否") % {"value": shown(value)})

