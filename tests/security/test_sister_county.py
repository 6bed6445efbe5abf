"""Every URL pattern and API endpoint, walked as a user of a sister county: 404/403, and never the other county's data.

Generated from the URL resolver, so a new page or endpoint is walked as soon as it exists; a new pattern with an id
in it fails here until the model it addresses is named in MODEL_OF.
"""

import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jinguo.audit.models import AuditEntry
from tests.security.conftest import MARK

# Views that do not declare `queryset`: the record their <pk> addresses.
MODEL_OF = {
    "core:importjob_detail": "importjob", "core:importjob_mapping": "importjob", "core:importjob_remap": "importjob",
    "core:importjob_discard": "importjob",
    "core:attachment_download": "attachment", "accounts:user_action": "user",
    "petitions:case_unmask": "case", "petitions:case_form": "case", "petitions:case_dv": "case",
    "petitions:case_attach": "case", "petitions:case_action": "case", "petitions:assignment_action": "assignment",
    "petitions:referral_feedback": "referral", "reports:summary_detail": "summary",
    "reports:summary_download": "summary", "people:person_detail": "person", "people:aid_add": "beneficiary",
    "people:service_add": "volunteer", "people:loan_step": "loan", "monitoring:submission_detail": "submission",
    "monitoring:submission_action": "submission", "monitoring:grid": "dataset", "ledger:activity_attach": "activity",
    "audit:entry_detail": "auditentry", "api:figure-detail": "figure", "api:indicatorvalue-detail": "datavalue",
    "accounts:apitoken_revoke": "apitoken", "articles:article_action": "article", "articles:article_attach": "article",
    "articles:adoption_withdraw": "adoption",
}
# Values for the other path arguments, one that each view accepts.
OTHER_ARGS = {"action": "accept", "fmt": "docx", "step": "approve", "period": "2025"}
ACTION_OF = {"accounts:user_action": "unlock", "petitions:assignment_action": "report",
             "monitoring:submission_action": "submit"}
DENIED = {403, 404, 405}
# Reference data every county shares (code tables, measures, national rules): not owned by a county, so not walked.
SHARED = {"core:codetable_detail", "core:codeitem_edit", "ledger:measure_edit", "monitoring:validationrule_edit",
          "api:codeitem-detail", "api:measure-detail", "api:rule-detail"}


def _patterns(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def _model_key(name: str, pattern: URLPattern) -> str | None:
    if name in MODEL_OF:
        return MODEL_OF[name]
    callback = pattern.callback
    owner = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    queryset = getattr(owner, "queryset", None)
    return queryset.model._meta.model_name if queryset is not None else None


def _arguments(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def _sister_trail() -> int:
    return AuditEntry.objects.filter(org_path__startswith="/43/4311/431123/").count()


def _assert_no_leak(response, where: str) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    at = body.find(MARK.encode())
    context = body[max(0, at - 300):at + 60].decode(errors="replace")
    assert at < 0, f"{where}: the sister county's data is in the response: {context}"


def test_every_page_and_endpoint_refuses_the_sister_countys_records(sister_world, walker, login, tree, users):
    from jinguo.people.models import Person

    records = {**sister_world, "person": Person.objects.get(beneficiaries=sister_world["beneficiary"])}
    client = login(walker)
    sister_pk = tree["sister"].pk
    unaddressed, walked = [], 0
    for name, pattern in _patterns():
        args = _arguments(pattern)
        if "format" in args or name in SHARED:
            continue  # DRF's .json suffix twins of the routes walked here
        id_args = [a for a in args if a in ("pk", "dataset_pk")]
        if not id_args:
            if args:
                unaddressed.append(name)
                continue
            # A page without an id: its lists, pickers and totals must not show the sister county, even when asked.
            url = reverse(name)
            for query in ({}, {"org": sister_pk}, {"org__in": sister_pk}, {"unit": sister_pk}):
                response = client.get(url, query)
                assert response.status_code in {200, 302, 400, 403, 404, 405}, f"GET {url} {query}: 5xx"
                _assert_no_leak(response, f"GET {url}?{query}")
            walked += 1
            continue
        key = _model_key(name, pattern)
        if key is None or key not in records:
            unaddressed.append(name)
            continue
        kwargs = {arg: records[key].pk for arg in id_args}
        for arg in args:
            if arg not in kwargs:
                kwargs[arg] = ACTION_OF.get(name, OTHER_ARGS.get(arg, "x"))
        url = reverse(name, kwargs=kwargs)
        before = _sister_trail()
        for method in ("get", "post", "put", "patch", "delete"):
            if method in ("put", "patch", "delete") and not url.startswith("/api/"):
                continue
            response = getattr(client, method)(url, {} if method in ("get", "post") else "{}",
                                               **({} if method in ("get", "post") else
                                                  {"content_type": "application/json"}))
            assert response.status_code in DENIED, f"{method.upper()} {url} ({name}) → {response.status_code}"
            _assert_no_leak(response, f"{method.upper()} {url}")
        assert _sister_trail() == before, f"{url} changed the sister county's records"
        walked += 1
    assert not unaddressed, f"patterns with arguments the walk cannot fill: {unaddressed}"
    assert walked > 100


def test_api_lists_filtered_to_the_sister_county_come_back_empty(sister_world, walker, login, tree):
    client = login(walker)
    index = client.get("/api/").json()
    assert len(index) >= 15
    for route, url in index.items():
        path = re.sub(r"^https?://[^/]+", "", url)
        for query in ({}, {"org": tree["sister"].pk}, {"search": MARK}):
            response = client.get(path, query)
            assert response.status_code in {200, 400, 403}, f"{route}: {response.status_code}"
            _assert_no_leak(response, f"GET {path}?{query}")
