"""The generic UI: import with progress and error report, delete with confirmation, code-table editing."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from jinguo.audit.models import AuditEntry
from jinguo.core.models import CodeItem, ImportJob
from jinguo.orgs.models import OrgUnit
from jinguo.testing import xlsx_file


def _upload(rows):
    return xlsx_file(rows[0], rows[1:], name="单位.xlsx")


def test_import_through_the_page(tree, users, login, django_capture_on_commit_callbacks):
    client = login(users["county_sysadmin"])
    page = client.get(reverse("orgs:orgunit_import"))
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()
    template = client.get(reverse("orgs:orgunit_import"), {"template": 1})
    assert load_workbook(io.BytesIO(b"".join(template.streaming_content))).sheetnames[0] == "数据"

    bad = _upload([["编码", "名称", "级别"], ["431122102", "横塘镇", "乡镇"], ["431122103", "", "乡镇"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orgs:orgunit_import"), {"file": bad, "org": tree["county"].pk})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:importjob_detail", args=[job.pk])
    assert job.status == ImportJob.Status.FAILED and len(job.errors) == 1
    detail = client.get(response["Location"]).content.decode()
    assert "整个文件未导入" in detail and "<td>3</td>" in detail and "名称" in detail
    marked = client.get(response["Location"], {"download": "errors"})
    book = load_workbook(io.BytesIO(b"".join(marked.streaming_content)))
    assert book["数据"]["B3"].comment is not None
    assert not OrgUnit.objects.filter(code="431122102").exists()

    good = _upload([["编码", "名称", "级别"], ["431122102", "横塘镇", "乡镇"]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orgs:orgunit_import"), {"file": good, "org": tree["county"].pk})
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.DONE and job.created_count == 1
    assert OrgUnit.objects.get(code="431122102").parent == tree["county"]
    assert AuditEntry.objects.filter(action="data.imported").exists()
    # The htmx poll answers with the progress fragment.
    poll = client.get(reverse("core:importjob_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert b"<progress" in poll.content


def test_upload_must_be_a_spreadsheet(tree, users, login):
    # Issue 17: .csv, .xls and .ods are accepted now (tests/core/test_intake.py); anything else is still refused.
    client = login(users["county_sysadmin"])
    fake = io.BytesIO(b"a,b\n")
    fake.name = "units.txt"
    response = client.post(reverse("orgs:orgunit_import"), {"file": fake, "org": tree["county"].pk}, follow=True)
    assert ".xlsx" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_delete_asks_first_then_deletes(tree, users, login):
    client = login(users["county_sysadmin"])
    unit = tree["township2"]
    confirm = client.get(reverse("orgs:orgunit_delete", args=[unit.pk])).content.decode()
    assert "确定要删除" in confirm and OrgUnit.objects.filter(pk=unit.pk).exists()
    client.post(reverse("orgs:orgunit_delete", args=[unit.pk]))
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()
    assert AuditEntry.objects.filter(action="object.deleted", object_id=str(unit.pk)).exists()


def test_delete_of_a_unit_in_use_is_refused_with_a_message(tree, users, login):
    client = login(users["county_sysadmin"])
    agency = tree["agency"]  # a user (tjj) works there
    response = client.post(reverse("orgs:orgunit_delete", args=[agency.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert OrgUnit.objects.filter(pk=agency.pk).exists()


def test_system_administrator_adds_an_alias_that_imports_then_accept(tree, users, login):
    from jinguo.core.excel import ImportContext
    from jinguo.importers import get_spec

    item = CodeItem.objects.get(table__slug="agency_type", code="JY")
    client = login(users["sysadmin"])
    response = client.post(reverse("core:codeitem_edit", args=[item.pk]), {
        "table": item.table_id, "code": "JY", "name": "教育局", "aliases": "教育、教体局、教育和体育局",
        "order": 2, "is_active": "on"})
    assert response.status_code == 302
    rows = _upload([["编码", "名称", "级别", "单位类型"],
                    ["431122-JT", "东安县教育和体育局", "成员单位", "教育和体育局"]])
    result = get_spec("orgs").run_import(rows, ImportContext(org=tree["county"]))
    assert result.ok, result.errors
    assert OrgUnit.objects.get(code="431122-JT").agency_type == item


def test_htmx_filter_returns_the_table_fragment(tree, users, login):
    client = login(users["city"])
    response = client.get(reverse("orgs:orgunit_list"), {"q": "白牙"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "白牙市镇" in body and "大庙口镇" not in body
