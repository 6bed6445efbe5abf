"""Demo information reports for a demo county: a year of its reports sent to the city, some adopted by the city
federation (through `adopt`, as the city's user would) and some by outside bodies (recorded by the county).
Deterministic and idempotent: reports already there (same title and date) are not added again."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jinguo.articles import services
from jinguo.articles.models import Article
from jinguo.orgs.models import OrgUnit

TITLES = ["召开三八妇女节纪念大会", "开展反家暴宣传进村入户活动", "举办巾帼电商技能培训班", "开展“两癌”免费筛查",
          "六一慰问留守儿童", "推进“美丽庭院”创建", "家庭教育指导服务进社区", "召开乡镇妇联换届工作部署会",
          "开展春节送温暖走访慰问", "巾帼志愿者服务队助力乡村振兴"]
OUTSIDE = ["县委办公室", "永州日报"]


@transaction.atomic
def load_demo(county: OrgUnit, *, city_user=None) -> int:
    """Ten reports of the past year sent to the county's parent; every third adopted by it (when a user of that unit
    is given, through her `adopt`), every fourth by an outside body. Returns how many were added."""
    today = timezone.localdate()
    parent = county.parent
    added = 0
    for index, title in enumerate(TITLES):
        sent_on = today - dt.timedelta(days=30 * (len(TITLES) - index))
        full_title = f"{county.name}{title}"
        if Article.objects.filter(org=county, title=full_title, sent_on=sent_on).exists():
            continue
        article = Article.objects.create(org=county, title=full_title, sent_on=sent_on, author="县妇联办公室",
                                         sent_to=parent, body=f"{full_title}。")
        added += 1
        if index % 3 == 0 and parent is not None:
            if city_user is not None:
                services.adopt(article, actor=city_user, on=sent_on + dt.timedelta(days=2))
            else:
                services.record_adoption(article, actor=None, adopter=parent, on=sent_on + dt.timedelta(days=2))
        if index % 4 == 1:
            services.record_adoption(article, actor=None, adopter_text=OUTSIDE[index % 2],
                                     on=sent_on + dt.timedelta(days=5))
    return added
