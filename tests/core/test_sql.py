"""core.sql helpers on whichever database the suite runs against."""

import datetime as dt

from jinguo.core.sql import pks_matching
from jinguo.ledger.models import Activity


def test_pks_matching_is_a_composite_in_not_a_cross_product(tree, make_activity):
    county, township = tree["county"], tree["township"]
    a = make_activity(county, "三八宣传", dt.date(2025, 3, 8))
    b = make_activity(county, "六一慰问", dt.date(2025, 6, 1))
    c = make_activity(township, "三八宣传", dt.date(2025, 3, 8))
    fields = ["org", "start_date", "title"]
    # keys as an import holds them: unit id, ISO date text, title
    assert sorted(pks_matching(Activity, fields, [(county.pk, "2025-03-08", "三八宣传")])) == [a.pk]
    two = [(county.pk, "2025-06-01", "六一慰问"), (township.pk, dt.date(2025, 3, 8), "三八宣传")]
    assert sorted(pks_matching(Activity, fields, two)) == sorted([b.pk, c.pk])
    # each part matches some row, the combination none
    crossed = [(county.pk, "2025-03-08", "六一慰问"), (township.pk, "2025-06-01", "三八宣传")]
    assert pks_matching(Activity, fields, crossed) == []
    assert pks_matching(Activity, fields, []) == []
