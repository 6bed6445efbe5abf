"""No workbook jinguo writes holds a formula: text such as `=1+1` is stored as text, verbatim, in every export kind.

The list pages with an export and the import kinds are found programmatically (the URL resolver, IMPORT_SPECS), so a
new export is covered as soon as it exists.
"""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import Workbook, load_workbook

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import IMPORT_SPECS, get_spec
from jinguo.core.roles import Role
from jinguo.core.views import XLSX
from jinguo.testing import make_user

PAYLOADS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def _patterns(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def export_pages() -> list[str]:
    """Every page without arguments whose view answers `?export=xlsx` (it has an `export` method), unless its
    model grants the export to no role (such a list offers no export button)."""
    names = []
    for name, pattern in _patterns():
        view = getattr(pattern.callback, "view_class", None)
        if view is None or pattern.pattern.regex.groupindex or not callable(getattr(view, "export", None)):
            continue
        queryset = getattr(view, "queryset", None)
        if queryset is not None and not queryset.model.scope_roles.get("export"):
            continue
        names.append(name)
    return sorted(names)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_no_formula(content: bytes, where: str) -> list[str]:
    """No cell is a formula; returns the text of every cell that starts with a payload."""
    book = load_workbook(io.BytesIO(content))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: {sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith(tuple(PAYLOADS)):
                    found.append(cell.value)
    return found


@pytest.fixture
def hostile(tree, users, make_world, make_case, make_activity, codes):
    """Records in 东安县 whose text starts with each payload, a unit and code items named so, and failed logins."""
    from jinguo.core.models import CodeItem
    from jinguo.ledger.models import PlanItem
    from jinguo.orgs.services import add_org
    from jinguo.people import services as people
    from jinguo.people.models import Volunteer

    actor = users["staff"]
    make_world(tree["county"], tree["township"], actor, PAYLOADS[0])
    for i, payload in enumerate(PAYLOADS):
        codes["channel"][f"{payload}渠道"] = CodeItem.objects.create(
            table=codes["channel"]["来电"].table, code=f"X{i}", name=f"{payload}渠道")
        codes["category"][f"{payload}类别"] = CodeItem.objects.create(
            table=codes["category"]["婚姻家庭"].table, code=f"X{i}", name=f"{payload}类别")
        make_case(tree["county"], channel=f"{payload}渠道", category=f"{payload}类别", summary=f"{payload}摘要",
                  name=f"{payload}", phone=f"1380000222{i}")
        make_activity(tree["county"], f"{payload}活动", "2025-03-09", participants=3)
        PlanItem.objects.create(org=tree["county"], period="2025", title=f"{payload}计划")
        person = people.person_for(name=f"{payload}丙", id_number=["110101199003070011", "110101199003071313",
                                                                  "11010119900307241X", "110101199003073811"][i])
        Volunteer.objects.create(org=tree["county"], person=person, joined_on="2025-03-08", skills=f"{payload}技能")
    add_org("431122199", f"{PAYLOADS[0]}镇", parent=tree["county"])
    for payload in PAYLOADS:  # a failed login's user name reaches the audit log without signing in
        Client().post(reverse("accounts:login"), {"username": payload, "password": "Wrong#Pass1"})
    return {"walker": make_user("walker", tree["county"], Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER)}


def test_every_list_page_export_stores_text_as_text(hostile, users, login):
    pages = export_pages()
    assert {"audit:entry_list", "petitions:case_list", "ledger:planitem_list", "people:volunteer_list"} <= set(pages)
    # The province's audit administrator also reads entries without a unit (failed logins).
    auditor = make_user("province_audit", users["viewer"].org, Role.AUDIT_ADMIN)
    clients = [login(u) for u in (hostile["walker"], users["county_sysadmin"], users["secadmin"], auditor,
                                  users["city"])]
    found, unexported = {}, []
    for name in pages:
        url = reverse(name)
        for client in clients:
            response = client.get(url, {"export": "xlsx"})
            if response.status_code == 200 and response["Content-Type"] == XLSX:
                found[name] = assert_no_formula(_body(response), f"{url}?export=xlsx")
                break
        else:
            unexported.append(name)
    assert not unexported, f"no user could export: {unexported}"
    for name in ("audit:entry_list", "petitions:case_list", "ledger:planitem_list", "people:volunteer_list",
                 "ledger:activity_list"):
        texts = found[name]
        for payload in PAYLOADS:
            assert any(text.startswith(payload) for text in texts), f"{name}: {payload!r} not kept verbatim"
    assert "=1+1" in found["audit:entry_list"] and "+cmd|' /C calc'!A0" in found["audit:entry_list"]


@pytest.mark.parametrize("kind", sorted(IMPORT_SPECS))
def test_every_import_kind_exports_and_templates_text_as_text(kind, hostile, tree, tmp_path):
    spec = get_spec(kind)
    ctx = ImportContext(org=tree["county"], user=hostile["walker"])
    buffer = io.BytesIO()
    spec.export(ctx, spec.export_queryset(ctx), buffer)
    texts = assert_no_formula(buffer.getvalue(), f"{kind} export")
    out = tmp_path / f"{kind}.xlsx"
    call_command("export_xlsx", kind, "--org", tree["county"].code, "--out", str(out))
    assert_no_formula(out.read_bytes(), f"jinguo export_xlsx {kind}")
    assert_no_formula(spec.template(ctx), f"{kind} template")
    if kind in ("petitions", "activities", "volunteers"):
        assert {payload for payload in PAYLOADS if any(t.startswith(payload) for t in texts)} == set(PAYLOADS)


def test_the_template_keeps_a_code_item_named_like_a_formula(hostile, tree):
    book = load_workbook(io.BytesIO(get_spec("petitions").template(ImportContext(org=tree["county"]))))
    values = {cell.value for row in book["可选值"].iter_rows() for cell in row}
    assert "=1+1渠道" in values and "@SUM(A1)类别" in values


def test_the_statistical_return_stores_unit_names_as_text(hostile, users, login):
    client = login(users["city"])
    response = client.get(reverse("reports:return"), {"org": hostile["walker"].org_id, "period": "2025",
                                                      "threshold": 5, "download": 1})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    texts = assert_no_formula(_body(response), "统计报表")
    assert any(text.startswith("=1+1镇") for text in texts)
    assert any(text.startswith("@SUM(A1)类别") for text in texts)


def test_the_annotated_error_workbook_holds_no_formula(tree, users, login, django_capture_on_commit_callbacks):
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(["编码", "名称", "级别"])
    sheet.append(["431122102", "=1+1", "乡镇"])  # openpyxl stores this one as a formula
    sheet.append(["431122103", "", "乡镇"])
    sheet.append(["431122104", "@SUM(A1)", "乡镇"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "单位.xlsx"
    client = login(users["county_sysadmin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orgs:orgunit_import"), {"file": upload, "org": tree["county"].pk})
    marked = client.get(response["Location"], {"download": "errors"})
    assert marked.status_code == 200
    texts = assert_no_formula(_body(marked), "错误标注")
    assert {"=1+1", "@SUM(A1)"} <= set(texts)
