"""Sign-in throttled per address as well as locked per account; hostile files refused at every upload point."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from jinguo.core.models import Attachment, ImportJob


def test_one_address_trying_many_accounts_is_paused(users, settings):
    settings.LOGIN_ADDRESS_LIMIT = 10
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    url = reverse("accounts:login")
    for i in range(10):
        response = attacker.post(url, {"username": f"guess{i}", "password": "Wrong#Pass1"})
        assert response.status_code == 200  # the ordinary "wrong user name or password" page
    paused = attacker.post(url, {"username": "dongan", "password": "Test#Pass2025"})
    assert paused.status_code == 429 and "登录失败的次数过多" in paused.content.decode()
    # The real user, from her own office, is not affected.
    office = Client(REMOTE_ADDR="10.0.0.8")
    assert office.post(url, {"username": "dongan", "password": "Test#Pass2025"}).status_code == 302


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


HOSTILE = [
    ("工具.exe", b"MZ\x90\x00" + b"\x00" * 100, "不支持"),
    ("宏.xlsx", _zip({"[Content_Types].xml": b"<x/>", "xl/vbaProject.bin": b"\x00" * 100}), "宏"),
    ("炸弹.xlsx", _zip({"[Content_Types].xml": b"<x/>", "xl/huge.xml": b"0" * (30 * 1024 * 1024)}), "解压后异常巨大"),
    ("假图.png", b"MZ\x90\x00 not a png", "不"),
]


@pytest.mark.parametrize("name, content, reason", HOSTILE, ids=["exe", "macro", "zipbomb", "disguised"])
def test_hostile_files_are_refused_everywhere(name, content, reason, tree, users, login, make_case, make_activity):
    client = login(users["staff"])
    case = make_case(tree["county"])
    activity = make_activity(tree["county"], "宣传", "2025-03-08")
    targets = [(reverse("petitions:case_attach", args=[case.pk]), "files"),
               (reverse("ledger:activity_attach", args=[activity.pk]), "files"),
               (reverse("ledger:activity_import"), "file"), (reverse("petitions:case_import"), "file"),
               (reverse("people:beneficiary_import"), "file")]
    for url, field in targets:
        upload = io.BytesIO(content)
        upload.name = name
        response = client.post(url, {field: upload, "org": tree["county"].pk}, follow=True)
        alerts = [str(m) for m in response.context["messages"]]
        expected = reason if field == "files" or name.endswith(".xlsx") else ".xlsx"
        assert any(expected in a for a in alerts), f"{url}: {name} refused without the reason: {alerts}"
    assert not Attachment.objects.exists() and not ImportJob.objects.exists()


def test_oversized_upload_is_refused(tree, users, login, make_case, settings):
    settings.MAX_UPLOAD_SIZE = 64 * 1024
    client = login(users["staff"])
    case = make_case(tree["county"])
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * 100_000)
    big.name = "证据.pdf"
    response = client.post(reverse("petitions:case_attach", args=[case.pk]), {"files": big}, follow=True)
    assert any("上限" in str(m) for m in response.context["messages"]) and not Attachment.objects.exists()
