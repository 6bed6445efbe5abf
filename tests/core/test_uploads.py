"""Uploads are checked by content, size, macros and zip bombs before anything is stored."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from jinguo.core.models import Attachment
from jinguo.core.uploads import validate_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_good_files_pass():
    assert validate_upload(SimpleUploadedFile("photo.png", PNG)) == "image"
    assert validate_upload(SimpleUploadedFile("表.xlsx", xlsx_bytes())) == "excel"
    assert validate_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.7\n...")) == "pdf"


@pytest.mark.parametrize("name, content, message", [
    ("tool.exe", b"MZ\x90\x00", "不支持"),
    ("photo.png", b"MZ\x90\x00 not a png", "内容与扩展名不符"),
    ("empty.pdf", b"", "空的"),
    ("macro.xlsm", xlsx_bytes(), "不支持"),
    ("macro.xlsx", zipped({"[Content_Types].xml": b"<x/>", "xl/vbaProject.bin": b"\x00" * 100}), "宏"),
    ("bomb.xlsx", zipped({"[Content_Types].xml": b"<x/>", "xl/huge.xml": b"0" * (30 * 1024 * 1024)}), "解压后异常巨大"),
    ("broken.docx", b"PK\x03\x04 this is not really a zip", "损坏"),
])
def test_bad_files_are_refused_with_a_reason(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_upload(SimpleUploadedFile(name, content))


def test_oversized_file(settings):
    settings.MAX_UPLOAD_SIZE = 1024
    with pytest.raises(ValidationError, match="上限"):
        validate_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048))


def test_attachments_follow_the_record_scope(tree, users, login, make_activity):
    activity = make_activity(tree["county"], "慰问", "2025-01-20", kind="慰问帮扶", visited=3)
    client = login(users["staff"])
    bad = client.post(reverse("ledger:activity_attach", args=[activity.pk]),
                      {"files": [SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile("x.exe", b"MZ")]}, follow=True)
    assert "不支持" in bad.content.decode() and not Attachment.objects.exists()  # all or nothing
    client.post(reverse("ledger:activity_attach", args=[activity.pk]), {"files": [SimpleUploadedFile("ok.png", PNG)]})
    attachment = Attachment.objects.get()
    assert client.get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 200
    sister = login(users["sister"])
    assert sister.get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 404
    assert sister.post(reverse("ledger:activity_attach", args=[activity.pk]),
                       {"files": [SimpleUploadedFile("x.png", PNG)]}).status_code == 404
