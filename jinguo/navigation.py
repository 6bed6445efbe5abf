"""The side menu, in one place: sections as an office thinks of its work, each item with its label, URL name, the
roles that see it and its icon (a Tabler icon name, https://tabler.io/icons); and the context processor that
draws it for each page (a project file: the menu names every app, so it sits above them all).
"""

import functools
from dataclasses import dataclass

from django.urls import get_script_prefix, get_urlconf
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jinguo.core.links import page_url
from jinguo.core.roles import ALL_ROLES, RECORD_ROLES, Role
from jinguo.petitions.models import CASE_ROLES

REPORT_ROLES = RECORD_ROLES | {Role.UPPER_VIEWER}
MONITORING_ROLES = RECORD_ROLES | {Role.AGENCY_CLERK}

# (section label or "" for the top item, section icon, [(label, url name, roles, icon), …])
MENU = [
    ("", "home", [
        (_("首页"), "core:home", ALL_ROLES, "home"),
    ]),
    (_("信访维权"), "heart-handshake", [
        (_("信访登记"), "petitions:case_add", CASE_ROLES, "file-plus"),
        (_("信访案件"), "petitions:case_list", CASE_ROLES, "folders"),
        (_("期限提醒"), "petitions:deadlines", CASE_ROLES, "alarm"),
        (_("信访统计"), "petitions:statistics", CASE_ROLES, "chart-pie"),
    ]),
    (_("工作台账"), "notebook", [
        (_("活动台账"), "ledger:activity_list", RECORD_ROLES, "list-details"),
        (_("登记活动"), "ledger:activity_add", RECORD_ROLES, "calendar-plus"),
        (_("活动日历"), "ledger:calendar", RECORD_ROLES, "calendar-month"),
        (_("资金收支"), "ledger:funds", RECORD_ROLES, "coin-yuan"),
        (_("工作计划"), "ledger:planitem_list", RECORD_ROLES, "checklist"),
    ]),
    (_("人员名册"), "users", [
        (_("帮扶对象"), "people:beneficiary_list", RECORD_ROLES, "heart"),
        (_("女性人才库"), "people:talent_list", RECORD_ROLES, "school"),
        (_("巾帼志愿者"), "people:volunteer_list", RECORD_ROLES, "users-group"),
        (_("荣誉表彰"), "people:honour_list", RECORD_ROLES, "award"),
        (_("巾帼文明岗"), "people:civilizedpost_list", RECORD_ROLES, "building-store"),
        (_("小额贷款"), "people:loan_list", RECORD_ROLES, "cash"),
        (_("名册提醒"), "people:reminders", RECORD_ROLES, "bell"),
    ]),
    (_("两纲监测"), "target", [
        (_("数据填报"), "monitoring:home", MONITORING_ROLES, "table"),
        (_("填报审核"), "monitoring:submission_list", MONITORING_ROLES, "clipboard-check"),
        (_("目标达标"), "monitoring:attainment", MONITORING_ROLES, "target-arrow"),
        (_("监测指标"), "monitoring:indicator_list", MONITORING_ROLES, "list-numbers"),
        (_("校验规则"), "monitoring:validationrule_list", MONITORING_ROLES, "math-function"),
    ]),
    (_("组织与信息"), "building-community", [
        (_("基层组织"), "grassroots:orgprofile_list", RECORD_ROLES, "home-heart"),
        (_("基层组织建设情况"), "grassroots:survey", RECORD_ROLES, "chart-dots"),
        (_("换届提醒"), "grassroots:reminders", RECORD_ROLES, "calendar-due"),
        (_("信息报送"), "articles:article_list", RECORD_ROLES, "news"),
        (_("收到的信息"), "articles:inbox", RECORD_ROLES, "inbox"),
        (_("信息工作考核"), "articles:ranking", RECORD_ROLES, "trophy"),
    ]),
    (_("统计报告"), "report-analytics", [
        (_("数据看板"), "reports:dashboard", REPORT_ROLES, "chart-bar"),
        (_("工作总结"), "reports:summary_list", REPORT_ROLES, "file-text"),
        (_("统计报表"), "reports:return", REPORT_ROLES, "table-export"),
    ]),
    (_("系统管理"), "settings", [
        (_("组织树"), "orgs:tree", ALL_ROLES - {Role.AUDIT_ADMIN}, "sitemap"),
        (_("单位列表"), "orgs:orgunit_list", ALL_ROLES - {Role.AUDIT_ADMIN}, "building"),
        (_("导入单位"), "orgs:orgunit_import", frozenset({Role.SYSTEM_ADMIN}), "upload"),
        (_("用户管理"), "accounts:user_list", frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}), "user-cog"),
        (_("角色分配"), "accounts:roleassignment_list", frozenset({Role.SECURITY_ADMIN}), "shield-lock"),
        (_("字典管理"), "core:codetable_list", frozenset({Role.SYSTEM_ADMIN}), "book"),
        (_("统计指标"), "ledger:measure_list", frozenset({Role.SYSTEM_ADMIN}), "ruler-measure"),
        (_("导入任务"), "core:importjob_list", RECORD_ROLES | {Role.SYSTEM_ADMIN}, "file-import"),
        (_("审计日志"), "audit:entry_list", frozenset({Role.AUDIT_ADMIN}), "shield-search"),
    ]),
]


def navigation(request) -> dict:
    """The side menu for the signed-in user's roles; the item whose URL is the longest prefix of the page is
    marked current, and it and its section make the page's breadcrumbs. The menu's HTML (`menu_html`) is written once
    per set of roles, current item, language and URL prefix and kept: drawn by the template loop, it cost every page
    more than its own table."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    key = (frozenset(user.roles), get_language(), get_script_prefix(), get_urlconf())
    menu = _menu(key)
    best = None
    for section in menu:
        for item in section.items:
            url = item.url
            if (request.path == url or (url != "/" and request.path.startswith(url))) and (
                    best is None or len(url) > len(best[1].url)):
                best = (section, item)
    if best is None:
        return {"menu_html": _menu_html(key, None)}
    section, item = best
    return {"menu_html": _menu_html(key, item.url), "active_section": section if section.label else None,
            "active_item": item if item.url != "/" else None}


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    icon: str


@dataclass(frozen=True)
class Section:
    label: str
    icon: str
    items: tuple[Item, ...]


@functools.lru_cache(maxsize=256)
def _menu(key: tuple) -> tuple[Section, ...]:
    """The sections and items that the roles in `key` see, labels in its language."""
    roles = key[0]
    menu = []
    for section, icon, items in MENU:
        entries = tuple(Item(str(label), page_url(url_name), item_icon)
                        for label, url_name, allowed, item_icon in items if roles & allowed)
        if entries:
            menu.append(Section(str(section), icon, entries))
    return tuple(menu)


@functools.lru_cache(maxsize=1024)
def _menu_html(key: tuple, active: str | None) -> str:
    """The menu's <li> items, `active` (a URL) marked as the current page."""
    parts = []
    for section in _menu(key):
        if section.label:
            parts.append(format_html('<li class="nav-item jg-section" aria-hidden="true"><i class="ti ti-{}"></i> {}'
                                     "</li>\n", section.icon, section.label))
        for item in section.items:
            current = item.url == active
            parts.append(format_html(
                '<li class="nav-item{}">\n<a class="nav-link{}" href="{}"{}>\n'
                '<span class="nav-link-icon"><i class="ti ti-{}" aria-hidden="true"></i></span>\n'
                '<span class="nav-link-title">{}</span>\n</a>\n</li>\n',
                " active" if current else "", " active" if current else "", item.url,
                mark_safe(' aria-current="page"') if current else "", item.icon, item.label))
    return mark_safe("".join(parts))  # noqa: S308 — each part is format_html's, escaped
