"""What a new clerk reads when a ledger is refused: each error names the column as her file heads it (问题类型, with the
system's 问题类别 beside it) and quotes what the cell held (masked when it is personal data) — in the error texts, on
the job's page and in the marked workbook she downloads; for every import kind, since all share the engine."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jinguo.core.excel import CellError, ImportContext, parse_bool, parse_decimal
from jinguo.core.excel.cells import refuse_numeric_id_number
from jinguo.core.excel.read import detect
from jinguo.core.idcard import check_char
from jinguo.core.importkinds import get_spec
from jinguo.core.models import ImportJob
from jinguo.testing import xlsx_file

D = dt.date
ID = "43112219850312001" + check_char("43112219850312001")


def run(kind: str, headers: list[str], rows: list[list], org):
    return get_spec(kind).run_import(xlsx_file(headers, rows), ImportContext(org=org))


def by_row(result) -> dict[int, list]:
    found: dict[int, list] = {}
    for error in result.errors:
        found.setdefault(error.row, []).append(error)
    return found


# (kind, the file's headers — one of them a synonym of the system's column —, a good row, (index, bad value),
#  the file's header and the system's name of that column)
SYNONYM_CASES = [
    ("petitions", ["来访日期", "来源方式", "问题类型", "诉求摘要"], [D(2025, 3, 5), "来访", "婚姻家庭", "诉求"],
     (2, "家暴纠纷"), "问题类型", "问题类别"),
    ("activities", ["开展日期", "活动形式", "活动名称"], [D(2025, 3, 5), "宣传教育", "三八节宣传"],
     (1, "联欢"), "活动形式", "活动类型"),
    ("beneficiaries", ["名字", "身份证号", "帮扶类型", "纳入时间"], ["李梅", ID, "贫困母亲",
                                                                D(2025, 1, 2)],
     (2, "低保户"), "帮扶类型", "帮扶类别"),
]


@pytest.mark.parametrize(("kind", "headers", "good", "bad", "header", "label"), SYNONYM_CASES,
                         ids=[c[0] for c in SYNONYM_CASES])
def test_an_error_names_the_files_own_header_and_the_systems_name_beside_it(kind, headers, good, bad, header, label,
                                                                              tree):
    row = list(good)
    row[bad[0]] = bad[1]
    result = run(kind, headers, [row], tree["county"])
    assert [(e.row, e.column, e.header, e.label) for e in result.errors] == [
        (2, "ABCD"[bad[0]], header, label)], [str(e) for e in result.errors]
    text = str(result.errors[0])
    assert f"{'ABCD'[bad[0]]}列“{header}”（{label}）：“{bad[1]}”不在可选值中" in text, text
    assert result.errors[0].as_dict()["label"] == label


def test_a_header_that_is_the_systems_own_is_named_once(tree):
    result = run("petitions", ["登记日期*", "来源方式*", "问题类别*"], [[D(2025, 3, 5), "来访", "家暴纠纷"]],
                 tree["county"])
    assert [(e.header, e.label) for e in result.errors] == [("问题类别", "")]
    assert "C列“问题类别”：" in str(result.errors[0])


def test_form_errors_quote_the_cell_for_petitions(tree):
    headers = ["来访日期", "来源方式", "问题类型", "问题子类", "姓名", "诉求摘要", "办理状态", "办结日期"]
    good = [D(2025, 3, 5), "来访", "婚姻家庭", "", "王五", "诉求", "", ""]
    rows = [list(good) for _ in range(5)]
    rows[0][0] = D(2099, 3, 5)  # a date in the future
    rows[1][6], rows[1][7] = "已办结", "2025年1月2日"  # 办结日期 earlier than 登记日期
    rows[2][4] = "张" * 60  # a name longer than the field: quoted, and masked
    rows[3][2], rows[3][3] = "劳动权益", "家庭暴力"  # a sub-type of another category
    rows[4][2], rows[4][3] = "家庭暴力", "离婚纠纷"  # a sub-type as the category, another in its own column
    errors = by_row(run("petitions", headers, rows, tree["county"]))
    assert set(errors) == {2, 3, 4, 5, 6}, errors
    future, = errors[2]
    assert (future.column, future.header, future.label) == ("A", "来访日期", "登记日期")
    assert "不能晚于今天" in future.message and "“2099-03-05”" in future.message
    early, = errors[3]
    assert early.header == "办结日期" and early.message == "办结日期（2025-01-02）早于登记日期（2025-03-05）。"
    long_name, = errors[4]
    assert long_name.header == "姓名" and "张" * 60 not in long_name.message and "“张***" in long_name.message
    other, = errors[5]
    assert "“家庭暴力”不属于“劳动和社会保障权益”" in other.message
    sub_as_main, = errors[6]
    assert sub_as_main.header == "问题类型" and "应为大类" in sub_as_main.message
    assert "“家庭暴力”" in sub_as_main.message


def test_form_errors_quote_the_cell_for_activities_and_registries(tree):
    result = run("activities", ["开展日期", "活动形式", "活动名称", "单位编码", "发放资料"],
                 [[D(2025, 3, 5), "宣传", "宣传" * 150, "", 10],  # a title past its 200 characters
                  [D(2025, 3, 6), "宣传", "入户走访", "9999", 10],  # a unit code nobody has
                  [D(2025, 3, 7), "宣传", "义诊", "", "约500"]], tree["county"])
    errors = by_row(result)
    assert set(errors) == {2, 3, 4}, [str(e) for e in result.errors]
    assert errors[2][0].header == "活动名称" and "（所填为“宣传宣传" in errors[2][0].message
    assert "…" in errors[2][0].message and len(errors[2][0].message) < 120  # a long cell is quoted by its start
    assert errors[3][0].header == "单位编码" and "“9999”" in errors[3][0].message
    assert errors[4][0].header == "发放资料" and "“约500”" in errors[4][0].message

    result = run("beneficiaries", ["名字", "身份证号", "帮扶类型", "纳入时间", "退出时间"],
                 [["李梅", ID, "贫困母亲", D(2025, 1, 2), "2025-13-40"],
                  ["赵兰", 431122198503120000, "贫困母亲", D(2025, 1, 2), ""]], tree["county"])
    errors = by_row(result)
    assert errors[2][0].header == "退出时间" and errors[2][0].label == "退出日期"
    assert "“2025-13-40”" in errors[2][0].message
    assert errors[3][0].header == "身份证号" and "“431***********0000”" in errors[3][0].message
    assert "431122198503120000" not in str(errors[3][0])


def test_cell_parsers_quote_what_the_cell_held():
    with pytest.raises(CellError, match="“可能”不在可选值中，可选：是、否"):
        parse_bool("可能")
    with pytest.raises(CellError, match="“TRUE”不是数字"):
        parse_decimal(True)
    with pytest.raises(CellError, match=r"身份证号“431\*+0000”被 Excel 存成了数字"):
        refuse_numeric_id_number(431122198503120000)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_job_page_and_the_marked_workbook_name_the_files_header(tree, users, login, media,
                                                                    django_capture_on_commit_callbacks):
    client = login(users["staff"])
    headers = ["来访日期", "来源方式", "问题类型", "诉求摘要"]
    rows = [[D(2025, 3, 5), "来访", "家暴纠纷", "诉求"], [D(2099, 3, 5), "来访", "婚姻家庭", "诉求"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("petitions:case_import"),
                               {"file": xlsx_file(headers, rows, name="台账.xlsx"), "org": tree["county"].pk})
        job = ImportJob.objects.get()
        assert response["Location"] == reverse("core:importjob_mapping", args=[job.pk])  # synonyms: asked once
        client.post(response["Location"], {"action": "import"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    shown = [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r'<td class="text-nowrap">数据</td><td>\d+</td><td>[A-Z]</td><td>(.*?)</td>', page)]
    assert shown == ["问题类型 （问题类别）", "来访日期 （登记日期）"], shown
    assert "“2099-03-05”" in page
    marked = client.get(job.get_absolute_url(), {"download": "errors"})
    book = load_workbook(io.BytesIO(b"".join(marked.streaming_content)))
    assert book.sheetnames[0] == "错误清单" and book.active.title == "错误清单"
    listed = [[c.value for c in row] for row in book["错误清单"].iter_rows(min_row=2)]
    assert ["数据", 2, "C", "问题类型（问题类别）"] == listed[0][:4] and "家暴纠纷" in listed[0][4]
    assert ["数据", 3, "A", "来访日期（登记日期）"] == listed[1][:4]
    assert book["数据"]["C2"].comment is not None  # the cell itself still marked
    # The marked workbook, corrected and uploaded again, reads its data sheet only: the list is never data.
    again = detect(io.BytesIO(b"".join(client.get(job.get_absolute_url(), {"download": "errors"}).streaming_content)),
                   get_spec("petitions"), ImportContext(org=tree["county"]))
    assert [t.name for t in again.tables] == ["数据"] and not again.skipped
