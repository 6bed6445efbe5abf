"""信访维权: cases, petitioners (personal data encrypted), the handling timeline, referrals, assignments down the
tree (交办/督办), follow-ups, and per-unit time limits.

Status only changes through `petitions.services` (typed transitions with guards); views and the API never set
it. Each case carries `current_due`, the deadline of its current step, so overdue lists are one indexed query.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from jinguo.core.events import Event
from jinguo.core.fields import EncryptedTextField, MaskedCopyField
from jinguo.core.links import record_url
from jinguo.core.models import AuditedModel, OrgOwnedModel, owner_org
from jinguo.core.roles import Role
from jinguo.core.scope import ScopedQuerySet
from jinguo.core.sql import AnyOf, Keys

CASE_ROLES = frozenset({Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER})
UNMASK_ROLES = frozenset({Role.PETITION_OFFICER, Role.UNIT_LEADER})

# The statutory time limits in days (信访工作条例): 受理告知 15 (Art. 23), 办理 60 (Art. 34), 延期 at most 30 (Art. 34),
# 复查/复核 answered within 30 (Arts. 35–36). The one source: `TimeLimits`' defaults, the limits form's bounds (a unit
# may be stricter, never laxer), the extension form and the synthetic data read it.
STATUTE_DAYS: dict[str, int] = {"accept_days": 15, "handle_days": 60, "extension_max_days": 30, "review_days": 30}
DUE_SOON_DAYS = 3  # 即将超期: how many days ahead, unless a unit sets its own (`TimeLimits.due_soon_days`)


class Status(models.TextChoices):
    REGISTERED = "registered", _("登记")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    TRANSFERRED = "transferred", _("已转送")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已答复")
    FOLLOWED_UP = "followed_up", _("已回访")
    CLOSED = "closed", _("办结")
    REVIEW = "review", _("复查中")


OPEN_STATUSES = (Status.REGISTERED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REVIEW)


def days_left(current_due: dt.date | None, status: str, today: dt.date) -> int | None:
    """Days until a case's current time limit (negative: overdue); None once it is done or has no limit."""
    return (current_due - today).days if current_due and status in OPEN_STATUSES else None
DONE_STATUSES = (Status.REJECTED, Status.TRANSFERRED, Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED)


class PetitionType(models.TextChoices):
    SUGGESTION = "suggestion", _("建议意见类")
    ACCUSATION = "accusation", _("检举控告类")
    COMPLAINT = "complaint", _("申诉求决类")


class RiskColour(models.TextChoices):
    NONE = "", _("无")
    RED = "red", _("红（家暴）")
    ORANGE = "orange", _("橙（婚姻矛盾）")
    YELLOW = "yellow", _("黄（困境）")


class ClosureResult(models.TextChoices):
    MEDIATED = "mediated", _("调解成功")
    LEGAL_AID = "legal_aid", _("法律援助")
    REFERRED = "referred", _("转介办理")
    EXPLAINED = "explained", _("解释疏导")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    OTHER = "other", _("其他")


class TimeLimits(AuditedModel):
    """A unit's own time limits (local service pledges may be stricter than the statute); units without a row
    inherit the nearest ancestor's, and the statute's by default (信访工作条例 Arts. 23, 34–36)."""

    org = models.OneToOneField("orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE,
                               related_name="petition_limits")
    accept_days = models.PositiveSmallIntegerField(_("受理告知时限（日）"), default=STATUTE_DAYS["accept_days"])
    handle_days = models.PositiveSmallIntegerField(_("办理时限（日）"), default=STATUTE_DAYS["handle_days"])
    extension_max_days = models.PositiveSmallIntegerField(_("延期上限（日）"),
                                                          default=STATUTE_DAYS["extension_max_days"])
    review_days = models.PositiveSmallIntegerField(_("复查/复核答复时限（日）"), default=STATUTE_DAYS["review_days"])
    due_soon_days = models.PositiveSmallIntegerField(_("即将超期提醒（日）"), default=DUE_SOON_DAYS)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"
    scope_roles = {"view": CASE_ROLES, "add": frozenset({Role.UNIT_LEADER}),
                   "change": frozenset({Role.UNIT_LEADER}), "delete": frozenset({Role.UNIT_LEADER}),
                   "export": CASE_ROLES}

    class Meta:
        verbose_name = _("信访办理时限")
        verbose_name_plural = _("信访办理时限")

    def __str__(self) -> str:
        return f"{self.org} {self.accept_days}/{self.handle_days}"

    def get_absolute_url(self) -> str:
        return record_url("petitions:timelimits_edit", self.pk)

    @classmethod
    def for_org(cls, org) -> TimeLimits:
        codes = [c for c in org.path.strip("/").split("/")]
        rows = {t.org.code: t for t in cls.objects.filter(org__code__in=codes).select_related("org")}
        for code in reversed(codes):
            if code in rows:
                return rows[code]
        return cls(org=org)


def due_soon_days(org) -> int:
    """How many days ahead a unit's cases count as 即将超期: its own (or nearest ancestor's) `due_soon_days`; the
    default for a user with no unit."""
    return TimeLimits.for_org(org).due_soon_days if org is not None else DUE_SOON_DAYS


class CaseQuerySet(ScopedQuerySet):
    def in_units(self, units: Keys) -> CaseQuerySet:
        """A case belongs to the unit that registered it and, once assigned down (交办), to the handling unit."""
        return self.filter(models.Q(AnyOf("org", units)) | models.Q(AnyOf("handler", units)))

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date) -> CaseQuerySet:
        return self.open().filter(current_due__lt=today)

    def due_soon(self, today: dt.date, days: int = DUE_SOON_DAYS) -> CaseQuerySet:
        """Open cases due within `days` from `today`: pass the unit's `due_soon_days(org)`."""
        return self.open().filter(current_due__gte=today, current_due__lte=today + dt.timedelta(days=days))


class Case(OrgOwnedModel):
    """One petition item (件), with its headcount (人次).

    Indexes are chosen for a province's half-million cases: no single-column index where a composite leads with the
    column (org, status), and no `varchar_pattern_ops` twin (Django's default for indexed text) where nothing
    matches a prefix (import key)."""

    org = owner_org(db_index=False)  # case_org_received_idx leads with it
    number = models.CharField(_("案件编号"), max_length=30, unique=True, editable=False)
    received_at = models.DateTimeField(_("登记时间"), db_index=True)
    channel = models.ForeignKey("core.CodeItem", verbose_name=_("来源方式"), on_delete=models.PROTECT, related_name="+",
                                limit_choices_to={"table__slug": "petition_channel"})
    petition_type = models.CharField(_("信访类型"), max_length=12, choices=PetitionType.choices,
                                     default=PetitionType.COMPLAINT)
    is_collective = models.BooleanField(_("集体访"), default=False)
    headcount = models.PositiveIntegerField(_("人数"), default=1)
    category = models.ForeignKey("core.CodeItem", verbose_name=_("问题类别"), on_delete=models.PROTECT,
                                 related_name="+", limit_choices_to={"table__slug": "petition_category",
                                                                     "parent__isnull": True})
    subcategory = models.ForeignKey("core.CodeItem", verbose_name=_("问题子类"), on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True,
                                    limit_choices_to={"table__slug": "petition_category", "parent__isnull": False})
    summary = models.TextField(_("诉求摘要"))
    demands = models.TextField(_("诉求"), blank=True)
    flag_dv = models.BooleanField(_("家庭暴力"), default=False)
    flag_minor = models.BooleanField(_("涉及未成年人"), default=False)
    flag_urgent = models.BooleanField(_("紧急"), default=False)
    flag_escalation = models.BooleanField(_("可能激化"), default=False)
    risk_colour = models.CharField(_("风险等级"), max_length=6, choices=RiskColour.choices, blank=True, default="")
    is_typical = models.BooleanField(_("典型案例"), default=False,
                                     help_text=_("勾选后，工作总结以一句不含个人信息的叙述写入本案（类别、做法、结果）"))
    is_repeat = models.BooleanField(_("重复信访"), default=False,
                                    help_text=_("12个月内同一身份证号或电话在管辖范围内已有登记"))

    status = models.CharField(_("办理状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED,
                              editable=False)  # case_status_due_idx leads with it
    accept_due = models.DateField(_("受理告知期限"), editable=False)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, editable=False)
    handle_due = models.DateField(_("办理期限"), null=True, blank=True, editable=False)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0, editable=False)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True, editable=False)
    review_due = models.DateField(_("复查期限"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True, editable=False)
    result = models.CharField(_("办理结果"), max_length=12, choices=ClosureResult.choices, blank=True, editable=False)
    closed_on_time = models.BooleanField(_("按期办结"), null=True, editable=False)
    current_due = models.DateField(_("当前环节期限"), null=True, blank=True, editable=False, db_index=True)
    handler = models.ForeignKey("orgs.OrgUnit", verbose_name=_("承办单位"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", editable=False,
                                help_text=_("交办后由下级单位承办"))
    import_key = models.CharField(max_length=64, blank=True, editable=False)  # case_import_key_idx

    objects = CaseQuerySet.as_manager()
    scope_roles = {
        "view": CASE_ROLES, "add": CASE_ROLES, "change": CASE_ROLES, "handle": CASE_ROLES,
        "delete": frozenset({Role.UNIT_LEADER}), "export": CASE_ROLES, "unmask": UNMASK_ROLES,
        "approve": frozenset({Role.UNIT_LEADER}),
    }

    class Meta:
        verbose_name = _("信访案件")
        verbose_name_plural = _("信访案件")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["org", "received_at"], name="case_org_received_idx"),
            models.Index(fields=["status", "current_due"], name="case_status_due_idx"),
            models.Index(fields=["import_key"], name="case_import_key_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("petitions:case_detail", self.pk)

    def save(self, *args, **kwargs) -> None:
        """Every saved case moves its count in the roll-up (`CaseCell`) in the same transaction: what the stored row
        contributed is taken out, what the saved row contributes is added. A save that touches no field the roll-up
        keys or counts (a deadline, a note) costs nothing extra. Bulk paths call `petitions.stats.add_to_cells`."""
        from jinguo.petitions.stats import CELL_FIELDS, add_to_cells

        fields = kwargs.get("update_fields")
        counted = fields is None or bool({f.removesuffix("_id") for f in fields} & CELL_FIELDS)
        if not counted:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            if not self._state.adding and self.pk is not None:
                add_to_cells(Case.objects.filter(pk=self.pk), -1)
            super().save(*args, **kwargs)
            add_to_cells(Case.objects.filter(pk=self.pk))

    def delete(self, *args, **kwargs):
        from jinguo.petitions.stats import add_to_cells

        with transaction.atomic():
            add_to_cells(Case.objects.filter(pk=self.pk), -1)
            return super().delete(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_left(self, today: dt.date) -> int | None:
        return days_left(self.current_due, self.status, today)


class Petitioner(models.Model):
    """A petitioner of a case. Name, ID number, phone and address are encrypted; ID and phone also carry a
    keyed hash for exact search and repeat detection. Changes are audited through the case's events."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("女")
        MALE = "M", _("男")

    class Marital(models.TextChoices):
        UNKNOWN = "", _("不详")
        SINGLE = "single", _("未婚")
        MARRIED = "married", _("已婚")
        DIVORCED = "divorced", _("离异")
        WIDOWED = "widowed", _("丧偶")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitioners")
    name = EncryptedTextField(_("姓名"), blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.FEMALE)
    age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=10, choices=Marital.choices, blank=True, default="")
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)  # indexed in Meta: exact match only
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    address = EncryptedTextField(_("住址"), blank=True)
    # What lists, exports and the API show, kept at every write: a page of cases decrypts nothing.
    name_masked = MaskedCopyField(_("姓名（脱敏）"), source="name")
    id_number_masked = MaskedCopyField(_("身份证号（脱敏）"), source="id_number")
    phone_masked = MaskedCopyField(_("联系电话（脱敏）"), source="phone")
    address_masked = MaskedCopyField(_("住址（脱敏）"), source="address")

    PERSONAL_FIELDS = ("name", "id_number", "phone", "address")
    # The columns a masked view needs (lists, the API): load only these, and the encrypted ones stay shut.
    MASKED_VIEW_FIELDS = ("id", "case", "sex", "age", "name_masked", "id_number_masked", "phone_masked",
                          "address_masked")

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")
        ordering = ["pk"]
        indexes = [models.Index(fields=["id_hash"], name="petitioner_id_hash_idx"),
                   models.Index(fields=["phone_hash"], name="petitioner_phone_hash_idx")]

    def __str__(self) -> str:
        return self.name_masked

    def masked(self) -> dict[str, str]:
        """The four personal fields as every list, export and API response shows them (stored at the write)."""
        return {"name": self.name_masked, "id_number": self.id_number_masked, "phone": self.phone_masked,
                "address": self.address_masked}


class CaseEvent(models.Model):
    """A timeline entry: every step of a case with actor and note. Shown on the case and, for 交办 steps, on
    both units' timelines (`org` is the unit that acted)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(_("环节"), max_length=40)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("经办人"), max_length=150, blank=True)
    org = models.ForeignKey("orgs.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.code}"

    @property
    def label(self) -> str:
        try:
            return str(Event(self.code).label)
        except ValueError:
            return self.code


class Referral(models.Model):
    """转介: the case sent to an agency (公安, 法院, 法律援助 …) and what came back."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    agency_type = models.ForeignKey("core.CodeItem", verbose_name=_("转介部门类型"), on_delete=models.PROTECT,
                                    related_name="+", limit_choices_to={"table__slug": "referral_agency"})
    unit_name = models.CharField(_("接收单位"), max_length=100)
    sent_on = models.DateField(_("转介日期"))
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)
    result = models.TextField(_("反馈结果"), blank=True)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.agency_type.name} {self.unit_name}"


class DomesticViolence(models.Model):
    """反家暴 specifics of a case (反家庭暴力法): 告诫书, 人身安全保护令, shelter, legal aid. The abuser is
    identified only by a keyed hash, so a second 告诫书 for the same abuser can raise an alert."""

    class AppliedBy(models.TextChoices):
        NONE = "", _("未申请")
        SELF = "self", _("本人申请")
        FEDERATION = "federation", _("妇联代为申请")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="dv")
    abuser_relation = models.CharField(_("施暴人与受害人关系"), max_length=20, blank=True)
    abuser_id_number = EncryptedTextField(_("施暴人身份证号"), blank=True)
    abuser_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    police_called = models.BooleanField(_("已报警"), default=False)
    warning_letter_on = models.DateField(_("告诫书出具日期"), null=True, blank=True)
    warning_letter_no = models.CharField(_("告诫书编号"), max_length=50, blank=True)
    order_applied_by = models.CharField(_("保护令申请"), max_length=10, choices=AppliedBy.choices, blank=True,
                                        default="")
    order_applied_on = models.DateField(_("保护令申请日期"), null=True, blank=True)
    order_granted = models.BooleanField(_("保护令已签发"), null=True, blank=True)
    order_expires_on = models.DateField(_("保护令到期日"), null=True, blank=True, db_index=True)
    shelter = models.BooleanField(_("提供庇护"), default=False)
    legal_aid = models.BooleanField(_("获得法律援助"), default=False)
    counselling = models.BooleanField(_("心理疏导"), default=False)

    class Meta:
        verbose_name = _("家暴情况")
        verbose_name_plural = _("家暴情况")

    def __str__(self) -> str:
        return str(self.case)


class Assignment(models.Model):
    """交办: an upper unit hands a case to a unit below with a due date for the report back (反馈)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    from_org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("交办单位"), on_delete=models.PROTECT,
                                 related_name="+")
    to_org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("承办单位"), on_delete=models.PROTECT,
                               related_name="+")
    assigned_on = models.DateField(_("交办日期"))
    due_on = models.DateField(_("反馈期限"), db_index=True)
    reported_on = models.DateField(_("反馈日期"), null=True, blank=True)
    report = models.TextField(_("反馈内容"), blank=True)
    presses = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    supervised = models.BooleanField(_("督办"), default=False)

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["assigned_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_org}"


class FollowUp(models.Model):
    """回访 after the reply: how, when, and how satisfied the petitioner was (信访工作条例 Art. 21 评价)."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        VISIT = "visit", _("上门")
        MESSAGE = "message", _("短信/微信")
        OTHER = "other", _("其他")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("回访日期"))
    method = models.CharField(_("回访方式"), max_length=10, choices=Method.choices)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices)
    note = models.TextField(_("回访情况"), blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.on}"




class CaseCell(models.Model):
    """The cases rolled up by unit, month of registration, channel, category, subcategory and status: how many cases
    and people, and how many of them are 家暴, repeat, completed and completed on time. Derived data the petition
    statistics and the work summary read instead of grouping a province's cases, kept by
    `petitions.stats.add_to_cells` in the transaction that writes the cases (`Case.save`/`delete`, the bulk import,
    synth; `jinguo rebuild_cells` recomputes it). Plain ids, 0 for "no subcategory": NULLs never collide in a
    unique key. Only totals: no case, person or text is in it."""

    org = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+",
                            db_index=False)  # casecell_org_month_idx leads with it
    month = models.DateField()  # first day of the month (Asia/Shanghai)
    channel_id = models.IntegerField()
    category_id = models.IntegerField()
    subcategory_id = models.IntegerField(default=0)
    status = models.CharField(max_length=12)
    cases = models.IntegerField(default=0)
    people = models.IntegerField(default=0)
    dv = models.IntegerField(default=0)
    repeat = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["month", "org", "channel_id", "category_id", "subcategory_id", "status"], name="casecell_key")]
        # `cases` rides in the index (PostgreSQL): the list's unfiltered total sums a city's cells from it alone.
        indexes = [models.Index(fields=["org", "month"], include=["cases"], name="casecell_org_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m} {self.channel_id}/{self.category_id}/{self.status}: {self.cases}"


class CaseCounter(models.Model):
    """The last case number of a unit and year; locked while a number is drawn so two intakes never collide."""

    org = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="casecounter_unique")]

    def __str__(self) -> str:
        return f"{self.org_id}-{self.year}: {self.last}"
