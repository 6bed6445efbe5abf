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
    from jinguo.accounts.roles import Role
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
