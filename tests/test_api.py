"""The REST API: schema, offline docs, scope and Chinese errors."""

import pytest


def test_schema_and_offline_docs(users, login):
    client = login(users["staff"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/orgs/" in text and "/api/codes/" in text
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_anonymous_is_refused_in_chinese(db, client):
    response = client.get("/api/orgs/")
    assert response.status_code in (401, 403)
    assert "身份认证信息未提供" in response.json()["detail"]


def test_code_items_by_table(users, login):
    data = login(users["staff"]).get("/api/codes/", {"table": "agency_type"}).json()
    names = [row["name"] for row in data["results"]]
    assert "统计局" in names and "人民法院" in names
    court = next(row for row in data["results"] if row["name"] == "人民法院")
    assert "法院" in court["aliases"]


def test_api_is_read_only_for_units(tree, users, login):
    client = login(users["county_sysadmin"])
    response = client.delete(f"/api/orgs/{tree['township'].pk}/")
    assert response.status_code == 405


@pytest.mark.parametrize("body", ["null", "[]", '"reason"', "3"])
def test_action_bodies_that_are_not_objects_are_a_400(body, tree, users, login, make_case):
    """A workflow action's body must be a JSON object: null, a list, a string or a number never gives a 500 (as
    schemathesis found with `null` on /reopen/); the actions that read a reason answer 400 in Chinese."""
    from jinguo.monitoring.models import DataSet, Submission
    from jinguo.orgs.models import Level
    from jinguo.orgs.services import add_org

    agency = add_org("431122-WJ", "东安县卫健局", parent=tree["county"], level=Level.AGENCY)
    submission = Submission.objects.create(org=agency, dataset=DataSet.objects.create(org=agency, name="健康"),
                                           period="2025")
    case = make_case(tree["county"])
    client = login(users["leader"])
    urls = [f"/api/submissions/{submission.pk}/{step}/" for step in ("return", "reopen", "submit", "approve")]
    urls += [f"/api/cases/{case.pk}/{step}/" for step in ("unmask", "accept", "reply", "close")]
    for url in urls:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code < 500, (url, response.status_code, response.content[:300])
        if url.endswith(("/return/", "/reopen/", "/unmask/")):  # the actions that read a reason from the body
            assert response.status_code == 400 and "dictionary" not in response.content.decode(), url


def test_errors_are_worded_in_chinese(tree, users, login, client):
    """A missing record, a body that is not JSON and a failed CSRF check: DRF and Django word them in English."""
    from django.test import Client

    from jinguo.testing import signed_in_client

    staff = login(users["staff"])
    missing = staff.get("/api/cases/999999/")
    assert missing.status_code == 404 and "不存在" in missing.json()["detail"]
    broken = staff.post("/api/cases/", "{not json", content_type="application/json")
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"] and "parse error" not in str(broken.json())
    strict = signed_in_client(users["staff"], Client(enforce_csrf_checks=True))
    refused = strict.post("/api/cases/", {}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF 校验失败" in refused.json()["detail"]
