"""The printable 信访登记表 (.docx), in the layout of the 妇联 registration form."""

from __future__ import annotations

import io

from django.utils import timezone
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from jinguo.core.gbt9704 import new_document, set_font
from jinguo.petitions.models import Case

COLUMN_WIDTHS = (Cm(2.6), Cm(5.6), Cm(2.4), Cm(5.4))  # label, value, label, value: an ID number fits on one line
_END_PUNCTUATION = "。；;，,、 "


def _font(run, name: str = "仿宋_GB2312", size: float = 12, bold: bool = False) -> None:
    set_font(run, name, Pt(size), bold)


def _no_wrap(cell) -> None:
    """Keep a cell's text on one line (w:noWrap): an 18-digit ID number never breaks across lines."""
    tcpr = cell._element.get_or_add_tcPr()
    if tcpr.find(qn("w:noWrap")) is None:
        tcpr.append(OxmlElement("w:noWrap"))


def _step_text(event) -> str:
    """One step of the handling, "03月08日 受理：note" — the note's own closing punctuation dropped, so that
    joining the steps with "；" never prints "。；"."""
    text = f"{timezone.localtime(event.at):%m月%d日} {event.label}"
    note = (event.note or "").strip().rstrip(_END_PUNCTUATION)
    return f"{text}：{note}" if note else text


def registration_form(case: Case, *, clear: bool = False) -> bytes:
    document = new_document()
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
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for label_a, value_a, label_b, value_b in rows:
        cells = table.add_row().cells
        for cell, text, bold, width in zip(cells, (label_a, value_a, label_b, value_b), (True, False, True, False),
                                           COLUMN_WIDTHS, strict=True):
            cell.width = width
            _font(cell.paragraphs[0].add_run(text or ""), size=11, bold=bold)
        if label_a == "身份证号":
            _no_wrap(cells[1])
    steps = "；".join(_step_text(e) for e in case.events.all())
    if steps:
        steps += "。"
    for label, text in (("诉求摘要", case.summary), ("诉求", case.demands), ("办理情况", steps),
                        ("办理结果", case.get_result_display() or case.get_status_display())):
        cells = table.add_row().cells
        cells[0].width = COLUMN_WIDTHS[0]
        merged = cells[1].merge(cells[3])
        _font(cells[0].paragraphs[0].add_run(label), size=11, bold=True)
        _font(merged.paragraphs[0].add_run(text or ""), size=11)
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width  # the table grid, which LibreOffice reads (the cell widths are Word's)
    signatures = document.add_paragraph()
    signatures.paragraph_format.space_before = Pt(18)
    _font(signatures.add_run("经办人（签字）：________________        信访人（签字）：________________"), size=12)
    dated = document.add_paragraph()
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(dated.add_run("日期：______年____月____日"), size=12)
    footer = document.add_paragraph()
    _font(footer.add_run(("（本表含个人信息明文，请妥善保管）" if clear else "（个人信息已脱敏）")
                         + f"  打印时间：{timezone.localtime():%Y-%m-%d %H:%M}"), size=9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
