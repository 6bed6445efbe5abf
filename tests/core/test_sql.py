"""core.sql on both databases: `__any_of` with kept `Keys` selects the same rows as `__in`, on a primary key and
on a (nullable) foreign key, filtered and excluded, empty included; `pks_matching` is a composite IN."""

import datetime as dt

import pytest

from jinguo.core.scope import subtree_ids, subtree_keys
from jinguo.core.sql import AnyOf, Keys, pks_matching
from jinguo.ledger.models import Activity
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.models import Case


def test_keys_are_integers_equal_as_their_values():
    keys = Keys(["3", 1, 2])
    assert keys.values == (3, 1, 2) and list(keys) == [3, 1, 2] and len(keys) == 3
    assert keys == Keys([3, 1, 2]) and hash(keys) == hash(Keys([3, 1, 2])) and keys != Keys([1, 2, 3])
    assert keys.array == "{3,1,2}" and keys.json == "[3,1,2]" and Keys([]).array == "{}"
    with pytest.raises(ValueError):
        Keys(["1; DROP TABLE x"])


@pytest.mark.parametrize("roots", [["county"], ["county", "other_city"], []])
def test_keys_select_what_in_selects(tree, users, make_case, roots):
    make_case(tree["county"])
    handed = make_case(tree["sister"])
    Case.objects.filter(pk=handed.pk).update(handler=tree["township"])  # handed down into 东安县
    make_case(tree["other_county"])
    ids = subtree_ids([tree[name].path for name in roots])
    keys = subtree_keys([tree[name].path for name in roots])
    assert list(keys) == ids

    def pks(queryset):
        return sorted(queryset.values_list("pk", flat=True))

    assert pks(OrgUnit.objects.filter(AnyOf("pk", keys))) == pks(OrgUnit.objects.filter(pk__in=ids))
    for field in ("org", "handler"):
        assert pks(Case.objects.filter(AnyOf(field, keys))) == pks(Case.objects.filter(**{f"{field}__in": ids}))
        assert pks(Case.objects.exclude(AnyOf(field, keys))) == pks(Case.objects.exclude(**{f"{field}__in": ids}))
    assert pks(Case.objects.filter(AnyOf("org", keys) | AnyOf("handler", keys))) == \
        pks(Case.objects.filter(org__in=ids) | Case.objects.filter(handler__in=ids))


def test_a_compiled_query_runs_again_with_each_calls_values(tree):
    """Compiled once, run with new values: a parameter that appears twice takes its value in both places, `Keys`
    included; `limit` bounds the rows; `first` gives the first row or None."""
    from django.db.models import Q

    from jinguo.core.sql import CompiledQuery

    query = CompiledQuery(
        lambda units, code: OrgUnit.objects.filter(AnyOf("pk", units) | Q(code=code) | Q(parent__code=code))
        .exclude(code=code).order_by("code").values("code", "name"),
        units=Keys([987654321]), code="<code>")
    county, sister = tree["county"], tree["sister"]
    assert query.dicts(units=Keys([county.pk]), code="431000") == [
        {"code": "431002", "name": "北湖区"}, {"code": "431122", "name": "东安县"}]
    assert query.dicts(units=Keys([sister.pk, county.pk]), code="431100") == [
        {"code": "431122", "name": "东安县"}, {"code": "431123", "name": "双牌县"}]
    assert query.dicts(units=Keys([sister.pk, county.pk]), code="431100", limit=1) == [
        {"code": "431122", "name": "东安县"}]
    assert query.first(units=Keys([]), code="431122") == ("431122-TJ", "东安县统计局")
    assert query.first(units=Keys([]), code="nowhere") is None
    with pytest.raises(ValueError, match="unsliced"):
        CompiledQuery(lambda code: OrgUnit.objects.filter(code=code).values("code")[:1], code="<c>").first(code="x")
    with pytest.raises(ValueError, match="does not appear"):
        CompiledQuery(lambda code: OrgUnit.objects.values("code"), code="<c>").first(code="x")


def test_a_compiled_query_takes_dates_and_paths_inside_patterns(tree, make_activity):
    """A date sentinel takes each call's date; a text sentinel inside `path__startswith` takes each call's path,
    escaped as the ORM escapes a pattern (an underscore matches itself, not any character); `rows` gives tuples."""
    from jinguo.core.sql import CompiledQuery

    county, township = tree["county"], tree["township"]
    make_activity(county, "三八宣传", dt.date(2025, 3, 8))
    make_activity(township, "六一慰问", dt.date(2025, 6, 1))
    query = CompiledQuery(
        lambda path, start, end: Activity.objects.filter(org__path__startswith=path, start_date__range=(start, end))
        .order_by("start_date").values_list("title", "start_date"),
        path="/~path~/", start=dt.date(1901, 2, 3), end=dt.date(1901, 3, 4))
    year = {"start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}
    assert query.rows(path=county.path, **year) == [
        ("三八宣传", dt.date(2025, 3, 8)), ("六一慰问", dt.date(2025, 6, 1))]
    assert query.rows(path=township.path, **year) == [("六一慰问", dt.date(2025, 6, 1))]
    assert query.rows(path=county.path, start=dt.date(2025, 4, 1), end=dt.date(2025, 12, 31)) == [
        ("六一慰问", dt.date(2025, 6, 1))]
    assert query.rows(path=county.path.replace("/", "_"), **year) == []  # no wildcard smuggled in
    for path, start in ((county.path, dt.date(2025, 1, 1)), (township.path, dt.date(2025, 5, 1))):
        assert query.rows(path=path, start=start, end=year["end"]) == list(
            Activity.objects.filter(org__path__startswith=path, start_date__range=(start, year["end"]))
            .order_by("start_date").values_list("title", "start_date"))


def test_totals_is_aggregate_as_one_row(tree, make_activity):
    """`totals` answers what `aggregate` answers, converted the same way, and one row when no row matches."""
    from django.db.models import Count, Sum

    from jinguo.core.sql import totals
    from jinguo.ledger.models import ActivityFigure

    make_activity(tree["county"], "三八宣传", dt.date(2025, 3, 8), participants=120, condolence="3000.50")
    make_activity(tree["township"], "六一慰问", dt.date(2025, 6, 1), participants=30)
    for figures in (ActivityFigure.objects.all(), ActivityFigure.objects.filter(activity__org=tree["township"]),
                    ActivityFigure.objects.filter(value__lt=0)):
        aggregates = {"n": Count("id"), "total": Sum("value"), "kinds": Count("measure", distinct=True)}
        expected = figures.aggregate(**aggregates)
        assert list(totals(figures, **aggregates)) == [tuple(expected.values())], expected


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


def test_compiled_queries_share_a_kept_cursor_that_query_logging_and_wrappers_still_see(tree):
    """Compiled queries run on a cursor kept per connection (`kept_cursor`): still counted by the query log (and so
    by `django_assert_num_queries`), still passed through execute wrappers, and made anew for a new session."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.test.utils import CaptureQueriesContext

    from jinguo.core.sql import CompiledQuery, kept_cursor

    connection = connections[DEFAULT_DB_ALIAS]
    query = CompiledQuery(lambda code: OrgUnit.objects.filter(code=code).values_list("name"), code="<code>")
    assert query.first(code="431122") == ("东安县",)
    with CaptureQueriesContext(connection) as captured:
        assert query.first(code="431123") == ("双牌县",)
        assert query.rows(code="nowhere") == []
    assert len(captured.captured_queries) == 2 and "431123" in captured.captured_queries[0]["sql"]
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert query.first(code="431122") == ("东安县",)
    assert [params[0] for params in seen] == ["431122"]
    before = kept_cursor(connection).cursor
    assert kept_cursor(connection).cursor is before  # kept between statements
    # A new session (the connection closed and opened again: a new driver connection) gets a new cursor.
    from jinguo.core import sql

    sql._KEPT[connection] = (object(), before)
    assert kept_cursor(connection).cursor is not before
    assert query.first(code="431122") == ("东安县",)
