"""Issue 19: the summary an office would sign — sections by line of work, named main activities with date, place,
partners and figures, 存在的问题和不足 and 工作打算 from the data, varied but deterministic sentences, units named and
tabled in a city summary, and the office's own .docx template with its red 版头."""

import datetime as dt
import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from docx.shared import RGBColor

from jinguo.core.numbers import count_text, date_range_text, money_text
from jinguo.core.periods import Period
from jinguo.ledger.models import Activity, PlanItem
from jinguo.reports.models import Summary, SummaryTemplate
from jinguo.reports.services import regenerate, render_into_template, summary_docx_for
from jinguo.reports.summary import Options, generate

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TODAY = dt.date(2025, 7, 10)


@pytest.fixture
def ledger(tree, make_case, make_activity, codes):
    """东安县 2025H1 like the seed: campaigns with places and partners, trainings, visits with money, petitions;
    a year earlier for the change; 双牌县 for the city summary."""
    county, town = tree["county"], tree["township"]
    make_activity(county, "“三八”妇女维权周宣传", "2025-03-01", end_date="2025-03-07", themes=["三八维权周"],
                  place="县城中心广场", partners="县司法局、县公安局", materials=100000, consultations=1000)
    make_activity(county, "反家暴法律进社区", "2025-05-12", themes=["反家庭暴力"], place="城南社区",
                  partners="县法院", materials=3000, consultations=120)
    make_activity(town, "镇维权宣传", "2025-03-09", themes=["三八维权周"], place="白牙市镇集市", materials=800)
    make_activity(county, "普法讲座", "2025-04-02", kind="维权服务", place="县妇联会议室", participants=60)
    make_activity(county, "巾帼家政培训班", "2025-04-10", end_date="2025-04-14", kind="培训", place="县就业服务中心",
                  partners="县人社局", trainees=45)
    make_activity(county, "电商直播培训", "2025-05-20", kind="培训", place="县电商产业园", trainees=80)
    make_activity(town, "手工编织培训", "2025-06-03", kind="培训", place="白牙市镇文化站", trainees=30)
    make_activity(county, "创业沙龙", "2025-06-18", kind="培训", place="县创业园", trainees=20)
    make_activity(county, "六一关爱留守儿童", "2025-06-01", kind="慰问帮扶", place="大庙口镇中心小学",
                  partners="县教育局", condolence="12000", visited=120)
    make_activity(county, "困难母亲慰问", "2025-01-20", kind="慰问帮扶", themes=["春节送温暖"], place="各乡镇",
                  condolence="36000", visited=60)
    make_activity(town, "敬老院探望", "2025-05-08", kind="慰问帮扶", visited=15)
    make_activity(county, "家风家教宣讲", "2025-05-15", themes=["家庭家教家风"], place="县文化馆", participants=300)
    make_activity(county, "去年维权周", "2024-03-05", themes=["三八维权周"], materials=5000)
    make_activity(county, "去年培训一", "2024-04-05", kind="培训", trainees=10)
    for n in range(7):
        make_activity(county, f"去年慰问{n}", f"2024-0{n % 5 + 1}-10", kind="慰问帮扶", visited=5)
    for i in range(4):
        make_case(county, received=f"2025-03-{i + 2:02d} 09:00", sub="家庭暴力" if i < 2 else "家庭纠纷")
    make_case(town, received="2025-04-03 09:00", category="劳动权益")
    make_case(county, received="2024-03-01 09:00")
    make_activity(tree["sister"], "双牌县维权宣传", "2025-03-08", themes=["三八维权周"], place="双牌县广场",
                  materials=2000)
    PlanItem.objects.create(org=county, period="2025H2", title="开展“巾帼家政”培训三期", order=1)
    PlanItem.objects.create(org=county, period="2025H2", title="组织三八维权周以外的法律进乡村宣传", order=2)
    PlanItem.objects.create(org=county, period="2025H2", title="完善妇联执委履职档案", order=3)
    return tree


def draft(org, **options):
    return generate(org, Period.parse("2025H1"), Options(today=TODAY, **options))


def section(blocks, name):
    """The blocks between the heading '（n）name' and the next heading."""
    start = next(i for i, b in enumerate(blocks) if b["kind"] == "h2" and b["text"].endswith(name))
    end = next((i for i, b in enumerate(blocks) if i > start and b["kind"] in ("h1", "h2")), len(blocks))
    return blocks[start + 1:end]


def test_county_draft_names_the_main_activities_of_each_line_of_work(ledger):
    blocks = draft(ledger["county"])
    body = [b["text"] for b in blocks]
    headings = [b["text"] for b in blocks if b["kind"] == "h2"]
    assert headings[:4] == ["（一）思想引领与宣传教育", "（二）关爱帮扶", "（三）维护妇女儿童权益",
                            "（四）建功立业与创业就业"]
    rights = section(blocks, "维护妇女儿童权益")
    # The lead: totals of the section and the change against the same period last year.
    assert rights[0]["text"].startswith("2025年上半年") or rights[0]["text"].startswith("全县")
    assert "活动4场次，" in rights[0]["text"] and "发放宣传资料103800份" in rights[0]["text"]
    assert rights[0]["text"].endswith("比上年同期增加3场次。")
    items = [b["text"] for b in rights if re.match("^[一二三]是", b["text"])]
    assert len(items) == 3
    assert items[0].startswith("一是3月1日至7日") and "县司法局、县公安局" in items[0]
    assert "在县城中心广场" in items[0] and "“三八”妇女维权周宣传" in items[0]
    assert "发放宣传资料100000份，接受咨询1000人次" in items[0]
    assert items[1].startswith("二是") and "反家暴法律进社区" in items[1] and "城南社区" in items[1]
    # Reach ranks people first: the 60 at the lecture before the 800 leaflets of the township stall.
    assert items[2].startswith("三是4月2日") and "普法讲座" in items[2] and "参与群众60人" in items[2]
    career = [b["text"] for b in section(blocks, "建功立业与创业就业")]
    assert "开展活动4场次，培训175人，比上年同期增加3场次。" in career[0]
    assert career[1].startswith("一是5月20日") and "电商直播培训" in career[1] and "培训80人" in career[1]
    assert career[2].startswith("二是4月10日至14日") and "县人社局" in career[2] and "县就业服务中心" in career[2]
    assert career[3].startswith("三是6月3日") and "手工编织培训" in career[3]
    assert not any("创业沙龙" in t for t in career)  # the fourth is not named: three is the default
    care = [b["text"] for b in section(blocks, "关爱帮扶")]
    assert "发放慰问金4.8万元" in care[0] and "比上年同期减少4场次" in care[0]
    assert care[1].startswith("一是6月1日") and "慰问120人，发放慰问金1.2万元" in care[1]
    assert care[2].startswith("二是1月20日") and "发放慰问金3.6万元" in care[2]
    # Petitions under 维护妇女儿童权益, as before.
    assert any(t.startswith("2025年上半年，共受理来信来访来电5件次") for t in (b["text"] for b in rights))
    # 存在的问题和不足 and 下半年工作打算 drawn from the data.
    assert "二、存在的问题和不足" in body and "三、下半年工作打算" in body
    problems = body[body.index("二、存在的问题和不足") + 1:body.index("三、下半年工作打算")]
    assert any("关爱帮扶方面开展活动3场次，比上年同期减少4场次" in t for t in problems)
    assert any("大庙口镇" in t and "没有填报" in t for t in problems)
    assert any("已超过办理期限" in t for t in problems)  # registered in March, never accepted
    plans = body[body.index("三、下半年工作打算") + 1:]
    assert "（一）维护妇女儿童权益" in plans and "（二）建功立业与创业就业" in plans and "（三）其他工作" in plans
    assert "一是完善妇联执委履职档案。" in plans
    # No success adjectives the data cannot support.
    assert not re.search("取得新进展|显著|圆满|成效明显|广泛好评", "".join(body))


def test_without_plan_items_the_plans_are_drafted_from_the_problems_found(ledger):
    """Every summary has its 三、…工作打算: with no plan items for the next period, each problem found asks for its
    remedy there, and a sentence tells the office where its own plans go."""
    from jinguo.ledger.models import PlanItem

    PlanItem.objects.all().delete()
    body = [b["text"] for b in draft(ledger["county"])]
    remedies, own = body[body.index("三、下半年工作打算") + 1:-2]  # then the signature
    assert remedies.startswith("一是针对关爱帮扶方面活动少于上年同期的情况")
    assert "二是加强信访案件办理时效管理" in remedies and "三是督促基层妇联按时填报" in remedies
    assert own.startswith("（下半年工作打算尚未录入计划事项") and "工作计划" in own
    year = [b["text"] for b in generate(ledger["county"], Period.parse("2025"), Options(today=TODAY))]
    assert "三、明年工作打算" in year


def test_no_frame_sentence_serves_more_than_two_sections(ledger, make_activity):
    for n, kind in enumerate(["文体活动", "健康服务", "会议", "志愿服务"]):
        make_activity(ledger["county"], f"活动{n}", f"2025-02-1{n}", kind=kind, participants=10 + n)
    for org in (ledger["county"], ledger["city"], ledger["township"]):
        blocks = draft(org)
        per_frame: dict[str, set] = {}
        for b in blocks:
            if b.get("frame"):
                per_frame.setdefault(b["frame"], set()).add(b["key"].split(".")[0])
        assert per_frame and all(len(sections) <= 2 for sections in per_frame.values()), per_frame
        # Read as text too: with the figures taken out, no lead sentence repeats in three sections.
        leads = [re.sub(r"[\d.]+|“[^”]*”|（[^）]*）", "#", b["text"]) for b in blocks if b["key"].endswith(".lead")]
        skeletons = Counter(re.sub("思想引领与宣传教育|关爱帮扶|维护妇女儿童权益|建功立业与创业就业", "S", t)
                            for t in leads)
        assert max(skeletons.values()) <= 2


def test_every_figure_matches_the_records_and_links_to_them(ledger, users, login):
    summary = Summary.objects.create(org=ledger["county"], period="2025H1", created_by=users["staff"])
    regenerate(summary)
    client = login(users["staff"])
    page = client.get(summary.get_absolute_url()).content.decode()
    lead = next(b for b in summary.blocks if b["key"] == "rights.lead")
    held = next(link for link in lead["links"] if link["label"].endswith("场次"))
    assert f'href="{held["url"].replace("&", "&amp;")}"' in page
    listed = client.get(held["url"])
    assert listed.status_code == 200
    listed = listed.content.decode()
    assert int(re.search(r"(\d+)场次", held["label"]).group(1)) == 4
    for title in ("“三八”妇女维权周宣传", "反家暴法律进社区", "镇维权宣传", "普法讲座"):
        assert title in listed
    assert "双牌县维权宣传" not in listed and "电商直播培训" not in listed and "家风家教宣讲" not in listed
    item = next(b for b in summary.blocks if b["key"] == "rights.item.1")
    activity = Activity.objects.get(title="“三八”妇女维权周宣传")
    assert all(link["url"] == activity.get_absolute_url() for link in item["links"])
    assert "发放宣传资料100000份" in [link["label"] for link in item["links"]]


def test_rounded_style_and_date_ranges():
    assert count_text(100000, "份", rounded=True) == "10万份"
    assert money_text(12000, rounded=True) == "1.2万元"
    assert date_range_text(dt.date(2025, 3, 1), dt.date(2025, 3, 7)) == "3月1日至7日"
    assert date_range_text(dt.date(2025, 3, 28), dt.date(2025, 4, 2)) == "3月28日至4月2日"
    assert date_range_text(dt.date(2025, 3, 8), dt.date(2025, 3, 8)) == "3月8日"
    assert date_range_text(dt.date(2024, 12, 30), dt.date(2025, 1, 2)) == "2024年12月30日至2025年1月2日"


def test_rounded_draft_writes_numbers_as_offices_do(ledger):
    text = "".join(b["text"] for b in draft(ledger["county"], rounded=True))
    assert "发放宣传资料10万份" in text and "发放慰问金1.2万元" in text


def test_city_draft_names_a_county_that_stands_out_and_tables_the_units(ledger):
    blocks = draft(ledger["city"])
    rights = section(blocks, "维护妇女儿童权益")
    standout = next(b["text"] for b in rights if b["key"] == "rights.standout")
    assert "东安县妇联" in standout and "4场次" in standout
    table = next(b for b in rights if b["kind"] == "table")
    assert table["rows"][0][:2] == ["单位", "活动（场次）"]
    assert [row[:2] for row in table["rows"][1:]] == [["东安县", "4"], ["双牌县", "1"], ["合计", "5"]]
    materials = table["rows"][0].index("发放资料（份）")
    assert table["rows"][1][materials] == "103800" and table["rows"][3][materials] == "105800"
    document = Document(io.BytesIO(summary_docx_for_blocks(blocks)))
    assert any(t.cell(1, 0).text == "东安县" for t in document.tables)


def summary_docx_for_blocks(blocks):
    from jinguo.reports.services import render_docx

    return render_docx(blocks)


def test_same_records_same_text(ledger):
    first = draft(ledger["county"])
    again = draft(ledger["county"])
    assert first == again
    assert [b["text"] for b in draft(ledger["city"])] == [b["text"] for b in draft(ledger["city"])]


def red_header_template(extra: str = "") -> bytes:
    """A template as an office makes it: red 发文机关标志, 发文字号, red line, 主送, then the fields."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from jinguo.core.gbt9704 import new_document, set_font

    document = new_document()
    head = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run("东安县妇女联合会文件")
    set_font(run, "方正小标宋简体", Pt(36))
    run.font.color.rgb = RGBColor(0xE6, 0x00, 0x12)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(number.add_run("东妇发〔2025〕12号"), "仿宋_GB2312", Pt(16))
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "E60012")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    number._p.get_or_add_pPr().append(border)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run("{{ 标题 }}"), "方正小标宋简体", Pt(22))
    set_font(document.add_paragraph().add_run("各乡镇妇联、县妇联各部室："), "仿宋_GB2312", Pt(16))
    document.add_paragraph("{{ 正文 }}")
    if extra:
        document.add_paragraph(extra)
    sign = document.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(sign.add_run("{{ 落款 }}"), "仿宋_GB2312", Pt(16))
    date = document.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(date.add_run("{{ 日期 }}"), "仿宋_GB2312", Pt(16))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "红头模板.docx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_office_uploads_its_template_and_bad_ones_are_refused_in_chinese(ledger, users, login, settings, tmp_path):
    from jinguo.audit.models import AuditEntry

    settings.MEDIA_ROOT = tmp_path
    client = login(users["staff"])
    url = "/reports/summaries/templates/add/"
    good = red_header_template()
    for content, name, message in [
            (b"not a docx at all", "a.docx", "内容与扩展名不符"),
            (render_into_template(good, [{"kind": "para", "text": "x"}]), "no-body.docx", "没有 {{ 正文 }}"),
            (red_header_template("签发人：{{ 签发人 }}"), "unknown.docx", "不认识的字段：签发人"),
            (red_header_template("{{ 标题 }"), "syntax.docx", "字段写法有误")]:
        response = client.post(url, {"org": ledger["county"].pk, "name": "坏模板", "file": upload(content, name)})
        assert response.status_code == 400, name
        assert message in response.content.decode(), (name, response.content.decode()[-2000:])
    assert not SummaryTemplate.objects.exists()
    before = AuditEntry.objects.count()
    response = client.post(url, {"org": ledger["county"].pk, "name": "东安县妇联红头", "file": upload(good)})
    assert response.status_code == 302
    template = SummaryTemplate.objects.get()
    assert template.org == ledger["county"] and template.uploaded_by == users["staff"]
    assert AuditEntry.objects.count() > before
    # A sister county neither sees nor can choose it.
    sister = login(users["sister"])
    assert "东安县妇联红头" not in sister.get("/reports/summaries/templates/").content.decode()
    from jinguo.reports.forms import SummaryForm

    assert not SummaryForm(user=users["sister"]).fields["template"].queryset.exists()
    assert SummaryForm(user=users["staff"]).fields["template"].queryset.get() == template


@pytest.mark.pdf
def test_summary_renders_into_the_offices_red_header_template_and_page_one_is_kept(ledger, users, settings,
                                                                                   tmp_path):
    from django.core.files.base import ContentFile

    from jinguo.reports.pdf import docx_to_pdf

    settings.MEDIA_ROOT = tmp_path
    template = SummaryTemplate(org=ledger["county"], name="红头", uploaded_by=users["staff"])
    template.file.save("t.docx", ContentFile(red_header_template()), save=False)
    template.save()
    summary = Summary.objects.create(org=ledger["county"], period="2025H1", created_by=users["staff"],
                                     template=template)
    regenerate(summary)
    content = summary_docx_for(summary)
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "东安县妇女联合会文件" and texts[1] == "东妇发〔2025〕12号"
    assert document.paragraphs[0].runs[0].font.color.rgb == RGBColor(0xE6, 0x00, 0x12)
    assert "东安县妇联2025年上半年工作总结" in texts and "各乡镇妇联、县妇联各部室：" in texts
    assert texts.index("各乡镇妇联、县妇联各部室：") < texts.index("一、主要工作及成效")
    assert not any("{{" in t or "JINGUO" in t for t in texts)
    assert texts[-2:] == ["东安县妇联", next(b["text"] for b in summary.blocks if b["key"] == "sign.date")]
    pdf = docx_to_pdf(content)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / "summary-office-template.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(SCREENSHOTS / "summary-office-template-page1")], check=True)
    assert (SCREENSHOTS / "summary-office-template-page1.png").stat().st_size > 20_000
    text = subprocess.run(["pdftotext", "-l", "1", str(source), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    assert "东安县妇女联合会文件" in text and "（一）思想引领与宣传教育" in text


@pytest.mark.pdf
def test_default_template_has_a_red_header_option(ledger, users):
    from jinguo.reports.pdf import docx_to_pdf

    summary = Summary.objects.create(org=ledger["county"], period="2025H1", created_by=users["staff"],
                                     red_header=True)
    regenerate(summary)
    document = Document(io.BytesIO(summary_docx_for(summary)))
    head = document.paragraphs[0]
    assert head.text == "东安县妇女联合会" and head.runs[0].font.color.rgb == RGBColor(0xE6, 0x00, 0x12)
    assert "E60012" in document.paragraphs[1]._p.xml  # the red separator line
    plain = Summary.objects.create(org=ledger["county"], period="2025H1", created_by=users["staff"])
    regenerate(plain)
    assert Document(io.BytesIO(summary_docx_for(plain))).paragraphs[0].text == "东安县妇联2025年上半年工作总结"
    pdf = docx_to_pdf(summary_docx_for(summary))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / "summary-red-header.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(SCREENSHOTS / "summary-red-header-page1")], check=True)


def test_cases_marked_typical_are_told_in_one_anonymised_sentence_each(ledger, users, make_case, codes):
    """An office marks a case 典型 (on the case form); the 维护妇女儿童权益 section tells it: when, what kind, what was
    done (the 反家暴 measures, referrals by agency type), how it ended — no name, no ID, no place."""
    import datetime as dt

    from jinguo.petitions import services as petitions
    from jinguo.petitions.models import DomesticViolence

    case = make_case(ledger["county"], received="2025-03-08 10:00", sub="家庭暴力", name="王秀英",
                     id_number="320124198808240056", phone="13807461234")
    actor = users["staff"]
    petitions.accept_case(case, actor=actor, on=dt.date(2025, 3, 8))
    petitions.save_dv(case, DomesticViolence(abuser_relation="丈夫", warning_letter_on=dt.date(2025, 3, 9),
                                             order_applied_by="federation", order_granted=True), actor=actor)
    petitions.refer_case(case, agency_type=codes["agency"]["法律援助中心"], unit_name="东安县法律援助中心王律师",
                         sent_on=dt.date(2025, 3, 10), actor=actor)
    petitions.reply_case(case, reply="已书面答复", actor=actor, on=dt.date(2025, 3, 20))
    petitions.follow_up_case(case, on=dt.date(2025, 3, 25), method="phone", satisfaction="satisfied", actor=actor)
    petitions.close_case(case, result="mediated", actor=actor, on=dt.date(2025, 3, 25))
    assert not any("典型案例" in b["text"] for b in draft(ledger["county"]))  # only what the office marks
    case.is_typical = True
    case.save()
    rights = section(draft(ledger["county"]), "维护妇女儿童权益")
    told = [b for b in rights if b["text"].startswith("典型案例")]
    assert [b["text"] for b in told] == [
        "典型案例一：3月8日受理的一起婚姻家庭类（家庭暴力）案件，妇联协调公安机关出具告诫书，代为申请人身安全保护令"
        "并获签发，转介司法行政/法律援助部门，经调解化解了矛盾，回访当事人表示满意。"]
    assert told[0]["links"][0]["url"].endswith(f"/petitions/{case.pk}/")
    assert not any(secret in told[0]["text"] for secret in ("王", "3201", "1380", "律师", "东安县法律"))
