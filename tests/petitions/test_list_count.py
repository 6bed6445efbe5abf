"""The case list's "共 N 条" for an unfiltered list comes from the roll-up (`CaseCell`) instead of counting the visible
cases on every page; it must equal the real count after every kind of change, and a filtered list still counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jinguo.petitions.models import Case
from jinguo.petitions.stats import visible_case_count


def _shown(client, **params) -> int:
    html = client.get("/petitions/", params).content.decode()
    return int(re.search(r"共 (\d+) 条", html).group(1))


def _real(user) -> int:
    return Case.objects.visible_to(user).count()


@pytest.fixture
def city_cases(tree, make_case):
    return [make_case(tree["county"], name="王芳"), make_case(tree["county"], name="李娟"),
            make_case(tree["sister"], name="赵敏"), make_case(tree["other_county"], name="外市人")]


def test_the_unfiltered_count_is_not_a_count_of_the_cases(users, city_cases, login):
    client = login(users["city"])
    with CaptureQueriesContext(connection) as queries:
        shown = _shown(client)
    assert shown == _real(users["city"]) == 3
    assert not [q for q in queries.captured_queries if re.search(r'COUNT\(\*\) AS "__count" FROM "petitions_case" '
                                                                 r'WHERE \("petitions_case"."org_id" IN', q["sql"])]


def test_the_count_follows_every_change(users, tree, city_cases, make_case, login):
    client, city = login(users["city"]), users["city"]
    make_case(tree["township"], name="新来的")  # added
    assert _shown(client) == _real(city) == 4
    city_cases[0].delete()  # deleted
    assert _shown(client) == _real(city) == 3
    moved = city_cases[3]  # moved into the city
    moved.org = tree["sister"]
    moved.save()
    assert _shown(client) == _real(city) == 4
    city_cases[1].org = tree["other_county"]  # moved out of it
    city_cases[1].save()
    assert _shown(client) == _real(city) == 3
    assert _shown(client, page=1, per_page=25) == 3  # paging is not a filter
    assert visible_case_count(users["sister"]) == _real(users["sister"]) == 2


def test_a_case_handed_down_from_outside_counts_for_the_handling_unit(users, tree, city_cases, login):
    outside = city_cases[3]
    Case.objects.filter(pk=outside.pk).update(handler=tree["county"])  # 交办 to 东安县 from another city
    staff = users["staff"]
    assert visible_case_count(staff) == _real(staff) == 3
    assert _shown(login(staff)) == 3


def test_a_filtered_list_counts_its_own_rows(users, city_cases, login):
    client = login(users["city"])
    assert _shown(client, within=city_cases[2].org_id) == 1
    assert _shown(client, within=city_cases[0].org_id, status=city_cases[0].status) == 2
