"""What an API request reads once (token, user, roles, lockout, second factor: one query) and what scope keeps
between requests (each subtree's unit ids, per version of the org tree) never outlives a change: a revoked token,
a removed role, a lock or a moved unit takes effect on the very next request."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jinguo.accounts import services
from jinguo.accounts.models import ApiToken, RoleAssignment
from jinguo.core.roles import Role
from jinguo.core.scope import subtree_ids
from jinguo.orgs.models import Level, OrgUnit
from jinguo.orgs.services import add_org


def _cases(client, key: str):
    return client.get("/api/cases/", {"page_size": 50}, HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def county_case(tree, make_case):
    return make_case(tree["county"], name="王芳")


def test_a_list_request_is_two_queries(users, county_case, client):
    """The token with its user and roles; the page with its petitioners' masks."""
    key = services.issue_token(users["staff"], name="t")
    _cases(client, key)  # the token's last_used is written at most once a minute: not in the counted request
    with CaptureQueriesContext(connection) as queries:
        assert _cases(client, key).status_code == 200
    tables = [q["sql"].split()[1].split(".")[0] for q in queries.captured_queries]  # whose columns each reads
    assert tables == ['"accounts_apitoken"', '"petitions_case"'], tables


def test_a_revoked_token_fails_at_once(users, county_case, client):
    key = services.issue_token(users["staff"], name="t")
    assert _cases(client, key).status_code == 200
    services.revoke_token(ApiToken.objects.get(user=users["staff"]))
    assert _cases(client, key).status_code == 401


def test_a_removed_role_takes_effect_at_once(users, county_case, client):
    staff = users["staff"]
    key = services.issue_token(staff, name="t")
    assert [row["id"] for row in _cases(client, key).json()["results"]] == [county_case.pk]
    for assignment in RoleAssignment.objects.filter(user=staff):
        services.revoke_role(assignment, actor=users["secadmin"])
    assert _cases(client, key).status_code == 403


def test_a_role_granted_elsewhere_widens_the_next_request(users, tree, make_case, client):
    other = make_case(tree["other_county"], name="李娟")
    key = services.issue_token(users["staff"], name="t")
    assert other.pk not in [row["id"] for row in _cases(client, key).json()["results"]]
    services.grant_role(users["staff"], tree["other_city"], Role.STAFF)
    assert other.pk in [row["id"] for row in _cases(client, key).json()["results"]]


def test_a_lockout_stops_the_token_at_once(users, county_case, client):
    staff = users["staff"]
    key = services.issue_token(staff, name="t")
    assert _cases(client, key).status_code == 200
    AccessAttempt.objects.create(username=staff.username, failures_since_start=settings.AXES_FAILURE_LIMIT,
                                 attempt_time=timezone.now(), ip_address="127.0.0.1", user_agent="test",
                                 get_data="", post_data="", http_accept="", path_info="/accounts/login/")
    response = _cases(client, key)
    assert response.status_code == 401 and "锁定" in response.json()["detail"]


def test_a_unit_added_or_moved_changes_scope_at_once(users, tree, make_case, client):
    key = services.issue_token(users["city"], name="t")
    assert tree["county"].pk in subtree_ids([tree["city"].path])  # remembered for this version of the tree
    new_county = add_org("431124", "新设县", parent=tree["city"])
    case = make_case(new_county, name="新县人")
    assert case.pk in [row["id"] for row in _cases(client, key).json()["results"]]
    county = tree["sister"]
    sister_case = make_case(county, name="双牌人")
    assert sister_case.pk in [row["id"] for row in _cases(client, key).json()["results"]]
    county.parent = tree["other_city"]
    county.code = "431099"
    county.save()
    assert sister_case.pk not in [row["id"] for row in _cases(client, key).json()["results"]]
    assert county.pk not in subtree_ids([tree["city"].path])


def test_bulk_writes_to_the_tree_change_scope_at_once(tree):
    before = subtree_ids([tree["city"].path])
    made = OrgUnit.objects.bulk_create([OrgUnit(code="431125", name="批量县", level=Level.COUNTY,
                                                parent=tree["city"], path=f"{tree['city'].path}431125/", depth=3)])
    assert set(subtree_ids([tree["city"].path])) == {*before, made[0].pk}
    OrgUnit.objects.filter(code="431125").update(path="/430000/431000/431125/")
    assert set(subtree_ids([tree["city"].path])) == set(before)
    assert made[0].pk in subtree_ids([tree["other_city"].path])


def test_the_unit_picker_shows_a_renamed_or_added_unit_at_once(users, tree, login):
    client = login(users["city"])
    assert "东安县" in client.get("/petitions/").content.decode()
    county = tree["county"]
    county.name = "东安新县"
    county.save()
    add_org("431126", "后设县", parent=tree["city"])
    html = client.get("/petitions/").content.decode()
    assert "东安新县" in html and "后设县" in html and ">东安县<" not in html
