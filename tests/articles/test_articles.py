"""信息报送: the `articles` import and the sentence, sending up through the pages, adoption by the city user counted
as the city's in the county's statistics, forwarding, the ranking, and a sister county that sees none of it."""

import datetime as dt

import pytest
from django.urls import reverse

from jinguo.articles import services, stats
from jinguo.articles.models import Adoption, Article
from jinguo.audit.models import AuditEntry
from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import get_spec
from jinguo.core.periods import Period
from jinguo.core.roles import Role
from jinguo.testing import make_user, xlsx_file

HEADERS = ["标题", "报送日期", "作者", "采用单位"]


def _import(rows, org, user):
    return get_spec("articles").run_import(xlsx_file(HEADERS, rows), ImportContext(org=org, user=user))


def eighteen_rows():
    rows = []
    for n in range(18):
        adopter = "永州市妇联" if n < 2 else ("县委办公室" if n < 7 else "")
        rows.append([f"东安县妇联工作动态第{n + 1}期", f"2025-{n % 6 + 1:02d}-{n + 1:02d}", "李娟", adopter])
    return rows


def test_eighteen_reports_two_adopted_by_the_city_five_by_the_party_office(tree, users):
    result = _import(eighteen_rows(), tree["county"], users["staff"])
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 18
    assert Adoption.objects.filter(adopter=tree["city"]).count() == 2
    info = stats.info_work(tree["county"], Period(2025, "H", 1))
    assert (info.written, info.adopted) == (18, 7)
    assert stats.info_work_sentence(info, tree["county"]) == "报送信息18篇，被永州市妇联采用2篇，被县委办公室采用5篇"
    from jinguo.reports.summary import generate

    body = [b["text"] for b in generate(tree["county"], Period(2025, "H", 1))]
    assert "2025年上半年，报送信息18篇，被永州市妇联采用2篇，被县委办公室采用5篇。" in body  # in the summary
    again = _import(eighteen_rows(), tree["county"], users["staff"])
    assert (again.created, again.skipped) == (0, 18) and Adoption.objects.count() == 7


def test_adopter_by_code_or_bare_name_is_the_unit_and_bad_rows_name_the_cell(tree, users):
    rows = [["一", "2025-03-01", "李娟", "431100"], ["二", "2025-03-02", "", "永州市"],
            ["三", "2025-03-03", "", "永州市妇联、中国妇女报"]]
    assert _import(rows, tree["county"], users["staff"]).ok
    assert Adoption.objects.filter(adopter=tree["city"]).count() == 3
    assert Adoption.objects.filter(adopter_text="中国妇女报").count() == 1
    bad = _import([["", "2025-03-01", "", ""], ["四", "三月", "", ""], ["五", "2099-01-01", "", ""]],
                  tree["county"], users["staff"])
    messages = {(e.row, e.column): e.message for e in bad.errors}
    assert messages[(2, "A")] == "必填"
    assert "不是有效日期" in messages[(3, "B")]
    assert "不能晚于今天" in messages[(4, "B")]
    assert Article.objects.count() == 3


def test_a_report_sent_up_and_adopted_by_the_city_counts_for_the_county_and_the_sister_sees_neither(
        tree, users, login):
    county, city, sister = login(users["staff"]), login(users["city"]), login(users["sister"])
    response = county.post(reverse("articles:article_add"), {
        "org": tree["county"].pk, "title": "东安县开展反家暴宣传月活动", "sent_on": "2025-03-08", "author": "李娟",
        "sent_to": tree["city"].pk, "body": "正文"})
    assert response.status_code == 302, response.content.decode()[:1500]
    article = Article.objects.get()
    inbox = city.get(reverse("articles:inbox"))
    assert "东安县开展反家暴宣传月活动" in inbox.content.decode()
    adopted = city.post(reverse("articles:article_action", args=[article.pk, "adopt"]),
                        {"on": "2025-03-10", "note": "《永州妇运》第3期"})
    assert adopted.status_code == 302
    adoption = Adoption.objects.get()
    assert adoption.adopter == tree["city"] and adoption.adopted_by == users["city"]
    assert AuditEntry.objects.filter(action="article.adopted", object_id=str(article.pk)).exists()
    info = stats.info_work(tree["county"], Period(2025))
    assert stats.info_work_sentence(info, tree["county"]) == "报送信息1篇，被永州市妇联采用1篇"
    # Adopting twice is refused with a message, not a second record.
    city.post(reverse("articles:article_action", args=[article.pk, "adopt"]), {})
    assert Adoption.objects.count() == 1
    # The county cannot adopt its own report for the city.
    assert county.post(reverse("articles:article_action", args=[article.pk, "adopt"]), {}).status_code == 404
    # The sister county sees neither the report nor its adoption.
    assert "反家暴宣传月" not in sister.get(reverse("articles:inbox")).content.decode()
    assert "反家暴宣传月" not in sister.get(reverse("articles:article_list")).content.decode()
    assert sister.get(article.get_absolute_url()).status_code == 404
    assert sister.post(reverse("articles:article_action", args=[article.pk, "adopt"]), {}).status_code == 404
    assert stats.info_work(tree["sister"], Period(2025)).written == 0
    ranking = sister.get(reverse("articles:ranking"))
    assert "反家暴宣传月" not in ranking.content.decode() and "东安县" not in ranking.content.decode()


def test_forwarded_up_the_province_adopts_for_itself_and_the_city_is_not_the_adopter(tree, users, login):
    province = make_user("hunan", tree["province"], Role.STAFF)
    article = Article.objects.create(org=tree["county"], title="东安县妇联创新家风建设", sent_on=dt.date(2025, 5, 6),
                                     sent_to=tree["city"])
    assert not Article.objects.visible_to(users["sister"]).filter(pk=article.pk).exists()
    response = login(users["city"]).post(reverse("articles:article_action", args=[article.pk, "forward"]),
                                         {"to_org": tree["province"].pk, "note": "推荐"})
    assert response.status_code == 302
    forward = article.forwards.get()
    assert (forward.from_org, forward.to_org, forward.forwarded_by) == (tree["city"], tree["province"], users["city"])
    services.adopt(article, actor=province)
    services.adopt(article, actor=users["city"])
    info = stats.info_work(tree["county"], Period(2025))
    assert stats.info_work_sentence(info, tree["county"]) == "报送信息1篇，被永州市妇联采用1篇，被湖南省妇联采用1篇"
    with pytest.raises(Exception, match="上级单位"):
        services.forward(article, actor=users["city"], to_org=tree["county"])


def test_the_sender_records_an_outside_adoption_and_the_ranking_orders_units(tree, users, login):
    one = Article.objects.create(org=tree["county"], title="甲", sent_on=dt.date(2025, 4, 1))
    Article.objects.create(org=tree["township"], title="乙", sent_on=dt.date(2025, 4, 2))
    Article.objects.create(org=tree["sister"], title="丙", sent_on=dt.date(2025, 4, 2))
    response = login(users["staff"]).post(reverse("articles:article_action", args=[one.pk, "record"]),
                                          {"adopter_text": "永州日报", "on": "2025-04-05"})
    assert response.status_code == 302
    assert Adoption.objects.get().adopter_text == "永州日报"
    rows = stats.ranking(tree["city"], Period(2025))
    assert [(r.name, r.written, r.adopted, r.adopted_outside) for r in rows] == [
        ("东安县", 2, 1, 1), ("双牌县", 1, 0, 0)]
    assert rows[0].rate == 50
    page = login(users["city"]).get(reverse("articles:ranking"), {"org": tree["city"].pk, "period": "2025"})
    assert page.status_code == 200 and "信息工作考核" in page.content.decode()
    export = login(users["city"]).get(reverse("articles:ranking"), {"org": tree["city"].pk, "period": "2025",
                                                                    "export": "xlsx"})
    assert export.status_code == 200


def test_api_lists_received_reports_and_adopts(tree, users, login):
    article = Article.objects.create(org=tree["county"], title="接口信息", sent_on=dt.date(2025, 6, 1),
                                     sent_to=tree["city"])
    city = login(users["city"])
    assert any(a["id"] == article.pk for a in city.get("/api/articles/").json()["results"])
    response = city.post(f"/api/articles/{article.pk}/adopt/", {"note": "采用"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["adopter_name"] == "永州市妇联"
    sister = login(users["sister"])
    assert sister.post(f"/api/articles/{article.pk}/adopt/", {}, content_type="application/json").status_code == 404
    assert sister.get(f"/api/articles/{article.pk}/").status_code == 404


def test_demo_loader_is_idempotent(tree, users):
    from jinguo.articles.demo import load_demo

    assert load_demo(tree["county"], city_user=users["city"]) == 10
    assert load_demo(tree["county"], city_user=users["city"]) == 0
    assert Adoption.objects.filter(adopter=tree["city"], adopted_by=users["city"]).count() == 4
