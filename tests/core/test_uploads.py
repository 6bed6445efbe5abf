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


# --- Files at rest are encrypted; downloads are logged ----------------------------------------------------------
ID_NUMBER = "110108200003154578"
SCAN = b"%PDF-1.4\n% \xe5\x8f\x97\xe5\xae\xb3\xe4\xba\xba " + ID_NUMBER.encode() + b" 13800001111\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _downloaded(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_attachments_are_encrypted_on_disk_and_every_download_is_logged(media, tree, users, login, make_activity):
    from pathlib import Path

    from jinguo.audit.models import AuditEntry

    activity = make_activity(tree["county"], "慰问", "2025-01-20", kind="慰问帮扶", visited=3)
    client = login(users["staff"])
    client.post(reverse("ledger:activity_attach", args=[activity.pk]),
                {"files": [SimpleUploadedFile("伤情.pdf", SCAN), SimpleUploadedFile("照片.png", PNG)]})
    scan, photo = Attachment.objects.order_by("pk")
    for attachment, original in ((scan, SCAN), (photo, PNG)):
        on_disk = Path(attachment.file.path).read_bytes()
        assert Path(attachment.file.path).is_relative_to(media)
        assert on_disk != original and not on_disk.startswith((b"%PDF", b"\x89PNG", b"PK\x03\x04"))
        assert ID_NUMBER.encode() not in on_disk and b"13800001111" not in on_disk
        assert "伤情" not in attachment.file.name and "照片" not in attachment.file.name  # no name on disk either
        with Attachment.objects.get(pk=attachment.pk).file.open("rb") as handle:  # reading stays transparent
            assert handle.read() == original

    logged = AuditEntry.objects.filter(action="object.attachment_downloaded")
    response = client.get(reverse("core:attachment_download", args=[scan.pk]))
    assert response.status_code == 200 and _downloaded(response) == SCAN
    entry = logged.get()
    assert entry.actor_name == users["staff"].username and entry.object_id == str(activity.pk)
    assert entry.data["attachment"] == scan.pk and entry.data["name"] == "伤情.pdf"
    assert _downloaded(client.get(reverse("core:attachment_download", args=[photo.pk]))) == PNG
    assert logged.count() == 2

    sister = login(users["sister"])  # the record's scope still decides, and a refused download is no download
    assert sister.get(reverse("core:attachment_download", args=[scan.pk])).status_code == 404
    assert logged.count() == 2


def test_uploaded_import_workbooks_are_encrypted_on_disk(media, tree, users, login,
                                                         django_capture_on_commit_callbacks):
    from pathlib import Path

    from jinguo.core.models import ImportJob
    from jinguo.testing import xlsx_file

    upload = xlsx_file(["编码", "名称", "级别"], [["431122102", "横塘镇", "乡镇"]], name="单位.xlsx")
    original = upload.getvalue()
    client = login(users["county_sysadmin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orgs:orgunit_import"), {"file": upload, "org": tree["county"].pk})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE  # the background task read the workbook through the storage
    on_disk = Path(job.file.path).read_bytes()
    assert not on_disk.startswith(b"PK\x03\x04") and original not in on_disk
    with job.file.open("rb") as handle:
        assert handle.read() == original


def test_files_stored_in_clear_are_encrypted_by_the_migration(media, tree, users):
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from jinguo.core import crypto

    clear = media / "attachments" / "2024" / "05" / "旧照片.png"
    clear.parent.mkdir(parents=True)
    clear.write_bytes(PNG)
    attachment = Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(tree["county"]), object_id=tree["county"].pk,
        file="attachments/2024/05/旧照片.png", name="旧照片.png", kind="image", size=len(PNG),
        uploaded_by=users["staff"])
    migration = importlib.import_module("jinguo.core.migrations.0006_encrypt_files")
    migration.encrypt_stored_files(apps, None)
    migration.encrypt_stored_files(apps, None)  # run again (after an interruption): nothing is encrypted twice
    raw = clear.read_bytes()
    assert crypto.file_key_id(raw) == crypto.provider().key_id and b"PNG" not in raw
    with Attachment.objects.get(pk=attachment.pk).file.open("rb") as handle:
        assert handle.read() == PNG


def test_key_rotation_re_encrypts_the_files(media, tree, users, settings, login, make_activity):
    import base64
    import secrets
    from pathlib import Path

    from jinguo.core import crypto
    from jinguo.core.keys import rotate_data_key

    activity = make_activity(tree["county"], "慰问", "2025-01-20", kind="慰问帮扶", visited=3)
    login(users["staff"]).post(reverse("ledger:activity_attach", args=[activity.pk]),
                               {"files": [SimpleUploadedFile("伤情.pdf", SCAN)]})
    attachment = Attachment.objects.get()
    path = Path(attachment.file.path)
    old_id = crypto.file_key_id(path.read_bytes())
    old = settings.DATA_KEY
    settings.DATA_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.DATA_KEYS_RETIRED = [old]
    settings.INDEX_KEY = old
    crypto.reset()
    try:
        report = rotate_data_key()
        assert report.rewritten.get("core.Attachment.file") == 1
        new_id = crypto.file_key_id(path.read_bytes())
        assert new_id == crypto.provider().key_id != old_id
        settings.DATA_KEYS_RETIRED = []  # the old key destroyed: the file still opens
        crypto.reset()
        with Attachment.objects.get().file.open("rb") as handle:
            assert handle.read() == SCAN
        assert rotate_data_key().rewritten.get("core.Attachment.file") is None  # a second run has nothing to do
    finally:
        crypto.reset()
