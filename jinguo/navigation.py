"""The side menu, in one place: label, URL name, and the roles that see it."""

from django.utils.translation import gettext_lazy as _

from jinguo.accounts.roles import ALL_ROLES, RECORD_ROLES, Role
from jinguo.petitions.models import CASE_ROLES

MENU = [
    (_("工作台"), [
        (_("首页"), "core:home", ALL_ROLES),
    ]),
    (_("统计报告"), [
        (_("数据看板"), "reports:dashboard", RECORD_ROLES | {Role.UPPER_VIEWER}),
        (_("工作总结"), "reports:summary_list", RECORD_ROLES | {Role.UPPER_VIEWER}),
        (_("统计报表"), "reports:return", RECORD_ROLES | {Role.UPPER_VIEWER}),
    ]),
    (_("信访维权"), [
        (_("信访登记"), "petitions:case_add", CASE_ROLES),
        (_("信访案件"), "petitions:case_list", CASE_ROLES),
        (_("期限提醒"), "petitions:deadlines", CASE_ROLES),
        (_("信访统计"), "petitions:statistics", CASE_ROLES),
    ]),
    (_("工作台账"), [
        (_("活动台账"), "ledger:activity_list", RECORD_ROLES),
        (_("登记活动"), "ledger:activity_add", RECORD_ROLES),
        (_("活动日历"), "ledger:calendar", RECORD_ROLES),
        (_("资金收支"), "ledger:funds", RECORD_ROLES),
        (_("工作计划"), "ledger:planitem_list", RECORD_ROLES),
    ]),
    (_("人员名册"), [
        (_("帮扶对象"), "people:beneficiary_list", RECORD_ROLES),
        (_("女性人才库"), "people:talent_list", RECORD_ROLES),
        (_("巾帼志愿者"), "people:volunteer_list", RECORD_ROLES),
        (_("荣誉表彰"), "people:honour_list", RECORD_ROLES),
        (_("巾帼文明岗"), "people:civilizedpost_list", RECORD_ROLES),
        (_("小额贷款"), "people:loan_list", RECORD_ROLES),
        (_("名册提醒"), "people:reminders", RECORD_ROLES),
    ]),
    (_("组织与信息"), [
        (_("基层组织"), "grassroots:orgprofile_list", RECORD_ROLES),
        (_("基层组织建设情况"), "grassroots:survey", RECORD_ROLES),
        (_("换届提醒"), "grassroots:reminders", RECORD_ROLES),
        (_("信息报送"), "articles:article_list", RECORD_ROLES),
        (_("收到的信息"), "articles:inbox", RECORD_ROLES),
        (_("信息工作考核"), "articles:ranking", RECORD_ROLES),
    ]),
    (_("两纲监测"), [
        (_("数据填报"), "monitoring:home", RECORD_ROLES | {Role.AGENCY_CLERK}),
        (_("填报审核"), "monitoring:submission_list", RECORD_ROLES | {Role.AGENCY_CLERK}),
        (_("目标达标"), "monitoring:attainment", RECORD_ROLES | {Role.AGENCY_CLERK}),
        (_("监测指标"), "monitoring:indicator_list", RECORD_ROLES | {Role.AGENCY_CLERK}),
        (_("校验规则"), "monitoring:validationrule_list", RECORD_ROLES | {Role.AGENCY_CLERK}),
    ]),
    (_("组织机构"), [
        (_("组织树"), "orgs:tree", ALL_ROLES - {Role.AUDIT_ADMIN}),
        (_("单位列表"), "orgs:orgunit_list", ALL_ROLES - {Role.AUDIT_ADMIN}),
        (_("导入单位"), "orgs:orgunit_import", frozenset({Role.SYSTEM_ADMIN})),
    ]),
    (_("系统管理"), [
        (_("用户管理"), "accounts:user_list", frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})),
        (_("角色分配"), "accounts:roleassignment_list", frozenset({Role.SECURITY_ADMIN})),
        (_("字典管理"), "core:codetable_list", frozenset({Role.SYSTEM_ADMIN})),
        (_("统计指标"), "ledger:measure_list", frozenset({Role.SYSTEM_ADMIN})),
        (_("导入任务"), "core:importjob_list", RECORD_ROLES | {Role.SYSTEM_ADMIN}),
    ]),
    (_("安全审计"), [
        (_("审计日志"), "audit:entry_list", frozenset({Role.AUDIT_ADMIN})),
    ]),
]
