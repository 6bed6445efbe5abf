"""Registered, stable codes of named audit events (Zulip's AuditLogEventType): one list for the whole project.

Codes never change once released; labels are what the audit page shows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    # generic changes
    CREATED = "object.created", _("新增")
    UPDATED = "object.updated", _("修改")
    DELETED = "object.deleted", _("删除")
    # accounts and login security
    LOGIN = "user.login", _("登录成功")
    LOGIN_FAILED = "user.login_failed", _("登录失败")
    LOCKED_OUT = "user.locked_out", _("账户锁定")
    LOGOUT = "user.logout", _("退出登录")
    PASSWORD_CHANGED = "user.password_changed", _("修改密码")
    PASSWORD_RESET = "user.password_reset", _("重置密码")
    OTP_ENROLLED = "user.otp_enrolled", _("绑定双因素认证")
    OTP_FAILED = "user.otp_failed", _("动态口令错误")
    ROLE_GRANTED = "role.granted", _("授予角色")
    ROLE_REVOKED = "role.revoked", _("撤销角色")
    TOKEN_ISSUED = "user.token_issued", _("签发接口令牌")
    UNLOCKED = "user.unlocked", _("解除锁定")
    # data movement
    IMPORTED = "data.imported", _("导入数据")
    EXPORTED = "data.exported", _("导出数据")
    DIVISIONS_LOADED = "orgs.divisions_loaded", _("加载行政区划")
    AUDIT_EXPORTED = "audit.exported", _("导出审计日志")
    ATTACHED = "object.attached", _("上传附件")
    # ledger
    FIGURES_CHANGED = "activity.figures_changed", _("修改活动数据")
    PARTNERS_CHANGED = "activity.partners_changed", _("修改合作单位")
    THEMES_CHANGED = "activity.themes_changed", _("修改活动主题")
    # personal data
    UNMASKED = "personal.unmasked", _("查看个人信息明文")
