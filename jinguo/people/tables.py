from django.utils.translation import gettext_lazy as _

from jinguo.core.tables import Col, Table


def _name(entry) -> str:
    return entry.person.masked()["name"] if entry.person_id else ""


def _id(entry) -> str:
    return entry.person.masked()["id_number"] if entry.person_id else ""


class BeneficiaryTable(Table):
    columns = [Col("person", _("姓名"), link=True, render=_name), Col("id", _("身份证号"), render=_id),
               Col("group.name", _("帮扶类别")), Col("since", _("纳入日期")), Col("until", _("退出日期")),
               Col("org.name", _("单位"))]
    select_related = ("person", "group", "org")


class TalentTable(Table):
    columns = [Col("person", _("姓名"), link=True, render=_name), Col("post_kind", _("类别")),
               Col("workplace", _("工作单位")), Col("post", _("职务")), Col("appointed_on", _("任职日期")),
               Col("last_reviewed", _("最近审核")), Col("org.name", _("单位"))]
    select_related = ("person", "org")


class VolunteerTable(Table):
    columns = [Col("person", _("姓名"), link=True, render=_name), Col("team.name", _("队伍")),
               Col("skills", _("技能特长")), Col("joined_on", _("加入日期")), Col("org.name", _("单位"))]
    select_related = ("person", "team", "org")


class HonourTable(Table):
    columns = [Col("year", _("年度")), Col("award.name", _("荣誉"), link=True), Col("level", _("级别")),
               Col("recipient", _("获奖者"), render=lambda h: h.collective or _name(h)),
               Col("conferred_by", _("授予单位")), Col("org.name", _("单位"))]
    select_related = ("person", "award", "org")


class CivilizedPostTable(Table):
    columns = [Col("name", _("名称"), link=True), Col("host", _("所在单位")), Col("level", _("级别")),
               Col("created_on", _("命名日期")), Col("status", _("状态")), Col("org.name", _("单位"))]
    select_related = ("org",)


class LoanTable(Table):
    columns = [Col("person", _("借款人"), link=True, render=_name), Col("amount", _("金额（元）")),
               Col("bank", _("银行")), Col("term_months", _("期限（月）")), Col("status", _("状态")),
               Col("due_on", _("到期日")), Col("org.name", _("单位"))]
    select_related = ("person", "org")
