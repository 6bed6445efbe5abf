"""Each distinct cell is parsed and checked once per file (the speed path): a value seen before must still give each
row its own verdict — the same error on every row that has it, with that row's number and column, and a good value
after a bad one of another column still good."""

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.petitions.models import Case
from jinguo.testing import xlsx_file

HEADERS = ["登记日期", "来源方式", "问题类别", "办理状态", "办结日期"]


def test_a_repeated_bad_value_is_reported_on_every_row_that_has_it(tree):
    rows = [["2025-03-01", "来访", "婚姻家庭", "", ""],
            ["2025-13-01", "飞鸽传书", "婚姻家庭", "", ""],
            ["2025-03-02", "来访", "婚姻家庭", "办结", ""],  # 办结 without 办结日期: the form's cross-field rule
            ["2025-13-01", "飞鸽传书", "婚姻家庭", "", ""],
            ["2025-03-05", "来访", "婚姻家庭", "办结", ""],  # another case, the same rule broken
            ["2025-03-03", "来访", "婚姻家庭", "办结", "2025-03-20"]]
    result = get_spec("petitions").run_import(xlsx_file(HEADERS, rows), ImportContext(org=tree["county"]))
    got = sorted((e.row, e.column) for e in result.errors)
    assert got == [(3, "A"), (3, "B"), (4, "E"), (5, "A"), (5, "B"), (6, "E")], [str(e) for e in result.errors]
    by_place = {(e.row, e.column): e.message for e in result.errors}
    assert by_place[(3, "A")] == by_place[(5, "A")] and "2025-13-01" in by_place[(3, "A")]
    assert by_place[(3, "B")] == by_place[(5, "B")] and "飞鸽传书" in by_place[(3, "B")]
    assert by_place[(4, "E")] == by_place[(6, "E")] and "办结日期" in by_place[(4, "E")]
    assert Case.objects.count() == 0

    fixed = [row for row in rows if row[1] != "飞鸽传书"]
    fixed[1][4] = fixed[2][4] = "2025-03-25"
    result = get_spec("petitions").run_import(xlsx_file(HEADERS, fixed), ImportContext(org=tree["county"]))
    assert result.ok and result.created == 4, [str(e) for e in result.errors]
    assert Case.objects.filter(status="closed").count() == 3
