"""The ledger panel of the home page: this month's activities in the user's units. Registered from
`LedgerConfig.ready()`."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from jinguo.core.home import ITEMS_SHOWN, Panel, PanelItem
from jinguo.core.periods import Period
from jinguo.core.scope import scope_paths
from jinguo.ledger.models import Activity


def activities_panel(user, today: dt.date) -> Panel | None:
    if not scope_paths(user, Activity.scope_roles["view"]):
        return None
    month = Period.containing(today, "M")
    this_month = Activity.objects.visible_to(user).filter(start_date__gte=month.start, start_date__lte=month.end)
    items = [PanelItem(label=a.title, url=a.get_absolute_url(), detail=f"{a.org.name} · {a.kind.name}",
                       badge=a.start_date.strftime("%m-%d"), tone="blue")
             for a in this_month.select_related("org", "kind").order_by("-start_date", "-pk")[:ITEMS_SHOWN]]
    query = urlencode({"date_from": month.start.isoformat(), "date_to": month.end.isoformat()})
    return Panel(key="ledger.month", title=_("本月活动（%(m)s）") % {"m": month.label}, count=this_month.count(),
                 items=items, tone="blue", empty=_("本月还没有登记活动。活动结束后请及时登记，月底统计才完整。"),
                 link=f"{reverse('ledger:activity_list')}?{query}", link_label=_("查看本月全部活动"),
                 actions=[(_("登记活动"), reverse("ledger:activity_add"))])
