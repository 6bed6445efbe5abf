"""Two people editing one record: the second save is refused with a clear message, never a silent overwrite."""

from django.urls import reverse

from jinguo.petitions.models import Case
from jinguo.testing import form_data


def test_second_editor_of_a_case_gets_a_conflict_not_an_overwrite(tree, users, make_case, login):
    case = make_case(tree["county"], summary="原始摘要", name="赵丽")
    url = reverse("petitions:case_edit", args=[case.pk])
    first, second = login(users["staff"]), login(users["leader"])
    first_form = form_data(first.get(url).content.decode())
    second_form = form_data(second.get(url).content.decode())
    assert first_form["version"] == second_form["version"] == str(case.version)

    response = first.post(url, {**first_form, "summary": "第一位修改的摘要"})
    assert response.status_code == 302, response.content.decode()[:2000]

    response = second.post(url, {**second_form, "summary": "第二位修改的摘要"})
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    case.refresh_from_db()
    assert case.summary == "第一位修改的摘要"
    assert case.version == int(first_form["version"]) + 1

    # Having reloaded the page, the second editor can save.
    fresh = form_data(second.get(url).content.decode())
    assert second.post(url, {**fresh, "summary": "第二位修改的摘要"}).status_code == 302
    case.refresh_from_db()
    assert case.summary == "第二位修改的摘要"


def test_workflow_step_in_between_also_counts_as_a_change(tree, users, make_case, login):
    from jinguo.petitions import services

    case = make_case(tree["county"])
    url = reverse("petitions:case_edit", args=[case.pk])
    client = login(users["staff"])
    stale = form_data(client.get(url).content.decode())
    services.accept_case(Case.objects.get(pk=case.pk), actor=users["leader"])
    assert client.post(url, {**stale, "summary": "改"}).status_code == 409


def test_api_update_with_an_old_version_is_409(tree, users, make_activity, login):
    activity = make_activity(tree["county"], "三八维权周宣传", "2025-03-08", participants=120)
    client = login(users["staff"])
    url = f"/api/activities/{activity.pk}/"
    body = client.get(url).json()
    payload = {"org": body["org"], "kind": body["kind"], "title": "改后的标题", "start_date": body["start_date"],
               "version": body["version"]}
    assert client.put(url, payload, content_type="application/json").status_code == 200
    response = client.put(url, {**payload, "title": "再改"}, content_type="application/json")
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"] and response.json()["version"] == body["version"] + 1


def test_second_editor_of_a_summary_keeps_her_text_and_is_told(tree, users, login):
    from jinguo.reports.models import Summary

    summary = Summary.objects.create(org=tree["county"], title="2025年工作总结", created_by=users["staff"],
                                     status=Summary.Status.READY, period="2025",
                                     blocks=[{"key": "p1", "kind": "para", "text": "原文", "origin": "generated",
                                              "edited": False, "links": []}])
    url = summary.get_absolute_url()
    first, second = login(users["staff"]), login(users["leader"])
    stale = form_data(second.get(url).content.decode())
    first_form = form_data(first.get(url).content.decode())
    assert first.post(url, {**first_form, "text_0": "第一位的段落", "action": "save"}).status_code == 302
    response = second.post(url, {**stale, "text_0": "第二位的段落", "action": "save"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "已被他人修改" in page and "第二位的段落" in page
    summary.refresh_from_db()
    assert summary.blocks[0]["text"] == "第一位的段落"
