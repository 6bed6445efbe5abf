"""Information work (信息报送): short reports of a unit's work sent up to the level above or outside, and their
adoption (采用) — recorded by the unit above that adopted one, or by the sender when an outside body (a newspaper,
the Party committee's office) did.

Scope: a report belongs to the unit that wrote it (`org`); besides the sender's subtree, the units it was sent or
forwarded to see it (their own rule in `ArticleQuerySet.visible_to`), and only they adopt or forward it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jinguo.core.links import record_url
from jinguo.core.models import OrgOwnedModel, owner_org
from jinguo.core.roles import RECORD_ROLES
from jinguo.core.scope import ScopedQuerySet, scope_paths, subtree_ids
from jinguo.orgs.models import DIVISION_LEVELS

# Who may see, adopt and forward the reports addressed to their unit: those who handle its records, and its leaders.
RECEIVING_ROLES = RECORD_ROLES


class ArticleQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view") -> ArticleQuerySet:
        """Sender's subtree (as every record) — and for "view", also the reports addressed (sent or forwarded) to a
        unit in the reader's subtree; "adopt" and "forward" are for those addressed ones only."""
        if action in ("adopt", "forward"):
            roots = scope_paths(user, Article.scope_roles[action])
            return self.filter(addressed_to_q(subtree_ids(roots))) if roots else self.none()
        mine = super().visible_to(user, action)
        if action != "view":
            return mine
        roots = scope_paths(user, RECEIVING_ROLES)
        if not roots:
            return mine
        return self.filter(Q(pk__in=mine.values("pk")) | addressed_to_q(subtree_ids(roots)))

    def addressed_to(self, unit_ids: list[int]) -> ArticleQuerySet:
        return self.filter(addressed_to_q(unit_ids))


def addressed_to_q(unit_ids: list[int]) -> Q:
    """Reports sent to one of these units, or forwarded to one."""
    return Q(sent_to__in=unit_ids) | Q(pk__in=Forward.objects.filter(to_org__in=unit_ids).values("article"))


class Article(OrgOwnedModel):
    """One information report (一篇信息): written by a unit, sent to a unit above or outside."""

    org = owner_org(db_index=False)  # the (org, sent_on) index serves every lookup by unit
    title = models.CharField(_("标题"), max_length=200)
    sent_on = models.DateField(_("报送日期"))
    author = models.CharField(_("作者"), max_length=100, blank=True)
    sent_to = models.ForeignKey("orgs.OrgUnit", verbose_name=_("报送单位（上级）"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", db_index=False,
                                help_text=_("报送给上级妇联时选择；它可以在“收到的信息”中采用或转报"))
    sent_to_text = models.CharField(_("报送单位（外部）"), max_length=100, blank=True,
                                    help_text=_("报送给报刊、党委办公室等外部单位时填写"))
    body = models.TextField(_("正文"), blank=True)

    objects = ArticleQuerySet.as_manager()
    scope_roles = {**OrgOwnedModel.scope_roles, "adopt": RECEIVING_ROLES, "forward": RECEIVING_ROLES}

    class Meta:
        verbose_name = _("信息")
        verbose_name_plural = _("信息报送")
        ordering = ["-sent_on", "-pk"]
        indexes = [models.Index(fields=["org", "sent_on"], name="article_org_sent"),
                   models.Index(fields=["sent_to", "sent_on"], name="article_sent_to")]
        constraints = [models.UniqueConstraint(fields=["org", "title", "sent_on"], name="article_unique",
                                               violation_error_message=_("本单位同一天已报送过同名信息。"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("articles:article_detail", self.pk)

    def delete(self, *args, **kwargs):
        """Its adoptions and forwards go with it, each with its own audit entry (a cascade would skip them)."""
        from django.db import transaction

        with transaction.atomic():
            for related in [*self.adoptions.all(), *self.forwards.all()]:
                related.delete()
            return super().delete(*args, **kwargs)

    @property
    def recipient(self) -> str:
        return self.sent_to.name if self.sent_to_id else self.sent_to_text


class Adoption(OrgOwnedModel):
    """One body adopting one report: a unit of the tree (recorded by its own user, `adopted_by`), or an outside body
    named in text (recorded by the sender). Owned by the report's unit, so it counts in the sender's statistics."""

    org = owner_org(db_index=False)
    article = models.ForeignKey(Article, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="adoptions")
    adopter = models.ForeignKey("orgs.OrgUnit", verbose_name=_("采用单位"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    adopter_text = models.CharField(_("采用单位（外部）"), max_length=100, blank=True)
    adopted_on = models.DateField(_("采用日期"))
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("采用记录")
        verbose_name_plural = _("采用记录")
        ordering = ["adopted_on", "pk"]
        indexes = [models.Index(fields=["org", "adopted_on"], name="adoption_org_date")]
        constraints = [
            models.UniqueConstraint(fields=["article", "adopter"], condition=Q(adopter__isnull=False),
                                    name="adoption_unique_unit", violation_error_message=_("该单位已采用过这篇信息。")),
            models.UniqueConstraint(fields=["article", "adopter_text"], condition=~Q(adopter_text=""),
                                    name="adoption_unique_text", violation_error_message=_("该单位已采用过这篇信息。")),
            models.CheckConstraint(condition=Q(adopter__isnull=False) | ~Q(adopter_text=""),
                                   name="adoption_has_adopter", violation_error_message=_("请填写采用单位。")),
        ]

    def __str__(self) -> str:
        return f"{self.adopter_label}采用《{self.article}》" if self.article_id else str(_("采用记录"))

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()

    @property
    def adopter_label(self) -> str:
        return federation_name(self.adopter) if self.adopter_id else self.adopter_text


class Forward(OrgOwnedModel):
    """A report forwarded up (转报) by a unit it was addressed to: who forwarded it, to whom, when."""

    org = owner_org(db_index=False)
    article = models.ForeignKey(Article, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="forwards",
                                db_index=False)  # the unique (article, to_org) serves it
    from_org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("转报单位"), on_delete=models.PROTECT,
                                 related_name="+")
    to_org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("转报至"), on_delete=models.PROTECT, related_name="+")
    forwarded_on = models.DateField(_("转报日期"))
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("转报人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("转报记录")
        verbose_name_plural = _("转报记录")
        ordering = ["forwarded_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "to_org"], name="forward_unique",
                                               violation_error_message=_("这篇信息已转报给该单位。"))]

    def __str__(self) -> str:
        return f"{self.from_org} → {self.to_org}" if self.from_org_id and self.to_org_id else str(_("转报记录"))

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()


def federation_name(unit) -> str:
    """How prose names a unit as an adopter: a division's federation is “永州市妇联”; a committee or agency by its
    own name."""
    if unit is None:
        return ""
    if unit.level in DIVISION_LEVELS and not unit.name.endswith(("妇联", "妇女联合会")):
        return f"{unit.name}妇联"
    return unit.name


__all__ = ["Adoption", "Article", "Forward", "federation_name"]
