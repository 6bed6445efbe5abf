"""居民身份证号 (GB 11643-1999) and mobile-number checks, and the masks used wherever personal data is shown."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
              61, 62, 63, 64, 65, 71, 81, 82, 91}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """Validate an ID number and return it in canonical form (18 characters, upper-case X).

    Legacy 15-digit numbers get '19' inserted and their check character computed. The address prefix is not
    checked against today's division list (old codes stay valid on old cards), only the province.
    """
    text = as_typed(value).upper()
    if re.fullmatch(r"\d{15}", text):
        text = text[:6] + "19" + text[6:]
        text += check_char(text)
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValidationError(_("身份证号应为18位（最后一位可为X），“%(v)s”不符。") % {"v": value})
    if int(text[:2]) not in _PROVINCES:
        raise ValidationError(_("身份证号“%(v)s”的前两位不是有效的省级代码。") % {"v": value})
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号“%(v)s”中的出生日期无效。") % {"v": value}) from None
    if born > dt.date.today() or born.year < 1900:
        raise ValidationError(_("身份证号“%(v)s”中的出生日期无效。") % {"v": value})
    if check_char(text[:17]) != text[17]:
        raise ValidationError(_("身份证号“%(v)s”的校验位不正确，请核对。") % {"v": value})
    return text


def as_typed(value: str) -> str:
    """A number as it was typed, without what spreadsheets and exports add around it: full-width digits (NFKC), spaces
    anywhere (4311 2219 …), the apostrophe or tab that keeps a long number as text in Excel and CSV exports."""
    text = "".join(unicodedata.normalize("NFKC", value or "").split())
    return text.lstrip("'‘’`")


def normalize_phone(value: str) -> str:
    text = as_typed(value)
    if text.startswith("+86"):
        text = text[3:]
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    if _MOBILE.match(text.replace("-", "")):  # 138-0746-1234
        return text.replace("-", "")
    raise ValidationError(_("电话号码“%(v)s”格式不对：手机为1开头的11位数字，座机如0746-1234567。") % {"v": value})


def mask_id_number(value: str) -> str:
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def mask_name(value: str) -> str:
    return value[:1] + "*" * max(1, len(value) - 1) if value else ""


def mask_address(value: str) -> str:
    return value[:6] + "****" if len(value) > 6 else (value[:2] + "****" if value else "")


def masked_fields(*, name: str = "", id_number: str = "", phone: str = "", address: str = "") -> dict[str, str]:
    """The four personal fields as every list, export and API response shows them."""
    return {"name": mask_name(name), "id_number": mask_id_number(id_number) if id_number else "",
            "phone": mask_phone(phone) if phone else "", "address": mask_address(address) if address else ""}


def mask_value(field_name: str, value: str) -> str:
    """A personal value masked by what it is, told by its field's name (`abuser_id_number`, `person_name` …).

    One rule for every encrypted field a form, page or API shows: ID numbers and phones keep their ends, addresses
    their first characters, anything else (names) its first character."""
    if not value:
        return ""
    if "id_number" in field_name:
        return mask_id_number(value)
    if "phone" in field_name:
        return mask_phone(value)
    if "address" in field_name:
        return mask_address(value)
    return mask_name(value)
