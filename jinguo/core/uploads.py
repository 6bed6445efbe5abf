"""Checking uploaded files before they are stored: type by content (not by name alone), size, macros, zip bombs."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileType:
    label: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]
    office_zip: bool = False
    open_document: bool = False  # an OpenDocument zip: a `mimetype` member instead of [Content_Types].xml


TYPES = {
    "image": FileType("图片", (".jpg", ".jpeg", ".png"), (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")),
    "pdf": FileType("PDF", (".pdf",), (b"%PDF-",)),
    "word": FileType("Word", (".docx",), (b"PK\x03\x04",), office_zip=True),
    "excel": FileType("Excel", (".xlsx",), (b"PK\x03\x04",), office_zip=True),
    "xls": FileType("Excel 97-2003", (".xls",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "ods": FileType("OpenDocument", (".ods",), (b"PK\x03\x04",), office_zip=True, open_document=True),
    "csv": FileType("CSV", (".csv",), ()),  # text: any first bytes but NUL
}
DOCUMENTS = ("image", "pdf", "word", "excel")
IMPORTS = ("excel", "xls", "ods", "csv")  # what an import page takes (read by core/excel/read.py)
MAX_UNPACKED = 200 * 1024 * 1024  # an .xlsx/.docx may expand to this much, no more
MAX_RATIO = 100  # …and at most this many times its packed size


def validate_upload(upload, allowed: tuple[str, ...] = DOCUMENTS) -> str:
    """Return the file's kind, or raise ValidationError saying in Chinese what is wrong with it."""
    name = (upload.name or "").lower()
    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(_("文件“%(name)s”超过 %(mb)d MB 的上限。") % {
            "name": upload.name, "mb": settings.MAX_UPLOAD_SIZE // 1024 // 1024})
    if upload.size == 0:
        raise ValidationError(_("文件“%(name)s”是空的。") % {"name": upload.name})
    kind = next((k for k in allowed if name.endswith(TYPES[k].extensions)), None)
    if kind is None:
        accepted = "、".join(ext for k in allowed for ext in TYPES[k].extensions)
        raise ValidationError(_("不支持文件“%(name)s”的类型，只接受：%(types)s。") % {
            "name": upload.name, "types": accepted})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if (not head.startswith(TYPES[kind].magic)) if TYPES[kind].magic else b"\0" in head:
        raise ValidationError(_("文件“%(name)s”的内容与扩展名不符，可能已损坏或被改名。") % {"name": upload.name})
    if TYPES[kind].office_zip:
        _check_office_zip(upload, open_document=TYPES[kind].open_document)
    return kind


def _check_office_zip(upload, *, open_document: bool = False) -> None:
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            names = {m.filename.lower() for m in members}
    except zipfile.BadZipFile:
        raise ValidationError(_("文件“%(name)s”已损坏，无法打开。") % {"name": upload.name}) from None
    finally:
        upload.seek(0)
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(upload.size, 1):
        raise ValidationError(_("文件“%(name)s”解压后异常巨大，已拒绝。") % {"name": upload.name})
    if any(n.endswith("vbaproject.bin") for n in names):
        raise ValidationError(_("文件“%(name)s”含有宏，已拒绝。请另存为不含宏的文件后再上传。") % {"name": upload.name})
    if ("mimetype" if open_document else "[content_types].xml") not in names:
        raise ValidationError(_("文件“%(name)s”不是有效的 Office 文档。") % {"name": upload.name})
