from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.core.tables import Col, Table
from jinguo.petitions.models import Petitioner


def _petitioners(case) -> str:
    return "、".join(p.name_masked for p in case.petitioners.all())


def _deadline(case) -> str:
    days = case.days_left(timezone.localdate())
    if days is None:
        return ""
    if days < 0:
        return f"已超期{-days}日"
    return "今日到期" if days == 0 else f"剩{days}日"


class CaseTable(Table):
    """Names masked; nothing here ever shows personal data in clear (lists and exports alike)."""

    empty_text = _("没有符合条件的记录。信访人姓名加密保存，不能按姓名查找：请在“身份证号/电话”中输入完整号码。")

    columns = [
        Col("number", _("案件编号"), link=True),
        Col("received_at", _("登记时间"), render=lambda c: f"{timezone.localtime(c.received_at):%Y-%m-%d %H:%M}"),
        Col("channel.name", _("来源")),
        Col("category.name", _("问题类别")),
        Col("petitioners", _("信访人"), render=_petitioners),
        Col("status", _("状态")),
        Col("risk_colour", _("风险")),
        Col("current_due", _("期限"), render=_deadline),
        Col("org.name", _("登记单位")),
    ]
    select_related = ("channel", "category", "org")
    # The stored masks only: a page of cases decrypts nothing.
    prefetch_related = (Prefetch("petitioners", queryset=Petitioner.objects.only(*Petitioner.MASKED_VIEW_FIELDS)),)
