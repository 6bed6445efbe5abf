"""The work summary: exact sentences from a known dataset, consistent shares, GB/T 9704 page set-up in the XML,
scope, rounded style, regeneration that keeps the user's paragraphs, and the PDF."""

import io
import random
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document
from docx.oxml.ns import qn

from jinguo.core.numbers import count_text, money_text, shares
from jinguo.core.periods import Period
from jinguo.ledger.models import PlanItem
from jinguo.petitions import services
from jinguo.reports.models import Summary
from jinguo.reports.services import regenerate, summary_docx
from jinguo.reports.summary import generate

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def dataset(tree, make_case, make_activity, codes):
    """东安县 2025H1: 8 cases (5 婚姻家庭, 2 劳动, 1 财产), 3 activities; plus noise elsewhere and last year."""
    cases = []
    for i in range(5):
        cases.append(make_case(tree["county"], received=f"2025-03-{i + 1:02d} 09:00", channel="来电",
                               sub="家庭暴力" if i < 2 else "家庭纠纷"))
    for i in range(2):
        cases.append(make_case(tree["township"], received=f"2025-04-{i + 1:02d} 09:00", channel="来访",
                               category="劳动权益"))
    cases.append(make_case(tree["county"], received="2025-05-06 09:00", channel="12338热线", category="财产权益",
                           headcount=3))
    services.accept_case(cases[0], on=Period.parse("2025Q1").start.replace(day=2, month=3))
    services.refer_case(cases[0], agency_type=codes["agency"]["公安"], unit_name="东安县公安局")
    services.reply_case(cases[0], reply="已处理", on=cases[0].accepted_on)
    make_case(tree["county"], received="2024-03-01 09:00")  # a year earlier
    make_case(tree["other_county"], received="2025-03-01 09:00")  # another city
    make_activity(tree["county"], "三八维权周法律宣传", "2025-03-08", themes=["三八维权周"], materials=24350,
                  consultations=850)
    make_activity(tree["township"], "镇三八宣传", "2025-03-09", themes=["三八维权周"], materials=650)
    make_activity(tree["county"], "巾帼家政培训", "2025-04-10", kind="培训", trainees=45)
    make_activity(tree["county"], "六一慰问", "2025-06-01", kind="慰问帮扶", condolence="12500", visited=25)
    make_activity(tree["other_county"], "外市宣传", "2025-03-08", materials=99999)
    PlanItem.objects.create(org=tree["county"], period="2025H2", title="开展“美丽庭院”创建", order=1)
    PlanItem.objects.create(org=tree["county"], period="2025H2", title="举办家政培训", status="cancelled", order=2)
    return tree


def texts(blocks) -> list[str]:
    return [b["text"] for b in blocks]


def test_exact_sentences_from_a_known_dataset(dataset):
    blocks = generate(dataset["county"], Period.parse("2025H1"))
    body = texts(blocks)
    assert body[0] == "东安县妇联2025年上半年工作总结"
    assert "现将上半年工作总结如下：" in body[1]
    # Issue 19: sections follow lines of work; petitions sit under 维护妇女儿童权益 with the 三八维权周 campaigns.
    assert "一、主要工作及成效" in body and "（二）维护妇女儿童权益" in body
    assert ("2025年上半年，共受理来信来访来电8件次、10人次，其中来电5件次、来访2件次、12338热线1件次。") in body
    assert ("从问题类别看，婚姻家庭类5件次，占62.5%；劳动和社会保障权益类2件次，占25.0%；"
            "财产权益类1件次，占12.5%。") in body
    facts = next(t for t in body if t.startswith("受理家庭暴力投诉"))
    assert facts.startswith("受理家庭暴力投诉2件次，向公安部门转介1件，办结1件，按期办结率100.0%")
    assert "与上年同期的1件次相比增加7件次、增长700.0%" in facts
    rights = body[body.index("（二）维护妇女儿童权益"):]
    assert "活动2场次，发放宣传资料25000份、接受咨询850人次。" in rights[1]
    assert rights[2].startswith("一是3月8日") and "发放宣传资料24350份，接受咨询850人次。" in rights[2]
    assert any("活动1场次，培训45人。" in t for t in body)
    assert any("活动1场次，慰问25人、发放慰问金1.25万元。" in t for t in body)
    categories = next(t for t in body if t.startswith("从问题类别看"))
    counts = [int(n) for n in re.findall(r"类(\d+)件次", categories)]
    total = int(re.search(r"来信来访来电(\d+)件次", "".join(body)).group(1))
    assert sum(counts) == total
    assert sum(Decimal(p) for p in re.findall(r"占([\d.]+)%", categories)) == 100
    assert "三、下半年工作打算" in body and any("一是开展“美丽庭院”创建" in t for t in body)
    assert not any("家政培训" in t for t in body[body.index("三、下半年工作打算"):])  # cancelled plans left out
    assert "北湖" not in "".join(body) and "99999" not in "".join(body)


def test_shares_are_plain_rounding_and_equal_counts_get_equal_shares():
    """As offices print them: count ÷ total rounded half up, so two categories of 1 case in 16 are 6.3% each
    (forcing the sum to 100 printed 6.3% and 6.2%); the sum stays within rounding of 100."""
    rng = random.Random(3)
    for _ in range(200):
        counts = [rng.randint(0, 50) for _ in range(rng.randint(1, 9))]
        if not sum(counts):
            continue
        for places in (0, 1):
            got = shares(counts, places)
            unit = Decimal(1).scaleb(-places)
            for count, share in zip(counts, got, strict=True):
                assert share == (Decimal(count) * 100 / sum(counts)).quantize(unit, rounding="ROUND_HALF_UP")
                assert all(other == share for c, other in zip(counts, got, strict=True) if c == count)
            assert abs(sum(got) - 100) <= unit * len(counts) / 2
    assert shares([1, 1, 14], 1) == [Decimal("6.3"), Decimal("6.3"), Decimal("87.5")]
    assert shares([1, 1, 1], 1) == [Decimal("33.3"), Decimal("33.3"), Decimal("33.3")]


def test_city_summary_includes_its_counties_and_nothing_else(dataset, make_case):
    make_case(dataset["sister"], received="2025-02-01 09:00", channel="来信", category="人身权益")
    body = "".join(texts(generate(dataset["city"], Period.parse("2025H1"))))
    assert "共受理来信来访来电9件次" in body and "人身权益类1件次" in body
    assert "发放宣传资料25000份" in body and "99999" not in body
    assert "永州市妇联2025年上半年工作总结" in body


def test_empty_sections_are_left_out(dataset):
    body = texts(generate(dataset["sister"], Period.parse("2025H1")))
    assert "（一）维护妇女儿童权益" not in body and "一、主要工作及成效" not in body
    assert not any("0件次" in t or "0场次" in t for t in body)


def test_rounded_style_never_overstates():
    assert count_text(850, "人次", rounded=True) == "800余人次"
    assert count_text(800, "人次", rounded=True) == "800人次"
    assert count_text(29500, "份", rounded=True) == "近3万份"
    assert count_text(24350, "份", rounded=True) == "2.4万份"
    assert count_text(85, "人", rounded=True) == "85人"
    for value in range(100, 200000, 137):
        text = count_text(value, "", rounded=True)
        number = text.replace("余", "").replace("近", "")
        shown = Decimal(number[:-1]) * 10000 if number.endswith("万") else Decimal(number)
        assert shown <= value or text.startswith("近"), (value, text)
    assert money_text(Decimal("12500")) == "1.25万元" and money_text(Decimal("3600.5")) == "3600.50元"
    assert money_text(Decimal("123456.78"), rounded=True) == "12.34万余元"


def test_docx_page_setup_fonts_and_sizes(dataset, tmp_path):
    call_command("work_summary", "--org", "431122", "--period", "2025H1", "--out", str(tmp_path / "s.docx"))
    document = Document(str(tmp_path / "s.docx"))
    section = document.sections[0]
    mm = lambda value: round(value.mm)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)) == (
        37, 35, 28, 26)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 22 lines in the 225 mm type area

    def run_font(paragraph):
        run = paragraph.runs[0]
        return run._element.rPr.rFonts.get(qn("w:eastAsia")), run.font.size.pt

    paragraphs = {p.text: p for p in document.paragraphs if p.text}
    assert run_font(paragraphs["东安县妇联2025年上半年工作总结"]) == ("方正小标宋简体", 22)
    assert paragraphs["东安县妇联2025年上半年工作总结"].alignment == 1  # centred
    assert run_font(paragraphs["一、主要工作及成效"]) == ("黑体", 16)
    assert run_font(paragraphs["（二）维护妇女儿童权益"]) == ("楷体_GB2312", 16)
    body = next(p for t, p in paragraphs.items() if t.startswith("2025年上半年，共受理"))
    assert run_font(body) == ("仿宋_GB2312", 16)
    assert round(body.paragraph_format.first_line_indent.pt) == 32  # two characters
    assert round(body.paragraph_format.line_spacing.pt, 2) == 28.95
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —") and footer.alignment == 2  # odd: right
    assert section.even_page_footer.paragraphs[0].alignment == 0  # even pages: left
    assert "PAGE" in section.footer._element.xml
    assert run_font(footer)[0] == "宋体" and footer.runs[0].font.size.pt == 14
    assert document.settings.element.find(qn("w:evenAndOddHeaders")) is not None


def test_regenerating_keeps_the_users_paragraphs_and_edits(dataset, users, make_case):
    summary = Summary.objects.create(org=dataset["county"], period="2025H1", created_by=users["staff"])
    regenerate(summary)
    blocks = summary.blocks
    index = next(i for i, b in enumerate(blocks) if b["key"] == "petitions.categories")
    blocks.insert(index + 1, {"key": "user.1", "kind": "para", "text": "我们还建立了婚姻家庭纠纷调解室。",
                              "origin": "user", "edited": False, "links": []})
    opening = next(b for b in blocks if b["key"] == "opening")
    opening.update(text="本年度我会围绕中心、服务大局。", edited=True, generated_text=opening["text"])
    summary.blocks = blocks
    summary.save()
    make_case(dataset["county"], received="2025-06-01 09:00")  # new data arrives
    regenerate(summary)
    body = texts(summary.blocks)
    assert "我们还建立了婚姻家庭纠纷调解室。" in body
    assert body.index("我们还建立了婚姻家庭纠纷调解室。") == next(
        i for i, b in enumerate(summary.blocks) if b["key"] == "petitions.categories") + 1
    assert "本年度我会围绕中心、服务大局。" in body
    assert any("共受理来信来访来电9件次" in t for t in body)  # the figures were refreshed


def test_docx_escapes_nothing_and_keeps_markup_as_text(dataset, users):
    summary = Summary.objects.create(org=dataset["county"], period="2025H1", created_by=users["staff"])
    regenerate(summary)
    summary.blocks.append({"key": "user.x", "kind": "para", "text": "<script>alert(1)</script>", "origin": "user",
                           "edited": False, "links": []})
    from jinguo.reports.services import render_docx

    document = Document(io.BytesIO(render_docx(summary.blocks)))
    assert "<script>alert(1)</script>" in [p.text for p in document.paragraphs]


@pytest.mark.pdf
def test_summary_converts_to_pdf_and_page_one_is_kept(dataset):
    from jinguo.reports.pdf import docx_to_pdf

    pdf = docx_to_pdf(summary_docx(dataset["county"], Period.parse("2025H1")))
    assert pdf.startswith(b"%PDF")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / "summary.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(SCREENSHOTS / "summary-page1")], check=True)
    png = SCREENSHOTS / "summary-page1.png"
    assert png.stat().st_size > 20_000
    text = subprocess.run(["pdftotext", "-l", "1", str(source), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "东安县妇联2025年上半年工作总结" in text.replace(" ", "")


def _styles_lang(content: bytes) -> set[str]:
    document = Document(io.BytesIO(content))
    langs = document.styles.element.findall(".//" + qn("w:lang"))
    return {lang.get(qn("w:eastAsia")) for lang in langs}


def test_every_document_declares_simplified_chinese_and_keeps_headings_with_their_text(dataset, make_case):
    """w:lang eastAsia=zh-CN in every .docx jinguo writes (without it a pan-CJK font draws Japanese variants);
    a heading is kept on the page of its first paragraph."""
    from jinguo.monitoring.attainment import report
    from jinguo.petitions.documents import registration_form

    summary = summary_docx(dataset["county"], Period.parse("2025H1"))
    case = make_case(dataset["county"], name="王秀英", id_number="320124198808240056")
    for name, content in (("summary", summary), ("registration form", registration_form(case)),
                          ("attainment report", report(dataset["county"], 2025))):
        assert _styles_lang(content) == {"zh-CN"}, name
    headings = [p for p in Document(io.BytesIO(summary)).paragraphs
                if re.match(r"^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）", p.text)]
    assert headings and all(p.paragraph_format.keep_with_next for p in headings)


def test_registration_form_has_signature_lines_unbroken_id_and_single_punctuation(tree, users, make_case):
    from jinguo.petitions.documents import registration_form

    case = make_case(tree["county"], name="王秀英", id_number="320124198808240056")
    services.accept_case(case, actor=users["staff"], on=case.received_at.date(), note="已受理。")
    services.reply_case(case, reply="已书面答复。", actor=users["staff"], on=case.received_at.date())
    document = Document(io.BytesIO(registration_form(case, clear=True)))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "经办人（签字）" in text and "信访人（签字）" in text
    assert not re.search(r"[。；，、]{2}", text), text
    id_cell = next(row.cells[1] for row in document.tables[0].rows if row.cells[0].text == "身份证号")
    assert id_cell.text == "320124198808240056"
    assert id_cell._element.tcPr.find(qn("w:noWrap")) is not None


@pytest.mark.pdf
def test_pdf_uses_simplified_chinese_faces_and_fandol_fangsong(dataset):
    """The PDF body is in FangSong (FandolFang, unpacked by `make test`/`make run` as root) and the CJK text is
    Simplified Chinese: "说" keeps its SC form, which pdftotext reads back as the same character."""
    from jinguo.reports.pdf import docx_to_pdf

    pdf = docx_to_pdf(summary_docx(dataset["county"], Period.parse("2025H1")))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / "summary-fonts.pdf"
    source.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(source)], capture_output=True, text=True, check=True).stdout
    assert "FandolFang" in fonts
