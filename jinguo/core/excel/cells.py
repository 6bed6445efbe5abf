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
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
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


_BRACKETED = re.compile(r"\([^()]*\)")


def rank_free(text: str) -> str:
    """A choice as written without what it says in brackets and without a 级 at its end: 县（区）级, 县级 and 县 are
    one level, 村(社区)妇联主席 and 村妇联主席 one post. `text` as `plain_value` gives it."""
    bare = _BRACKETED.sub("", text)
    return bare[:-1] if bare.endswith("级") and len(bare) > 1 else bare


_CJK_NAME = re.compile(r"[\u4e00-\u9fff·•\s]+")
NAME_FIELDS = frozenset({"name", "person_name", "chair_name"})


def squeezed_name(text: str) -> str:
    """王  芳 (two-character names spaced to line up with three-character ones, as ledgers do) is 王芳; a name in
    Latin letters keeps its spaces."""
    return "".join(text.split()) if _CJK_NAME.fullmatch(text) else text


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


_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日?")
_YEAR_MONTH = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})月?)?")
_DATE_RANGE = re.compile(r"(\d{4}[-/.年])?\d{1,2}[-/.月]\d{1,2}日?(-|—|–|~|～|至|到)+"
                         r"(\d{4}[-/.年])?(\d{1,2}[-/.月])?\d{1,2}日?")
_FIRST_SERIAL = 18264  # 1950-01-01: a smaller number in a date column is a typed figure (305 for 3月5日), not a date


def parse_date(value: Any, *, year: int | None = None) -> dt.date | None:
    """Dates as offices write them: Excel dates, 2025-3-5, 2025/3/5, 2025.3.5, 2025年3月5日, 20250305 (also typed as
    a number), with full-width digits or stray spaces; 3月5日 only when `year` says which year (the year of the
    sheet's title: 东安县妇联2025年信访台账). A date without its day (2025-03, 2025年3月) or without its year, or a
    number no office means as a date (3.5, 2025, 305) is refused with what to write, never guessed at."""
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
        if 1900 <= value < 2100:  # 2025, or 2025.3 typed as a number: a year, or a year and a month
            return parse_date(parse_text(value), year=year)
        if value == int(value) and _FIRST_SERIAL <= value < 2958466:  # an Excel serial the reader did not convert
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_("“%(value)s”不是日期，请写成 2025-03-05、2025/3/5 或 2025年3月5日") % {
            "value": parse_text(value)})
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    if text == "" or text in PLACEHOLDERS:
        return None
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    month_day = _MONTH_DAY.fullmatch(text)
    if month_day and year is not None:
        try:
            return dt.date(year, int(month_day.group(1)), int(month_day.group(2)))
        except ValueError:
            pass
    elif month_day:
        month, day = int(month_day.group(1)), int(month_day.group(2))
        raise CellError(_("“%(value)s”没有写年份：请写成完整日期，如 2025年%(month)s月%(day)s日，或在表格标题中写明"
                          "年份（如“2025年信访台账”）") % {"value": str(value).strip(), "month": month, "day": day})
    if _DATE_RANGE.fullmatch(text):  # 2025.3.5-3.8, 3月5日至8日
        raise CellError(_("“%(value)s”是一段日期，本列请只填一个日期（如开始的那天 2025-03-05），结束日期如有专门的列"
                          "请填在那一列") % {"value": str(value).strip()})
    year_month = _YEAR_MONTH.fullmatch(text.removesuffix("年"))
    if year_month and 1900 <= int(year_month.group(1)) < 2100:
        what = _("只写到了月份") if year_month.group(2) else _("只写了年份")
        raise CellError(_("“%(value)s”%(what)s，请写明哪一天，如 2025-03-05") % {
            "value": str(value).strip(), "what": what})
    raise CellError(_("“%(value)s”不是有效日期，请写成 2025-03-01、2025/3/1 或 2025年3月1日") % {
        "value": str(value).strip()})


_TEN_THOUSAND = "万"
# Other ways ledgers write a column's unit after a number: 15名 for 人, 24月 for 个月, 2025年度 for 年.
UNIT_SPELLINGS = {"人": ("名", "位"), "个月": ("月",), "年": ("年度",), "场": ("场次",)}
# What ledgers write in a cell that has nothing to say (办结日期 of an open case, a figure not kept): blank.
PLACEHOLDERS = frozenset({"/", "-", "--", "—", "——", "无", "暂无"})


def parse_decimal(value: Any, *, unit: str = "", scale: int = 1) -> Decimal | None:
    """Exact numbers: '1,000', '1,200.00', '500份' and '1200元' (the column's unit), '0.5万元' or '1.2万' (ten
    thousands), 12.5; never '1000余' or '约500'. `scale` multiplies a bare number when the file's header counts in a
    larger unit than the column (贷款金额（万元） for 贷款金额 in 元: 5 is 50000); a number written with its own unit
    (50000元, 5万元) says what it is."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s”不是数字") % {"value": shown(value)})
    if isinstance(value, int):
        return _plain(Decimal(value) * scale)
    if isinstance(value, float):
        # The shortest repr round-trips what the user typed: 0.1, not 0.1000000000000000055.
        return _plain(Decimal(repr(value)) * scale) if math.isfinite(value) else _plain(Decimal(repr(value)))
    text = _THOUSANDS.sub("", "".join(unicodedata.normalize("NFKC", str(value)).split()))
    if text == "" or text in PLACEHOLDERS:
        return None
    factor = scale
    if unit:
        for spelled in sorted((unit, *UNIT_SPELLINGS.get(unit, ())), key=len, reverse=True):
            if text.endswith(spelled):
                text, factor = text[: -len(spelled)].strip(), 1
                break
    if text.endswith(_TEN_THOUSAND) and len(text) > 1:
        text, factor = text[:-1], 10000
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s”不是确切的数字（请填写阿拉伯数字，不要写“余”“约”“近”等）")
                        % {"value": str(value).strip()}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s”不是确切的数字") % {"value": str(value).strip()})
    return _plain(number * factor)


def _plain(number: Decimal) -> Decimal:
    """40.0 (how Excel stores 40) is the integer 40; 12.50 stays 12.50. A number past 28 digits (1e+28, what a
    stray cell can hold) is no figure anyone keeps: refused, not a traceback."""
    try:
        return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
    except InvalidOperation:
        raise CellError(_("“%(value)s”超出可填写的数值范围") % {"value": number}) from None


def parse_int(value: Any, *, unit: str = "", scale: int = 1) -> int | None:
    number = parse_decimal(value, unit=unit, scale=scale)
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

