"""The case list over the API at scale: keyset pages with the total on request, old `?page=` clients still answered,
masked petitioners read from their stored masks (nothing decrypted), and the hand-written representation equal to
what DRF's fields would write."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from jinguo.petitions import services


@pytest.fixture
def cases(tree, users, make_case):
    """Seven cases of 东安县 — two registered at the same minute, so the keyset must break ties by id — and one of
    the sister county, which no page may show."""
    made = [make_case(tree["county"], received=f"2025-03-{day:02d} 09:00", name=f"王{day}", id_number="",
                      phone=f"1390000{day:04d}") for day in (1, 2, 3, 3, 4, 5, 6)]
    make_case(tree["sister"], received="2025-03-07 09:00", name="外县人")
    return made


def _ids(rows):
    return [row["id"] for row in rows]


def test_keyset_pages_walk_every_visible_case_once_in_list_order(cases, users, login):
    client = login(users["staff"])
    expected = sorted(cases, key=lambda c: (c.received_at, c.pk), reverse=True)
    first = client.get("/api/cases/", {"page_size": 3}).json()
    assert first["count"] is None and first["previous"] is None and len(first["results"]) == 3
    seen, page, pages = list(first["results"]), first, [first]
    while page["next"]:
        page = client.get(page["next"]).json()
        assert page["count"] is None and page["previous"]
        pages.append(page)
        seen += page["results"]
    assert _ids(seen) == [c.pk for c in expected]  # the tie of 3 March is split across pages without loss
    services.accept_case(cases[0], actor=users["staff"], on=dt.date(2025, 3, 2))
    for row in client.get("/api/cases/", {"page_size": 50}).json()["results"]:  # the list's plain-values path
        assert row == client.get(f"/api/cases/{row['id']}/").json()  # … writes what the detail writes
    back = client.get(pages[-1]["previous"]).json()
    assert _ids(back["results"]) == _ids(pages[-2]["results"])
    assert client.get(back["previous"]).json()["previous"] is None


def test_the_total_only_on_request_and_old_page_clients_still_answered(cases, users, login):
    client = login(users["staff"])
    counted = client.get("/api/cases/", {"page_size": 2, "count": "true"}).json()
    assert counted["count"] == 7 and len(counted["results"]) == 2
    old = client.get("/api/cases/", {"page": 2, "page_size": 3}).json()
    assert old["count"] == 7 and "page=3" in old["next"] and "page" in old["previous"]
    assert _ids(old["results"]) == _ids(client.get("/api/cases/", {"page_size": 9}).json()["results"])[3:6]


@pytest.mark.parametrize("cursor", [
    "junk", "eyJkIjoibiJ9",  # not base64 JSON; {"d": "n"} without its key
    "eyJkIjoibiIsImsiOlsieCIsMV19",  # {"d": "n", "k": ["x", 1]}: not a time
    "eyJkIjoibiIsImsiOlsiMjAyNS0wMy0wMVQwMTowMDowMCswMDowMCIsMTAwMDAwMDAwMDAwMDAwMDAwMDAwMF19",  # an id past bigint
])
def test_a_bad_cursor_is_a_400_in_chinese(cases, users, login, cursor):
    response = login(users["staff"]).get("/api/cases/", {"cursor": cursor})
    assert response.status_code == 400 and "翻页游标无效" in response.json()["cursor"][0]


def test_filters_and_scope_hold_across_cursor_pages(cases, users, login):
    client = login(users["city"])  # the city sees both counties
    everyone = client.get("/api/cases/", {"page_size": 50, "count": "1"}).json()
    assert everyone["count"] == 8
    page = client.get("/api/cases/", {"page_size": 2, "within": users["staff"].org.pk}).json()
    ids = _ids(page["results"])
    while page["next"]:
        page = client.get(page["next"]).json()
        ids += _ids(page["results"])
    assert sorted(ids) == sorted(c.pk for c in cases)
    sister_page = login(users["sister"]).get("/api/cases/").json()
    assert len(sister_page["results"]) == 1 and sister_page["results"][0]["petitioners"][0]["name"] == "外**"


def test_list_decrypts_nothing_and_shows_the_stored_masks(cases, users, login, monkeypatch):
    from jinguo.core import crypto

    def refuse(token):
        raise AssertionError("the case list decrypted a value")

    monkeypatch.setattr(crypto, "decrypt_text", refuse)
    rows = login(users["staff"]).get("/api/cases/").json()["results"]
    person = next(r for r in rows if r["id"] == cases[0].pk)["petitioners"][0]
    assert person == {"sex": "F", "age": None, "name": "王*", "id_number": "", "phone": "139****0001", "address": ""}


def test_hand_written_representation_equals_drfs(tree, users, make_case):
    """Every field of CaseSerializer, in every shape a case takes (with and without subcategory, accepted, replied,
    closed), comes out exactly as DRF's own field machinery would write it."""
    from rest_framework import serializers

    from jinguo.petitions.api import CaseSerializer
    from jinguo.petitions.models import Case

    open_case = make_case(tree["county"], name="李四", id_number="430103199001011234", phone="13900001111",
                          address="东安县白牙市镇某某村3组")
    done = make_case(tree["county"], sub="家庭暴力", received="2025-01-02 23:30", name="赵", flags=("dv", "urgent"))
    services.accept_case(done, actor=users["staff"], on=dt.date(2025, 1, 3))
    services.reply_case(done, reply="已调解", actor=users["staff"], on=dt.date(2025, 1, 20))
    services.close_case(done, result="mediated", actor=users["staff"])
    queryset = Case.objects.select_related("channel", "category", "subcategory", "org").prefetch_related(
        "petitioners")
    for case in queryset.filter(pk__in=[open_case.pk, done.pk]):
        fast = CaseSerializer(case).data
        slow = serializers.ModelSerializer.to_representation(CaseSerializer(case), case)
        assert list(fast) == list(CaseSerializer().fields) and dict(fast) == dict(slow)
    assert fast["received_at"] == timezone.localtime(done.received_at).isoformat()


def test_masks_are_written_with_the_petitioner_and_by_the_migration(tree, make_case):
    from django.apps import apps
    from django.db import connection

    from jinguo.petitions.migrations import __name__ as package
    from jinguo.petitions.models import Petitioner

    case = make_case(tree["county"], name="欧阳娜娜", id_number="430103199001011234", phone="13900001111",
                     address="东安县白牙市镇某某村3组")
    person = case.petitioners.get()
    expected = {"name": "欧***", "id_number": "430***********1234", "phone": "139****1111",
                "address": "东安县白牙市****"}
    assert person.masked() == expected and str(person) == "欧***"
    Petitioner.objects.update(name_masked="", id_number_masked="", phone_masked="", address_masked="")
    migration = __import__(f"{package}.0006_petitioner_masked", fromlist=["fill_masks"])
    migration.fill_masks(apps, SimpleNamespace(connection=connection))  # it uses only the editor's connection
    assert Petitioner.objects.get().masked() == expected


def test_the_bulk_import_path_stores_the_masks(tree, codes):
    """Historical rows go in by COPY on PostgreSQL (`create_objects`): each field's pre_save still runs, so the masks
    are there without a decryption."""
    from jinguo.petitions.models import Case, Petitioner

    case = Case(org=tree["county"], channel=codes["channel"]["来电"], category=codes["category"]["婚姻家庭"],
                summary="历史台账", received_at=timezone.make_aware(dt.datetime(2024, 5, 1, 9, 0)))
    person = services.PetitionerData(name="孙小美", id_number="430103199001011234", phone="0746-1234567")
    services.import_historical([services.HistoricalCase(case, [person])])
    stored = Petitioner.objects.only(*Petitioner.MASKED_VIEW_FIELDS).get(case=case)
    assert stored.masked() == {"name": "孙**", "id_number": "430***********1234", "phone": "074****4567",
                               "address": ""}


def _walk(client, params: dict) -> list[tuple]:
    """Every page forward from the first, then back again: each page's ids and whether it links on."""
    page = client.get("/api/cases/", params).json()
    pages = [(_ids(page["results"]), page["count"], bool(page["next"]), bool(page["previous"]))]
    for direction in ("next", "previous"):
        while page[direction]:
            page = client.get(page[direction]).json()
            pages.append((_ids(page["results"]), page["count"], bool(page["next"]), bool(page["previous"])))
    return pages


def test_the_compiled_page_query_pages_as_the_orm_does(cases, tree, users, make_case, login):
    """Unfiltered, the list runs one page query compiled for every user, only her units and the cursor changing;
    with a filter that keeps every case, the ORM builds each page. Walked forward and back by users of different
    scopes one after another, both give the same pages, and the maintained total equals the count."""
    from jinguo.petitions.models import Case

    handed = make_case(tree["sister"], received="2025-03-03 09:00", name="交办")
    Case.objects.filter(pk=handed.pk).update(handler=tree["township"])  # 双牌县's case, handled in 东安县
    make_case(tree["other_county"], received="2025-03-05 09:00", name="郴州人")
    walks = {}
    for name in ("staff", "sister", "city", "leader", "staff"):
        client = login(users[name])
        compiled = _walk(client, {"page_size": 2, "count": "true"})
        built = _walk(client, {"page_size": 2, "count": "true", "date_from": "2000-01-01"})
        assert compiled == built, name
        walks[name] = compiled
        visible = Case.objects.visible_to(users[name]).count()
        assert compiled[0][1] == visible
    assert handed.pk in {pk for ids, *_ in walks["staff"] for pk in ids}
    assert walks["sister"][0][1] == 2 and walks["staff"][0][1] == 8 and walks["city"][0][1] == 9
    assert len(walks["city"]) == 9  # five pages forward, four back
