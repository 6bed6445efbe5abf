"""Registries of people and units the federation works with: people helped, the women talent pool, volunteers,
honours and 巾帼文明岗, micro-guarantee loans.

One `Person` per ID number (deduplicated through a keyed hash); names, ID numbers, phones and addresses are
encrypted at rest and masked on display, exactly as for petitioners. A person has no owning unit: she is visible to
whoever holds one of her list entries in their subtree.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from jinguo.core.fields import CentsField, EncryptedTextField
from jinguo.core.idcard import mask_name, masked_fields
from jinguo.core.links import record_url
from jinguo.core.models import AuditedModel, OrgOwnedModel
from jinguo.core.roles import RECORD_ROLES, Role
from jinguo.core.scope import scope_paths

LIST_RELATIONS = ("beneficiaries", "talents", "volunteers", "honours", "loans")


class PersonQuerySet(models.QuerySet):
    def listed_under(self, unit) -> PersonQuerySet:
        """The persons in a list of `unit` or a unit below it."""
        condition = models.Q()
        for relation in LIST_RELATIONS:
            condition |= models.Q(**{f"{relation}__org__path__startswith": unit.path})
        return self.filter(condition).distinct()

    def visible_to(self, user, action: str = "view") -> PersonQuerySet:
        roots = scope_paths(user, Person.scope_roles.get(action, ()))
        if not roots:
            return self.none()
        condition = models.Q()
        for root in roots:
            for relation in LIST_RELATIONS:
                condition |= models.Q(**{f"{relation}__org__path__startswith": root})
        return self.filter(condition).distinct()


class Person(AuditedModel):
    class Sex(models.TextChoices):
        FEMALE = "F", _("女")
        MALE = "M", _("男")

    name = EncryptedTextField(_("姓名"))
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.FEMALE)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = EncryptedTextField(_("住址"), blank=True)

    objects = PersonQuerySet.as_manager()
    scope_roles = {"view": RECORD_ROLES, "change": RECORD_ROLES, "unmask": frozenset({Role.PETITION_OFFICER,
                                                                                     Role.UNIT_LEADER})}
    audit_masked_fields = ("name", "id_number", "phone", "address", "birth_date")  # the date is in the ID number
    PERSONAL_FIELDS = ("name", "id_number", "phone", "address")

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        # One person per ID number within a jurisdiction (people.services.person_for), not across the province:
        # a sister county registering the same ID number gets a record of its own and learns nothing.
        indexes = [models.Index(fields=["id_hash"], name="person_id_hash_idx")]

    def __str__(self) -> str:
        return mask_name(self.name)

    def get_absolute_url(self) -> str:
        return record_url("people:person_detail", self.pk)

    def masked(self) -> dict[str, str]:
        return masked_fields(name=self.name, id_number=self.id_number, phone=self.phone, address=self.address)

    def age_on(self, day: dt.date) -> int | None:
        if not self.birth_date:
            return None
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class Beneficiary(OrgOwnedModel):
    """帮扶对象: a person in a group (贫困母亲, 留守儿童 …) helped by a unit."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="beneficiaries")
    group = models.ForeignKey("core.CodeItem", verbose_name=_("帮扶类别"), on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"table__slug": "beneficiary_group"})
    since = models.DateField(_("纳入日期"))
    until = models.DateField(_("退出日期"), null=True, blank=True)
    note = models.TextField(_("情况说明"), blank=True)

    class Meta:
        verbose_name = _("帮扶对象")
        verbose_name_plural = _("帮扶对象")
        ordering = ["-since", "pk"]
        constraints = [models.UniqueConstraint(fields=["person", "group", "org"], name="beneficiary_unique",
                                               violation_error_message=_("该人员已在本单位的此类帮扶名单中。"))]

    def __str__(self) -> str:
        return f"{self.person} · {self.group}"

    def get_absolute_url(self) -> str:
        return record_url("people:beneficiary_detail", self.pk)


class Aid(OrgOwnedModel):
    """One act of help to a beneficiary: money and/or goods, usually given at a ledger activity."""

    beneficiary = models.ForeignKey(Beneficiary, verbose_name=_("帮扶对象"), on_delete=models.CASCADE,
                                    related_name="aids")
    activity = models.ForeignKey("ledger.Activity", verbose_name=_("活动"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="aids")
    on = models.DateField(_("日期"), db_index=True)
    amount = CentsField(_("金额（元）"), default=0)
    goods = models.CharField(_("物资"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        ordering = ["-on", "pk"]

    def __str__(self) -> str:
        return f"{self.beneficiary} {self.on}"


class Talent(OrgOwnedModel):
    """女性人才库: cadres and candidates, reviewed at least every 12 months (动态管理)."""

    class Post(models.TextChoices):
        TOWNSHIP_CHAIR = "township_chair", _("乡镇妇联主席")
        ORGAN_CHAIR = "organ_chair", _("机关妇委会主任")
        ENTERPRISE_CHAIR = "enterprise_chair", _("企业妇委会主任")
        VILLAGE_CHAIR = "village_chair", _("村(社区)妇联主席")
        CANDIDATE = "candidate", _("后备人才")
        OTHER = "other", _("其他")

    class Education(models.TextChoices):
        NONE = "", _("不详")
        SECONDARY = "secondary", _("高中及以下")
        COLLEGE = "college", _("大专")
        BACHELOR = "bachelor", _("本科")
        POSTGRADUATE = "postgraduate", _("研究生")

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="talents")
    post_kind = models.CharField(_("类别"), max_length=20, choices=Post.choices, default=Post.CANDIDATE)
    workplace = models.CharField(_("工作单位"), max_length=100, blank=True)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    level = models.CharField(_("职级层级"), max_length=10, blank=True, default="",
                             choices=[("", _("不详")), ("province", _("省级")), ("city", _("市级")),
                                      ("county", _("县级")), ("township", _("乡镇级")), ("village", _("村级"))])
    education = models.CharField(_("学历"), max_length=15, choices=Education.choices, blank=True, default="")
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    speciality = models.CharField(_("专长"), max_length=100, blank=True)
    appointed_on = models.DateField(_("任职日期"), null=True, blank=True)
    last_reviewed = models.DateField(_("最近审核日期"), db_index=True)

    class Meta:
        verbose_name = _("女性人才")
        verbose_name_plural = _("女性人才库")
        ordering = ["last_reviewed", "pk"]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_post_kind_display()}"

    def get_absolute_url(self) -> str:
        return record_url("people:talent_detail", self.pk)

    def review_due(self) -> dt.date:
        """Twelve months after the last review (29 Feb reviews fall due on 28 Feb)."""
        try:
            return self.last_reviewed.replace(year=self.last_reviewed.year + 1)
        except ValueError:
            return self.last_reviewed.replace(year=self.last_reviewed.year + 1, day=28)


class VolunteerTeam(OrgOwnedModel):
    name = models.CharField(_("队伍名称"), max_length=100)

    class Meta:
        verbose_name = _("巾帼志愿者队伍")
        verbose_name_plural = _("巾帼志愿者队伍")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="team_unique_name",
                                               violation_error_message=_("本单位已有同名队伍。"))]

    def __str__(self) -> str:
        return self.name


class Volunteer(OrgOwnedModel):
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="volunteers")
    team = models.ForeignKey(VolunteerTeam, verbose_name=_("队伍"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="members")
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    joined_on = models.DateField(_("加入日期"))

    class Meta:
        verbose_name = _("巾帼志愿者")
        verbose_name_plural = _("巾帼志愿者")
        constraints = [models.UniqueConstraint(fields=["person", "org"], name="volunteer_unique",
                                               violation_error_message=_("该人员已是本单位志愿者。"))]

    def __str__(self) -> str:
        return f"{self.person} · {self.team or ''}"

    def get_absolute_url(self) -> str:
        return record_url("people:volunteer_detail", self.pk)


class ServiceRecord(models.Model):
    """Hours a volunteer served at a ledger activity (志愿服务记录)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="services")
    activity = models.ForeignKey("ledger.Activity", on_delete=models.CASCADE, related_name="volunteer_services")
    hours = CentsField(_("服务时长（小时）"))

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        constraints = [models.UniqueConstraint(fields=["volunteer", "activity"], name="service_unique")]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours}"

    def audit_org(self):
        """Audit entries of a service record belong to the volunteer's unit."""
        return self.volunteer.org


class Level(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class Honour(OrgOwnedModel):
    """An award (三八红旗手, 三八红旗集体, 最美家庭 …) at a level, to a person or a collective."""

    award = models.ForeignKey("core.CodeItem", verbose_name=_("荣誉"), on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"table__slug": "honour_award"})
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    person = models.ForeignKey(Person, verbose_name=_("获奖个人"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="honours")
    collective = models.CharField(_("获奖集体"), max_length=100, blank=True)
    conferred_by = models.CharField(_("授予单位"), max_length=100, blank=True)
    document_no = models.CharField(_("文号"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉表彰")
        ordering = ["-year", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(person__isnull=False) | ~models.Q(collective=""), name="honour_has_recipient",
            violation_error_message=_("请填写获奖个人或获奖集体。"))]

    def __str__(self) -> str:
        return f"{self.year} {self.award} {self.collective or self.person}"

    def get_absolute_url(self) -> str:
        return record_url("people:honour_detail", self.pk)


class CivilizedPost(OrgOwnedModel):
    """巾帼文明岗: a women-majority post or collective holding the title at a level, reviewed periodically."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        REVIEW = "review", _("待复核")
        REVOKED = "revoked", _("已摘牌")

    name = models.CharField(_("岗位（集体）名称"), max_length=100)
    host = models.CharField(_("所在单位"), max_length=100, blank=True)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    created_on = models.DateField(_("命名日期"))
    last_reviewed = models.DateField(_("最近复核日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("巾帼文明岗")
        verbose_name_plural = _("巾帼文明岗")
        ordering = ["-created_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("people:civilizedpost_detail", self.pk)


class Loan(OrgOwnedModel):
    """妇女小额担保（创业担保）贴息贷款: applicant, amount, bank, term, interest subsidy, status and due date."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("申请")
        APPROVED = "approved", _("审核通过")
        DISBURSED = "disbursed", _("已发放")
        REPAID = "repaid", _("已还清")
        OVERDUE = "overdue", _("逾期")
        REJECTED = "rejected", _("未通过")

    person = models.ForeignKey(Person, verbose_name=_("借款人"), on_delete=models.PROTECT, related_name="loans")
    amount = CentsField(_("贷款金额（元）"))
    bank = models.CharField(_("贷款银行"), max_length=100)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    subsidy_rate = CentsField(_("贴息比例（%）"), default=100)
    subsidy_amount = CentsField(_("贴息金额（元）"), default=0)
    project = models.CharField(_("创业项目"), max_length=200, blank=True)
    applied_on = models.DateField(_("申请日期"))
    disbursed_on = models.DateField(_("发放日期"), null=True, blank=True, db_index=True)
    due_on = models.DateField(_("到期日"), null=True, blank=True, db_index=True)
    repaid_on = models.DateField(_("还清日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED)

    class Meta:
        verbose_name = _("小额担保贷款")
        verbose_name_plural = _("小额担保贷款")
        ordering = ["-applied_on", "pk"]

    def __str__(self) -> str:
        return f"{self.person} {self.amount}元"

    def get_absolute_url(self) -> str:
        return record_url("people:loan_detail", self.pk)
