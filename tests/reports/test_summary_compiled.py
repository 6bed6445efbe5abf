"""The work summary's statistics run as queries compiled once per connection (`core.sql.CompiledQuery`,
`orgs.models.UnitQuery`) with each call's unit and period put in place of the sentinels they were compiled with. The
same summary with every such query built afresh by the ORM from the real values is the same, block for block — for
units at three levels, both scopes, two periods one after another on the same connection (so the second runs what
the first compiled) — on the demo data, which fills every record source the summary reads."""

import datetime as dt

import pytest
from django.db.models import Q

from jinguo.core.periods import Period
from jinguo.core.sql import CompiledQuery
from jinguo.orgs.models import Level, OrgUnit
from jinguo.petitions.models import Case
from jinguo.reports.summary import Options, generate

# The demo is loaded once per session and restored from a snapshot: transactional, as its other tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _through_the_orm(self, alias, limit, values, offset=0):
    """CompiledQuery._run without the compiled text: the queryset built by the ORM with the real values."""
    queryset = self.build(**{**self.sentinels, **values}).using(alias)
    rows = list(queryset if limit is None else queryset[offset:offset + limit])
    if rows and isinstance(rows[0], dict):
        return [tuple(row.values()) for row in rows], tuple(rows[0])
    return rows, ()


def _sql_through_the_orm(self, alias="default", **values):
    return self.build(**{**self.sentinels, **values}).using(alias).query.sql_with_params()


def test_compiled_statistics_give_the_summary_the_orm_gives(demo, monkeypatch):
    units = [OrgUnit.objects.filter(level=level).order_by("code").first()
             for level in (Level.PROVINCE, Level.CITY, Level.COUNTY)]
    assert all(units)
    # Typical cases (典型案例, marked by the office) with referrals, 反家暴 measures and follow-ups.
    typical = Case.objects.filter(Q(referrals__isnull=False) | Q(dv__isnull=False) | Q(follow_ups__isnull=False))
    Case.objects.filter(pk__in=typical.order_by("pk").values("pk")[:30]).update(is_typical=True)
    this_year = dt.date.today().year
    periods = [Period.parse(f"{this_year}H1"), Period.parse(str(this_year - 1)), Period.parse(str(this_year))]
    today = dt.date(this_year, 12, 20)
    compiled, fresh = [], []
    for unit in units:
        for options in (Options(today=today), Options(scope="self", today=today)):
            for period in periods:
                compiled.append(generate(unit, period, options))
    with monkeypatch.context() as patched:
        patched.setattr(CompiledQuery, "_run", _through_the_orm)
        patched.setattr(CompiledQuery, "sql", _sql_through_the_orm)
        for unit in units:
            for options in (Options(today=today), Options(scope="self", today=today)):
                for period in periods:
                    fresh.append(generate(unit, period, options))
    assert compiled == fresh
    # The data reaches what the compiled queries read: figures, petitions, registries, units below.
    text = "\n".join(block["text"] for blocks in compiled for block in blocks)
    for words in ("场次", "件次", "分单位情况", "人", "典型案例"):
        assert words in text or any(block.get("caption", "").endswith(words) for blocks in compiled
                                    for block in blocks), words
