"""The REST API: schema, offline docs, scope and Chinese errors."""


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
