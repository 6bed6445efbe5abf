"""Each workflow's action table drives both doors: every action, done on its page and over the API on twin records,
leaves the same state, the same fields and the same audit events; an action the state does not allow is a Chinese
message on the page and a 409 over the API, and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from jinguo.audit.models import AuditEntry
from jinguo.core.actions import Workflow
from jinguo.core.roles import Role
from jinguo.monitoring import services as monitoring
from jinguo.monitoring.actions import SUBMISSION_ACTIONS
from jinguo.monitoring.models import DataSet, Submission
from jinguo.orgs.models import Level
from jinguo.orgs.services import add_org
from jinguo.people import services as people
from jinguo.people.actions import LOAN_ACTIONS
from jinguo.people.models import Loan
from jinguo.petitions import services as petitions
from jinguo.petitions.actions import CASE_ACTIONS
from jinguo.testing import make_user

# Fields that differ between twins by construction, or are stamps of when they were written.
IGNORED = {"id", "number", "version", "created", "updated", "dataset", "person", "seq"}


def _events(obj, after: int) -> list[tuple]:
    """The audit entries written about `obj`: a named event with its note and detail, a change by its kind (its
    before/after carry the twin's own number and stamps)."""
    entries = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), seq__gt=after)
    return [(e.action, e.note, e.data) if e.kind == AuditEntry.Kind.EVENT else (e.action,)
            for e in entries.order_by("seq")]


def _state(obj) -> dict:
    fresh = type(obj).objects.get(pk=obj.pk)
    return {k: v for k, v in model_to_dict(fresh).items() if k not in IGNORED}


def _mark() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _both_doors(workflow: Workflow, name: str, twins, *, client, urls, page_data: dict, api_data: dict):
    """Do `name` on the first twin through the page and on the second through the API; both must succeed and
    leave the same record and events (including the action's own named event)."""
    by_page, by_api = twins
    mark = _mark()
    response = client.post(urls[0](by_page, name), {"confirmed": "1", **page_data})
    assert response.status_code == 302, (name, response.status_code, response.content.decode()[-3000:])
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any(m.level_tag == "error" for m in get_messages(response.wsgi_request)), (name, shown)
    answer = client.post(urls[1](by_api, name), api_data, content_type="application/json")
    assert answer.status_code == 200, (name, answer.status_code, answer.content.decode())
    assert _state(by_page) == _state(by_api), name
    assert answer.json()["status"] == type(by_page).objects.get(pk=by_page.pk).status
    page_events, api_events = _events(by_page, mark), _events(by_api, mark)
    assert page_events == api_events, name
    assert workflow[name].event in [e[0] for e in page_events], (name, page_events)


def _refused_on_both(workflow: Workflow, name: str, obj, *, client, urls, page_data: dict, api_data: dict):
    """An action the record's state does not allow: a message naming the state on the page, 409 over the API."""
    before, mark = _state(obj), _mark()
    response = client.post(urls[0](obj, name), {"confirmed": "1", **page_data}, follow=True)
    text = response.content.decode()
    assert "当前状态为" in text and f"不能{workflow[name].label}" in text, name
    answer = client.post(urls[1](obj, name), api_data, content_type="application/json")
    assert answer.status_code == 409, (name, answer.status_code, answer.content.decode())
    body = answer.json()
    assert "当前状态为" in body["detail"] and body["status"] == obj.status
    assert body["allowed_actions"] == [a.name for a in workflow.allowed(obj)]
    assert _state(obj) == before and _events(obj, mark) == []


# --- Petitions ---------------------------------------------------------------------------------------------------
def _case_input(name: str) -> tuple[dict, dict]:
    """(page form data without the prefix, API body) of a case action; {agency}/{org} filled per test. Dates are
    today's as the test runs (a suite running past midnight Beijing time moves the services' today too)."""
    today, soon = timezone.localdate().isoformat(), (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    return {
        "accept": ({"on": today, "note": "已受理"}, {"on": today, "note": "已受理"}),
        "reject": ({"reason": "不属于妇联受理范围"}, {"reason": "不属于妇联受理范围"}),
        "transfer": ({"to": "县人民法院", "note": "涉诉"}, {"to": "县人民法院", "note": "涉诉"}),
        "start": ({"note": "开始办理"}, {"note": "开始办理"}),
        "refer": ({"agency_type": "{agency}", "unit_name": "县法律援助中心", "on": today},
                  {"agency_type": "法律援助", "unit_name": "县法律援助中心", "sent_on": today}),
        "extend": ({"days": "10", "reason": "需调查核实"}, {"days": 10, "reason": "需调查核实"}),
        "assign": ({"to_org": "{org}", "due_on": soon, "note": "请核实"}, {"to_org": "{org_code}", "due_on": soon,
                                                                        "note": "请核实"}),
        "reply": ({"reply": "已协调解决", "on": today}, {"reply": "已协调解决", "on": today}),
        "follow_up": ({"on": today, "method": "phone", "satisfaction": "satisfied"},
                      {"on": today, "method": "phone", "satisfaction": "satisfied"}),
        "close": ({"result": "explained", "on": today}, {"result": "explained"}),
        "request_review": ({"note": "不服"}, {"note": "不服"}),
    }[name]


# How to bring a fresh case to a status each action leaves from.
CASE_PATH = {"registered": [], "accepted": ["accept"], "replied": ["accept", "reply"]}


def _case_at(make_case, org, status: str):
    case = make_case(org)
    for step in CASE_PATH[status]:
        if step == "accept":
            petitions.accept_case(case)
        else:
            petitions.reply_case(case, reply="答复")
    return case


def _source(action) -> str:
    return next(s for s in CASE_PATH if s in action.sources)


@pytest.fixture
def case_doors(tree, codes, login):
    officer = make_user("dongan_officer", tree["county"], Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER)
    client = login(officer)
    fill = {"{agency}": str(codes["agency"]["法律援助"].pk), "{org}": str(tree["township"].pk),
            "{org_code}": tree["township"].code}

    def filled(data: dict) -> dict:
        return {k: fill.get(v, v) if isinstance(v, str) else v for k, v in data.items()}

    return client, filled


@pytest.mark.parametrize("name", list(CASE_ACTIONS.actions))
def test_every_case_action_does_the_same_on_the_page_and_over_the_api(name, tree, make_case, case_doors):
    client, filled = case_doors
    action = CASE_ACTIONS[name]
    twins = [_case_at(make_case, tree["county"], _source(action)) for _twin in range(2)]
    page_data, api_data = _case_input(name)
    page_data = {f"{name}-{k}": v for k, v in filled(page_data).items()}
    _both_doors(CASE_ACTIONS, name, twins, client=client,
                urls=(lambda c, n: reverse("petitions:case_action", args=[c.pk, n]),
                      lambda c, n: f"/api/cases/{c.pk}/{n.replace('_', '-')}/"),
                page_data=page_data, api_data=filled(api_data))


@pytest.mark.parametrize("name", ["reply", "close", "follow_up", "accept"])
def test_a_case_action_its_status_does_not_allow_is_refused_on_both_doors(name, tree, make_case, case_doors):
    client, filled = case_doors
    case = _case_at(make_case, tree["county"], "replied" if name == "accept" else "registered")
    page_data, api_data = _case_input(name)
    page_data = {f"{name}-{k}": v for k, v in filled(page_data).items()}
    _refused_on_both(CASE_ACTIONS, name, case, client=client,
                     urls=(lambda c, n: reverse("petitions:case_action", args=[c.pk, n]),
                           lambda c, n: f"/api/cases/{c.pk}/{n.replace('_', '-')}/"),
                page_data=page_data, api_data=filled(api_data))


# --- Monitoring submissions --------------------------------------------------------------------------------------
SUBMISSION_PATH = {"draft": [], "submitted": ["submit"], "reviewed": ["submit", "review"],
                   "approved": ["submit", "review", "approve"]}


@pytest.fixture
def submission_doors(tree, users, login):
    agency = add_org("431122-FL", "东安县妇联办", parent=tree["county"], level=Level.AGENCY)
    clerk = make_user("dongan_fl", agency, Role.AGENCY_CLERK)
    leader = users["leader"]
    serial = iter(range(100))

    def at(status: str) -> Submission:
        dataset = DataSet.objects.create(org=agency, name=f"妇女发展{next(serial)}")
        submission = Submission.objects.create(org=agency, dataset=dataset, period="2025")
        for step in SUBMISSION_PATH[status]:
            {"submit": lambda s: monitoring.submit(s, actor=clerk), "review": lambda s: monitoring.review(
                s, actor=leader), "approve": lambda s: monitoring.approve(s, actor=leader)}[step](submission)
        return submission

    return at, {"clerk": login(clerk), "leader": login(leader)}


def _submission_source(action) -> str:
    return next(s for s in SUBMISSION_PATH if s in action.sources)


@pytest.mark.parametrize("name", list(SUBMISSION_ACTIONS.actions))
def test_every_submission_action_does_the_same_on_the_page_and_over_the_api(name, submission_doors):
    at, clients = submission_doors
    action = SUBMISSION_ACTIONS[name]
    client = clients["clerk" if name == "submit" else "leader"]
    twins = [at(_submission_source(action)) for _twin in range(2)]
    data = {"reason": "请核对口径"} if name in ("return", "reopen") else {}
    _both_doors(SUBMISSION_ACTIONS, name, twins, client=client,
                urls=(lambda s, n: reverse("monitoring:submission_action", args=[s.pk, n]),
                      lambda s, n: f"/api/submissions/{s.pk}/{n}/"), page_data=data, api_data=data)


@pytest.mark.parametrize("name", ["review", "approve", "reopen"])
def test_a_submission_action_its_status_does_not_allow_is_refused_on_both_doors(name, submission_doors):
    at, clients = submission_doors
    submission = at("draft")
    data = {"reason": "请核对口径"}
    _refused_on_both(SUBMISSION_ACTIONS, name, submission, client=clients["leader"],
                     urls=(lambda s, n: reverse("monitoring:submission_action", args=[s.pk, n]),
                           lambda s, n: f"/api/submissions/{s.pk}/{n}/"), page_data=data, api_data=data)


def test_a_clerk_cannot_approve_on_either_door(submission_doors):
    at, clients = submission_doors
    submission = at("reviewed")
    page = clients["clerk"].post(reverse("monitoring:submission_action", args=[submission.pk, "approve"]),
                                 follow=True)
    assert "只有妇儿工委办" in page.content.decode()
    assert clients["clerk"].post(f"/api/submissions/{submission.pk}/approve/").status_code == 403
    assert Submission.objects.get(pk=submission.pk).status == "reviewed"


# --- Loans -------------------------------------------------------------------------------------------------------
LOAN_PATH = {"applied": [], "approved": ["approve"], "disbursed": ["approve", "disburse"]}


@pytest.fixture
def loan_doors(tree, users, login):
    serial = iter(range(100))

    def at(status: str) -> Loan:
        person = people.person_for(name=f"借款人{next(serial)}")
        loan = Loan.objects.create(org=tree["county"], person=person, amount=Decimal("50000"), bank="农商银行",
                                   term_months=24, applied_on=timezone.localdate() - dt.timedelta(days=30))
        for step in LOAN_PATH[status]:
            people.loan_step(loan, step, on=timezone.localdate() - dt.timedelta(days=20))
        return loan

    return at, login(users["staff"])


@pytest.mark.parametrize("name", list(LOAN_ACTIONS.actions))
def test_every_loan_action_does_the_same_on_the_page_and_over_the_api(name, loan_doors):
    at, client = loan_doors
    action = LOAN_ACTIONS[name]
    twins = [at(next(s for s in LOAN_PATH if s in action.sources)) for _twin in range(2)]
    data = {"on": (timezone.localdate() - dt.timedelta(days=3)).isoformat()} if name in ("disburse", "repay") else {}
    _both_doors(LOAN_ACTIONS, name, twins, client=client,
                urls=(lambda loan, n: reverse("people:loan_step", args=[loan.pk, n]),
                      lambda loan, n: f"/api/loans/{loan.pk}/{n}/"), page_data=data, api_data=data)
    if name == "disburse":
        assert twins[0].__class__.objects.get(pk=twins[0].pk).due_on == people.add_months(
            timezone.localdate() - dt.timedelta(days=3), 24)


@pytest.mark.parametrize("name", ["disburse", "repay", "overdue"])
def test_a_loan_action_its_status_does_not_allow_is_refused_on_both_doors(name, loan_doors):
    at, client = loan_doors
    data = {}
    _refused_on_both(LOAN_ACTIONS, name, at("applied"), client=client,
                     urls=(lambda loan, n: reverse("people:loan_step", args=[loan.pk, n]),
                           lambda loan, n: f"/api/loans/{loan.pk}/{n}/"), page_data=data, api_data=data)


def test_the_loan_page_offers_the_buttons_of_its_status(loan_doors):
    at, client = loan_doors
    approved = at("approved")
    page = client.get(approved.get_absolute_url()).content.decode()
    step = lambda loan, name: f'action="{reverse("people:loan_step", args=[loan.pk, name])}"'  # noqa: E731
    assert step(approved, "disburse") in page and 'name="on"' in page and "发放日期" in page
    assert step(approved, "approve") not in page and step(approved, "repay") not in page
    applied = at("applied")
    page = client.get(applied.get_absolute_url()).content.decode()
    assert step(applied, "approve") in page and step(applied, "reject") in page
    assert step(applied, "disburse") not in page
