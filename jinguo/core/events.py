"""Registered, stable codes of named audit events (Zulip's AuditLogEventType): one list for the whole project.

Codes never change once released; labels are what the audit page shows. A vocabulary every layer speaks (core's
own writes, imports and exports included), so it sits in core; the audit app writes and shows the entries.
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
    TOKEN_REVOKED = "user.token_revoked", _("吊销接口令牌")
    UNLOCKED = "user.unlocked", _("解除锁定")
    # data movement
    IMPORTED = "data.imported", _("导入数据")
    EXPORTED = "data.exported", _("导出数据")
    DIVISIONS_LOADED = "orgs.divisions_loaded", _("加载行政区划")
    AUDIT_EXPORTED = "audit.exported", _("导出审计日志")
    DATA_KEY_ROTATED = "data.key_rotated", _("更换数据加密密钥")
    AUDIT_KEY_ROTATED = "audit.key_rotated", _("更换审计签名密钥")
    DATABASE_RESTORED = "data.restored", _("从备份恢复数据库")
    DATA_SEEDED = "data.seeded", _("批量生成数据（未逐条记录审计）")
    ATTACHED = "object.attached", _("上传附件")
    ATTACHMENT_DOWNLOADED = "object.attachment_downloaded", _("下载附件")
    # ledger
    FIGURES_CHANGED = "activity.figures_changed", _("修改活动数据")
    PARTNERS_CHANGED = "activity.partners_changed", _("修改合作单位")
    THEMES_CHANGED = "activity.themes_changed", _("修改活动主题")
    # petitions (信访维权): each step is also a timeline entry
    CASE_REGISTERED = "case.registered", _("登记")
    CASE_ACCEPTED = "case.accepted", _("受理")
    CASE_REJECTED = "case.rejected", _("不予受理")
    CASE_TRANSFERRED = "case.transferred", _("转送")
    CASE_STARTED = "case.started", _("开始办理")
    CASE_REFERRED = "case.referred", _("转介")
    CASE_REFERRAL_FEEDBACK = "case.referral_feedback", _("转介反馈")
    CASE_EXTENDED = "case.extended", _("延期")
    CASE_REPLIED = "case.replied", _("答复")
    CASE_FOLLOWED_UP = "case.followed_up", _("回访")
    CASE_CLOSED = "case.closed", _("办结")
    CASE_REVIEW = "case.review_requested", _("申请复查")
    CASE_ASSIGNED = "case.assigned", _("交办")
    CASE_REPORTED = "case.reported_back", _("交办反馈")
    CASE_PRESSED = "case.pressed", _("催办")
    CASE_SUPERVISED = "case.supervised", _("督办")
    CASE_DV_UPDATED = "case.dv_updated", _("更新家暴情况")
    CASE_EDITED = "case.edited", _("修改登记信息")
    CASE_ALERT = "case.alert", _("预警")
    # outline monitoring (两纲)
    MONITORING_SAVED = "monitoring.saved", _("保存监测数据")
    MONITORING_SUBMITTED = "monitoring.submitted", _("提交监测数据")
    MONITORING_REVIEWED = "monitoring.reviewed", _("审核监测数据")
    MONITORING_RETURNED = "monitoring.returned", _("退回监测数据")
    MONITORING_APPROVED = "monitoring.approved", _("审定监测数据")
    MONITORING_REOPENED = "monitoring.reopened", _("重新打开已审定数据")
    # micro-guarantee loans (小额担保贷款)
    LOAN_APPROVED = "loan.approved", _("贷款审核通过")
    LOAN_REJECTED = "loan.rejected", _("贷款审核不通过")
    LOAN_DISBURSED = "loan.disbursed", _("发放贷款")
    LOAN_REPAID = "loan.repaid", _("贷款还清")
    LOAN_OVERDUE = "loan.overdue", _("贷款逾期")
    # information work (信息报送)
    ARTICLE_ADOPTED = "article.adopted", _("采用信息")
    ARTICLE_FORWARDED = "article.forwarded", _("转报信息")
    ARTICLE_ADOPTION_RECORDED = "article.adoption_recorded", _("登记信息采用")
    ARTICLE_ADOPTION_WITHDRAWN = "article.adoption_withdrawn", _("撤销信息采用")
    # personal data
    UNMASKED = "personal.unmasked", _("查看个人信息明文")
    UNMASK_LIMITED = "personal.unmask_limited", _("查看明文次数超限（已拒绝）")
    PERSONAL_EXPORTED = "personal.exported", _("导出个人信息明文")
