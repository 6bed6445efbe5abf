"""Bad input is a clear Chinese 4xx (or ignored with a message), never a 500 or a half-written record.

Walks every GET URL of the project (from the URL resolver, as test_sister_county does) with junk query values;
posts junk numbers into every numeric form; junk arguments into the summary editor's actions.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.conftest import MARK
from tests.security.test_sister_county import ACTION_OF, OTHER_ARGS, SHARED, _arguments, _model_key, _patterns

JUNK_QUERIES = [
    {"org": "abc"}, {"org": "999999999"}, {"org": "99999999999999999999999"}, {"org": "-1"},
    {"period": "xyz"}, {"period": "0000"}, {"period": "9999"}, {"period": "2025M13"},
    {"year": "abc"}, {"page": "abc"}, {"per_page": "abc"}, {"month": "2025-13"}, {"date_from": "2025-13-45"},
    {"node": "abc"}, {"threshold": "abc", "period": "2025", "download": "1"},
    {"export": "xlsx", "org": "abc", "period": "xyz", "page": "abc", "year": "abc", "date_to": "abc"},
]
# Junk in path arguments other than ids (statistics periods, formats, actions).
JUNK_ARGS = {"period": ["xyz", "0000", "9999", "2025M13"], "fmt": ["exe"], "action": ["nonsense"],
             "step": ["nonsense"]}


def _body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode(
        errors="replace")


def test_every_get_url_answers_junk_query_values_without_a_server_error(make_world, tree, walker, login):
    from jinguo.people.models import Person

    world = make_world(tree["county"], tree["township"], walker, MARK)
    records = {**world, "person": Person.objects.get(beneficiaries=world["beneficiary"])}
    from jinguo.core.roles import Role
    from jinguo.testing import make_user

    # Pages a county worker may not open are walked as the first of these who may.
    people = [walker, make_user("walk_clerk", world["orgunit"], Role.AGENCY_CLERK),
              make_user("walk_sys", tree["county"], Role.SYSTEM_ADMIN),
              make_user("walk_sec", tree["county"], Role.SECURITY_ADMIN),
              make_user("walk_audit", tree["county"], Role.AUDIT_ADMIN)]
    clients = []
    for person in people:
        clients.append(login(person))
        clients[-1].raise_request_exception = False  # collect every 500, not only the first
    failures, walked = [], 0
    for name, pattern in _patterns():
        args = _arguments(pattern)
        if "format" in args:
            continue
        id_args = [a for a in args if a in ("pk", "dataset_pk")]
        kwargs = {}
        if id_args:
            key = _model_key(name, pattern)
            if name in SHARED:
                continue
            assert key in records, f"{name}: no record to address"
            kwargs = {arg: records[key].pk for arg in id_args}
        for arg in args:
            if arg not in kwargs:
                kwargs[arg] = ACTION_OF.get(name, OTHER_ARGS.get(arg, "x"))
        urls = [reverse(name, kwargs=kwargs)]
        for arg, values in JUNK_ARGS.items():
            if arg in kwargs:
                urls += [reverse(name, kwargs={**kwargs, arg: value}) for value in values]
        client = next((c for c in clients if c.get(urls[0]).status_code != 403), clients[0])
        for url in urls:
            for query in JUNK_QUERIES:
                response = client.get(url, query)
                if response.status_code >= 500:
                    failures.append(f"GET {url}?{query} → {response.status_code}")
                elif response.status_code in (400, 404) and not url.startswith("/api/"):
                    # The page says what was wrong, in Chinese (a bare "Bad Request" is not an answer).
                    body = _body(response)
                    if "<html" in body and not any("\u4e00" <= ch <= "\u9fff" for ch in body):
                        failures.append(f"GET {url}?{query} → {response.status_code} without a Chinese message")
        walked += 1
    assert not failures, "\n".join(failures)
    assert walked > 150


STAT_PAGES = ["petitions:statistics", "ledger:funds", "monitoring:attainment", "reports:dashboard", "reports:return"]


@pytest.mark.parametrize("name", STAT_PAGES)
def test_statistics_pages_say_what_was_wrong_with_the_unit_or_period(name, tree, users, login):
    client = login(users["city"])
    url = reverse(name)
    response = client.get(url, {"org": "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "单位" in page and "abc" in page
    # A unit that does not exist or is not hers is not found, as before.
    assert client.get(url, {"org": "999999999"}).status_code == 404
    assert client.get(url, {"org": tree["other_city"].pk}).status_code == 404
    # A bad period is ignored: the current year is shown, with a message naming the value.
    for period in ("xyz", "0000", "9999", "2025M13"):
        response = client.get(url, {"period": period, "org": tree["county"].pk})
        assert response.status_code == 200, (period, response.status_code)
        assert f"“{period}”不是有效的统计期" in response.content.decode()


# --- Numbers ---------------------------------------------------------------------------------------------------------
JUNK_NUMBERS = ["NaN", "Infinity", "-Infinity", "1E+30", "1e400", "1" + "0" * 16, "9" * 25, "sNaN", "abc"]


def _number_inputs(html: str) -> list[str]:
    """Names of the number fields of the page's own form (type=number, or inputmode decimal/numeric)."""
    import re

    names = []
    for tag in re.findall(r"<input\b[^>]*>", html):
        if re.search(r'type="number"|inputmode="(decimal|numeric)"', tag):
            name = re.search(r'name="([^"]+)"', tag)
            if name:
                names.append(name.group(1))
    return names


@pytest.mark.parametrize("junk", ["NaN", "Infinity", "-Infinity", "1E+30", "1e400", "1" + "0" * 15, "十二"])
def test_monitoring_grid_refuses_junk_numbers_beside_the_cell_and_saves_nothing(junk, tree, users, login):
    from jinguo.audit.models import AuditEntry
    from jinguo.monitoring.models import DataSet, DataValue, Indicator, Submission

    dataset = DataSet.objects.create(org=tree["agency"], name="妇女健康")
    first, second = Indicator.objects.order_by("outline", "domain", "code")[:2]
    dataset.indicators.set([first, second])
    client = login(users["clerk"])
    url = reverse("monitoring:grid", args=[dataset.pk, "2025"])
    trail = AuditEntry.objects.count()
    for action in ("save", "submit"):
        response = client.post(url, {f"v_{first.pk}": "12", f"v_{second.pk}": junk, f"c_{second.pk}": "说明",
                                     "action": action})
        assert response.status_code == 400, (junk, action, response.status_code)
        page = response.content.decode()
        cell = page[page.index(f'name="v_{second.pk}"'):]
        cell = cell[:cell.index("</td>")]
        assert "field-error" in cell and "“" in cell, f"no message beside the cell: {cell}"
        assert not any(ch in cell for ch in "abcdefghijklmnopqrstuvwxyz" if f"{ch}ot a" in cell)
        assert f'value="{junk}"' in page  # what she typed stays in the cell to correct
    # Nothing written: no submission opened, no value, no audit entry.
    assert not Submission.objects.filter(dataset=dataset).exists()
    assert not DataValue.objects.exists()
    assert AuditEntry.objects.count() == trail


def test_monitoring_grid_still_saves_good_numbers_with_separators(tree, users, login):
    from decimal import Decimal

    from jinguo.monitoring.models import DataSet, DataValue, Indicator

    dataset = DataSet.objects.create(org=tree["agency"], name="妇女健康")
    indicator = Indicator.objects.order_by("code").first()
    dataset.indicators.set([indicator])
    client = login(users["clerk"])
    url = reverse("monitoring:grid", args=[dataset.pk, "2025"])
    assert client.post(url, {f"v_{indicator.pk}": "12,345.67891", "action": "save"}).status_code == 302
    assert DataValue.objects.get().value == Decimal("12345.6789")


def test_every_number_field_of_every_add_and_edit_page_refuses_junk_numbers(make_world, tree, walker, login):
    """Ledger figures, funds, plan items, indicators and targets, time limits, code items …: each number field of
    each add/edit page, posted with each junk number, is a 4xx with a Chinese message and writes nothing."""
    from jinguo.audit.models import AuditEntry
    from jinguo.testing import form_data

    world = make_world(tree["county"], tree["township"], walker, MARK)
    client = login(walker)
    client.raise_request_exception = False
    failures, fields_tried = [], set()
    for name, pattern in _patterns():
        if name.startswith(("people:", "api:")) or not name.endswith(("_add", "_edit")):
            continue  # the registries' numbers are checked by their own tests
        args = _arguments(pattern)
        kwargs = {}
        if args:
            key = _model_key(name, pattern)
            if key not in world:
                continue
            kwargs = {"pk": world[key].pk}
        url = reverse(name, kwargs=kwargs)
        page = client.get(url)
        if page.status_code != 200:
            continue
        html = page.content.decode()
        data = form_data(html)
        for field in _number_inputs(html):
            fields_tried.add(f"{name}.{field}")
            for junk in JUNK_NUMBERS:
                trail = AuditEntry.objects.count()
                response = client.post(url, {**data, field: junk})
                body = response.content.decode(errors="replace")
                if response.status_code >= 500 or response.status_code == 302:
                    failures.append(f"POST {url} {field}={junk} → {response.status_code}")
                elif not any("\u4e00" <= ch <= "\u9fff" for ch in body):
                    failures.append(f"POST {url} {field}={junk}: no Chinese message")
                if AuditEntry.objects.count() != trail:
                    failures.append(f"POST {url} {field}={junk} wrote to the audit trail")
    assert not failures, "\n".join(failures)
    # The walk reached the number fields it is about.
    for expected in ("ledger:activity_add.m_participants", "monitoring:indicator_add.target",
                     "petitions:timelimits_add.accept_days"):
        assert any(f.startswith(expected.split(".")[0]) for f in fields_tried), (expected, sorted(fields_tried))
    assert len(fields_tried) >= 10, sorted(fields_tried)


# --- The summary editor ---------------------------------------------------------------------------------------
EDITOR_JUNK = ["add:x", "add:", "add:-1", "add:999", "add:1e3", "add:²", "delete:999", "delete:-1", "delete:abc",
               "delete:", "delete:²", "delete:0", "move:1", "move:abc:def", "move:1:2", "nonsense", "add:0:1"]


@pytest.mark.parametrize("action", EDITOR_JUNK)
def test_summary_editor_answers_junk_actions_with_a_chinese_400_and_keeps_the_text(action, tree, users, login):
    from jinguo.reports.models import Summary

    blocks = [{"key": "p1", "kind": "para", "text": "生成的段落", "origin": "generated", "edited": False,
               "links": []},
              {"key": "user.1", "kind": "para", "text": "自己写的段落", "origin": "user", "edited": False,
               "links": []}]
    summary = Summary.objects.create(org=tree["county"], title="2025年工作总结", created_by=users["staff"],
                                     status=Summary.Status.READY, period="2025", blocks=blocks)
    client = login(users["staff"])
    client.raise_request_exception = False
    response = client.post(summary.get_absolute_url(), {"text_0": "刚改的文字", "action": action,
                                                         "version": str(summary.version)})
    assert response.status_code == 400, (action, response.status_code)
    page = response.content.decode()
    assert "未保存" in page or "未执行" in page, page[:3000]
    assert "刚改的文字" in page  # what she typed is still on the page
    summary.refresh_from_db()
    assert summary.blocks == blocks


@pytest.mark.parametrize("version", ["abc", "²", "9" * 30, "-1"])
def test_summary_editor_junk_version_is_not_a_server_error(version, tree, users, login):
    from jinguo.reports.models import Summary

    summary = Summary.objects.create(org=tree["county"], title="总结", created_by=users["staff"], period="2025",
                                     status=Summary.Status.READY, blocks=[])
    client = login(users["staff"])
    client.raise_request_exception = False
    response = client.post(summary.get_absolute_url(), {"action": "save", "version": version})
    assert response.status_code in (302, 409), response.status_code


def test_summary_editor_good_actions_still_work(tree, users, login):
    from jinguo.reports.models import Summary

    summary = Summary.objects.create(org=tree["county"], title="总结", created_by=users["staff"], period="2025",
                                     status=Summary.Status.READY,
                                     blocks=[{"key": "p1", "kind": "para", "text": "原文", "origin": "generated",
                                              "edited": False, "links": []}])
    client = login(users["staff"])
    url = summary.get_absolute_url()
    assert client.post(url, {"action": "add:0"}).status_code == 302
    summary.refresh_from_db()
    assert [b["origin"] for b in summary.blocks] == ["generated", "user"]
    assert client.post(url, {"action": "delete:1"}).status_code == 302
    summary.refresh_from_db()
    assert [b["origin"] for b in summary.blocks] == ["generated"]
