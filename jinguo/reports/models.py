"""Work summaries kept for editing: the generated blocks plus the user's own paragraphs."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jinguo.core.fields import PeriodField
from jinguo.core.links import record_url
from jinguo.core.models import OrgOwnedModel
from jinguo.core.roles import RECORD_ROLES, Role


class SummaryTemplate(OrgOwnedModel):
    """An office's own Word template (its 版头 with the red 发文机关标志 and 发文字号, red line, 主送, fonts) with
    fields such as {{ 标题 }}, {{ 正文 }}, {{ 落款 }}, {{ 日期 }} that the summary is rendered into. Not personal
    data: kept in plain storage. Usable by the unit that uploaded it and the units below it."""

    name = models.CharField(_("模板名称"), max_length=100)
    file = models.FileField(_("模板文件"), upload_to="summary_templates/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+", null=True)

    class Meta:
        verbose_name = _("总结模板")
        verbose_name_plural = _("总结模板")
        ordering = ["org", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:template_list")


class Summary(OrgOwnedModel):
    """A 工作总结 in progress. `blocks` is the document: title, headings and paragraphs, each generated (with its
    source links) or written by the user."""

    class Scope(models.TextChoices):
        TREE = "tree", _("本单位及下级")
        SELF = "self", _("仅本单位")

    class Status(models.TextChoices):
        PENDING = "pending", _("生成中")
        READY = "ready", _("可编辑")
        FAILED = "failed", _("生成失败")

    period = PeriodField(_("统计期"))
    scope = models.CharField(_("范围"), max_length=4, choices=Scope.choices, default=Scope.TREE)
    rounded = models.BooleanField(_("约数表述"), default=False, help_text=_("如“800余人次”“近3万份”，不会夸大"))
    share_places = models.PositiveSmallIntegerField(_("占比小数位"), default=1, choices=[(1, "60.5%"), (0, "61%")])
    highlights = models.PositiveSmallIntegerField(
        _("每节列举活动数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("每个工作条线按覆盖人数、发放份数、金额列举的主要活动数（一是、二是、三是……）"))
    red_header = models.BooleanField(_("红头"), default=False,
                                     help_text=_("默认模板加红色发文机关标志和红色分隔线"))
    template = models.ForeignKey(SummaryTemplate, verbose_name=_("本单位模板"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("不选则用 GB/T 9704 默认格式"))
    title = models.CharField(_("标题"), max_length=200, blank=True)
    blocks = models.JSONField(_("内容"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT,
                                   related_name="+", null=True)

    scope_roles = {**OrgOwnedModel.scope_roles, "view": RECORD_ROLES | {Role.UPPER_VIEWER}}

    class Meta:
        verbose_name = _("工作总结")
        verbose_name_plural = _("工作总结")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title or f"{self.org} {self.period}"

    def get_absolute_url(self) -> str:
        return record_url("reports:summary_detail", self.pk)
