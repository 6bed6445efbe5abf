"""工作台账: activities with their figures (people reached, leaflets, yuan …), partners, and the work plan.

Every figure a summary quotes about the office's own work comes from `ActivityFigure`; money and counts are
exact (CentsField), never floats.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jinguo.core.fields import CentsField, PeriodField
from jinguo.core.links import record_url
from jinguo.core.models import AuditedModel, OrgOwnedModel, owner_org
from jinguo.core.roles import ALL_ROLES, Role
from jinguo.core.scope import GlobalQuerySet
from jinguo.core.text import split_list


class Measure(AuditedModel):
    """A kind of figure an activity reports, with its unit: 发放资料(份), 慰问金额(元) … (a code table with units).

    `direction` marks money that left the office (慰问金, 救助) or came in (捐款): the funds view reads it.
    """

    class Kind(models.TextChoices):
        COUNT = "count", _("计数")
        MONEY = "money", _("金额")

    class Direction(models.TextChoices):
        NONE = "", _("不涉及资金")
        OUT = "out", _("支出（发放）")
        IN = "in", _("收入（接收）")

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    unit = models.CharField(_("单位"), max_length=10)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.COUNT)
    direction = models.CharField(_("资金方向"), max_length=3, choices=Direction.choices, blank=True, default="")
    aliases = models.CharField(_("别名"), max_length=255, blank=True, help_text=_("导入时也认可的写法，用顿号分隔"))
    phrase = models.CharField(_("总结用语"), max_length=50, blank=True,
                              help_text=_("工作总结中的说法，{n} 处填数字和单位，如“接受咨询{n}”；不填则为“名称{n}”"))
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = GlobalQuerySet.as_manager()
    scope_roles = {"view": ALL_ROLES, "add": frozenset({Role.SYSTEM_ADMIN}),
                   "change": frozenset({Role.SYSTEM_ADMIN}), "delete": frozenset({Role.SYSTEM_ADMIN}),
                   "export": ALL_ROLES}

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})"

    def get_absolute_url(self) -> str:
        return record_url("ledger:measure_edit", self.pk)

    @property
    def header(self) -> str:
        """The Excel column header: 发放资料(份)."""
        return f"{self.name}({self.unit})"

    def prose(self, amount: str) -> str:
        """'接受咨询850人次' — the measure in a summary sentence, `amount` already formatted with its unit."""
        return (self.phrase or f"{self.name}{{n}}").replace("{n}", amount)

    @property
    def spellings(self) -> list[str]:
        """Every header that means this measure: 发放资料(份), 发放资料, 发放资料份, and the aliases."""
        return [self.header, self.name, f"{self.name}{self.unit}", *split_list(self.aliases)]


class Activity(OrgOwnedModel):
    """One campaign, training, visit, meeting … held by `org` (the lead unit)."""

    org = owner_org(db_index=False)  # activity_org_date_title_idx leads with it
    kind = models.ForeignKey("core.CodeItem", verbose_name=_("活动类型"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"table__slug": "activity_kind"})
    title = models.CharField(_("活动名称"), max_length=200)
    start_date = models.DateField(_("开始日期"), db_index=True)
    end_date = models.DateField(_("结束日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    themes = models.ManyToManyField("core.CodeItem", verbose_name=_("主题"), blank=True, related_name="+",
                                    limit_choices_to={"table__slug": "activity_theme"})
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动台账")
        ordering = ["-start_date", "-pk"]
        # (unit, date) for lists and statistics; the title too, so an import finds a row by its natural key
        # without visiting every activity of that unit and day
        indexes = [models.Index(fields=["org", "start_date", "title"], name="activity_org_date_title_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="activity_end_after_start",
                                   violation_error_message=_("结束日期不能早于开始日期。")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("ledger:activity_detail", self.pk)


class ActivityFigure(models.Model):
    """One figure of one activity. Written only by `ledger.services.save_activity`, which audits the activity's
    figures as a whole."""

    # No single-column indexes: figure_unique_measure leads with the activity, figure_measure_idx with the measure.
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="figures",
                                 db_index=False)
    measure = models.ForeignKey(Measure, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+",
                                db_index=False)
    value = CentsField(_("数值"))

    class Meta:
        verbose_name = _("活动数据")
        verbose_name_plural = _("活动数据")
        constraints = [
            models.UniqueConstraint(fields=["activity", "measure"], name="figure_unique_measure",
                                    violation_error_message=_("同一活动的同一指标只能填写一次。")),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="figure_not_negative",
                                   violation_error_message=_("数值不能为负。")),
        ]
        indexes = [models.Index(fields=["measure", "activity"], name="figure_measure_idx")]

    def __str__(self) -> str:
        return f"{self.measure.name} {self.value}"


class ActivityCell(models.Model):
    """The ledger rolled up by unit, month, activity kind and theme: how many activities and, per measure, the sum of
    their figures. Derived data the statistics read instead of joining millions of figures to their activities,
    kept by `ledger.stats.add_to_cells` in the transaction that writes the activities (+1 for what is stored, −1
    for what is replaced or deleted). `theme` 0 = all of the kind's activities (else only those carrying that
    theme); `measure` 0 = the activity count row. Plain ids, not foreign keys: 0 must be a value a unique key
    compares (NULLs never collide), and the rows are rebuilt, never edited (`jinguo rebuild_cells`)."""

    org = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+",
                            db_index=False)  # activitycell_org_month_idx leads with it
    month = models.DateField()  # first day of the month
    kind_id = models.IntegerField()
    theme_id = models.IntegerField(default=0)
    measure_id = models.IntegerField(default=0)
    activities = models.IntegerField(default=0)
    total = CentsField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "org", "kind_id", "theme_id", "measure_id"],
                                               name="activitycell_key")]
        indexes = [models.Index(fields=["org", "month"], name="activitycell_org_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m} {self.kind_id}/{self.theme_id}/{self.measure_id}: {self.total}"


class ActivityRank(models.Model):
    """One row per activity with what the work summary ranks and groups it by: its unit, start date, line of work
    (`section_id`, the 工作总结栏目 item it falls in by `ledger.sections.section_of`) and its reach — people, copies
    and yuan, each the sum of the activity's figures of that kind of unit. The summary names a section's widest-
    reaching activities by reading `activityrank_reach_idx` from the top (a few rows, whatever the scope) instead of
    working out every activity's section and reach; `SectionCell` is rolled up from these rows.

    A reach the activity has no figure for is stored as −1 (`ledger.sections.NO_REACH`): figures are never negative,
    so under DESC it ranks below every real sum, as NULLS LAST did — and the index needs no NULLS LAST, which SQLite
    cannot index. Derived data, kept by `ledger.sections.add_to_sections` in the transaction that writes the activity
    (and recomputed when the code tables it depends on change); `jinguo rebuild_cells` recomputes it."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, primary_key=True, related_name="+")
    org = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", db_index=False)
    start_date = models.DateField()
    section_id = models.IntegerField(default=0)  # the section's CodeItem id; 0 when no section is defined
    people = CentsField()
    copies = CentsField()
    yuan = CentsField()

    class Meta:
        indexes = [models.Index(fields=["section_id", "-people", "-copies", "-yuan", "start_date", "activity", "org"],
                                name="activityrank_reach_idx")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.section_id}: {self.people}/{self.copies}/{self.yuan}"


class SectionCell(models.Model):
    """The ledger rolled up by unit, month and line of work (工作总结栏目): how many activities and, per measure, the
    sum of their figures — what the work summary's lead sentences and unit tables add up, read instead of working out
    the section of a province's million activities. `measure_id` 0 = the activity count row. Rows at the activity's
    own unit only (a subtree is a semi-join on `org`, as for `ActivityCell`). Derived from `ActivityRank` and the
    figures by `ledger.sections.add_to_sections` in the writing transaction; rebuilt by `jinguo rebuild_cells`."""

    org = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+",
                            db_index=False)  # sectioncell_org_month_idx leads with it
    month = models.DateField()  # first day of the month
    section_id = models.IntegerField(default=0)
    measure_id = models.IntegerField(default=0)
    activities = models.IntegerField(default=0)
    total = CentsField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "org", "section_id", "measure_id"],
                                               name="sectioncell_key")]
        indexes = [models.Index(fields=["org", "month"], name="sectioncell_org_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m} {self.section_id}/{self.measure_id}: {self.total}"


class ActivityPartner(models.Model):
    """A partner of an activity: a unit in the tree (`org`), or an outside agency known only by name."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("合作单位"), max_length=100)
    org = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("合作单位")
        verbose_name_plural = _("合作单位")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class PlanItem(OrgOwnedModel):
    """A work-plan item (工作计划) for a period; the summary lists the next period's items as its plans."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        ACTIVE = "active", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("取消")

    period = PeriodField(_("计划期"), db_index=True, help_text=_("如 2025H2、2026、2026Q1"))
    title = models.CharField(_("计划事项"), max_length=200)
    description = models.TextField(_("具体内容"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    activities = models.ManyToManyField(Activity, verbose_name=_("相关活动"), blank=True, related_name="plan_items")
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["period", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("ledger:planitem_detail", self.pk)
