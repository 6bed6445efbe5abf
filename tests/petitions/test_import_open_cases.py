"""Last year's ledger still lists cases as 已受理 or 办理中: imported, they are open and most are already past their
deadline, so they land in the overdue lists at once. The result page and the command say so — how many are open,
how many overdue — and link to the case list filtered to them; a file with nothing open says nothing."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.models import ImportJob
from jinguo.petitions.models import Case
from jinguo.testing import xlsx_file

HEADERS = ["登记日期", "来源方式", "问题类别", "诉求摘要", "办理状态", "办结日期"]


def ledger_rows() -> list[list]:
    """Three cases still open from over a year ago (overdue), one 办理中 from today (open, not yet due), two closed."""
    today = timezone.localdate()
    old = today - dt.timedelta(days=400)
    return [[old, "来访", "婚姻家庭", "诉求一", "已受理", ""],
            [old + dt.timedelta(days=1), "来电", "劳动权益", "诉求二", "办理中", ""],
            [old + dt.timedelta(days=2), "来信", "其他", "诉求三", "", ""],  # no status: 登记, 受理 long overdue
            [today, "来访", "其他", "诉求四", "办理中", ""],
            [old, "来访", "婚姻家庭", "诉求五", "已办结", old + dt.timedelta(days=20)],
            [old, "来访", "其他", "诉求六", "办结", old + dt.timedelta(days=5)]]


def test_the_result_counts_the_open_and_overdue_cases_an_old_ledger_brings(tree):
    result = get_spec("petitions").run_import(xlsx_file(HEADERS, ledger_rows()), ImportContext(org=tree["county"]))
    assert result.ok and result.created == 6, [str(e) for e in result.errors]
    assert result.tallies == {"open": 4, "overdue": 3}
    notice, = result.notices
    assert "其中4件未办结，3件已超过办理期限，已列入期限提醒" in notice.text
    assert notice.url == f"{reverse('petitions:case_list')}?deadline=overdue&within={tree['county'].pk}"
    # The figures are the lists' own: the overdue filter finds exactly these three.
    assert Case.objects.overdue(timezone.localdate()).count() == 3 and Case.objects.open().count() == 4

    # Imported again, nothing is new: nothing to warn about.
    again = get_spec("petitions").run_import(xlsx_file(HEADERS, ledger_rows()), ImportContext(org=tree["county"]))
    assert again.ok and again.created == 0 and again.notices == []


@pytest.mark.parametrize(("rows", "words"), [
    ([3], "其中1件未办结，已按办理期限列入期限提醒"),  # open, not yet due
    ([0, 1, 4], "其中2件未办结，均已超过办理期限，已列入期限提醒和超期案件"),
    ([0], "其中1件未办结，已超过办理期限，已列入期限提醒和超期案件"),
    ([4, 5], None),  # all closed: no notice
], ids=["open-not-yet-due", "all-overdue", "one-overdue", "all-closed"])
def test_open_but_not_overdue_and_all_closed(tree, rows, words):
    picked = [ledger_rows()[i] for i in rows]
    result = get_spec("petitions").run_import(xlsx_file(HEADERS, picked), ImportContext(org=tree["county"]))
    assert result.ok, [str(e) for e in result.errors]
    assert [n.text.split("。")[0] for n in result.notices] == ([words] if words else [])
    if words:
        assert ("deadline=overdue" if "超过" in words else "deadline=open") in result.notices[0].url


def test_other_kinds_say_nothing_of_the_kind(tree):
    result = get_spec("activities").run_import(
        xlsx_file(["开始日期", "活动类型", "活动名称"], [[dt.date(2025, 3, 5), "宣传教育", "三八节宣传"]]),
        ImportContext(org=tree["county"]))
    assert result.ok and result.notices == [] and result.tallies == {}


def test_the_command_says_how_many_are_open_and_overdue(tree, tmp_path, capsys):
    book = Workbook()
    book.active.title = "数据"
    for row in [HEADERS, *ledger_rows()]:
        book.active.append(row)
    path = tmp_path / "去年台账.xlsx"
    book.save(path)
    call_command("import_xlsx", "petitions", str(path), "--org", tree["county"].code)
    out = capsys.readouterr().out
    assert "新增 6" in out and "其中4件未办结，3件已超过办理期限" in out


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_result_page_warns_and_links_to_the_overdue_cases(tree, users, login, media,
                                                              django_capture_on_commit_callbacks):
    client = login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("petitions:case_import"),
                               {"file": xlsx_file(HEADERS, ledger_rows(), name="去年台账.xlsx"),
                                "org": tree["county"].pk})
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.status == ImportJob.Status.DONE, job.errors
    page = client.get(job.get_absolute_url()).content.decode()
    notice = re.search(r'<div class="alert alert-warning[^"]*import-notice".*?</div></div>', page, re.S)
    assert notice, page
    assert "其中4件未办结，3件已超过办理期限，已列入期限提醒" in notice.group(0)
    link = re.search(r'<a href="([^"]+)"[^>]*>查看超期案件</a>', notice.group(0)).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    numbers = dict(Case.objects.values_list("summary", "number"))
    assert all(numbers[words] in listed for words in ("诉求一", "诉求二", "诉求三"))
    assert not any(numbers[words] in listed for words in ("诉求四", "诉求五", "诉求六"))
