"""The registries' panel of the home page: talent-pool reviews due and loan repayments falling due (the same rules
as the 名册提醒 page). Registered from `PeopleConfig.ready()`."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from jinguo.core.home import ITEMS_SHOWN, Panel, PanelItem
from jinguo.core.numbers import money_text
from jinguo.core.scope import scope_paths
from jinguo.people import services
from jinguo.people.models import Loan, Talent


def reminders_panel(user, today: dt.date) -> Panel | None:
    if not scope_paths(user, Talent.scope_roles["view"]):
        return None
    reviews = services.reviews_due(Talent.objects.visible_to(user), today)
    loans = services.loans_due(Loan.objects.visible_to(user), today)
    items = [PanelItem(label=_("%(who)s 待年度审核") % {"who": t.person}, url=t.get_absolute_url(),
                       detail=_("%(post)s · 上次审核 %(d)s") % {"post": t.get_post_kind_display(),
                                                               "d": f"{t.last_reviewed:%Y-%m-%d}"},
                       badge=_("审核到期"), tone="orange")
             for t in reviews.select_related("person").order_by("last_reviewed", "pk")[:ITEMS_SHOWN]]
    for loan in loans.select_related("person").order_by("due_on", "pk")[:max(ITEMS_SHOWN - len(items), 2)]:
        late = loan.due_on < today or loan.status == Loan.Status.OVERDUE
        label = _("%(who)s 贷款%(amount)s") % {"who": loan.person, "amount": money_text(loan.amount)}
        items.append(PanelItem(label=label,
                               url=loan.get_absolute_url(), detail=loan.bank,
                               badge=_("已逾期") if late else _("%(d)s到期") % {"d": f"{loan.due_on:%Y-%m-%d}"},
                               tone="red" if late else "orange"))
    return Panel(key="people.reminders", title=_("名册提醒"), count=reviews.count() + loans.count(), items=items,
                 tone="orange", empty=_("暂无到期的人才审核或贷款。"), link=reverse("people:reminders"),
                 link_label=_("查看名册提醒"))
