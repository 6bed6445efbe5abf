"""Word documents in the GB/T 9704-2012 official-document layout (党政机关公文格式).

A4; margins 37 mm top, 28 mm left, 35 mm bottom, 26 mm right (type area 156 × 225 mm); body 3号 (16 pt)
仿宋_GB2312, 22 lines of 28 characters; title 2号 (22 pt) 方正小标宋简体 centred; headings 一、 黑体,
（一） 楷体_GB2312,
1. and （1） 仿宋; page numbers 4号 宋体 "— 1 —", odd pages right and even pages left, one
character in.
Every run sets the East-Asian font slot (w:eastAsia), without which Word ignores the Chinese font name, and every
document declares its language zh-CN (w:lang), without which Word and LibreOffice take the text for Japanese in
a pan-CJK font and draw Japanese glyph variants. Both live here for every .docx jinguo writes (`new_document`,
`set_font`), the 登记表 included.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
CHAR_PITCH = Pt(15.6)  # 156 mm / 28 characters… rounded down so 28 fit


@dataclass
class Block:
    """One paragraph of a document: kind is title | h1 | h2 | h3 | para | sign | table."""

    kind: str
    text: str
    rows: list[list[str]] | None = None  # kind "table": the cells, header row first
    caption: str = ""


def new_document():
    """A python-docx Document in Simplified Chinese: w:lang zh-CN in the document defaults and the Normal style,
    for the Latin and the East-Asian text alike."""
    document = Document()
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    rpr = run_defaults.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        run_defaults.append(rpr)
    for target in (rpr, document.styles["Normal"].element.get_or_add_rPr()):
        lang = target.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            target.append(lang)
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    return document


def set_font(run, east_asian: str, size: Pt, bold: bool = False, latin: str = LATIN_FONT) -> None:
    """Size, weight and both font slots of a run (Word ignores `font.name` for Chinese text)."""
    run.font.size = size
    run.font.bold = bold
    run.font.name = latin
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)




def _exact_spacing(paragraph, pitch: Pt = LINE_PITCH) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before = fmt.space_after = Pt(0)


def _page_number_footer(footer, align) -> None:
    """'— PAGE —' in 4号 宋体, one character in from the outside edge."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    run = paragraph.add_run()
    set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _setup(document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(35) - Mm(7) - Pt(14)  # the page-number line sits 7 mm below the type area
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(int(LINE_PITCH.pt * 20)))
    grid.set(qn("w:charSpace"), "0")
    style = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = BODY_SIZE
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    settings = document.settings.element
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))
    section.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


RED = RGBColor(0xE6, 0x00, 0x12)  # 发文机关标志 and the separator line
MASTHEAD_SIZE = Pt(42)  # the 发文机关标志: size is the office's choice (GB/T 9704 7.2.3); 42 pt fits 8 characters
TABLE_SIZE = Pt(12)  # 小四 in tables


def _masthead(document, paragraph, text: str) -> None:
    """The red 版头: 发文机关标志 centred in red 方正小标宋, then a red separator line the width of the type area."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _exact_spacing(paragraph, Pt(60))
    run = paragraph.add_run(text)
    set_font(run, TITLE_FONT, MASTHEAD_SIZE)
    run.font.color.rgb = RED
    line = document.add_paragraph()
    _exact_spacing(line, Pt(12))
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "E60012")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    line._p.get_or_add_pPr().append(borders)
    spacer = document.add_paragraph()
    _exact_spacing(spacer)


def _table(document, block: Block, before=None) -> None:
    """A short table (units of a city summary): 仿宋 小四, header row in 黑体, numbers right-aligned."""
    rows = block.rows or [row.split("\t") for row in block.text.splitlines()]
    if not rows:
        return
    if block.caption:
        caption = before.insert_paragraph_before() if before is not None else document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_spacing(caption)
        caption.paragraph_format.keep_with_next = True
        set_font(caption.add_run(block.caption), H1_FONT, TABLE_SIZE)
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = document.styles["Table Grid"] if "Table Grid" in [s.name for s in document.styles] else None
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (WD_ALIGN_PARAGRAPH.CENTER if r == 0 or c == 0 else WD_ALIGN_PARAGRAPH.RIGHT)
            set_font(paragraph.add_run(str(value)), H1_FONT if r == 0 else BODY_FONT, TABLE_SIZE)
    if table.style is None:  # a template without the grid style: draw the borders ourselves
        _grid(table)
    if before is not None:
        before._p.addprevious(table._tbl)
    spacer = before.insert_paragraph_before() if before is not None else document.add_paragraph()
    _exact_spacing(spacer)


def _grid(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            element.set(qn(f"w:{key}"), value)
        borders.append(element)
    table._tbl.tblPr.append(borders)


def write_blocks(document, blocks: list[Block], before=None) -> None:
    """Append the blocks to `document` (or insert them before the paragraph `before`, for an office's own
    template) in the GB/T 9704 body styles."""
    first = before is None and bool(document.paragraphs) and not document.paragraphs[0].text
    for block in blocks:
        if block.kind == "table":
            _table(document, block, before)
            continue
        if before is not None:
            paragraph = before.insert_paragraph_before()
        elif first:
            paragraph, first = document.paragraphs[0], False
        else:
            paragraph = document.add_paragraph()
        _exact_spacing(paragraph)
        fmt = paragraph.paragraph_format
        if block.kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _exact_spacing(paragraph, Pt(36))
            set_font(paragraph.add_run(block.text), TITLE_FONT, TITLE_SIZE)
            spacer = before.insert_paragraph_before() if before is not None else document.add_paragraph()
            _exact_spacing(spacer)
            continue
        if block.kind == "sign":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.right_indent = BODY_SIZE * 4  # 右空四字
            set_font(paragraph.add_run(block.text), BODY_FONT, BODY_SIZE)
            continue
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = BODY_SIZE * 2
        if block.kind in ("h1", "h2", "h3"):
            fmt.keep_with_next = True  # a heading never ends a page without its first paragraph
        font = {"h1": H1_FONT, "h2": H2_FONT}.get(block.kind, BODY_FONT)
        set_font(paragraph.add_run(block.text), font, BODY_SIZE)


def build(blocks: list[Block], *, masthead: str = "") -> bytes:
    """The document in the default layout; `masthead` (e.g. 东安县妇女联合会) adds the red 版头 and red line."""
    document = new_document()
    _setup(document)
    if masthead:
        _masthead(document, document.paragraphs[0] if document.paragraphs else document.add_paragraph(), masthead)
    write_blocks(document, blocks)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
