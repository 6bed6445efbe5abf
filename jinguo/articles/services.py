"""Information work: saving a report, adoption (采用) by the unit it was addressed to or — for outside bodies — by the
sender, and forwarding up (转报). Each a typed function in one transaction with a named audit event."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jinguo.articles.models import Adoption, Article, Forward, federation_name
from jinguo.audit.services import record_event
from jinguo.core.events import Event
from jinguo.core.scope import ancestor_paths, scope_paths
from jinguo.orgs.models import OrgUnit
from jinguo.orgs.services import unit_code_candidates


def is_above(unit: OrgUnit, org: OrgUnit) -> bool:
    """`unit` is an ancestor of `org` (strictly above it in the tree)."""
    return org.path.startswith(unit.path) and unit.path != org.path


def addressed_units(article: Article) -> list[OrgUnit]:
    """The units the report was sent or forwarded to, top of the tree first."""
    ids = {f.to_org_id for f in article.forwards.all()}
    if article.sent_to_id:
        ids.add(article.sent_to_id)
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("depth"))


def acting_unit(article: Article, actor, action: str) -> OrgUnit:
    """The addressed unit the actor acts for: one of the units her roles are assigned on (a city user does not adopt
    for the county below it), her own unit first when several were addressed."""
    roots = scope_paths(actor, Article.scope_roles[action])
    mine = [u for u in addressed_units(article) if u.path in roots]  # her own units: she acts for them only
    if not mine:
        raise PermissionDenied(_("这篇信息没有报送给您的单位。"))
    return next((u for u in mine if u.pk == actor.org_id), mine[0])


@transaction.atomic
def adopt(article: Article, *, actor, note: str = "", on: dt.date | None = None) -> Adoption:
    """The unit above marks a report it received as adopted (采用): recorded as adopted by that unit, by whom."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    unit = acting_unit(article, actor, "adopt")
    if article.adoptions.filter(adopter=unit).exists():
        raise ValidationError(_("%(unit)s已采用过这篇信息。") % {"unit": federation_name(unit)})
    on = on or timezone.localdate()
    if on < article.sent_on:
        raise ValidationError(_("采用日期不能早于报送日期（%(d)s）。") % {"d": article.sent_on.isoformat()})
    adoption = Adoption.objects.create(org=article.org, article=article, adopter=unit, adopted_on=on,
                                       adopted_by=actor, note=note.strip()[:200])
    record_event(Event.ARTICLE_ADOPTED, article, note=note.strip(),
                 data={"adopter": unit.pk, "adopter_name": unit.name, "on": on.isoformat()})
    return adoption


@transaction.atomic
def forward(article: Article, *, actor, to_org: OrgUnit, note: str = "", on: dt.date | None = None) -> Forward:
    """A unit the report reached sends it further up (转报): the level it reaches sees it and may adopt it."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    unit = acting_unit(article, actor, "forward")
    if not is_above(to_org, unit):
        raise ValidationError(_("只能转报给%(unit)s的上级单位。") % {"unit": unit.name})
    if article.forwards.filter(to_org=to_org).exists() or article.sent_to_id == to_org.pk:
        raise ValidationError(_("这篇信息已报送或转报给%(unit)s。") % {"unit": to_org.name})
    on = on or timezone.localdate()
    record = Forward.objects.create(org=article.org, article=article, from_org=unit, to_org=to_org,
                                    forwarded_on=on, forwarded_by=actor, note=note.strip()[:200])
    record_event(Event.ARTICLE_FORWARDED, article, note=note.strip(),
                 data={"from": unit.pk, "to": to_org.pk, "to_name": to_org.name, "on": on.isoformat()})
    return record


@transaction.atomic
def record_adoption(article: Article, *, actor, adopter: OrgUnit | None = None, adopter_text: str = "",
                    on: dt.date | None = None, note: str = "") -> Adoption:
    """The sender records an adoption it learnt of: by an outside body (报刊, 党委办公室 …), or — from an imported
    ledger of earlier years — by a unit of the tree. Adoptions by a unit that uses jinguo are better its own `adopt`."""
    adopter_text = adopter_text.strip()
    if adopter is None and not adopter_text:
        raise ValidationError(_("请填写采用单位。"))
    existing = article.adoptions.filter(adopter=adopter) if adopter else article.adoptions.filter(
        adopter_text=adopter_text)
    if existing.exists():
        raise ValidationError(_("%(unit)s已采用过这篇信息。") % {
            "unit": federation_name(adopter) if adopter else adopter_text})
    on = on or article.sent_on
    if on < article.sent_on:
        raise ValidationError(_("采用日期不能早于报送日期（%(d)s）。") % {"d": article.sent_on.isoformat()})
    adoption = Adoption.objects.create(org=article.org, article=article, adopter=adopter,
                                       adopter_text="" if adopter else adopter_text[:100], adopted_on=on,
                                       adopted_by=actor, note=note.strip()[:200])
    record_event(Event.ARTICLE_ADOPTION_RECORDED, article, note=note.strip(),
                 data={"adopter": adopter.pk if adopter else None, "adopter_name": adoption.adopter_label,
                       "on": on.isoformat()})
    return adoption


@transaction.atomic
def withdraw_adoption(adoption: Adoption, *, actor) -> None:
    """Take back an adoption recorded by mistake (by whoever may change the report, or the adopting unit's user)."""
    article = adoption.article
    label = adoption.adopter_label
    adoption.delete()
    record_event(Event.ARTICLE_ADOPTION_WITHDRAWN, article, data={"adopter_name": label})


def resolve_adopter(text: str, root: OrgUnit) -> OrgUnit | None:
    """A unit named in an adopter cell: by code (with or without `root`'s leading digits), or by name — “永州市妇联”
    and “永州市” are the same unit — among `root`'s ancestors and subtree. None: an outside body."""
    text = text.strip()
    if not text:
        return None
    paths = [*ancestor_paths(root.path), root.path]
    near = OrgUnit.objects.filter(path__in=paths)
    codes = unit_code_candidates(text, root)
    unit = near.filter(code__in=codes).first() or OrgUnit.objects.filter(path__startswith=root.path,
                                                                         code__in=codes).first()
    if unit is not None:
        return unit
    names = {text, text.removesuffix("妇女联合会"), text.removesuffix("妇联")}
    return near.filter(name__in=names).order_by("-depth").first() or OrgUnit.objects.filter(
        path__startswith=root.path, name__in=names).order_by("depth").first()
