"""Columns of the monitoring lists: submissions, indicators, validation rules."""

from django.utils import timezone

from jinguo.core.tables import Col, Table
from jinguo.monitoring.models import Indicator


class SubmissionTable(Table):
    columns = [Col("dataset.name", "数据集", link=True), Col("org.name", "填报单位"), Col("period", "统计期"),
               Col("status", "状态"), Col("updated", "更新时间",
                                         render=lambda s: f"{timezone.localtime(s.updated):%Y-%m-%d %H:%M}")]
    select_related = ("dataset", "org")


class IndicatorTable(Table):
    columns = [Col("name", "指标名称"), Col("code", "指标代码"), Col("outline", "纲要"), Col("domain", "领域"),
               Col("unit", "单位"), Col("kind", "类型"), Col("target", "目标", render=lambda i: i.target_display)]


class RuleTable(Table):
    columns = [Col("name", "规则名称", link=True), Col("words", "含义", render=lambda r: getattr(r, "words", None)
                                                    or r.in_words()),
               Col("expression", "表达式", render=lambda r: f"{r.left} {r.operator} {r.right}"),
               Col("code", "规则代码"), Col("importance", "重要程度"), Col("missing", "缺失值处理")]

    def rows(self, objects):
        """The rules in words, with the indicator names looked up once for the page."""
        from jinguo.monitoring.models import rule_codes

        objects = list(objects)
        codes = set().union(*(rule_codes(r) for r in objects)) if objects else set()
        names = dict(Indicator.objects.filter(code__in=codes).values_list("code", "name"))
        for rule in objects:
            rule.words = rule.in_words(names)
        return super().rows(objects)
