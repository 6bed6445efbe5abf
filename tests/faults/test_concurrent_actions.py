"""Many people pressing the same workflow button at once: one wins, every other one is told the record changed under
her (409, "该记录已被他人修改，请刷新后重试"), and the record carries one event — never a 500, never two acceptances."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from jinguo.testing import form_data

CONFLICT = "该记录已被他人修改，请刷新后重试"
THREADS = 20


def _all_at_once(post) -> list:
    """`post(i)` (a response) for i in range(THREADS), each in its own thread, released together: the responses, or
    the exception a thread met. PostgreSQL runs them truly at once (one connection each, locks decide); SQLite's
    shared-cache test database cannot take two writers, so there they take turns — the same checks decide."""
    serial = threading.Lock() if connection.vendor == "sqlite" else None
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            if serial:
                with serial:
                    results[i] = post(i)
            else:
                results[i] = post(i)
        except Exception as exc:  # reported by the caller with the others
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def defaults(transactional_db):
    """The code tables, in case a transactional test before this one (a browser test) flushed them."""
    from jinguo.core.defaults import ensure_defaults

    ensure_defaults()


# serialized_rollback: the flush after this test puts back the code tables the migrations loaded, which every later
# test needs (and leaves no content types behind for the next serialized test to collide with)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_people_accepting_one_case_at_once_one_wins_the_rest_get_the_conflict(defaults, tree, users, make_case,
                                                                                      login):
    from jinguo.petitions.models import Case, CaseEvent

    case = make_case(tree["county"])
    url = reverse("petitions:case_detail", args=[case.pk])
    action = reverse("petitions:case_action", args=[case.pk, "accept"])
    clients = [login(users["staff"]) for _ in range(THREADS)]
    for client in clients:
        client.raise_request_exception = False
    # Each one has the case open on her screen (the same version), then they all press 受理 together.
    forms = [form_data(client.get(url).content.decode(), action_contains=action) for client in clients]
    assert all(form["version"] == str(case.version) for form in forms)
    responses = _all_at_once(lambda i: clients[i].post(action, forms[i]))
    results = [(None, repr(r)) if isinstance(r, Exception) else (r.status_code, r.content.decode(errors="replace"))
               for r in responses]
    codes = [code for code, _body in results]
    assert codes.count(302) == 1, codes
    losers = [(code, body) for code, body in results if code != 302]
    assert all(code == 409 and CONFLICT in body for code, body in losers), [
        (code, body[:300]) for code, body in losers if code != 409 or CONFLICT not in body]
    case = Case.objects.get(pk=case.pk)
    assert case.status == "accepted"
    assert CaseEvent.objects.filter(case=case, code="case.accepted").count() == 1


def test_a_workflow_button_pressed_on_a_stale_page_is_a_conflict_not_a_second_step(tree, users, make_case, login):
    """The second officer's page still shows 受理 after the first accepted: 409 and the message, not a 500 or a
    confusing "cannot accept in this status"."""
    from jinguo.petitions.models import CaseEvent

    case = make_case(tree["county"])
    url = reverse("petitions:case_detail", args=[case.pk])
    action = reverse("petitions:case_action", args=[case.pk, "accept"])
    first, second = login(users["staff"]), login(users["leader"])
    stale = form_data(second.get(url).content.decode(), action_contains=action)
    fresh = form_data(first.get(url).content.decode(), action_contains=action)
    assert first.post(action, fresh).status_code == 302
    response = second.post(action, stale)
    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    assert CaseEvent.objects.filter(case=case, code="case.accepted").count() == 1


def test_monitoring_review_on_a_stale_page_is_a_conflict(tree, users, login):
    from jinguo.monitoring import services
    from jinguo.monitoring.models import DataSet, Indicator, Submission

    dataset = DataSet.objects.create(org=tree["agency"], name="妇女健康")
    dataset.indicators.set(Indicator.objects.order_by("code")[:1])
    submission = Submission.objects.create(org=tree["agency"], dataset=dataset, period="2025",
                                           status=Submission.Status.SUBMITTED)
    grid = reverse("monitoring:grid", args=[dataset.pk, "2025"])
    review = reverse("monitoring:submission_action", args=[submission.pk, "review"])
    client = login(users["leader"])
    stale = form_data(client.get(grid).content.decode(), action_contains=review)
    assert stale["version"] == str(submission.version)
    services.review(Submission.objects.get(pk=submission.pk), actor=users["leader"])
    response = client.post(review, stale)
    assert response.status_code == 409 and CONFLICT in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_unmasks_sent_all_at_once_cannot_pass_the_limit_together(defaults, tree, users, make_case, login, settings):
    """Twenty unmask requests from one account at the same moment (a script): at most UNMASK_LIMIT get clear data,
    the rest the 429 — the count and the entry it adds are one step per account, not a check others slip past."""
    from jinguo.audit.models import AuditEntry

    settings.UNMASK_LIMIT = 3
    cases = [make_case(tree["county"]) for _ in range(5)]
    clients = [login(users["leader"]) for _ in range(THREADS)]
    for client in clients:
        client.raise_request_exception = False
    responses = _all_at_once(lambda i: clients[i].post(f"/api/cases/{cases[i % len(cases)].pk}/unmask/",
                                                        {"reason": "批量核对"}))
    results = [repr(r) if isinstance(r, Exception) else r.status_code for r in responses]
    assert sorted(results, key=str) == [200] * 3 + [429] * (THREADS - 3), results
    assert AuditEntry.objects.filter(action="personal.unmasked").count() == 3
    assert AuditEntry.objects.filter(action="personal.unmask_limited").count() == THREADS - 3
