"""The import page's mapping step: a ledger with headers the system only guesses stops to ask, shows the first rows
as they would be imported, imports with the confirmed columns, and remembers them for the unit's next file."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from jinguo.audit.models import AuditEntry
from jinguo.core.models import ImportJob, ImportMapping
from jinguo.core.roles import Role
from jinguo.petitions.models import Case
from jinguo.testing import xlsx_file

# 来访日期 and 姓名 are synonyms the kind declares; 方式, 分类 and 事由 match nothing; 序号 and 备注 are never data.
HEADERS = ["序号", "来访日期", "方式", "分类", "姓名", "身份证号", "事由", "备注"]


def _rows(n: int, start: int = 0, category: str = "婚姻家庭类") -> list[list]:
    return [[i + 1, dt.date(2025, 3, 1) + dt.timedelta(days=i), "来访", category, f"来访人{i}",
             "", f"第{i}件诉求", ""] for i in range(start, start + n)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _upload(client, tree, rows, *, headers=HEADERS, name="信访台账.xlsx"):
    return client.post(reverse("petitions:case_import"), {"file": xlsx_file(headers, rows, name=name),
                                                          "org": tree["county"].pk})


def _selects(page: str) -> dict[str, str]:
    """{header text: select name} of the mapping table."""
    return dict((header, name) for name, header in re.findall(r'<select name="(map-\d+)"[^>]*data-header="([^"]*)"',
                                                               page))


def _choices(client, job, **chosen) -> dict[str, str]:
    """The form as the page drew it, with the selects for the given headers changed."""
    page = client.get(reverse("core:importjob_mapping", args=[job.pk])).content.decode()
    selects = _selects(page)
    data = {}
    for row in re.finditer(r'<select name="(map-\d+)".*?</select>', page, re.S):
        picked = re.search(r'<option value="([^"]*)" selected>', row.group(0))
        data[row.group(1)] = picked.group(1) if picked else ""
    for header, field in chosen.items():
        data[selects[header]] = field
    return data


def _mapping_row(page: str, header: str) -> list[str]:
    """The texts of the mapping table's row for `header`, cell by cell after the header's own (示例内容, the select's
    chosen option, 依据)."""
    row = re.search(rf'<label for="id_map-\d+" class="text-nowrap">{re.escape(header)}</label></td>(.*?)</tr>', page,
                    re.S)
    assert row, header
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    texts = []
    for cell in cells:
        picked = re.search(r"<option[^>]*selected>(.*?)</option>", cell)
        inner = picked.group(1) if picked else cell
        texts.append(" ".join(t for t in re.sub(r"<[^>]+>", " ", inner).split()))
    return texts


def test_the_mapping_step_says_what_is_not_imported_without_calling_it_a_fault_and_shows_samples(tree, users, login):
    """序号 and 备注 are 序号列/备注列, not imported; a column matching nothing is simply 不导入 (never “未识别”); each
    column shows its first values beside its choice — masked where they are personal data."""
    client = login(users["staff"])
    rows = _rows(4)
    rows[0][5] = "43112219900101123X"
    _upload(client, tree, rows)
    job = ImportJob.objects.get()
    page = client.get(reverse("core:importjob_mapping", args=[job.pk])).content.decode()
    assert "未识别" not in page and "忽略" not in page
    samples, chosen, why = _mapping_row(page, "序号")
    assert (samples, chosen, why) == ("1 2 3", "不导入", "序号列，不导入")
    assert _mapping_row(page, "备注")[1:] == ["不导入", "备注列，不导入"]
    assert _mapping_row(page, "备注")[0] == "（前几行为空）"
    assert _mapping_row(page, "方式") == ["来访", "不导入", "不导入"]  # the same value in every row: shown once
    assert _mapping_row(page, "来访日期") == ["2025-03-01 2025-03-02 2025-03-03", "登记日期 *", "同义列名"]
    assert _mapping_row(page, "姓名")[0] == "来*** 来*** 来***"  # three names, masked as in the preview
    assert _mapping_row(page, "身份证号")[0] == "431***********123X"
    assert "来访人0" not in page and "43112219900101123X" not in page
    assert "不导入的列：序号、方式、分类、事由、备注" in page


def test_unknown_headers_stop_at_the_mapping_step_then_import_and_the_next_file_skips_the_question(
        tree, users, login, django_capture_on_commit_callbacks):
    client = login(users["staff"])
    response = _upload(client, tree, _rows(3))
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:importjob_mapping", args=[job.pk])
    assert job.status == ImportJob.Status.MAPPING and not Case.objects.exists()
    assert client.get(reverse("core:importjob_detail", args=[job.pk]))["Location"] == response["Location"]

    page = client.get(response["Location"]).content.decode()
    assert "工作表“数据”：表头在第1行" in page
    selects = _selects(page)
    assert list(selects) == HEADERS
    # The guesses are preselected: 来访日期 → 登记日期, 姓名 → 信访人姓名; 方式 and 分类 are ignored, and named.
    assert re.search(rf'name="{selects["来访日期"]}".*?<option value="received_date" selected>', page, re.S)
    assert "不导入的列：序号、方式、分类、事由、备注" in page
    assert "缺少必填列“来源方式”" in page and "disabled" in page  # 导入 waits for the required columns
    assert "预览：前3行" in page

    data = _choices(client, job, 方式="channel", 分类="category")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:importjob_mapping", args=[job.pk]), {**data, "action": "import"})
    assert response["Location"] == reverse("core:importjob_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.message, job.errors)
    assert Case.objects.count() == 3 and Case.objects.filter(category__name="婚姻家庭").count() == 3
    saved = ImportMapping.objects.get()
    assert (saved.org, saved.kind, saved.updated_by) == (tree["county"], "petitions", users["staff"])
    assert saved.mapping["方式"] == "channel" and saved.mapping["分类"] == "category" and saved.mapping["序号"] is None
    assert AuditEntry.objects.filter(action="object.created", object_id=str(saved.pk)).exists()
    assert "已按您确认的列对应导入" in client.get(response["Location"]).content.decode()
    # A second click on 导入 (or the back button) finds the job on its way: no second import.
    again = client.post(reverse("core:importjob_mapping", args=[job.pk]), {**data, "action": "import"})
    assert again["Location"] == reverse("core:importjob_detail", args=[job.pk]) and Case.objects.count() == 3

    # Next month's file, same headers: no question, imported with the saved columns.
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree, _rows(2, start=10), name="四月台账.xlsx")
    second = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("core:importjob_detail", args=[second.pk])
    assert second.status == ImportJob.Status.DONE and second.mapping_source == "saved", second.errors
    assert Case.objects.count() == 5
    page = client.get(response["Location"]).content.decode()
    assert "已按上次的列对应导入" in page and reverse("core:importjob_remap", args=[second.pk]) in page

    # Another unit's upload of the same headers is asked again: the mapping belongs to the unit that confirmed it.
    sister = login(users["sister"])
    sister.post(reverse("petitions:case_import"), {"file": xlsx_file(HEADERS, _rows(1), name="x.xlsx"),
                                                   "org": tree["sister"].pk})
    assert ImportJob.objects.latest("pk").status == ImportJob.Status.MAPPING


def test_the_preview_marks_each_problem_on_its_cell_and_masks_personal_data(tree, users, login):
    client = login(users["staff"])
    rows = _rows(14)
    rows[1][3] = "不存在的类别"
    rows[2][5] = "43112219900101123X"
    rows[3][1] = "2025-13-40"
    _upload(client, tree, rows)
    job = ImportJob.objects.get()
    data = _choices(client, job, 方式="channel", 分类="category")
    response = client.post(reverse("core:importjob_mapping", args=[job.pk]), {**data, "action": "preview"})
    assert response["Location"] == reverse("core:importjob_mapping", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING and job.mapping["分类"] == "category"
    page = client.get(response["Location"]).content.decode()
    assert "预览：前10行" in page and "<td>11</td>" in page and "<td>12</td>" not in page
    cells = re.findall(r'<td class="table-danger cell-error">(.*?)</td>', page, re.S)
    assert any("不存在的类别" in c and "不在可选值中" in c for c in cells), cells
    assert any("2025-13-40" in c for c in cells), cells
    assert "43112219900101123X" not in page and "431***" in page  # masked, as everywhere outside the record
    assert "来访人1" not in page and "来**" in page  # the petitioner's name too
    assert "可导入" in page
    assert not Case.objects.exists()  # a preview writes nothing


def test_a_field_the_page_did_not_offer_is_refused_and_so_is_one_field_for_two_columns(tree, users, login):
    client = login(users["staff"])
    _upload(client, tree, _rows(2))
    job = ImportJob.objects.get()
    url = reverse("core:importjob_mapping", args=[job.pk])
    data = _choices(client, job, 方式="channel", 分类="is_superuser")
    response = client.post(url, {**data, "action": "import"})
    assert response.status_code == 400
    assert "列“分类”：没有“is_superuser”这一项" in response.content.decode()
    data = _choices(client, job, 方式="category", 分类="category")
    response = client.post(url, {**data, "action": "import"})
    assert response.status_code == 400 and "“问题类别”只能对应一列，现在选给了：方式、分类" in response.content.decode()
    # The user's choices stay on the page to correct.
    assert re.search(r'data-header="方式">.*?<option value="category" selected>', response.content.decode(), re.S)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING and not ImportMapping.objects.exists() and not Case.objects.exists()


def test_another_users_or_units_upload_is_not_reachable(tree, users, login):
    from jinguo.core.roles import Role
    from jinguo.testing import make_user

    _upload(login(users["staff"]), tree, _rows(1))
    job = ImportJob.objects.get()
    url = reverse("core:importjob_mapping", args=[job.pk])
    colleague = make_user("dongan2", tree["county"], Role.STAFF, Role.PETITION_OFFICER)
    for user in (users["sister"], users["leader"], colleague, users["city"]):
        client = login(user)
        assert client.get(url).status_code == 404, user
        assert client.post(url, {"action": "import"}).status_code == 404, user
        assert client.post(url, {"action": "cancel"}).status_code == 404, user
    # Its own uploader, once the job names a unit she cannot import into (a tampered row), is refused too.
    ImportJob.objects.filter(pk=job.pk).update(org=tree["sister"])
    assert login(users["staff"]).get(url).status_code == 404
    assert ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).exists()


def test_cancel_deletes_the_upload_and_stale_uploads_are_purged(tree, users, login, media):
    client = login(users["staff"])
    _upload(client, tree, _rows(1))
    job = ImportJob.objects.get()
    path = job.file.path
    assert open(path, "rb").read()[:2] != b"PK"  # stored encrypted, not as the workbook
    response = client.post(reverse("core:importjob_mapping", args=[job.pk]), {"action": "cancel"})
    assert response["Location"] == reverse("petitions:case_import")
    assert not ImportJob.objects.exists()
    import os

    assert not os.path.exists(path)

    _upload(client, tree, _rows(1))
    old = ImportJob.objects.get()
    ImportJob.objects.filter(pk=old.pk).update(created=old.created - dt.timedelta(days=2))
    _upload(client, tree, _rows(1))  # the next upload clears the user's uploads left waiting for over a day
    assert list(ImportJob.objects.values_list("status", flat=True)) == [ImportJob.Status.MAPPING]
    assert not ImportJob.objects.filter(pk=old.pk).exists() and not os.path.exists(old.file.path)


def test_a_file_from_the_template_imports_without_the_question(tree, users, login, django_capture_on_commit_callbacks):
    from jinguo.core.importkinds import get_spec

    spec = get_spec("petitions")
    headers = [str(c.header) for c in spec.columns[:3]]
    client = login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree, [["2025-03-01", "来访", "婚姻家庭"]], headers=headers)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:importjob_detail", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.mapping is None and not job.mapping_source


def test_change_the_mapping_from_a_jobs_page(tree, users, login, django_capture_on_commit_callbacks):
    client = login(users["staff"])
    _upload(client, tree, _rows(2))
    job = ImportJob.objects.get()
    data = _choices(client, job, 方式="channel", 分类="category")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:importjob_mapping", args=[job.pk]), {**data, "action": "import"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    response = client.post(reverse("core:importjob_remap", args=[job.pk]))
    draft = ImportJob.objects.latest("pk")
    assert draft.pk != job.pk and response["Location"] == reverse("core:importjob_mapping", args=[draft.pk])
    assert draft.status == ImportJob.Status.MAPPING and draft.mapping == job.mapping
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'data-header="方式">.*?<option value="channel" selected>', page, re.S)
    assert login(users["sister"]).post(reverse("core:importjob_remap", args=[job.pk])).status_code == 404


def test_the_task_never_runs_an_upload_waiting_for_its_mapping(tree, users, login):
    from jinguo.core.tasks import run_import_job

    _upload(login(users["staff"]), tree, _rows(1))
    job = ImportJob.objects.get()
    assert run_import_job.call(job.pk) == ImportJob.Status.MAPPING
    assert not Case.objects.exists()


def test_a_changed_mapping_replaces_the_units_saved_one(tree, users, login, django_capture_on_commit_callbacks):
    client = login(users["staff"])
    _upload(client, tree, _rows(2))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:importjob_mapping", args=[job.pk]),
                    {**_choices(client, job, 方式="channel", 分类="category"), "action": "import"})
    saved = ImportMapping.objects.get()
    assert saved.mapping["事由"] is None
    response = client.post(reverse("core:importjob_remap", args=[job.pk]))
    draft = ImportJob.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {**_choices(client, draft, 事由="summary"), "action": "import"})
    saved = ImportMapping.objects.get()
    assert saved.mapping["事由"] == "summary" and saved.version == 2
    assert AuditEntry.objects.filter(action="object.updated", object_id=str(saved.pk)).exists()
    draft.refresh_from_db()
    assert draft.status == ImportJob.Status.DONE and draft.mapping_source == "user"
    assert Case.objects.filter(summary="第1件诉求").exists()  # 事由 imported this time


def _import_pages():
    from jinguo.core.importkinds import IMPORT_SPECS
    from jinguo.core.views import _reverse_or_none, url_name

    return [(kind, name) for kind, spec in IMPORT_SPECS.items()
            if _reverse_or_none(name := url_name(spec.model, "import"))]


@pytest.mark.parametrize(("kind", "page"), _import_pages())
def test_every_import_kind_stops_at_the_mapping_step_for_a_ledger_and_shows_it(kind, page, tree, users, login):
    """One generic page for every kind: a ledger with a 序号 column, a title row and a column of its own is asked
    about, and the step draws (selects for every column, the preview with its problems) without a traceback."""
    from openpyxl import Workbook

    from jinguo.core.excel import ImportContext
    from jinguo.core.importkinds import get_spec
    from jinguo.testing import make_user

    spec = get_spec(kind)
    columns = spec.columns_for(ImportContext(org=tree["county"]))
    headers = ["序号", *[str(c.header) for c in columns[:4]], "自定义的一列"]
    book = Workbook()
    sheet = book.active
    sheet.append([f"东安县{spec.label}台账"])
    sheet.append(headers)
    for i in range(3):
        sheet.append([i + 1, *[f"2025-03-0{i + 1}" if c.kind == "date" else f"值{i}" for c in columns[:4]], "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = f"{kind}.xlsx"
    user = make_user("everything", tree["county"], Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER,
                     Role.SYSTEM_ADMIN)
    client = login(user)
    response = client.post(reverse(page), {"file": buffer, "org": tree["county"].pk})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:importjob_mapping", args=[job.pk]), job.message
    step = client.get(response["Location"])
    assert step.status_code == 200
    text = step.content.decode()
    assert "表头在第2行" in text and "不导入的列：序号、自定义的一列" in text
    assert _mapping_row(text, "序号")[0::2] == ["1 2 3", "序号列，不导入"]
    assert _mapping_row(text, "自定义的一列") == ["x", "不导入", "不导入"]
    assert len(_selects(text)) == len(headers) and "预览：前3行" in text
    assert "Traceback" not in text


def test_an_upload_left_on_the_mapping_step_is_shown_with_continue_and_discard(tree, users, login, media):
    """The job list and the import page list the clerk's uploads still waiting for their columns: 继续核对 goes back
    to the step, 放弃 (asked to confirm) deletes the job and its file; another user cannot discard it."""
    import os

    client = login(users["staff"])
    _upload(client, tree, _rows(2), name="三月台账.xlsx")
    job = ImportJob.objects.get()
    path = job.file.path
    mapping_url = reverse("core:importjob_mapping", args=[job.pk])
    discard_url = reverse("core:importjob_discard", args=[job.pk])
    for page_url in (reverse("core:importjob_list"), reverse("petitions:case_import")):
        page = client.get(page_url).content.decode()
        drafts = re.search(r'<div class="card mb-3 import-drafts">.*?</div>\s*</div>\s*</div>\s*</div>', page, re.S)
        assert drafts, page_url
        card = drafts.group(0)
        assert "1个上传等待确认列对应" in card and "三月台账.xlsx" in card and "自动删除" in card
        assert f'href="{mapping_url}"' in card and "继续核对" in card
        assert f'action="{discard_url}"' in card and 'data-confirm="放弃“三月台账.xlsx”？' in card
    assert "待确认列对应" in client.get(reverse("core:importjob_list")).content.decode()  # and in the table
    # Another kind's import page does not list it.
    other = login(users["county_sysadmin"])
    assert "import-drafts" not in other.get(reverse("orgs:orgunit_import")).content.decode()

    for intruder in (users["sister"], users["leader"]):
        assert login(intruder).post(discard_url).status_code == 404
    assert ImportJob.objects.filter(pk=job.pk).exists() and os.path.exists(path)

    response = client.post(discard_url, {"next": reverse("petitions:case_import")})
    assert response["Location"] == reverse("petitions:case_import")
    assert not ImportJob.objects.exists() and not os.path.exists(path)
    assert "import-drafts" not in client.get(reverse("core:importjob_list")).content.decode()
    # A next pointing elsewhere is not followed.
    _upload(client, tree, _rows(1))
    again = ImportJob.objects.get()
    response = client.post(reverse("core:importjob_discard", args=[again.pk]), {"next": "https://example.com/"})
    assert response["Location"] == reverse("core:importjob_list")


def test_a_confirmed_upload_cannot_be_discarded(tree, users, login, media, django_capture_on_commit_callbacks):
    import os

    client = login(users["staff"])
    _upload(client, tree, _rows(2))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:importjob_mapping", args=[job.pk]),
                    {**_choices(client, job, 方式="channel", 分类="category"), "action": "import"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    client.post(reverse("core:importjob_discard", args=[job.pk]))
    assert ImportJob.objects.filter(pk=job.pk).exists() and os.path.exists(job.file.path)


def test_a_stale_upload_is_gone_when_the_list_is_next_shown(tree, users, login, media):
    """Uploads left waiting for over a day are deleted with their files when the job list (or an import page) is
    shown, not only at the next upload: a clerk who never uploads again leaves nothing behind."""
    import os

    client = login(users["staff"])
    _upload(client, tree, _rows(1))
    old = ImportJob.objects.get()
    ImportJob.objects.filter(pk=old.pk).update(created=old.created - dt.timedelta(hours=25))
    page = client.get(reverse("core:importjob_list")).content.decode()
    assert not ImportJob.objects.exists() and not os.path.exists(old.file.path)
    assert "import-drafts" not in page and "待确认列对应" not in page


def test_the_job_list_keeps_status_beside_the_file_name_which_may_wrap(tree, users, login, media):
    """On a phone (390 px) only the first columns are seen without swiping: 状态 comes right after the file, and the
    file name is never held on one line — a 20-character name (short enough for the table's one-line rule) pushed
    状态 off the screen."""
    client = login(users["staff"])
    name = "东安县妇联信访接待登记台账汇总.xlsx"  # 20 characters
    _upload(client, tree, _rows(1), name=name)
    page = client.get(reverse("core:importjob_list")).content.decode()
    headers = re.findall(r'<th class="text-nowrap">(.*?)</th>', page)
    assert headers[:2] == ["文件", "状态"]
    row = re.search(rf"<tr>(<td[^>]*>)<a [^>]*>{name}</a></td>(<td[^>]*>)(.*?)</td>", page)
    assert row, page
    assert "text-nowrap" not in row.group(1) and row.group(3) == "待确认列对应"


def test_a_saved_mapping_that_sends_personal_data_into_a_plain_field_is_asked_again(
        tree, users, login, django_capture_on_commit_callbacks):
    """A unit's saved mapping applies to the next file with the same headers, whoever uploads it. One that sends
    the 身份证号 column into 诉求摘要 would store the next officer's ID numbers in plain text, shown to everyone who
    sees the case: it is never applied without asking, and the page preselects the column's own match."""
    client = login(users["staff"])
    _upload(client, tree, _rows(1))
    job = ImportJob.objects.get()
    poisoned = {"序号": None, "来访日期": "received_date", "方式": "channel", "分类": "category", "姓名": "name",
                "身份证号": "summary", "事由": None, "备注": None}
    ImportMapping.objects.create(org=tree["county"], kind="petitions", signature=job.signature, mapping=poisoned,
                                 updated_by=users["staff"])
    rows = _rows(2, start=5)
    rows[0][5] = "110101199003071234"
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree, rows, name="五月台账.xlsx")
    second = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("core:importjob_mapping", args=[second.pk])
    assert second.status == ImportJob.Status.MAPPING and not Case.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert re.search(rf'name="{_selects(page)["身份证号"]}".*?<option value="id_number" selected>', page, re.S)

    # The same mapping with 身份证号 left to its own field (or not imported) is applied as before.
    ImportMapping.objects.filter(pk=ImportMapping.objects.get().pk).update(mapping={**poisoned, "身份证号": None})
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, tree, _rows(2, start=20), name="六月台账.xlsx")
    third = ImportJob.objects.latest("pk")
    assert third.status == ImportJob.Status.DONE and third.mapping_source == "saved", third.errors
