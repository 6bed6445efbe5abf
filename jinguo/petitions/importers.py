"""Historical 信访 ledgers from Excel. Only 登记日期, 来源方式 and 问题类别 are required; categories and channels
resolve through names and aliases; ID numbers must pass the GB 11643 check digit."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jinguo.core.excel import Column, ImportContext, ImportResult, ImportSpec, Notice
from jinguo.core.forms import IdNumberField, PhoneField, ScopedModelForm
from jinguo.core.models import CodeItem
from jinguo.core.numbers import count_text
from jinguo.petitions import services
from jinguo.petitions.models import Case, ClosureResult, Status

IMPORT_STATUSES = [(s.value, s.label) for s in (Status.REGISTERED, Status.ACCEPTED, Status.IN_PROGRESS,
                                                Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED, Status.REJECTED,
                                                Status.TRANSFERRED)]
# How offices write a status or a result in their own ledgers (issue 17); the labels themselves always match.
STATUS_SYNONYMS = (
    ("已办结", Status.CLOSED), ("结案", Status.CLOSED), ("已结案", Status.CLOSED), ("办结完毕", Status.CLOSED),
    ("已完成", Status.CLOSED), ("答复", Status.REPLIED), ("已回复", Status.REPLIED), ("回访", Status.FOLLOWED_UP),
    ("在办", Status.IN_PROGRESS), ("正在办理", Status.IN_PROGRESS), ("处理中", Status.IN_PROGRESS),
    ("正在处理", Status.IN_PROGRESS),
    ("受理", Status.ACCEPTED), ("不受理", Status.REJECTED), ("转送", Status.TRANSFERRED),
    ("转办", Status.TRANSFERRED), ("已转办", Status.TRANSFERRED), ("已登记", Status.REGISTERED),
    ("未办理", Status.REGISTERED),
)
RESULT_SYNONYMS = (
    ("调解", ClosureResult.MEDIATED), ("已调解", ClosureResult.MEDIATED), ("调处成功", ClosureResult.MEDIATED),
    ("法援", ClosureResult.LEGAL_AID), ("转介", ClosureResult.REFERRED), ("转相关部门", ClosureResult.REFERRED),
    ("解释", ClosureResult.EXPLAINED), ("政策解释", ClosureResult.EXPLAINED), ("疏导", ClosureResult.EXPLAINED),
)
DONE = {Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED, Status.REJECTED, Status.TRANSFERRED}


class HistoricalCaseForm(ScopedModelForm):
    """One row of a historical ledger, with the same checks as the intake form."""

    received_date = forms.DateField(label=_("登记日期"))
    name = forms.CharField(label=_("信访人姓名"), max_length=50, required=False)
    id_number = IdNumberField(label=_("身份证号"), required=False)
    phone = PhoneField(label=_("联系电话"), required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("办理状态"), choices=IMPORT_STATUSES, required=False)
    closed_on = forms.DateField(label=_("办结日期"), required=False)
    result = forms.ChoiceField(label=_("办理结果"), choices=[("", ""), *ClosureResult.choices], required=False)

    class Meta:
        model = Case
        fields = ["org", "channel", "category", "subcategory", "summary"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()  # once per form: an import validates thousands of rows with one
        self.fields["summary"].required = False
        self.fields["category"].queryset = CodeItem.objects.of("petition_category").filter(parent__isnull=True)
        self.fields["subcategory"].queryset = CodeItem.objects.of("petition_category").filter(parent__isnull=False)
        self.fields["category"].error_messages["invalid_choice"] = _(
            "应为大类（如 婚姻家庭），子类请填在“问题子类”列。")

    def clean(self):
        cleaned = super().clean()
        category, subcategory = cleaned.get("category"), cleaned.get("subcategory")
        if category and subcategory and subcategory.parent_id != category.pk:
            self.add_error("subcategory", _("“%(sub)s”不属于“%(cat)s”。") % {"sub": subcategory, "cat": category})
        status, closed_on, received = cleaned.get("status") or Status.REGISTERED, cleaned.get("closed_on"), \
            cleaned.get("received_date")
        if status in DONE and not closed_on:
            self.add_error("closed_on", _("办理状态为“%(s)s”时须填写办结日期。") % {"s": Status(status).label})
        if closed_on and received and closed_on < received:
            self.add_error("closed_on", _("办结日期（%(closed)s）早于登记日期（%(received)s）。") % {
                "closed": closed_on, "received": received})
        if received and received > self.today:
            self.add_error("received_date", _("登记日期不能晚于今天。"))
        return cleaned


def _first(case: Case, field_name: str) -> str:
    """Personal data leaves only masked: exports are lists like any other (unmasking is per case, with a reason)."""
    petitioner = next(iter(case.petitioners.all()), None)
    return petitioner.masked()[field_name] if petitioner else ""


class PetitionImport(ImportSpec):
    kind = "petitions"
    label = _("信访案件")
    model = Case
    form_class = HistoricalCaseForm
    natural_key = ("import_key",)
    personal_fields = ("name", "id_number", "phone", "address")  # the petitioner's, stored encrypted on her record
    columns = [
        Column(_("登记日期"), "received_date", kind="date", required=True, width=12,
               aliases=("来信来访日期", "日期", "来访日期", "受理日期", "登记时间", "来访时间", "信访日期", "接待日期"),
               exporter=lambda c: timezone.localtime(c.received_at).date()),
        Column(_("来源方式"), "channel", kind="code", code_table="petition_channel", required=True, width=12,
               aliases=("信访方式", "来访方式", "来源", "信访形式", "来源渠道"), exporter=lambda c: c.channel.name),
        Column(_("问题类别"), "category", kind="code", code_table="petition_category", required=True, width=16,
               aliases=("类别", "问题分类", "问题类型", "信访类别", "信访问题类别"),
               exporter=lambda c: c.category.name),
        Column(_("问题子类"), "subcategory", kind="code", code_table="petition_category", width=14,
               aliases=("子类", "问题小类"), exporter=lambda c: c.subcategory.name if c.subcategory_id else ""),
        Column(_("信访人姓名"), "name", width=10, aliases=("姓名", "信访人", "来访人", "来访人姓名", "反映人"),
               exporter=lambda c: _first(c, "name")),
        Column(_("身份证号"), "id_number", width=20, aliases=("身份证号码", "公民身份号码", "身份证"),
               exporter=lambda c: _first(c, "id_number")),
        Column(_("联系电话"), "phone", width=14, aliases=("电话", "联系方式", "手机", "手机号", "手机号码"),
               exporter=lambda c: _first(c, "phone")),
        Column(_("住址"), "address", width=24, aliases=("地址", "家庭住址", "现住址", "居住地址", "住所"),
               exporter=lambda c: _first(c, "address")),
        Column(_("诉求摘要"), "summary", width=40,
               aliases=("反映问题", "主要诉求", "诉求", "来访事由", "诉求内容", "反映内容", "问题摘要", "具体问题")),
        Column(_("办理状态"), "status", kind="choice", choices=tuple(IMPORT_STATUSES), width=10,
               aliases=("状态", "办理情况", "处理状态", "办理进度"), synonyms=STATUS_SYNONYMS),
        Column(_("办结日期"), "closed_on", kind="date", width=12, aliases=("办结时间", "结案日期", "结案时间")),
        Column(_("办理结果"), "result", kind="choice", choices=tuple(ClosureResult.choices), width=12,
               aliases=("处理结果", "结果", "办结方式"), synonyms=RESULT_SYNONYMS),
    ]

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {"user": ctx.user, "org": ctx.org}

    def allowed_values(self, column: Column) -> list[str]:
        """问题类别 offers the main types and 问题子类 the sub-types (the template's drop-downs, the error texts)."""
        if column.field in ("category", "subcategory"):
            items = CodeItem.objects.of("petition_category")
            items = items.filter(parent__isnull=column.field == "category")
            return list(items.values_list("name", flat=True))
        return super().allowed_values(column)

    def prepare(self, ctx: ImportContext, data: dict) -> dict:
        # A sub-type written as the category (家庭暴力 in 问题类型, as most ledgers do): its main type is the
        # category and it the sub-type, unless the row names another sub-type itself.
        parents = self._category_parents()
        parent = parents.get(str(data.get("category") or ""))
        if parent is not None and data.get("subcategory") in (None, "", data["category"]):
            data["category"], data["subcategory"] = str(parent), data["category"]
        data["org"] = str(ctx.org.pk)
        data["import_key"] = services.import_key([str(ctx.org.pk), *(str(data.get(c.field, "")) for c in self.columns)])
        return data

    bulk = True
    batch_size = 1000

    def _category_parents(self) -> dict[str, int]:
        """pk (text, as the parsed cell holds it) → its main type's pk, for the sub-types; read once per file."""
        cells = self._parsed_cells
        if "_category_parents" not in cells:
            cells["_category_parents"] = {str(pk): parent for pk, parent in CodeItem.objects.of(
                "petition_category").filter(parent__isnull=False).values_list("pk", "parent_id")}
        return cells["_category_parents"]

    def find_existing_many(self, ctx: ImportContext, rows: list[dict]) -> list[Case | None]:
        keys = list({data["import_key"] for data in rows})
        # The key's own index first (a new file finds nothing there), then scope on those few by primary key:
        # asked together, PostgreSQL walked every case of the unit's subtree to compare keys, once per chunk.
        stored = list(Case.objects.filter(import_key__any_of=keys).order_by().values_list("pk", flat=True))
        found = {case.import_key: case
                 for case in self.base_queryset(ctx, "change").filter(pk__any_of=stored)} if stored else {}
        return [found.get(data["import_key"]) for data in rows]

    def save(self, ctx: ImportContext, form: HistoricalCaseForm) -> Case:
        """A row matching a stored case (`--existing update`): only the registration facts change; new rows go
        through `bulk_row` / `save_many`."""
        case = form.save(commit=False)
        case.save()
        return case

    def bulk_row(self, ctx: ImportContext, form: HistoricalCaseForm) -> services.HistoricalCase:
        data = form.cleaned_data
        case = form.instance
        case.import_key = form.data["import_key"]
        case.received_at = timezone.make_aware(dt.datetime.combine(data["received_date"], dt.time(9, 0)))
        petitioner = services.PetitionerData(name=data.get("name", ""), id_number=data.get("id_number", ""),
                                             phone=data.get("phone", ""), address=data.get("address", ""))
        return services.HistoricalCase(case, [petitioner], status=data.get("status") or Status.REGISTERED,
                                       closed_on=data.get("closed_on"), result=data.get("result") or "")

    def save_many(self, ctx: ImportContext, rows: list[services.HistoricalCase]) -> list[Case]:
        return services.import_historical(rows, actor=ctx.user)

    def tally(self, ctx: ImportContext, result: ImportResult, objs: list[Case], *, created: bool) -> None:
        """The new cases a ledger left open (已受理, 办理中 …), and those of them already past their deadline: last
        year's ledger puts them straight into the overdue lists, which the clerk must hear of (`notices`)."""
        if not created:
            return  # an update changes only the registration facts, never the state
        today = timezone.localdate()
        still_open = [case for case in objs if case.is_open]  # the case's own rules, as the overdue lists apply them
        overdue = sum(1 for case in still_open if (case.days_left(today) or 0) < 0)
        result.tallies["open"] = result.tallies.get("open", 0) + len(still_open)
        result.tallies["overdue"] = result.tallies.get("overdue", 0) + overdue

    def notices(self, ctx: ImportContext, result: ImportResult) -> list[Notice]:
        still_open, overdue = result.tallies.get("open", 0), result.tallies.get("overdue", 0)
        if not still_open:
            return []
        query = {"deadline": "overdue" if overdue else "open", "within": ctx.org.pk}
        url = f"{reverse('petitions:case_list')}?{urlencode(query)}"
        if overdue:
            counts = {"open": count_text(still_open, "件"), "overdue": count_text(overdue, "件")}
            if overdue < still_open:
                text = gettext("其中%(open)s未办结，%(overdue)s已超过办理期限") % counts
            elif still_open > 1:
                text = gettext("其中%(open)s未办结，均已超过办理期限") % counts
            else:
                text = gettext("其中%(open)s未办结，已超过办理期限") % counts
            text += gettext("，已列入期限提醒和超期案件。请逐件核实：实际已办结的，请在案件中登记办结。")
            return [Notice(text, url, gettext("查看超期案件"))]
        text = gettext("其中%(open)s未办结，已按办理期限列入期限提醒。") % {"open": count_text(still_open, "件")}
        return [Notice(text, url, gettext("查看未办结案件"))]

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        queryset = super().export_queryset(ctx).select_related("channel", "category", "subcategory").prefetch_related(
            "petitioners")
        if date_from:
            queryset = queryset.filter(received_at__date__gte=date_from)
        if date_to:
            queryset = queryset.filter(received_at__date__lte=date_to)
        return queryset.order_by("received_at", "pk")
