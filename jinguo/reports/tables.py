"""Columns of the report lists: work summaries and the offices' Word templates."""

from django.utils import timezone

from jinguo.core.periods import Period
from jinguo.core.tables import Col, Table


def _period_label(value) -> str:
    """"2025年上半年", not the stored "2025H1"."""
    try:
        return Period.parse(str(value)).label
    except ValueError:
        return str(value or "")


class SummaryTable(Table):
    columns = [Col("title", "标题", link=True), Col("period", "统计期", render=lambda s: _period_label(s.period)),
               Col("scope", "范围"), Col("status", "状态"),
               Col("generated_at", "生成时间", render=lambda s: f"{timezone.localtime(s.generated_at):%Y-%m-%d %H:%M}"
                   if s.generated_at else "")]
    select_related = ("org",)


class SummaryTemplateTable(Table):
    columns = [Col("name", "模板名称"), Col("org.name", "单位"), Col("file", "文件",
               render=lambda t: t.file.name.rsplit("/", 1)[-1]), Col("created", "上传时间",
               render=lambda t: f"{timezone.localtime(t.created):%Y-%m-%d %H:%M}")]
    select_related = ("org",)
