"""The case list page reads plain values (masks as stored, names beside ids), and its unfiltered pages come from a
query compiled once (`petitions.tables.unit_page`): every page must show what the ORM-built filtered path shows, each
visible case once in list order, the handed-down case included, nothing decrypted."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jinguo.petitions.models import Case


@pytest.fixture
def cases(tree, make_case):
    """45 cases of 东安县 — some at the same minute, so pages must break ties by id — one of the sister county and one
    of another city (handed down to 东安县 below)."""
    made = [make_case(tree["county"] if i % 3 else tree["township"], received=f"2025-03-{1 + i // 4:02d} 09:00",
                      name=f"王{i}号", id_number="", phone=f"1390000{i:04d}", flags=("dv",) if i % 7 == 0 else ())
            for i in range(45)]
    make_case(tree["sister"], received="2025-04-01 09:00", name="外县人")
    outside = make_case(tree["other_county"], received="2025-03-05 09:00", name="外市人")
    Case.objects.filter(pk=outside.pk).update(handler=tree["county"])  # 交办 to 东安县
    return [*made, outside]


def _body(html: str) -> str:
    return html[html.index("<tbody>"):html.index("</tbody>")]


def _numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/petitions/\d+/">([^<]+)</a>', _body(html))


def test_pages_show_every_visible_case_once_in_list_order(cases, users, login):
    client = login(users["staff"])
    expected = [c.number for c in sorted(cases, key=lambda c: (c.received_at, c.pk), reverse=True)]
    shown = []
    for page in (1, 2, 3):
        html = client.get("/petitions/", {"page": page, "per_page": 20}).content.decode()
        assert "共 46 条" in html
        shown += _numbers(html)
    assert shown == expected  # 20 + 20 + 6, the handed-down case among them, the sister county's case not


@pytest.mark.parametrize("page", [1, 3])
def test_an_unfiltered_page_shows_what_the_filtered_path_shows(cases, users, login, page):
    """A filter that keeps every case goes through the ORM-built query; the unfiltered page through the compiled
    one. The two tables are the same, cell by cell: masks, names, status and risk labels, deadlines, links."""
    client = login(users["staff"])
    with CaptureQueriesContext(connection) as queries:
        unfiltered = client.get("/petitions/", {"page": page, "per_page": 20}).content.decode()
    filtered = client.get("/petitions/", {"page": page, "per_page": 20, "date_from": "2000-01-01"}).content.decode()
    assert _body(unfiltered) == _body(filtered)
    assert "王*" in _body(unfiltered) and "王0号" not in unfiltered  # masked, never the name
    assert "红（家暴）" in _body(filtered) or page == 3
    assert not [q for q in queries.captured_queries if '"petitions_case"."summary"' in q["sql"]]  # no case rows read


def test_a_page_past_the_end_shows_the_last_page(cases, users, login):
    client = login(users["staff"])
    last = client.get("/petitions/", {"page": 3, "per_page": 20}).content.decode()
    assert _numbers(client.get("/petitions/", {"page": 99, "per_page": 20}).content.decode()) == _numbers(last)


def test_no_case_in_scope_shows_the_empty_state(users, login, tree, make_case):
    make_case(tree["sister"], name="外县人")
    html = login(users["staff"]).get("/petitions/").content.decode()
    assert "<tbody>" not in html and "共 0 条" not in html
    assert re.search(r"还没有.*记录", html)  # the empty state, not an empty table


def test_the_code_pickers_offer_the_tables_active_items_at_once(cases, users, login):
    """The 问题类别 and 来源方式 pickers read their options through a compiled query: an item added, renamed or retired
    shows at once, sub-categories stay out of the top-level picker, and choosing one filters."""
    from jinguo.core.models import CodeItem

    client = login(users["staff"])

    def options(name: str) -> list[str]:
        html = client.get("/petitions/").content.decode()
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        return re.findall(r"<option[^>]*>([^<]+)</option>", select)

    categories = CodeItem.objects.of("petition_category")
    top = list(categories.filter(parent__isnull=True).values_list("name", flat=True))
    assert options("category") == ["全部", *top]
    assert not set(categories.filter(parent__isnull=False).values_list("name", flat=True)) & set(options("category"))
    marriage = categories.get(name="婚姻家庭")
    CodeItem.objects.create(table=marriage.table, code="99", name="新设类别", order=999)
    assert options("category")[-1] == "新设类别"
    channel = CodeItem.objects.of("petition_channel").get(name="来电")
    channel.name = "来电（含12338）"
    channel.save()
    assert "来电（含12338）" in options("channel") and "来电" not in options("channel")
    CodeItem.objects.filter(pk=channel.pk).update(is_active=False)
    assert "来电（含12338）" not in options("channel")
    html = client.get("/petitions/", {"category": marriage.pk}).content.decode()
    assert "共 46 条" in html and f'<option value="{marriage.pk}" selected>婚姻家庭</option>' in html


def test_a_filtered_list_counts_a_short_first_page_without_counting(cases, users, login):
    """A filtered first page shorter than the page size is the whole result (a search by ID number finds one or two
    cases): its total is its length, with no COUNT query; a full first page and later pages still count."""
    client = login(users["staff"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/petitions/", {"search": "13900000007"}).content.decode()
    assert "共 1 条" in html and len(_numbers(html)) == 1
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    full = client.get("/petitions/", {"date_from": "2000-01-01", "per_page": 20}).content.decode()
    assert "共 46 条" in full and "第 1 / 3 页" in full and len(_numbers(full)) == 20
    last = client.get("/petitions/", {"date_from": "2000-01-01", "per_page": 20, "page": 3}).content.decode()
    assert "共 46 条" in last and len(_numbers(last)) == 6
    none = client.get("/petitions/", {"search": "13999999999"}).content.decode()
    assert "<tbody>" not in none and "没有符合条件的记录" in none


def test_a_bad_filter_is_reported_with_its_own_table_and_never_exported(cases, users, login):
    """The message naming an ignored filter shows with the table it concerns — also when only the table is redrawn
    (paging, filtering: htmx) — and not on some later page; an export with a filter that cannot be read exports
    nothing and goes back to the list, which says what to correct."""
    client = login(users["staff"])
    message = "筛选条件“问题类别”无效，已忽略"
    partial = client.get("/petitions/", {"category": "abc", "page": 2, "per_page": 20}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert message in html and "<html" not in html and len(_numbers(html)) == 20
    assert message not in client.get("/ledger/").content.decode()  # not left over for the next page
    export = client.get("/petitions/", {"category": "abc", "export": "xlsx"})
    assert export.status_code == 302 and "export" not in export["Location"] and "category=abc" in export["Location"]
    back = client.get(export["Location"]).content.decode()
    assert back.count(message) == 1
    assert message not in client.get("/petitions/").content.decode()
    assert client.get("/petitions/", {"export": "xlsx"})["Content-Type"].startswith("application/vnd.openxmlformats")


def test_yes_no_filters_offer_all_yes_and_no(users, login):
    html = login(users["sysadmin"]).get("/orgs/units/").content.decode()
    select = re.search(r'<select name="is_active".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select) == ["全部", "是", "否"]
    inactive = login(users["sysadmin"]).get("/orgs/units/", {"is_active": "false"}).content.decode()
    assert '<option value="false" selected>否</option>' in inactive


def test_a_hidden_filter_has_no_label_in_the_filter_bar(users, login):
    """The activity list's 总结栏目 filter is set by links from the summary, not typed: it rides along hidden, with no
    title standing over an empty space."""
    html = login(users["staff"]).get("/ledger/", {"section": "xyz"}).content.decode()
    start = html.index('id="filters"')
    bar = html[start:html.index("</form>", start)]
    assert "总结栏目" not in bar and '<input type="hidden" name="section" value="xyz"' in bar


def test_the_filter_bar_keeps_the_page_size_and_says_filtered_only_for_filters(cases, users, login):
    client = login(users["staff"])
    sized = client.get("/petitions/", {"per_page": 20}).content.decode()
    start = sized.index('id="filters"')
    assert '<input type="hidden" name="per_page" value="20">' in sized[start:sized.index("</form>", start)]
    assert "已筛选" not in sized and 'class="collapse d-md-block" id="filters"' in sized  # folded on a phone
    filtered = client.get("/petitions/", {"per_page": 20, "status": "closed"}).content.decode()
    assert "已筛选" in filtered and 'class="collapse d-md-block show" id="filters"' in filtered
    assert 'name="per_page"' not in client.get("/petitions/").content.decode()
