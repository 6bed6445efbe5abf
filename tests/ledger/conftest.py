import datetime as dt
from decimal import Decimal

import pytest

from jinguo.core.models import CodeItem
from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
from jinguo.ledger.services import save_activity


@pytest.fixture
def make_activity(db):
    """make_activity(org, title, date, kind="宣传教育", themes=(), **figures) through the real form and service."""

    def _make(org, title, date, kind="宣传教育", themes=(), partners="", **figures):
        kinds = CodeItem.objects.lookup("activity_kind")
        theme_items = CodeItem.objects.lookup("activity_theme")
        data = {"org": org.pk, "kind": kinds[kind].pk, "title": title, "start_date": date,
                "themes": [theme_items[t].pk for t in themes], "partners": partners}
        data.update({MEASURE_PREFIX + code: str(value) for code, value in figures.items()})
        form = ActivityForm(data=data)
        assert form.is_valid(), form.errors
        return save_activity(form)

    return _make


D = dt.date
__all__ = ["D", "Decimal"]
