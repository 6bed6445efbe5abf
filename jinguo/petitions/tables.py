"""The case list's table, and the plain-values query it and the API's case list read (`with_names_and_masks`)."""

from __future__ import annotations

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.core.links import record_url
from jinguo.core.models import CodeItem
from jinguo.core.sql import CompiledQuery, JSONRows, Keys
from jinguo.core.tables import Col, Table, choice_label
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.models import Case, Petitioner, days_left

# The names a case list shows beside the ids of its unit and code items: name → (model, id column, its column).
NAME_COLUMNS = {"org_code": (OrgUnit, "org_id", "code"), "org_name": (OrgUnit, "org_id", "name"),
                "channel_name": (CodeItem, "channel_id", "name"), "category_name": (CodeItem, "category_id", "name"),
                "subcategory_name": (CodeItem, "subcategory_id", "name")}


def with_names_and_masks(queryset: models.QuerySet, columns: tuple[str, ...], names: tuple[str, ...],
                         people: tuple[str, ...]) -> models.QuerySet:
    """Cases as plain values — `columns`, the `names` (`NAME_COLUMNS`) beside their ids and, as `people`, each case's
    petitioners' `people` columns (their stored masks) as one JSON array — so a page of cases builds no model
    instances and decrypts nothing.

    Each name is a subquery by primary key rather than a join: PostgreSQL plans a page query with four joins in about
    a millisecond — more than it then takes to run it — and the subqueries in a fifth of that."""
    masks = (Petitioner.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
             .annotate(rows=JSONRows(*people)).values("rows"))
    subqueries = {}
    for name in names:
        model, key, column = NAME_COLUMNS[name]
        subqueries[name] = Subquery(model._base_manager.filter(pk=OuterRef(key)).order_by().values(column))
    return queryset.annotate(**subqueries, people=Subquery(masks)).values(*columns, *names, "people")


def _received(row: dict) -> str:
    return f"{timezone.localtime(row['received_at']):%Y-%m-%d %H:%M}"


def _petitioners(row: dict) -> str:
    return "、".join(name for (name,) in row["people"] or ())


def _deadline(row: dict) -> str:
    days = days_left(row["current_due"], row["status"], timezone.localdate())
    if days is None:
        return ""
    if days < 0:
        return f"已超期{-days}日"
    return "今日到期" if days == 0 else f"剩{days}日"


def _label(field: str):
    return lambda row: choice_label(Case, field, row[field])


class CaseTable(Table):
    """Names masked; nothing here ever shows personal data in clear (lists and exports alike). A page is plain values
    (`with_names_and_masks`), not cases with their related rows."""

    empty_text = _("没有符合条件的记录。信访人姓名加密保存，不能按姓名查找：请在“身份证号/电话”中输入完整号码。")

    columns = [
        Col("number", _("案件编号"), link=True),
        Col("received_at", _("登记时间"), render=_received),
        Col("channel_name", _("来源")),
        Col("category_name", _("问题类别")),
        Col("people", _("信访人"), render=_petitioners),
        Col("status", _("状态"), render=_label("status")),
        Col("risk_colour", _("风险"), render=_label("risk_colour")),
        Col("current_due", _("期限"), render=_deadline),
        Col("org_name", _("登记单位")),
    ]

    def source(self, queryset: models.QuerySet) -> models.QuerySet:
        return with_names_and_masks(queryset, ("id", "number", "received_at", "status", "risk_colour", "current_due"),
                                    ("channel_name", "category_name", "org_name"), ("name_masked",))

    def url(self, row: dict) -> str:
        return record_url("petitions:case_detail", row["id"])


def _unit_rows(units: Keys) -> models.QuerySet:
    """The unfiltered list of `units` (`ScopedQuerySet.units_for`), in the list's order: what `visible_to` keeps."""
    return CaseTable().source(Case.objects.in_units(units))


UNITS_SENTINEL = Keys([987654321, 987654322])  # no unit has these ids: a compiled case list's units parameter
# The unfiltered list page, compiled once per connection and run with each user's units and page.
UNIT_PAGE = CompiledQuery(_unit_rows, units=UNITS_SENTINEL)


def unit_page(units: Keys | None, offset: int, limit: int) -> list[dict]:
    """One page of the unfiltered case list of `units` (none without units)."""
    if units is None:
        return []
    return UNIT_PAGE.dicts(Case.objects.db, limit=limit, offset=offset, units=units)

