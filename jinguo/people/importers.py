"""Excel round trip for the registries (kinds beneficiaries, talents, volunteers, honours, loans). Person columns
come first in each; the same ID number in two lists is one person."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jinguo.core.crypto import search_hash
from jinguo.core.excel import Column, ImportContext, ImportSpec
from jinguo.core.idcard import as_typed
from jinguo.people import forms, services
from jinguo.people.models import Beneficiary, Honour, Level, Loan, Talent, Volunteer

PERSON_COLUMNS = [
    Column(_("姓名"), "person_name", required=True, width=10, aliases=("名字",),
           exporter=lambda e: e.person.masked()["name"]),
    Column(_("身份证号"), "id_number", required=True, width=20, aliases=("身份证号码", "公民身份号码", "身份证"),
           exporter=lambda e: e.person.masked()["id_number"]),
    Column(_("联系电话"), "phone", width=14, aliases=("电话", "手机", "手机号", "手机号码", "联系方式"),
           exporter=lambda e: e.person.masked()["phone"]),
    Column(_("住址"), "address", width=24, aliases=("地址", "家庭住址", "现住址", "居住地址"),
           exporter=lambda e: e.person.masked()["address"]),
]


class PersonListImport(ImportSpec):
    """Shared behaviour: entries belong to the importing unit; exports mask personal data (like all lists)."""

    person_key: tuple[str, ...] = ()

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {"user": ctx.user, "org": ctx.org}

    def prepare(self, ctx: ImportContext, data: dict) -> dict:
        data["org"] = str(ctx.org.pk)
        # The number as the form will store it (full-width digits, spaces and a leading ' dropped), so a re-import
        # finds the entry its first import wrote.
        data["person_hash"] = search_hash(as_typed(data["id_number"])) if data.get("id_number") else ""
        return data

    def find_existing(self, ctx: ImportContext, data: dict):
        if not data.get("person_hash"):
            return None
        lookup = {"person__id_hash": data["person_hash"], "org_id": ctx.org.pk}
        lookup.update({name: data.get(name) for name in self.person_key})
        return self.model.objects.filter(**lookup).first()

    def save(self, ctx: ImportContext, form):
        return services.save_with_person(form)

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        return super().export_queryset(ctx).select_related("person")


class BeneficiaryImport(PersonListImport):
    kind = "beneficiaries"
    label = _("帮扶对象")
    model = Beneficiary
    form_class = forms.BeneficiaryForm
    natural_key = ("person_hash", "group")
    person_key = ("group",)
    columns = [*PERSON_COLUMNS,
               Column(_("帮扶类别"), "group", kind="code", code_table="beneficiary_group", required=True,
                      aliases=("帮扶类型", "对象类别", "类别"),
                      exporter=lambda e: e.group.name),
               Column(_("纳入日期"), "since", kind="date", required=True, aliases=("纳入时间", "认定日期")),
               Column(_("退出日期"), "until", kind="date", aliases=("退出时间",)),
               Column(_("情况说明"), "note", width=30, aliases=("基本情况", "家庭情况", "帮扶情况"))]

    def find_existing(self, ctx, data):
        if not data.get("person_hash") or not str(data.get("group", "")).isdigit():
            return None
        return Beneficiary.objects.filter(person__id_hash=data["person_hash"], org_id=ctx.org.pk,
                                          group_id=int(data["group"])).first()


EDUCATION_SYNONYMS = tuple(
    [(w, Talent.Education.BACHELOR) for w in ("大学本科", "本科学历", "大学", "学士")]
    + [(w, Talent.Education.COLLEGE) for w in ("大学专科", "专科", "大专学历", "高职")]
    + [(w, Talent.Education.POSTGRADUATE) for w in ("硕士", "硕士研究生", "博士", "博士研究生", "研究生学历")]
    + [(w, Talent.Education.SECONDARY) for w in ("高中", "中专", "中职", "职高", "技校", "初中", "小学", "初中及以下")])
POST_SYNONYMS = (("村妇联主席", Talent.Post.VILLAGE_CHAIR), ("社区妇联主席", Talent.Post.VILLAGE_CHAIR),
                 ("乡镇（街道）妇联主席", Talent.Post.TOWNSHIP_CHAIR), ("街道妇联主席", Talent.Post.TOWNSHIP_CHAIR),
                 ("后备干部", Talent.Post.CANDIDATE))


class TalentImport(PersonListImport):
    kind = "talents"
    label = _("女性人才库")
    model = Talent
    form_class = forms.TalentForm
    natural_key = ("person_hash",)
    columns = [*PERSON_COLUMNS,
               Column(_("类别"), "post_kind", kind="choice", choices=tuple(Talent.Post.choices), required=True,
                      synonyms=POST_SYNONYMS),
               Column(_("工作单位"), "workplace", width=20, aliases=("单位",)),
               Column(_("职务"), "post", aliases=("现任职务",)),
               Column(_("层级"), "level", kind="choice",
                      choices=(("province", "省级"), ("city", "市级"), ("county", "县级"), ("township", "乡镇级"),
                               ("village", "村级"))),
               Column(_("学历"), "education", kind="choice", choices=tuple(Talent.Education.choices),
                      synonyms=EDUCATION_SYNONYMS),
               Column(_("政治面貌"), "political_status"), Column(_("专长"), "speciality"),
               Column(_("任职日期"), "appointed_on", kind="date", aliases=("任职时间",)),
               Column(_("最近审核日期"), "last_reviewed", kind="date", required=True, aliases=("审核日期", "审核时间"))]


class VolunteerImport(PersonListImport):
    kind = "volunteers"
    label = _("巾帼志愿者")
    model = Volunteer
    form_class = forms.VolunteerForm
    natural_key = ("person_hash",)
    columns = [*PERSON_COLUMNS,
               Column(_("队伍"), "team_name", width=20, aliases=("所属队伍", "志愿服务队", "服务队"),
                      exporter=lambda e: e.team.name if e.team_id else ""),
               Column(_("技能特长"), "skills", width=20, aliases=("特长", "技能", "专长")),
               Column(_("加入日期"), "joined_on", kind="date", required=True,
                      aliases=("加入时间", "注册日期"))]

    def save(self, ctx, form):
        return services.save_with_person(form, team_name=form.cleaned_data.get("team_name", ""))


class HonourImport(PersonListImport):
    kind = "honours"
    label = _("荣誉表彰")
    model = Honour
    form_class = forms.HonourForm
    natural_key = ("award", "year", "person_hash", "collective")
    columns = [Column(_("荣誉"), "award", kind="code", code_table="honour_award", required=True,
                      aliases=("荣誉称号", "表彰名称", "奖项"),
                      exporter=lambda e: e.award.name),
               Column(_("级别"), "level", kind="choice", choices=tuple(Level.choices), required=True,
                      aliases=("表彰级别", "荣誉级别"),
                      synonyms=(("国家级", Level.NATIONAL), ("全国级", Level.NATIONAL), ("中央", Level.NATIONAL))),
               Column(_("年度"), "year", kind="int", unit="年", required=True, aliases=("年份", "表彰年度")),
               Column(_("获奖集体"), "collective", width=20, aliases=("集体", "获奖单位")),
               *[Column(c.header, c.field, width=c.width, aliases=c.aliases,
                        exporter=(lambda e, f=c.field: e.person.masked()[f if f != "person_name" else "name"]
                                  if e.person_id else "")) for c in PERSON_COLUMNS],
               Column(_("授予单位"), "conferred_by", aliases=("表彰单位", "授予机关")),
               Column(_("文号"), "document_no", aliases=("表彰文号", "发文字号"))]

    def find_existing(self, ctx, data):
        if not str(data.get("award", "")).isdigit() or not str(data.get("year", "")).isdigit():
            return None
        lookup = {"org_id": ctx.org.pk, "award_id": int(data["award"]), "year": int(data["year"])}
        if data.get("person_hash"):
            lookup["person__id_hash"] = data["person_hash"]
        else:
            lookup["collective"] = data.get("collective", "")
        return Honour.objects.filter(**lookup).first()

    def export_queryset(self, ctx, date_from=None, date_to=None):
        return ImportSpec.export_queryset(self, ctx).select_related("person", "award")


class LoanImport(PersonListImport):
    kind = "loans"
    label = _("小额担保贷款")
    model = Loan
    form_class = forms.LoanForm
    natural_key = ("person_hash", "applied_on")
    person_key = ("applied_on",)
    columns = [*PERSON_COLUMNS,
               Column(_("贷款金额"), "amount", kind="decimal", unit="元", required=True, aliases=("金额", "贷款额度")),
               Column(_("贷款银行"), "bank", required=True, width=20, aliases=("经办银行", "银行", "放款银行")),
               Column(_("期限（月）"), "term_months", kind="int", unit="个月", required=True, aliases=("期限",)),
               Column(_("贴息比例（%）"), "subsidy_rate", kind="decimal", unit="%", aliases=("贴息比例",)),
               Column(_("贴息金额"), "subsidy_amount", kind="decimal", unit="元"),
               Column(_("创业项目"), "project", width=20, aliases=("项目", "项目名称")),
               Column(_("申请日期"), "applied_on", kind="date", required=True, aliases=("申请时间",))]
