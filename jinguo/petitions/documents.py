"""The printable 信访登记表 (.docx), in the layout of the 妇联 registration form."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from jinguo.petitions.models import Case


def _font(run, name: str = "仿宋_GB2312", size: float = 12, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)  # Word ignores font.name for CJK


def registration_form(case: Case, *, clear: bool = False) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(f"{case.org.name}妇联信访登记表"), "方正小标宋简体", 18)
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(meta.add_run(f"编号：{case.number}"), size=11)

    petitioners = list(case.petitioners.all())
    first = petitioners[0] if petitioners else None
    shown = {"name": first.name, "id_number": first.id_number, "phone": first.phone,
             "address": first.address} if first and clear else (first.masked() if first else {})
    received = timezone.localtime(case.received_at).strftime("%Y年%m月%d日 %H:%M")
    marital = first.get_marital_status_display() if first else ""
    rows = [
        ("登记时间", received, "来源方式", case.channel.name),
        ("信访人姓名", shown.get("name", ""), "性别", first.get_sex_display() if first else ""),
        ("年龄", str(first.age or "") if first else "", "婚姻状况", marital),
        ("身份证号", shown.get("id_number", ""), "联系电话", shown.get("phone", "")),
        ("住址", shown.get("address", ""), "人数", f"{case.headcount}人{'（集体访）' if case.is_collective else ''}"),
        ("问题类别", case.category.name + (f" › {case.subcategory.name}" if case.subcategory else ""),
         "信访类型", case.get_petition_type_display()),
    ]
    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    for label_a, value_a, label_b, value_b in rows:
        cells = table.add_row().cells
        for cell, text, bold in zip(cells, (label_a, value_a, label_b, value_b), (True, False, True, False),
                                    strict=True):
            _font(cell.paragraphs[0].add_run(text or ""), size=11, bold=bold)
    steps = "；".join(f"{timezone.localtime(e.at):%m月%d日} {e.label}" + (f"：{e.note}" if e.note else "")
                     for e in case.events.all())
    for label, text in (("诉求摘要", case.summary), ("诉求", case.demands), ("办理情况", steps),
                        ("办理结果", case.get_result_display() or case.get_status_display())):
        cells = table.add_row().cells
        merged = cells[1].merge(cells[3])
        _font(cells[0].paragraphs[0].add_run(label), size=11, bold=True)
        _font(merged.paragraphs[0].add_run(text or ""), size=11)
    footer = document.add_paragraph()
    _font(footer.add_run(("（本表含个人信息明文，请妥善保管）" if clear else "（个人信息已脱敏）")
                         + f"  打印时间：{timezone.localtime():%Y-%m-%d %H:%M}"), size=9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
