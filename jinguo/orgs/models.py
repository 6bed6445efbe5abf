"""The org-unit tree: administrative divisions (省 → 市 → 县 → 乡镇 → 村), and the committees and member units
that hang under them. A materialised `path` of codes ("/430000/431100/431122/") makes "this unit and everything
below it" one indexed prefix match.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jinguo.core.links import record_url
from jinguo.core.models import AuditedModel
from jinguo.core.roles import ALL_ROLES, Role
from jinguo.core.scope import ScopedQuerySet, tree_changed
from jinguo.core.sql import CompiledQuery


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村(社区)")
    ORGAN = "organ", _("机关妇委会")
    ENTERPRISE = "enterprise", _("企业妇委会")
    AGENCY = "agency", _("成员单位")

    @classmethod
    def resolve(cls, text: str) -> Level:
        """A level by key or Chinese name; '县(区)', '区', '村', '社区', '街道' and '乡' are accepted too."""
        text = text.strip()
        for level in cls:
            if text in (level.value, str(level.label)):
                return level
        synonyms = dict(LEVEL_SYNONYMS)
        if text in synonyms:
            return cls(synonyms[text])
        raise ValueError(text)


# How offices write a level (the Excel import reads them too).
LEVEL_SYNONYMS = (("区", Level.COUNTY), ("县(区)", Level.COUNTY), ("县区", Level.COUNTY), ("乡", Level.TOWNSHIP),
                  ("镇", Level.TOWNSHIP), ("街道", Level.TOWNSHIP), ("村", Level.VILLAGE), ("社区", Level.VILLAGE),
                  ("村(居)", Level.VILLAGE), ("村委会", Level.VILLAGE), ("居委会", Level.VILLAGE))


# Division levels, top-down, with the code shape and how many leading digits identify the unit.
DIVISION_LEVELS = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]
SIGNIFICANT_DIGITS = {Level.PROVINCE: 2, Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}
_DIVISION_SHAPE = {
    Level.PROVINCE: re.compile(r"^[1-9]\d0000$"),
    Level.CITY: re.compile(r"^[1-9]\d{3}00$"),
    Level.COUNTY: re.compile(r"^[1-9]\d{5}$"),
    Level.TOWNSHIP: re.compile(r"^[1-9]\d{8}$"),
    Level.VILLAGE: re.compile(r"^[1-9]\d{11}$"),
}
_OTHER_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")


def level_from_code(code: str) -> Level | None:
    """The division level a code's shape implies (430000 省, 431100 市, 431122 县, 9 digits 乡镇, 12 村)."""
    if not code.isdigit():
        return None
    if len(code) == 12:
        return Level.VILLAGE
    if len(code) == 9:
        return Level.TOWNSHIP
    if len(code) == 6:
        if code.endswith("0000"):
            return Level.PROVINCE
        if code.endswith("00"):
            return Level.CITY
        return Level.COUNTY
    return None


def division_prefix(code: str, level: str) -> str:
    return code[: SIGNIFICANT_DIGITS[Level(level)]]


class OrgUnitQuerySet(ScopedQuerySet):
    """Every bulk write to the tree tells scope it changed (`core.scope.tree_changed`); single saves and deletes do
    through the model's signals (`OrgsConfig.ready`)."""

    def subtree(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(path__startswith=unit.path)

    def bulk_create(self, *args, **kwargs):
        tree_changed()
        return super().bulk_create(*args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        tree_changed()
        return super().bulk_update(*args, **kwargs)

    def update(self, **kwargs):
        tree_changed()
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        tree_changed()
        return super().delete()

    delete.queryset_only = True
    delete.alters_data = True


class OrgUnit(AuditedModel):
    """A federation, committee or member unit at one place in the tree."""

    code = models.CharField(_("编码"), max_length=40, unique=True,
                            help_text=_("行政区划代码（6、9或12位），或本单位自定的编码（成员单位、妇委会）"))
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层级"), default=1, editable=False)
    agency_type = models.ForeignKey("core.CodeItem", verbose_name=_("单位类型"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    limit_choices_to={"table__slug": "agency_type"})
    vintage = models.CharField(_("区划版本"), max_length=60, blank=True,
                               help_text=_("代码所依据的区划数据版本，如“国家统计局2023”"))
    is_active = models.BooleanField(_("启用"), default=True)

    objects = OrgUnitQuerySet.as_manager()

    scope_org_field = ""
    scope_roles = {
        "view": ALL_ROLES,
        "add": frozenset({Role.SYSTEM_ADMIN}),
        "change": frozenset({Role.SYSTEM_ADMIN}),
        "delete": frozenset({Role.SYSTEM_ADMIN}),
        "export": ALL_ROLES,
    }

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("orgs:orgunit_detail", self.pk)

    def audit_org(self) -> OrgUnit:
        return self

    @property
    def is_division(self) -> bool:
        return self.level in DIVISION_LEVELS

    def jurisdiction(self) -> OrgUnit:
        """The county (or district) this unit belongs to — itself for a county, a city or a province: where
        records about the same people are kept together and never across to a sister county."""
        if self.level in (Level.PROVINCE, Level.CITY, Level.COUNTY):
            return self
        counties = [u for u in self.ancestors() if u.level == Level.COUNTY]
        return counties[-1] if counties else self

    def ancestors(self) -> list[OrgUnit]:
        codes = [c for c in self.path.strip("/").split("/")[:-1]]
        units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        return [units[c] for c in codes if c in units]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        code = (self.code or "").strip()
        self.code = code
        if self.level in DIVISION_LEVELS:
            if not _DIVISION_SHAPE[Level(self.level)].match(code):
                errors["code"] = _("%(level)s级行政区划代码应为%(shape)s，“%(code)s”不符。") % {
                    "level": Level(self.level).label, "code": code,
                    "shape": {Level.PROVINCE: _("6位且以0000结尾"), Level.CITY: _("6位且以00结尾"),
                              Level.COUNTY: _("6位数字"), Level.TOWNSHIP: _("9位数字"),
                              Level.VILLAGE: _("12位数字")}[Level(self.level)],
                }
        elif code and not _OTHER_CODE.match(code):
            errors["code"] = _("编码只能包含字母、数字、连字符和下划线，最长40位。")
        parent = self.parent
        if parent is not None:
            if self.pk and parent.path.startswith(self.path or "\0"):
                errors["parent"] = _("上级单位不能是本单位或其下级单位。")
            elif self.level in DIVISION_LEVELS and parent.level in DIVISION_LEVELS and "code" not in errors:
                if DIVISION_LEVELS.index(Level(self.level)) <= DIVISION_LEVELS.index(Level(parent.level)):
                    errors["level"] = _("%(level)s不能隶属于%(parent)s级单位。") % {
                        "level": Level(self.level).label, "parent": Level(parent.level).label}
                elif not code.startswith(division_prefix(parent.code, parent.level)):
                    errors["code"] = _("行政区划代码“%(code)s”应以上级“%(parent)s”的代码前缀%(prefix)s开头。") % {
                        "code": code, "parent": parent.name, "prefix": division_prefix(parent.code, parent.level)}
            elif self.level in DIVISION_LEVELS and parent.level not in DIVISION_LEVELS:
                errors["parent"] = _("行政区划单位的上级必须是行政区划单位。")
        elif self.level not in (Level.PROVINCE, Level.CITY, Level.COUNTY) and self.level:
            errors["parent"] = _("%(level)s必须选择上级单位。") % {"level": Level(self.level).label}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        old_path = self._loaded.get("path") if hasattr(self, "_loaded") else None
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        self.depth = self.path.count("/") - 1
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_descendants(old_path)

    def _move_descendants(self, old_path: str) -> None:
        """A renamed code or new parent rewrites the paths below, one audited save each (rare)."""
        for child in OrgUnit.objects.filter(parent=self):
            child.save()


class UnitQuery:
    """A statistic's query about a unit alone (scope 'self') or its subtree ('tree'), compiled once per scope and
    database connection (`core.sql.CompiledQuery`) and run with the unit and the other values it takes: for the
    statistics a summary or a dashboard asks on every call, whose building and compiling by the ORM cost about as
    much as the database's answer. `build(unit, scope, **values)` gets a stand-in unit whose id (scope 'self') or
    path ('tree') is a sentinel, and each of `sentinels` (see CompiledQuery) in place of its value."""

    UNIT_SENTINELS = {"self": {"unit_id": 987_654_320}, "tree": {"unit_path": "/~unit-query~/"}}

    def __init__(self, build, **sentinels) -> None:
        def compiled(scope: str) -> CompiledQuery:
            return CompiledQuery(lambda unit_id=None, unit_path=None, **values: build(
                OrgUnit(pk=unit_id, path=unit_path), scope, **values), **self.UNIT_SENTINELS[scope], **sentinels)

        self.compiled = {scope: compiled(scope) for scope in self.UNIT_SENTINELS}

    def _values(self, unit: OrgUnit, scope: str, values: dict) -> dict:
        return {"unit_id": unit.pk, **values} if scope == "self" else {"unit_path": unit.path, **values}

    def rows(self, unit: OrgUnit, scope: str, alias: str, *, limit: int | None = None, **values) -> list[tuple]:
        return self.compiled[scope].rows(alias, limit=limit, **self._values(unit, scope, values))

    def dicts(self, unit: OrgUnit, scope: str, alias: str, **values) -> list[dict]:
        return self.compiled[scope].dicts(alias, **self._values(unit, scope, values))

    def sql(self, unit: OrgUnit, scope: str, alias: str, **values) -> tuple[str, list]:
        return self.compiled[scope].sql(alias, **self._values(unit, scope, values))


# group_under's two queries, compiled once per connection (core.sql.CompiledQuery): statistics pages and summaries
# ask them for every breakdown by unit.
_CHILDREN = CompiledQuery(lambda parent: OrgUnit.objects.filter(parent_id=parent).values_list("pk", "path", "name",
                                                                                              "code"),
                          parent=987_654_321)
_SUBTREE = CompiledQuery(lambda path: OrgUnit.objects.filter(path__startswith=path).values_list("pk", "path"),
                         path="/~group-under~/")


def own_label(root: OrgUnit) -> str:
    """The row of a breakdown by unit that holds `root`'s own records, beside its units below: "东安县本级"."""
    return _("%(name)s本级") % {"name": root.name}


def group_under(root: OrgUnit, org_ids) -> dict[int, OrgUnit]:
    """Each unit id at or below `root` → the direct child of `root` that contains it (`root` for its own records).

    Statistics "by subordinate unit" group their per-unit GROUP BY rows with this, in two small queries.
    """
    db = OrgUnit.objects.db
    fields = ["id", "path", "name", "code"]  # as .only("pk", "path", "name", "code") reads them
    children = {row[1]: OrgUnit.from_db(db, fields, row) for row in _CHILDREN.rows(db, parent=root.pk)}
    wanted = set(org_ids)
    mapping = {}
    # The subtree's (id, path) pairs, not the units by id: a province's thousands of ids cost more to send, parse and
    # turn into instances than the subtree's plain rows cost to read.
    for pk, path in _SUBTREE.rows(db, path=root.path):
        if pk in wanted:
            rest = path[len(root.path):]
            mapping[pk] = (children.get(root.path + rest.split("/", 1)[0] + "/") if rest else None) or root
    return mapping


def units_under(root: OrgUnit, children: list[OrgUnit] | None = None) -> models.QuerySet:
    """`group_under`'s mapping for the database to join: one row (u_org, u_unit) per unit of `root`'s subtree, u_unit
    being the direct child of `root` that contains it (`root` itself for its own). A statistic joins its per-unit rows
    to it and groups by u_unit, so a province's thousands of units come back as its few cities. DISTINCT keeps the
    mapping a subquery of its own, worked out once per unit rather than once per joined row. `children`: the units
    directly below `root`, when the caller has read them already."""
    if children is None:
        children = OrgUnit.objects.filter(parent=root).only("pk", "path")
    unit = models.Case(*(models.When(path__startswith=child.path, then=models.Value(child.pk)) for child in children),
                       default=models.Value(root.pk), output_field=models.IntegerField())
    return OrgUnit.objects.subtree(root).order_by().values(u_org=models.F("pk"), u_unit=unit).distinct()
