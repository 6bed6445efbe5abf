import datetime as dt

import pytest
from django.utils import timezone

from jinguo.core.models import CodeItem
from jinguo.petitions import services
from jinguo.petitions.models import Case


@pytest.fixture
def codes(db):
    return {"channel": CodeItem.objects.lookup("petition_channel"),
            "category": CodeItem.objects.lookup("petition_category"),
            "agency": CodeItem.objects.lookup("referral_agency")}


@pytest.fixture
def make_case(codes):
    """make_case(org, received="2025-03-08 10:00", channel="来电", category="婚姻家庭", sub=None, **petitioner)."""

    def _make(org, received="2025-03-08 10:00", channel="来电", category="婚姻家庭", sub=None, actor=None,
              summary="丈夫经常打骂，要求帮助", headcount=1, flags=(), **person):
        case = Case(org=org, channel=codes["channel"][channel], category=codes["category"][category],
                    subcategory=codes["category"][sub] if sub else None, summary=summary, headcount=headcount,
                    received_at=timezone.make_aware(dt.datetime.strptime(received, "%Y-%m-%d %H:%M")),
                    **{f"flag_{f}": True for f in flags})
        return services.register_case(case, [services.PetitionerData(**person)], actor=actor)

    return _make
