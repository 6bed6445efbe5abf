"""Demo profiles for a demo county: its townships' federations and its member units' women's committees, through
the same service as the pages. Deterministic and idempotent: units that already have a profile are left alone."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jinguo.core.models import CodeItem
from jinguo.grassroots.models import KIND_TABLE, OrgProfile
from jinguo.grassroots.services import save_profile
from jinguo.orgs.models import Level, OrgUnit

CHAIRS = ["王秀英", "李桂兰", "张玉梅", "刘春花", "陈丽", "杨敏", "黄芳", "赵娟", "周红梅", "吴小燕", "徐婷", "孙雪梅"]


@transaction.atomic
def load_demo(county: OrgUnit) -> int:
    """Profiles for the county's townships (乡镇妇联, some elected more than five years ago) and member units
    (机关妇委会); returns how many were added."""
    rng = random.Random(f"grassroots-{county.code}")
    kinds = {item.code: item for item in CodeItem.objects.of(KIND_TABLE)}
    units = list(OrgUnit.objects.filter(parent=county, level__in=[Level.TOWNSHIP, Level.AGENCY]).order_by("path"))
    existing = set(OrgProfile.objects.filter(org__in=units).values_list("org_id", flat=True))
    added = 0
    for index, unit in enumerate(units):
        if unit.pk in existing:
            continue
        township = unit.level == Level.TOWNSHIP
        kind = kinds["street" if unit.name.endswith("街道") else "township"] if township else kinds["organ"]
        elected = dt.date(2019 + index % 3 * 2, 3 + index % 6, 10 + index % 15)  # 2019 (due), 2021 or 2023
        profile = OrgProfile(org=unit, kind=kind, chair_name=CHAIRS[rng.randrange(len(CHAIRS))],
                             executives=rng.randint(9, 21) if township else rng.randint(3, 7),
                             has_home=township and index % 4 != 3,
                             funding=Decimal(rng.choice([5000, 8000, 10000, 12000])) if township else Decimal(2000),
                             elected_on=elected)
        if profile.has_home:
            profile.home_address = f"{unit.name}人民政府院内"
        save_profile(profile)
        added += 1
    return added
