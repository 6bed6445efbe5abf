"""Grassroots organisation building (基层组织建设): one profile per village, community or township women's federation
and per women's committee of an agency or enterprise, and a yearly snapshot of its figures.

The profile is what the unit is now; the snapshot of a year is what it was that year, so a survey of a past year
keeps the figures it had even after the profile changes (a new chair, more funding, a new 妇女之家).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from jinguo.core.fields import CentsField
from jinguo.core.links import record_url
from jinguo.core.models import OrgOwnedModel, owner_org

KIND_TABLE = "grassroots_kind"
# 换届: women's federations are elected every five years.
TERM_YEARS = 5
# The kinds a survey counts as 村（社区）妇联 (code-table codes, stable while names and aliases may be edited).
VILLAGE_KINDS = ("village", "community")


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 Feb falls on 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class OrgProfile(OrgOwnedModel):
    """The profile of one grassroots organisation: the unit of the tree it is (`org`), one profile per unit."""

    org = owner_org(db_index=False)  # the unique constraint on `org` serves every lookup by unit
    kind = models.ForeignKey("core.CodeItem", verbose_name=_("组织类型"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"table__slug": KIND_TABLE})
    chair_name = models.CharField(_("主席姓名"), max_length=50, blank=True)
    chair = models.ForeignKey("people.Talent", verbose_name=_("主席（人才库）"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text=_("主席在女性人才库中时关联到她的人才库记录"))
    executives = models.PositiveSmallIntegerField(_("执委人数"), default=0)
    has_home = models.BooleanField(_("妇女之家"), default=False)
    home_address = models.CharField(_("妇女之家地址"), max_length=200, blank=True)
    funding = CentsField(_("工作经费(元)"), default=0, help_text=_("本年度工作经费"))
    elected_on = models.DateField(_("换届日期"), null=True, blank=True, db_index=True,
                                  help_text=_("最近一次换届选举的日期；每五年换届一次"))
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("基层组织")
        verbose_name_plural = _("基层组织")
        ordering = ["org__path"]
        constraints = [models.UniqueConstraint(fields=["org"], name="orgprofile_unique_org",
                                               violation_error_message=_("该单位已有基层组织档案。"))]

    def __str__(self) -> str:
        return f"{self.org.name}（{self.kind.name}）" if self.org_id and self.kind_id else str(_("基层组织"))

    def get_absolute_url(self) -> str:
        return record_url("grassroots:orgprofile_detail", self.pk)

    def delete(self, *args, **kwargs):
        """The yearly snapshots go with the profile, each with its own audit entry (a cascade would skip them)."""
        from django.db import transaction

        with transaction.atomic():
            for snapshot in self.snapshots.all():
                snapshot.delete()
            return super().delete(*args, **kwargs)

    @property
    def next_election(self) -> dt.date | None:
        """Five years after the last election (换届), or None while no election date is recorded."""
        return years_after(self.elected_on, TERM_YEARS) if self.elected_on else None


class ProfileSnapshot(OrgOwnedModel):
    """A profile's figures as they stood in one year: kept by every save of the profile for the year it was made in,
    and read by the surveys of that year. No chair name: a past year's survey needs counts, not people."""

    org = owner_org(db_index=False)
    profile = models.ForeignKey(OrgProfile, verbose_name=_("基层组织"), on_delete=models.CASCADE,
                                related_name="snapshots", db_index=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.ForeignKey("core.CodeItem", verbose_name=_("组织类型"), on_delete=models.PROTECT, related_name="+")
    executives = models.PositiveSmallIntegerField(_("执委人数"), default=0)
    has_home = models.BooleanField(_("妇女之家"), default=False)
    funding = CentsField(_("工作经费(元)"), default=0)
    elected_on = models.DateField(_("换届日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("基层组织年度数据")
        verbose_name_plural = _("基层组织年度数据")
        ordering = ["-year", "profile"]
        constraints = [models.UniqueConstraint(fields=["profile", "year"], name="profilesnapshot_unique_year",
                                               violation_error_message=_("该组织本年度已有年度数据。"))]
        indexes = [models.Index(fields=["org", "year"], name="profilesnapshot_org_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.profile}"

    def get_absolute_url(self) -> str:
        return self.profile.get_absolute_url()
