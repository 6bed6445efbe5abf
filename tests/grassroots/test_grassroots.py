"""基层组织建设: the `org_profiles` import, the survey and its sentence, election reminders, yearly snapshots and the
return for the level above (no personal data)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.periods import Period
from jinguo.grassroots import stats
from jinguo.grassroots.models import OrgProfile, ProfileSnapshot
from jinguo.orgs.services import add_org
from jinguo.testing import xlsx_file

HEADERS = ["单位编码", "组织类型", "主席姓名", "执委人数", "妇女之家", "工作经费(元)", "换届日期"]


@pytest.fixture
def villages(tree):
    town = tree["township"]
    return [add_org(f"431122100{n:03d}", name, parent=town) for n, name in
            [(201, "白牙市村"), (202, "石期村"), (203, "芦洪村"), (204, "城东社区"), (205, "城西社区")]]


def _import(rows, org, user=None, existing="skip"):
    return get_spec("org_profiles").run_import(xlsx_file(HEADERS, rows), ImportContext(org=org, user=user,
                                                                                       existing=existing))


def five_rows(elected_old="2019-05-10"):
    return [
        ["100201", "村妇联", "王秀英", 11, "有", 5000, "2023-04-01"],  # without the county's digits
        ["431122100202", "村妇联", "李桂兰", 9, "石期村村部二楼", 3000, "2022-06-18"],  # in full; an address
        [100203, "村妇代会", "张玉梅", 7, "无", "2000元", elected_old],  # a number, an alias, the unit
        ["100204", "社区妇联", "刘春花", 13, "是", 8000, "2024/3/8"],
        ["100205", "社区妇联", "陈丽", 12, "有", 6000, "2023年5月1日"],
    ]


def test_five_villages_and_communities_give_the_survey_and_sentence_with_5_and_4(tree, users, villages):
    result = _import(five_rows(), tree["county"], users["staff"])
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 5
    profile = OrgProfile.objects.get(org__code="431122100202")
    assert profile.has_home and profile.home_address == "石期村村部二楼"
    assert OrgProfile.objects.get(org__code="431122100203").funding == Decimal("2000")
    survey = stats.survey(tree["county"], Period.containing(timezone.localdate()))
    assert (survey.village.count, survey.village.with_home, survey.village.without_home) == (5, 4, 1)
    assert survey.total.executives == 52 and survey.total.funding == Decimal("24000")
    sentence = stats.survey_sentence(survey, tree["county"])
    assert sentence.startswith("全县共有村（社区）妇联5个，建有妇女之家4个")
    assert "执委52名" in sentence and "2.4万元" in sentence
    assert "1个基层组织已到换届时间" in sentence
    # … and the work summary says it in its 组织建设 section, linked to the survey
    from jinguo.reports.summary import generate

    blocks = generate(tree["county"], Period.containing(timezone.localdate()))
    block = next(b for b in blocks if b["text"] == sentence)
    heading = next(b for b in reversed(blocks[:blocks.index(block)]) if b["kind"] == "h2")
    assert "组织建设" in heading["text"]
    assert block["links"] and "/survey/" in block["links"][0]["url"]


def test_reimporting_the_same_rows_does_not_duplicate_and_update_changes_them(tree, users, villages):
    assert _import(five_rows(), tree["county"], users["staff"]).created == 5
    again = _import(five_rows(), tree["county"], users["staff"])
    assert (again.created, again.skipped) == (0, 5)
    rows = five_rows()
    rows[2][4] = "有"
    updated = _import(rows, tree["county"], users["staff"], existing="update")
    assert updated.ok and updated.updated == 5
    assert OrgProfile.objects.count() == 5 and OrgProfile.objects.filter(has_home=True).count() == 5


def test_an_election_older_than_five_years_shows_a_reminder(tree, users, villages, login):
    _import(five_rows(elected_old="2019-05-10"), tree["county"], users["staff"])
    page = login(users["staff"]).get(reverse("grassroots:reminders"))
    assert page.status_code == 200
    overdue = page.context["overdue"]
    assert [p.org.code for p in overdue] == ["431122100203"]
    html = page.content.decode()
    assert "芦洪村" in html and "2024-05-10" in html  # five years after the election
    detail = login(users["staff"]).get(overdue[0].get_absolute_url()).content.decode()
    assert "已到换届时间" in detail


def test_unknown_or_outside_unit_codes_are_row_errors_naming_the_cell(tree, users, villages):
    rows = five_rows()
    rows[1][0] = "999999"
    rows[3][0] = "431123100"  # the sister county's township: not under the importing unit
    rows[4][1] = "居委会"
    result = _import(rows, tree["county"], users["staff"])
    assert not result.ok and result.created == 0 and OrgProfile.objects.count() == 0
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "单位编码“999999”在东安县及其下级单位中不存在" in messages[(3, "A")]
    assert "431123100" in messages[(5, "A")]
    assert "不在可选值中" in messages[(6, "B")]


def test_a_past_years_survey_keeps_its_figures(tree, users, villages):
    from jinguo.core.models import CodeItem
    from jinguo.grassroots.services import save_profile

    village = CodeItem.objects.lookup("grassroots_kind")["村妇联"]
    profile = save_profile(OrgProfile(org=villages[0], kind=village, executives=7, has_home=False,
                                      funding=Decimal(1000)), year=2024)
    profile.has_home, profile.executives, profile.funding = True, 11, Decimal(5000)
    save_profile(profile, year=2025)
    past = stats.survey(tree["county"], Period(2024))
    now = stats.survey(tree["county"], Period(2025))
    assert (past.village.with_home, past.total.executives, past.total.funding) == (0, 7, Decimal(1000))
    assert (now.village.with_home, now.total.executives, now.total.funding) == (1, 11, Decimal(5000))
    assert ProfileSnapshot.objects.filter(profile=profile).count() == 2


def test_the_chair_is_linked_to_the_talent_pool_when_she_is_there(tree, users, villages):
    from jinguo.people import services as people
    from jinguo.people.models import Talent

    person = people.person_for(name="王秀英", id_number="110105194912310029")
    talent = Talent.objects.create(org=tree["county"], person=person, post_kind="village_chair",
                                   last_reviewed=dt.date(2025, 1, 5))
    _import(five_rows(), tree["county"], users["staff"])
    assert OrgProfile.objects.get(org__code="431122100201").chair == talent
    assert OrgProfile.objects.get(org__code="431122100202").chair is None


def test_the_return_for_the_level_above_carries_no_personal_data(tree, users, villages, login):
    _import(five_rows(), tree["county"], users["staff"])
    client = login(users["city"])
    response = client.get(reverse("grassroots:survey"), {"org": tree["county"].pk,
                                                         "period": str(timezone.localdate().year), "export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c.value for row in book.active.iter_rows() for c in row if c.value is not None]
    text = "".join(str(c) for c in cells)
    for chair in ("王秀英", "李桂兰", "张玉梅", "刘春花", "陈丽"):
        assert chair not in text
    assert "石期村村部二楼" not in text  # addresses stay at home too
    assert "白牙市镇" in text and 5 in cells and 4 in cells  # the township's row: 5 organisations, 4 homes
    assert not any(c.data_type == "f" for row in book.active.iter_rows() for c in row)


def test_survey_page_lists_counts_for_the_unit_and_its_subtree(tree, users, villages, login):
    _import(five_rows(), tree["county"], users["staff"])
    page = login(users["staff"]).get(reverse("grassroots:survey"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "全县共有村（社区）妇联5个，建有妇女之家4个" in html
    sister = login(users["sister"]).get(reverse("grassroots:survey")).content.decode()
    assert "村（社区）妇联5个" not in sister and "白牙市" not in sister


def test_profile_pages_add_edit_and_list(tree, users, villages, login):
    from jinguo.core.models import CodeItem

    client = login(users["staff"])
    kind = CodeItem.objects.lookup("grassroots_kind")["社区妇联"]
    response = client.post(reverse("grassroots:orgprofile_add"), {
        "org": villages[3].pk, "kind": kind.pk, "chair_name": "刘春花", "executives": "13", "has_home": "on",
        "home_address": "城东社区服务中心", "funding": "8000", "elected_on": "2023-03-08"})
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = OrgProfile.objects.get()
    assert profile.snapshots.count() == 1
    bad = client.post(reverse("grassroots:orgprofile_add"), {"org": tree["sister_township"].pk, "kind": kind.pk,
                                                              "executives": "-1", "funding": "abc"})
    assert bad.status_code == 400 and OrgProfile.objects.count() == 1
    assert client.get(reverse("grassroots:orgprofile_list")).status_code == 200
    export = client.get(reverse("grassroots:orgprofile_list"), {"export": "xlsx"})
    assert export.status_code == 200


def test_demo_loader_is_idempotent(tree):
    from jinguo.grassroots.demo import load_demo

    assert load_demo(tree["county"]) == 3  # two townships and the statistics bureau
    assert load_demo(tree["county"]) == 0
    survey = stats.survey(tree["county"], Period.containing(timezone.localdate()))
    assert survey.total.count == 3 and stats.survey_sentence(survey, tree["county"])


def test_the_list_export_reads_each_profiles_unit_and_kind_with_it(tree, users, villages, login):
    """The list's export goes through the import layout (it re-imports); it reads each profile's unit and kind in the
    profile's own query (the table's `select_related`), so its queries do not grow with its rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(users["staff"])

    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("grassroots:orgprofile_list"), {"export": "xlsx"})
            content = b"".join(response.streaming_content) if response.streaming else response.content
        assert content.startswith(b"PK")
        return len(queries.captured_queries)

    rows = five_rows()
    assert _import(rows[:1], tree["county"], users["staff"]).ok
    export_queries()  # the session's first request also writes the session
    one = export_queries()
    assert _import(rows, tree["county"], users["staff"]).ok
    assert OrgProfile.objects.count() == 5 and export_queries() == one
