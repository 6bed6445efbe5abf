"""Jurisdiction scope: a county user never reaches a sister county's records — by id, list, filter, export,
form choice or API — and a city user sees all its counties."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jinguo.accounts.models import RoleAssignment
from jinguo.core.models import ImportJob
from jinguo.orgs.models import OrgUnit
from jinguo.testing import assert_max_queries


def _sheet_rows(response) -> list[list]:
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_visible_to_follows_the_subtree(tree, users):
    county_units = set(OrgUnit.objects.visible_to(users["staff"]).values_list("code", flat=True))
    assert "431122100" in county_units and "431123" not in county_units and "431100" not in county_units
    city_units = set(OrgUnit.objects.visible_to(users["city"]).values_list("code", flat=True))
    assert {"431122", "431122100", "431123", "431123100"} <= city_units
    assert "431002" not in city_units


def test_superuser_flag_grants_nothing(tree, users):
    user = users["staff"]
    user.is_superuser = user.is_staff = True
    user.save()
    assert not OrgUnit.objects.visible_to(user).filter(code="431123").exists()


@pytest.mark.parametrize("name", ["orgs:orgunit_detail", "orgs:orgunit_edit", "orgs:orgunit_delete"])
def test_sister_county_unit_by_id_is_404(tree, users, login, name):
    # The county's system administrator may edit units — but only in her own county.
    client = login(users["county_sysadmin"])
    assert client.get(reverse(name, args=[tree["township"].pk])).status_code == 200
    assert client.get(reverse(name, args=[tree["sister_township"].pk])).status_code == 404
    if not name.endswith("_detail"):
        assert client.post(reverse(name, args=[tree["sister_township"].pk])).status_code == 404
        assert OrgUnit.objects.filter(pk=tree["sister_township"].pk, name="泷泊镇").exists()


def test_tree_node_of_sister_county_is_404(tree, users, login):
    client = login(users["staff"])
    assert client.get(reverse("orgs:tree"), {"node": tree["township"].pk}).status_code == 200
    assert client.get(reverse("orgs:tree"), {"node": tree["sister"].pk}).status_code == 404


def test_lists_filters_and_exports_hold_no_sister_records(tree, users, login):
    client = login(users["staff"])
    page = client.get(reverse("orgs:orgunit_list")).content.decode()
    assert "白牙市镇" in page and "泷泊镇" not in page and "双牌县" not in page
    # A filter naming the sister county's unit is not a way in.
    filtered = client.get(reverse("orgs:orgunit_list"), {"within": tree["sister"].pk, "q": "泷泊"})
    assert "泷泊镇" not in filtered.content.decode()
    export = client.get(reverse("orgs:orgunit_list"), {"export": "xlsx"})
    codes = {str(row[0]) for row in _sheet_rows(export)[1:]}
    assert "431122100" in codes and not codes & {"431123", "431123100", "431002"}


def test_city_user_sees_all_its_counties(tree, users, login):
    client = login(users["city"])
    page = client.get(reverse("orgs:orgunit_list"), {"per_page": 100}).content.decode()
    assert "白牙市镇" in page and "泷泊镇" in page and "北湖区" not in page


def test_form_choices_only_offer_visible_units(tree, users, login):
    client = login(users["county_sysadmin"])
    form = client.get(reverse("orgs:orgunit_add")).context["form"]
    parents = set(form.fields["parent"].queryset.values_list("code", flat=True))
    assert "431122100" in parents and "431123" not in parents
    # Posting the sister county as parent anyway is refused and writes nothing.
    response = client.post(reverse("orgs:orgunit_add"), {"code": "431123199", "name": "偷偷镇", "level": "township",
                                                          "parent": tree["sister"].pk, "is_active": "on"})
    assert response.status_code == 400
    assert not OrgUnit.objects.filter(code="431123199").exists()


def test_write_is_rechecked_after_saving(tree, users):
    """Whatever a form lets through, a write whose result the user cannot see is rolled back."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from jinguo.core.scope import recheck_visible

    unit = tree["township"]
    with pytest.raises(PermissionDenied), transaction.atomic():
        unit.parent = tree["sister"]
        unit.code = "431123188"
        unit.save()
        recheck_visible(unit, users["county_sysadmin"], "change")
    unit.refresh_from_db()
    assert unit.path == "/430000/431100/431122/431122100/"


def test_parent_outside_scope_is_refused_by_the_form(tree, users, login):
    client = login(users["county_sysadmin"])
    response = client.post(reverse("orgs:orgunit_edit", args=[tree["township"].pk]), {
        "code": "431122100", "name": "白牙市镇", "level": "township", "parent": tree["sister"].pk, "is_active": "on"})
    assert response.status_code == 400
    assert "上级单位" in response.content.decode()
    tree["township"].refresh_from_db()
    assert tree["township"].parent == tree["county"]


def test_api_has_the_same_scope(tree, users, login):
    client = login(users["staff"])
    listing = client.get("/api/orgs/", {"page_size": 500}).json()
    codes = {row["code"] for row in listing["results"]}
    assert "431122100" in codes and "431123" not in codes
    assert client.get(f"/api/orgs/{tree['sister'].pk}/").status_code == 404
    assert client.get(f"/api/orgs/{tree['township'].pk}/").status_code == 200


def test_users_and_role_assignments_are_scoped(tree, users, login):
    client = login(users["county_sysadmin"])
    assert client.get(reverse("accounts:user_detail", args=[users["staff"].pk])).status_code == 200
    assert client.get(reverse("accounts:user_detail", args=[users["sister"].pk])).status_code == 404
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "dongan" in page and "shuangpai" not in page


def test_import_jobs_are_private_to_their_scope(tree, users, login):
    from django.core.files.base import ContentFile

    job = ImportJob(org=tree["sister"], kind="orgs", user=users["sister"], filename="x.xlsx")
    job.file.save("x.xlsx", ContentFile(b"x"), save=True)
    assert login(users["staff"]).get(reverse("core:importjob_detail", args=[job.pk])).status_code == 404


def test_list_page_query_count_does_not_grow_with_rows(tree, users, login):
    client = login(users["city"])
    with assert_max_queries(12):
        client.get(reverse("orgs:orgunit_list"))
    for i in range(30):
        OrgUnit.objects.create(code=f"431122{200 + i}", name=f"镇{i}", level="township", parent=tree["county"])
    with assert_max_queries(12):
        client.get(reverse("orgs:orgunit_list"))


def test_role_assignments_are_invisible_outside_scope(tree, users):
    visible = RoleAssignment.objects.visible_to(users["secadmin"])
    assert visible.filter(user=users["staff"]).exists()
    assert not visible.filter(user=users["viewer"]).exists()  # assigned at the province, above the city
