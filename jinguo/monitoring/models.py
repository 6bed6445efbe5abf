"""两纲统计监测: the indicator catalogue, data sets reported by member units, values per period, validation rules
as data, and the approval state of each submission.

Values are fixed-point (four decimals, stored as integers) so sums and rates are exact on every database.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jinguo.core.fields import FixedPointField, PeriodField
from jinguo.core.links import record_url
from jinguo.core.models import AuditedModel, OrgOwnedModel
from jinguo.core.numbers import with_unit
from jinguo.core.roles import ALL_ROLES, RECORD_ROLES, Role
from jinguo.core.scope import GlobalQuerySet, ancestor_paths, scope_paths

FILL_ROLES = frozenset({Role.AGENCY_CLERK}) | RECORD_ROLES


class IndicatorQuerySet(GlobalQuerySet):
    """National indicators are everyone's. A local one (org set) belongs to its unit: the units below it fill it in
    and the units above read it for roll-up, but a sister county neither sees nor edits it."""

    org_scoped = True

    def visible_to(self, user, action: str = "view") -> IndicatorQuerySet:
        shared = super().visible_to(user, action)
        roots = scope_paths(user, self.model.scope_roles[action])
        # National indicators are read by all and changed by none: they are the State Council's outlines, loaded
        # by migration (the edit form is for local indicators and requires their unit).
        condition = models.Q(org__isnull=True) if action in ("view", "export") else models.Q(pk__in=[])
        for root in roots:
            condition |= models.Q(org__path__startswith=root)
            if action in ("view", "export"):
                condition |= models.Q(org__path__in=ancestor_paths(root))
        return shared.filter(condition)


class Indicator(AuditedModel):
    """One indicator of the women's or children's outline (or a local one, with `org` set)."""

    class Outline(models.TextChoices):
        WOMEN = "women", _("妇女发展纲要")
        CHILDREN = "children", _("儿童发展纲要")

    class Kind(models.TextChoices):
        COUNT = "count", _("数量")
        AMOUNT = "amount", _("金额")
        RATE = "rate", _("比率（由分子分母计算）")
        VALUE = "value", _("数值（不可汇总）")

    class Direction(models.TextChoices):
        GE = "ge", "≥"
        LE = "le", "≤"
        EQ = "eq", "="

    outline = models.CharField(_("纲要"), max_length=10, choices=Outline.choices)
    domain = models.CharField(_("领域"), max_length=20)
    code = models.CharField(_("指标代码"), max_length=30, unique=True)
    name = models.CharField(_("指标名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.COUNT)
    numerator = models.ForeignKey("self", verbose_name=_("分子指标"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    denominator = models.ForeignKey("self", verbose_name=_("分母指标"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    multiplier = models.PositiveIntegerField(_("倍数"), default=100, help_text=_("百分比100，千分比1000，每10万100000"))
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=4, null=True, blank=True)
    direction = models.CharField(_("目标方向"), max_length=2, choices=Direction.choices, blank=True)
    target_year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    agency_type = models.ForeignKey("core.CodeItem", verbose_name=_("责任单位类型"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    limit_choices_to={"table__slug": "agency_type"})
    org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("地方指标所属单位"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+", help_text=_("空为国家纲要指标"))

    objects = IndicatorQuerySet.as_manager()
    scope_roles = {"view": ALL_ROLES, "change": frozenset({Role.UNIT_LEADER, Role.SYSTEM_ADMIN}),
                   "add": frozenset({Role.UNIT_LEADER, Role.SYSTEM_ADMIN}), "export": ALL_ROLES}

    class Meta:
        verbose_name = _("监测指标")
        verbose_name_plural = _("监测指标")
        ordering = ["outline", "domain", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:indicator_list")

    @property
    def aggregates(self) -> bool:
        return self.kind in (self.Kind.COUNT, self.Kind.AMOUNT) or (
            self.kind == self.Kind.RATE and self.numerator_id and self.denominator_id)

    @property
    def target_display(self) -> str:
        """The target as the outline writes it: '≤12/10万', '≥95%' (empty without a target)."""
        if self.target is None:
            return ""

        return f"{self.get_direction_display()}{with_unit(self.target, self.unit)}"

    def attained(self, value: Decimal | None) -> bool | None:
        """达标 (True), 未达标 (False), or None without data or target."""
        if value is None or self.target is None or not self.direction:
            return None
        return {"ge": value >= self.target, "le": value <= self.target, "eq": value == self.target}[self.direction]


class DataSet(OrgOwnedModel):
    """Which indicators a member unit reports (org = the member unit), yearly or half-yearly."""

    name = models.CharField(_("名称"), max_length=100)
    indicators = models.ManyToManyField(Indicator, verbose_name=_("指标"), related_name="datasets")
    frequency = models.CharField(_("报送频率"), max_length=1, choices=[("Y", _("年报")), ("H", _("半年报"))],
                                 default="Y")
    outlier_share = models.DecimalField(_("异常变动阈值"), max_digits=4, decimal_places=2, default=Decimal("0.30"),
                                        help_text=_("与上期相比变动超过此比例时需填写说明，0.30 即30%"))

    scope_roles = {**OrgOwnedModel.scope_roles, "view": FILL_ROLES, "fill": FILL_ROLES}

    class Meta:
        verbose_name = _("数据集")
        verbose_name_plural = _("数据集")

    def __str__(self) -> str:
        return f"{self.org} · {self.name}"


class Submission(OrgOwnedModel):
    """A data set filled in for one period: 填报中 → 已提交 → 已审核 / 退回 → 已审定 (values locked once approved)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("已提交")
        REVIEWED = "reviewed", _("已审核")
        RETURNED = "returned", _("退回")
        APPROVED = "approved", _("已审定")

    dataset = models.ForeignKey(DataSet, verbose_name=_("数据集"), on_delete=models.PROTECT, related_name="submissions")
    period = PeriodField(_("统计期"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    return_reason = models.TextField(_("退回原因"), blank=True, editable=False)
    approved_values = models.JSONField(_("审定时的数值"), default=dict, blank=True, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", editable=False)

    scope_roles = {**OrgOwnedModel.scope_roles, "view": FILL_ROLES, "add": FILL_ROLES, "change": FILL_ROLES,
                   "approve": frozenset({Role.UNIT_LEADER})}

    class Meta:
        verbose_name = _("填报")
        verbose_name_plural = _("填报")
        constraints = [models.UniqueConstraint(fields=["dataset", "period"], name="submission_unique_period",
                                               violation_error_message=_("该数据集本期已有填报。"))]

    def __str__(self) -> str:
        return f"{self.dataset} {self.period}"

    def get_absolute_url(self) -> str:
        return record_url("monitoring:submission_detail", self.pk)

    @property
    def locked(self) -> bool:
        return self.status == self.Status.APPROVED


class DataValue(models.Model):
    """One indicator's value in a submission, with the clerk's comment or explanation."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = FixedPointField(_("数值"), null=True, blank=True)
    comment = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="value_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"


OPERATOR_WORDS = {"==": "＝", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def rule_codes(rule) -> set[str]:
    """The identifiers a rule's two sides name (indicator codes, and `previous`)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", f"{rule.left} {rule.right}"))


class ValidationRule(AuditedModel):
    """A logical relation between indicators, checked on submit and on demand: `left OP right`."""

    class Importance(models.TextChoices):
        ERROR = "error", _("错误（不能提交）")
        WARNING = "warning", _("警告（需说明）")

    class Missing(models.TextChoices):
        SKIP_IF_ANY = "any", _("任一值缺失则跳过")
        SKIP_IF_ALL = "all", _("全部缺失才跳过")
        NEVER = "never", _("不跳过（缺失即违反）")

    code = models.CharField(_("规则代码"), max_length=30, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    left = models.CharField(_("左侧表达式"), max_length=300)
    operator = models.CharField(_("比较"), max_length=2, choices=[(o, o) for o in ("==", "!=", "<", "<=", ">", ">=")])
    right = models.CharField(_("右侧表达式"), max_length=300)
    importance = models.CharField(_("重要程度"), max_length=8, choices=Importance.choices, default=Importance.ERROR)
    missing = models.CharField(_("缺失值处理"), max_length=5, choices=Missing.choices, default=Missing.SKIP_IF_ANY)
    message = models.CharField(_("提示"), max_length=200)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = GlobalQuerySet.as_manager()
    scope_roles = {"view": FILL_ROLES, "change": frozenset({Role.UNIT_LEADER, Role.SYSTEM_ADMIN}),
                   "add": frozenset({Role.UNIT_LEADER, Role.SYSTEM_ADMIN}), "export": FILL_ROLES}

    def get_absolute_url(self) -> str:
        return record_url("monitoring:validationrule_edit", self.pk)

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.left} {self.operator} {self.right}"

    def in_words(self, names: dict[str, str] | None = None) -> str:
        """The rule with indicator names for codes: `W_HEALTH_MMR_D <= W_HEALTH_LB` → '孕产妇死亡数 ≤ 活产数'.
        `names` (code → name) saves a query per rule on a list page."""
        tokens = rule_codes(self)
        if names is None:
            names = dict(Indicator.objects.filter(code__in=tokens).values_list("code", "name"))

        def side(text: str) -> str:
            text = re.sub(r"\[\s*previous\s*\]", str(_("（上期）")), text)
            text = re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: names.get(m.group(0), m.group(0)), text)
            return text.replace("*", "×").replace("/", "÷")

        return f"{side(self.left)} {OPERATOR_WORDS.get(self.operator, self.operator)} {side(self.right)}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from jinguo.monitoring.expressions import ExpressionError, parse

        errors = {}
        for field in ("left", "right"):
            try:
                parse(getattr(self, field))
            except ExpressionError as exc:
                errors[field] = str(exc)
        if errors:
            raise ValidationError(errors)
