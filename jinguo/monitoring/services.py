"""Checking, approving and rolling up outline-monitoring data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinguo.audit.services import record_event
from jinguo.core.actions import StateMachine
from jinguo.core.events import Event
from jinguo.core.periods import Period
from jinguo.monitoring import expressions as ex
from jinguo.monitoring.models import DataValue, Indicator, Submission, ValidationRule


# --- Roll-up -------------------------------------------------------------------------------------------------------
@dataclass
class Rolled:
    value: Decimal | None
    note: str = ""


def _sum(org, period: str, indicator: Indicator) -> Decimal | None:
    rows = DataValue.objects.filter(indicator=indicator, submission__period=period, value__isnull=False,
                                    submission__org__path__startswith=org.path)
    total = rows.aggregate(total=Sum("value"))["total"]
    return total


def rollup(org, period: str, indicator: Indicator) -> Rolled:
    """The indicator for `org` and everything below it: counts and amounts add up; rates are recomputed from the
    summed numerators and denominators (never averaged); a plain value cannot be aggregated and says so."""
    if indicator.kind in (Indicator.Kind.COUNT, Indicator.Kind.AMOUNT):
        return Rolled(_sum(org, period, indicator))
    if indicator.kind == Indicator.Kind.RATE and indicator.numerator_id and indicator.denominator_id:
        numerator = _sum(org, period, indicator.numerator)
        denominator = _sum(org, period, indicator.denominator)
        if numerator is None or denominator is None:
            return Rolled(None, _("分子或分母缺数据"))
        if denominator == 0:
            return Rolled(None, _("分母为0"))
        return Rolled((numerator * indicator.multiplier / denominator).quantize(Decimal("0.0001")))
    values = list(DataValue.objects.filter(indicator=indicator, submission__period=period, value__isnull=False,
                                           submission__org__path__startswith=org.path).values_list("value", flat=True))
    if len(values) == 1:
        return Rolled(values[0])
    return Rolled(None, _("该指标不能跨单位汇总") if values else "")


# --- Rules ---------------------------------------------------------------------------------------------------------
@dataclass
class Violation:
    rule: ValidationRule
    left: Decimal | None
    right: Decimal | None

    def __str__(self) -> str:
        show = lambda v: "缺失" if v is None else format(v.normalize(), "f")  # noqa: E731
        return (f"[{self.rule.get_importance_display()}] {self.rule.code} {self.rule.message}："
                f"{self.rule.left} = {show(self.left)}，{self.rule.right} = {show(self.right)}，"
                f"应满足 {self.rule.operator}")


def check(rules, lookup) -> list[Violation]:
    """Evaluate rules; `lookup(ref)` gives a referenced value (None when missing)."""
    found = []
    for rule in rules:
        left_tree, right_tree = ex.parse_rule(rule.left, rule.operator, rule.right)
        refs = ex.references(left_tree) | ex.references(right_tree)
        values = {ref: lookup(ref) for ref in refs}
        missing = [ref for ref, value in values.items() if value is None]
        if missing and (rule.missing == ValidationRule.Missing.SKIP_IF_ANY or
                        (rule.missing == ValidationRule.Missing.SKIP_IF_ALL and len(missing) == len(refs))):
            continue
        try:
            left, right = ex.evaluate(left_tree, values), ex.evaluate(right_tree, values)
        except ex.ExpressionError:
            left = right = None
        if left is None or right is None or not ex.compare(left, rule.operator, right):
            found.append(Violation(rule, left, right))
    return found


def _codes(rule: ValidationRule) -> set[str]:
    if rule.code.startswith("OUTLIER_"):
        return {rule.left}
    left, right = ex.parse_rule(rule.left, rule.operator, rule.right)
    return {ref.code for ref in ex.references(left) | ex.references(right)}


def check_unit(org, period: str) -> list[Violation]:
    """Every active rule over the rolled-up values of a unit (member units pooled): for the office, on demand."""
    indicators = {i.code: i for i in Indicator.objects.select_related("numerator", "denominator")}
    previous = str(Period.parse(period).year_earlier() if Period.parse(period).kind == "Y" else
                   _previous(Period.parse(period)))
    cache: dict = {}

    def lookup(ref: ex.Ref):
        if ref.code not in indicators:
            return None
        key = (ref.code, ref.previous)
        if key not in cache:
            cache[key] = rollup(org, previous if ref.previous else period, indicators[ref.code]).value
        return cache[key]

    return check(ValidationRule.objects.filter(is_active=True), lookup)


def _previous(period: Period) -> Period:
    if period.number == 1:
        return Period(period.year - 1, period.kind, {"H": 2, "Q": 4, "M": 12}[period.kind])
    return Period(period.year, period.kind, period.number - 1)


def check_submission(submission: Submission) -> list[Violation]:
    """The rules that only involve this data set's indicators, over its own values (and its previous period)."""
    own = {v.indicator.code: v.value for v in submission.values.select_related("indicator")}
    codes = set(submission.dataset.indicators.values_list("code", flat=True))
    period = Period.parse(submission.period)
    before = Submission.objects.filter(dataset=submission.dataset, period=str(
        period.year_earlier() if period.kind == "Y" else _previous(period))).first()
    previous = {v.indicator.code: v.value for v in before.values.select_related("indicator")} if before else {}
    rules = [r for r in ValidationRule.objects.filter(is_active=True) if _codes(r) <= codes]
    found = check(rules, lambda ref: (previous if ref.previous else own).get(ref.code))
    return found + outliers(submission, own, previous)


def outliers(submission: Submission, own: dict, previous: dict) -> list[Violation]:
    """A value that moved more than the data set's share against the previous period needs an explanation."""
    share = submission.dataset.outlier_share
    found = []
    for code, value in own.items():
        before = previous.get(code)
        if value is None or not before or abs(value - before) <= abs(before) * share:
            continue
        rule = ValidationRule(code=f"OUTLIER_{code}", name=_("异常变动"), left=code, operator="<=",
                              right=f"{code}[previous] * {1 + share}", importance=ValidationRule.Importance.WARNING,
                              message=_("与上期相比变动超过%(p)s%%，请说明原因") % {"p": int(share * 100)})
        found.append(Violation(rule, value, before))
    return found


# --- Workflow ------------------------------------------------------------------------------------------------------
MACHINE = StateMachine(gettext_lazy("填报"))


@transaction.atomic
@transaction.atomic
def save_grid(dataset, period: Period, values: dict[Indicator, tuple[Decimal | None, str]]) -> Submission:
    """The grid of one data set and period saved as a draft: the submission is opened on its first save, in the
    same transaction as its values, so a refused save leaves nothing behind."""
    submission, _created = Submission.objects.get_or_create(dataset=dataset, period=str(period),
                                                            defaults={"org": dataset.org})
    save_values(submission, values)
    return submission


def save_values(submission: Submission, values: dict[Indicator, tuple[Decimal | None, str]]) -> None:
    """Save the grid (a draft). Approved values are locked until the approver reopens them."""
    if submission.locked:
        raise ValidationError(_("数据已审定并锁定，须由审定人重新打开后才能修改。"))
    for indicator, (value, comment) in values.items():
        DataValue.objects.update_or_create(submission=submission, indicator=indicator,
                                           defaults={"value": value, "comment": comment})
    record_event(Event.MONITORING_SAVED, submission, data={"values": len(values)})


@MACHINE.transition("submit", gettext_lazy("提交"), event=Event.MONITORING_SUBMITTED,
                    sources={Submission.Status.DRAFT, Submission.Status.RETURNED})
@transaction.atomic
def submit(submission: Submission, *, actor=None) -> list[Violation]:
    """已提交, unless an error-level rule fails or a warning lacks an explanation (then nothing changes)."""
    violations = check_submission(submission)
    comments = {v.indicator.code: v.comment for v in submission.values.select_related("indicator")}
    blocking = [v for v in violations if v.rule.importance == ValidationRule.Importance.ERROR or not any(
        comments.get(code) for code in _codes(v.rule))]
    if blocking:
        return blocking
    submission.status = Submission.Status.SUBMITTED
    submission.save(update_fields=["status", "updated"])
    record_event(Event.MONITORING_SUBMITTED, submission, data={"warnings": len(violations)})
    return []


def _require_approver(submission: Submission, actor) -> None:
    if actor is not None and not Submission.objects.visible_to(actor, "approve").filter(pk=submission.pk).exists():
        raise PermissionDenied(_("只有妇儿工委办（单位负责人）可以审核。"))


@MACHINE.transition("review", gettext_lazy("审核通过"), event=Event.MONITORING_REVIEWED,
                    sources={Submission.Status.SUBMITTED})
@transaction.atomic
def review(submission: Submission, *, actor=None) -> Submission:
    _require_approver(submission, actor)
    submission.status = Submission.Status.REVIEWED
    submission.save(update_fields=["status", "updated"])
    record_event(Event.MONITORING_REVIEWED, submission)
    return submission


@MACHINE.transition("return", gettext_lazy("退回"), event=Event.MONITORING_RETURNED,
                    sources={Submission.Status.SUBMITTED, Submission.Status.REVIEWED})
@transaction.atomic
def return_submission(submission: Submission, *, reason: str, actor=None) -> Submission:
    _require_approver(submission, actor)
    if not reason.strip():
        raise ValidationError(_("请填写退回原因。"))
    submission.status, submission.return_reason = Submission.Status.RETURNED, reason
    submission.save(update_fields=["status", "return_reason", "updated"])
    record_event(Event.MONITORING_RETURNED, submission, note=reason)
    return submission


@MACHINE.transition("approve", gettext_lazy("审定"), event=Event.MONITORING_APPROVED,
                    sources={Submission.Status.REVIEWED})
@transaction.atomic
def approve(submission: Submission, *, actor=None) -> Submission:
    """已审定: the values are locked and remembered, so a later change shows what changed since approval."""
    _require_approver(submission, actor)
    waiting = (Submission.objects.filter(period=submission.period, org__path__startswith=submission.org.path)
               .exclude(org=submission.org).exclude(status=Submission.Status.APPROVED))
    if waiting.exists():
        raise ValidationError(_("下级单位还有%(n)d份填报未审定，须先审定下级。") % {"n": waiting.count()})
    submission.status = Submission.Status.APPROVED
    submission.approved_values = {v.indicator.code: None if v.value is None else str(v.value)
                                  for v in submission.values.select_related("indicator")}
    submission.approved_by = actor
    submission.save(update_fields=["status", "approved_values", "approved_by", "updated"])
    record_event(Event.MONITORING_APPROVED, submission)
    return submission


@MACHINE.transition("reopen", gettext_lazy("重新打开"), event=Event.MONITORING_REOPENED,
                    sources={Submission.Status.APPROVED})
@transaction.atomic
def reopen(submission: Submission, *, actor=None, reason: str = "") -> Submission:
    """Unlock approved values for a correction: the approver only, and audited."""
    _require_approver(submission, actor)
    if not reason.strip():
        raise ValidationError(_("请填写重新打开的原因。"))
    submission.status = Submission.Status.DRAFT
    submission.save(update_fields=["status", "updated"])
    record_event(Event.MONITORING_REOPENED, submission, note=reason)
    return submission


def changes_since_approval(submission: Submission) -> dict[str, tuple[str | None, str | None]]:
    now = {v.indicator.code: None if v.value is None else str(v.value)
           for v in submission.values.select_related("indicator")}
    before = submission.approved_values or {}
    return {code: (before.get(code), now.get(code)) for code in sorted(set(now) | set(before))
            if before.get(code) != now.get(code)}
