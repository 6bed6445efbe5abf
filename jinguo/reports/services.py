"""Generating and rendering work summaries."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinguo.core import gbt9704
from jinguo.core.periods import Period
from jinguo.core.uploads import validate_upload
from jinguo.reports.models import Summary, SummaryTemplate
from jinguo.reports.summary import Options, generate, merge, title

if TYPE_CHECKING:
    from jinguo.accounts.models import User

TEMPLATE_FIELDS = ("标题", "正文", "落款", "日期", "单位", "统计期")  # what an office's template may use
TEMPLATE_MAX_SIZE = 5 * 1024 * 1024
# The XML of an office's template (版头, 主送, {{ 正文 }}, 落款: a page or two) is tens of kilobytes; its images are
# media parts, not counted. Rendering costs more than linear time in it: a 176 KB upload unpacking to a 10 MB
# document.xml held a worker for over five minutes, so the text parts are capped before anything parses them.
TEMPLATE_MAX_XML = 2 * 1024 * 1024
_BODY_MARK = "JINGUO-BODY-7F3A"  # stands in for 正文 while docxtpl renders; replaced by the paragraphs after


def _template_environment():
    """The Jinja environment every office template is parsed and rendered in: sandboxed, autoescaping, and refusing
    at parse time anything but plain `{{ 字段 }}` — a template is uploaded by any county's staff, and Jinja left to
    itself runs Python (`{{ 标题.__class__.__mro__ … }}` reached os.system). docxtpl's `{%p %}`/`{%tr %}` tags,
    filters, attribute access, calls and loops are all refused, in the body, headers, footers and properties."""
    from jinja2 import TemplateSyntaxError, nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    allowed = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name)

    class FieldsOnly(ImmutableSandboxedEnvironment):
        def _parse(self, source, name, filename):
            tree = super()._parse(source, name, filename)
            for node in tree.find_all(nodes.Node):
                if not isinstance(node, allowed) or (isinstance(node, nodes.Name) and node.ctx != "load"):
                    raise TemplateSyntaxError(_("只能写 {{ 字段名 }}，不能有运算、过滤器、控制语句或属性"),
                                              node.lineno, name, filename)
            return tree

    return FieldsOnly(autoescape=True)


@transaction.atomic
def regenerate(summary: Summary) -> Summary:
    """(Re)write the generated blocks from the records, keeping the user's own paragraphs and edits."""
    org, period = summary.org, Period.parse(summary.period)
    options = Options(scope=summary.scope, rounded=summary.rounded, share_places=summary.share_places,
                      highlights=summary.highlights)
    fresh = generate(org, period, options)
    summary.blocks = merge(summary.blocks or [], fresh) if summary.blocks else fresh
    summary.title = title(org, period)
    summary.status, summary.generated_at = Summary.Status.READY, timezone.now()
    summary.save()
    return summary


def _doc_blocks(blocks: list[dict]) -> list[gbt9704.Block]:
    return [gbt9704.Block(b["kind"], b["text"], rows=b.get("rows"), caption=b.get("caption", ""))
            for b in blocks if b["text"].strip()]


def render_docx(blocks: list[dict], *, masthead: str = "", template: bytes | None = None) -> bytes:
    """The summary as .docx: the GB/T 9704 default (with the red 版头 when `masthead` is given), or rendered into
    an office's own template."""
    if template is not None:
        return render_into_template(template, blocks)
    return gbt9704.build(_doc_blocks(blocks), masthead=masthead)


def summary_docx_for(summary: Summary) -> bytes:
    """What the download gives for a stored summary: its template, or the default with or without red header."""
    if summary.template_id:
        with summary.template.file.open("rb") as handle:
            return render_into_template(handle.read(), summary.blocks,
                                        period_label=Period.parse(summary.period).label)
    return render_docx(summary.blocks, masthead=f"{summary.org.name}妇女联合会" if summary.red_header else "")


def render_into_template(template: bytes, blocks: list[dict], *, period_label: str = "") -> bytes:
    """Fill an office's .docx: {{ 标题 }}, {{ 落款 }}, {{ 日期 }}, {{ 单位 }}, {{ 统计期 }} as text (escaped), and
    {{ 正文 }}, which must stand alone in its paragraph, replaced by the body paragraphs in the GB/T 9704 styles
    (the template's own 版头, red line, 主送 and page set-up stay as the office made them)."""
    from docx import Document
    from docxtpl import DocxTemplate

    signs = [b["text"] for b in blocks if b["kind"] == "sign"]
    heading = next((b["text"] for b in blocks if b["kind"] == "title"), "")
    body = [b for b in blocks if b["kind"] not in ("title", "sign")]
    from jinja2 import TemplateError

    document = DocxTemplate(io.BytesIO(template))
    try:
        document.render({"标题": heading, "正文": _BODY_MARK, "落款": signs[0] if signs else "",
                         "日期": signs[-1] if len(signs) > 1 else "", "单位": signs[0] if signs else "",
                         "统计期": period_label}, jinja_env=_template_environment(), autoescape=True)
    except TemplateError as exc:
        raise ValidationError(_("模板中的字段写法有误：%(error)s。字段应写成 {{ 正文 }} 这样。") % {
            "error": exc}) from None
    rendered = io.BytesIO()
    document.save(rendered)
    result = Document(io.BytesIO(rendered.getvalue()))
    marks = [p for p in result.paragraphs if _BODY_MARK in p.text]
    if len(marks) != 1 or marks[0].text.strip() != _BODY_MARK:
        raise ValidationError(_("模板中的 {{ 正文 }} 必须单独占一段（且只出现一次）。"))
    gbt9704.write_blocks(result, _doc_blocks(body), before=marks[0])
    marks[0]._p.getparent().remove(marks[0]._p)
    buffer = io.BytesIO()
    result.save(buffer)
    return buffer.getvalue()


def check_template(upload) -> None:
    """A real .docx (by content), not too large, whose fields are ones jinguo fills and which has {{ 正文 }} alone
    in a paragraph; otherwise a ValidationError saying what is wrong in Chinese."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    validate_upload(upload, ("word",))
    if upload.size > TEMPLATE_MAX_SIZE:
        raise ValidationError(_("模板文件“%(name)s”超过 5 MB。") % {"name": upload.name})
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if _xml_size(content) > TEMPLATE_MAX_XML:
        raise ValidationError(_("模板“%(name)s”的正文内容过长（超过 %(mb)d MB 的文字和格式），不像一份版头模板。"
                                "请只保留版头、主送、{{ 正文 }} 和落款后再上传。") % {
            "name": upload.name, "mb": TEMPLATE_MAX_XML // 1024 // 1024})
    try:
        fields = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables(_template_environment())
    except TemplateError as exc:
        raise ValidationError(_("模板“%(name)s”中的字段写法有误：%(error)s。字段应写成 {{ 正文 }} 这样。") % {
            "name": upload.name, "error": exc}) from None
    except Exception:
        raise ValidationError(_("无法打开模板“%(name)s”，请用 Word 另存为 .docx 后再上传。") % {
            "name": upload.name}) from None
    unknown = sorted(set(fields) - set(TEMPLATE_FIELDS))
    if unknown:
        raise ValidationError(_("模板中有系统不认识的字段：%(unknown)s。可用的字段：%(known)s。") % {
            "unknown": "、".join(unknown), "known": "、".join(TEMPLATE_FIELDS)})
    if "正文" not in fields:
        raise ValidationError(_("模板中没有 {{ 正文 }} 字段，总结正文无处可放。"
                                "请在版头和落款之间单独一段写上 {{ 正文 }}。"))
    render_into_template(content, [{"kind": "title", "text": "标题"}, {"kind": "para", "text": "正文"}])


def _xml_size(content: bytes) -> int:
    """The unpacked size of a .docx's XML parts as its zip directory declares them (a part that unpacks to more
    than declared fails its read, and the template is refused as unreadable)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(m.file_size for m in archive.infolist() if m.filename.lower().endswith((".xml", ".rels")))


@transaction.atomic
def add_template(*, org, name: str, upload, actor) -> SummaryTemplate:
    """Store a checked template for `org` (the change log records who uploaded what, in this transaction)."""
    check_template(upload)
    template = SummaryTemplate(org=org, name=name.strip() or upload.name, uploaded_by=actor)
    template.file.save(upload.name, upload, save=False)
    template.save()
    return template


def summary_docx(org, period: Period, options: Options | None = None) -> bytes:
    """The command-line path: generate and render without storing anything."""
    return render_docx(generate(org, period, options or Options()))



@transaction.atomic
def start_summary(summary: Summary, *, actor: User) -> Summary:
    """Store a new summary (unit, period, style chosen) as pending and have it written in the background once this
    transaction commits; the editor opens when it is ready."""
    from jinguo.reports.tasks import generate_summary  # the task module runs this module's `regenerate`

    summary.created_by = actor
    summary.status = Summary.Status.PENDING
    summary.save()
    transaction.on_commit(lambda: generate_summary.enqueue(summary.pk))
    return summary


# --- Editing a summary --------------------------------------------------------------------------------------------
EDITOR_ACTIONS = ("save", "regenerate", "download")  # and add:<n>, delete:<n> (after / of paragraph n)


def editor_action(action: str, blocks: list[dict]) -> tuple[str, int | None]:
    """The editor's button, checked: ("save" | "regenerate" | "download", None) or ("add" | "delete", index).
    Anything else is a ValueError with the message for the page."""
    if action in EDITOR_ACTIONS:
        return action, None
    verb, _sep, argument = action.partition(":")
    if verb not in ("add", "delete") or not _sep:
        raise ValueError(_("无法识别的操作“%(action)s”，未保存。请刷新页面后重试。") % {"action": action[:40]})
    if not (argument.isascii() and argument.isdigit()) or int(argument) >= len(blocks):
        raise ValueError(_("没有第%(n)s段（本文共%(count)d段），操作“%(action)s”未执行，您的修改也未保存。") % {
            "n": argument[:20], "count": len(blocks), "action": action[:40]})
    index = int(argument)
    if verb == "delete" and blocks[index].get("origin") != "user":
        raise ValueError(_("第%(n)d段是按数据生成的，不能删除（可以修改其文字）；您的修改未保存。") % {"n": index + 1})
    return verb, index


def typed_blocks(blocks: list[dict], texts: Mapping[int, str]) -> list[dict]:
    """The summary's blocks with what the user typed (`texts`: block index → text; blocks not sent keep theirs).

    Headings and signatures are one line (line breaks typed into them are dropped); a generated paragraph changed
    for the first time keeps its generated text, so regenerating later can tell her words from the data's."""
    blocks = [dict(b) for b in blocks]
    for index, block in enumerate(blocks):
        text = texts.get(index)
        if text is None:
            continue
        text = re.sub(r"\s*\n\s*", "", text).strip() if block["kind"] != "para" else text.strip()
        if text != block["text"]:
            if block["origin"] == "generated" and not block.get("edited"):
                block["generated_text"] = block["text"]
                block["edited"] = True
            block["text"] = text
    return blocks


@transaction.atomic
def edit_summary(summary: Summary, blocks: list[dict], *, actor: User, action: str = "save",
                 version: int | None = None) -> str:
    """Store the edited `blocks` (see `typed_blocks`) and apply the editor's button: add an own paragraph after
    paragraph n, delete an own paragraph, regenerate from the records (own paragraphs and edits kept). Returns the
    verb done. A bad button is a ValueError and nothing is stored; a copy older than the stored one raises
    EditConflict (core.models) instead of overwriting someone's edit; the change log records the new blocks."""
    if not Summary.objects.visible_to(actor, "change").filter(pk=summary.pk).exists():
        raise PermissionDenied(_("您没有修改这份总结的权限。"))
    blocks = [dict(b) for b in blocks]
    verb, index = editor_action(action, blocks)
    if verb == "add":
        blocks.insert(index + 1, {"key": f"user.{uuid.uuid4().hex[:8]}", "kind": "para", "text": "",
                                  "origin": "user", "edited": False, "links": []})
    elif verb == "delete":
        blocks.pop(index)
    summary.blocks = blocks
    if version is not None:
        summary.version = version
    summary.save()
    if verb == "regenerate":
        regenerate(summary)
    return verb
