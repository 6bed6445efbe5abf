"""The handling workflow: legal transitions only, deadlines from the dates, timeline and audit for each step."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jinguo.audit.models import AuditEntry
from jinguo.petitions import services
from jinguo.petitions.models import Case, Status, TimeLimits

D = dt.date


def test_full_path_with_timeline(tree, users, make_case, codes):
    case = make_case(tree["county"], name="王秀英", phone="13807461234")
    assert case.number == "431122-2025-00001" and case.status == Status.REGISTERED
    assert case.accept_due == D(2025, 3, 23) and case.current_due == case.accept_due
    assert case.risk_colour == "orange"  # 婚姻家庭
    staff = users["staff"]
    services.accept_case(case, actor=staff, on=D(2025, 3, 10))
    assert case.handle_due == D(2025, 5, 9) and case.current_due == D(2025, 5, 9)
    services.refer_case(case, agency_type=codes["agency"]["司法行政/法律援助"], unit_name="东安县法律援助中心",
                        actor=staff)
    assert case.status == Status.IN_PROGRESS
    services.reply_case(case, reply="已转法律援助中心，协助起诉离婚", actor=staff, on=D(2025, 4, 1))
    assert case.current_due is None and case.closed_on_time is True
    services.follow_up_case(case, on=D(2025, 4, 15), method="phone", satisfaction="satisfied", actor=staff)
    services.close_case(case, result="legal_aid", actor=staff, on=D(2025, 4, 15))
    codes_seen = list(case.events.values_list("code", flat=True))
    assert codes_seen == ["case.registered", "case.accepted", "case.referred", "case.replied", "case.followed_up",
                          "case.closed"]
    assert all(e.actor_name == "dongan" for e in case.events.exclude(code="case.registered"))
    assert AuditEntry.objects.filter(object_id=str(case.pk), action="case.closed").exists()
    # Numbers continue per unit and year.
    assert make_case(tree["county"], received="2025-05-01 09:00").number == "431122-2025-00002"
    assert make_case(tree["county"], received="2026-01-02 09:00").number == "431122-2026-00001"


@pytest.mark.parametrize("status_path, action", [
    ([], "reply"), ([], "close"), ([], "follow_up"), (["accept"], "accept"), (["accept"], "reject"),
    (["reject"], "accept"), (["accept", "reply"], "extend"), (["accept", "reply", "close"], "reply"),
])
def test_illegal_transitions_are_refused_naming_status_and_allowed(tree, make_case, status_path, action):
    case = make_case(tree["county"])
    steps = {"accept": lambda c: services.accept_case(c, on=D(2025, 3, 9)),
             "reject": lambda c: services.reject_case(c, reason="不属于妇联职责"),
             "reply": lambda c: services.reply_case(c, reply="已答复"),
             "close": lambda c: services.close_case(c, result="explained")}
    for step in status_path:
        steps[step](case)
    before = case.status
    calls = {"reply": lambda: services.reply_case(case, reply="x"), "close": lambda: services.close_case(
        case, result="explained"), "follow_up": lambda: services.follow_up_case(
        case, on=D(2025, 4, 1), method="phone", satisfaction="satisfied"), "accept": lambda: services.accept_case(
        case), "reject": lambda: services.reject_case(case, reason="x"), "extend": lambda: services.extend_case(
        case, days=10, reason="x")}
    with pytest.raises(services.TransitionError) as info:
        calls[action]()
    message = str(info.value)
    assert case.get_status_display() in message and "可执行的操作" in message
    assert Case.objects.get(pk=case.pk).status == before


def test_deadlines_across_month_ends_and_extension(tree, users, make_case):
    case = make_case(tree["county"], received="2025-01-31 16:00")
    assert case.accept_due == D(2025, 2, 15)
    services.accept_case(case, on=D(2025, 2, 28))
    assert case.handle_due == D(2025, 4, 29)  # 60 days after 28 Feb (not a leap year)
    with pytest.raises(PermissionDenied):
        services.extend_case(case, days=30, reason="情况复杂", actor=users["staff"])  # not the leader
    with pytest.raises(ValidationError):
        services.extend_case(case, days=31, reason="情况复杂", actor=users["leader"])
    services.extend_case(case, days=30, reason="情况复杂，需调查", actor=users["leader"])
    assert case.handle_due == D(2025, 5, 29) and case.current_due == D(2025, 5, 29)
    with pytest.raises(ValidationError):
        services.extend_case(case, days=5, reason="再延", actor=users["leader"])  # only once
    leap = make_case(tree["county"], received="2024-02-14 09:00")
    assert leap.accept_due == D(2024, 2, 29)


def test_overdue_and_due_soon_lists(tree, make_case):
    late = make_case(tree["county"], received="2025-03-01 09:00")  # accept due 03-16
    soon = make_case(tree["county"], received="2025-03-04 09:00")  # accept due 03-19
    fine = make_case(tree["county"], received="2025-03-10 09:00")  # accept due 03-25
    done = make_case(tree["county"], received="2025-02-01 09:00")
    services.reject_case(done, reason="重复", on=D(2025, 2, 3))
    today = D(2025, 3, 17)
    assert set(Case.objects.overdue(today)) == {late}
    assert set(Case.objects.due_soon(today)) == {soon}
    assert fine not in Case.objects.due_soon(today)
    # Reaching the end of the 30-day extension.
    services.accept_case(fine, on=D(2025, 3, 10))
    services.extend_case(fine, days=30, reason="复杂")
    assert fine.current_due == D(2025, 6, 8)
    assert fine in Case.objects.due_soon(D(2025, 6, 6)) and fine in Case.objects.overdue(D(2025, 6, 9))


def test_unit_time_limits_are_configurable_and_inherited(tree, make_case):
    TimeLimits.objects.create(org=tree["county"], accept_days=7, handle_days=30)
    case = make_case(tree["township"], received="2025-03-08 10:00")  # inherits the county's pledge
    assert case.accept_due == D(2025, 3, 15)
    services.accept_case(case, on=D(2025, 3, 9))
    assert case.handle_due == D(2025, 4, 8)
    other = make_case(tree["sister"], received="2025-03-08 10:00")
    assert other.accept_due == D(2025, 3, 23)


def test_review_has_its_own_clock(tree, make_case):
    case = make_case(tree["county"])
    services.accept_case(case, on=D(2025, 3, 9))
    services.reply_case(case, reply="答复", on=D(2025, 3, 20))
    services.request_review(case, on=D(2025, 4, 1))
    assert case.status == Status.REVIEW and case.review_due == D(2025, 5, 1) and case.current_due == D(2025, 5, 1)
    services.reply_case(case, reply="复查意见：维持", on=D(2025, 5, 3))
    assert case.closed_on_time is False


def test_repeat_flag_within_12_months_in_the_visible_subtree(tree, users, make_case):
    make_case(tree["township"], received="2024-06-01 09:00", id_number="320124198808240056")
    again = make_case(tree["county"], received="2025-03-08 10:00", id_number="320124198808240056",
                      actor=users["staff"])
    assert again.is_repeat
    by_phone_elsewhere = make_case(tree["sister"], received="2025-03-09 10:00", phone="13807460000")
    make_case(tree["county"], received="2025-03-10 10:00", phone="13807460000", actor=users["staff"])
    assert not Case.objects.get(pk=by_phone_elsewhere.pk).is_repeat
    assert not Case.objects.filter(received_at__date="2025-03-10").get().is_repeat  # the sister county is not hers
    old = make_case(tree["county"], received="2023-01-01 09:00", phone="13900000000")
    assert not make_case(tree["county"], received="2025-01-05 09:00", phone="13900000000",
                         actor=users["staff"]).is_repeat
    assert old


def test_assign_down_report_press_supervise(tree, users, make_case):
    case = make_case(tree["city"], received="2025-03-08 10:00")
    services.accept_case(case, on=D(2025, 3, 9), actor=users["city"])
    with pytest.raises(ValidationError):
        services.assign_case(case, to_org=tree["other_county"], due_on=D(2099, 1, 1), actor=users["city"])
    assignment = services.assign_case(case, to_org=tree["county"], due_on=D(2099, 1, 1), actor=users["city"])
    assert Case.objects.visible_to(users["staff"]).filter(pk=case.pk).exists()  # the county now sees it
    assert not Case.objects.visible_to(users["sister"]).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.press(assignment, actor=users["staff"])  # only the assigning unit presses
    services.press(assignment, actor=users["city"], note="请尽快反馈")
    services.press(assignment, actor=users["city"], supervise=True)
    with pytest.raises(PermissionDenied):
        services.report_back(assignment, report="已调解", actor=users["sister"])
    services.report_back(assignment, report="已调解成功", actor=users["staff"])
    assignment.refresh_from_db()
    assert assignment.presses == 1 and assignment.supervised and assignment.reported_on
    orgs = dict(case.events.values_list("code", "org__code"))
    assert orgs["case.assigned"] == "431100" and orgs["case.reported_back"] == "431122"


def test_second_warning_letter_for_the_same_abuser_alerts(tree, make_case):
    from jinguo.petitions.models import DomesticViolence

    first = make_case(tree["county"], sub="家庭暴力")
    assert first.risk_colour == "red"
    assert services.save_dv(first, DomesticViolence(abuser_id_number="11010519491231002X",
                                                    warning_letter_on=D(2025, 1, 5))) == []
    second = make_case(tree["township"], received="2025-04-01 09:00")
    alerts = services.save_dv(second, DomesticViolence(abuser_id_number="11010519491231002X",
                                                       warning_letter_on=D(2025, 3, 30)))
    # The township cannot open the county's case: it learns that a warning exists, not the number; the unit
    # above both (the county) is told which cases they are.
    assert len(alerts) == 1 and first.number not in alerts[0] and "其他单位" in alerts[0]
    assert second.events.filter(code="case.alert").exists()
    from jinguo.audit.models import AuditEntry

    told = AuditEntry.objects.get(action="case.alert", org_path=tree["county"].path)
    assert first.number in told.note and second.number in told.note
    third = make_case(tree["county"], received="2025-05-01 09:00")  # the county sees its township's cases
    alerts = services.save_dv(third, DomesticViolence(abuser_id_number="11010519491231002X",
                                                      warning_letter_on=D(2025, 4, 30)))
    assert len(alerts) == 1 and first.number in alerts[0] and second.number in alerts[0]
    assert second.risk_colour == "red" and second.flag_dv


def test_a_domestic_violence_update_is_audited_before_and_after_with_the_abuser_sealed(tree, make_case):
    import json

    from jinguo.audit.models import AuditEntry
    from jinguo.petitions.models import DomesticViolence

    case = make_case(tree["county"], sub="家庭暴力")
    services.save_dv(case, DomesticViolence(abuser_relation="丈夫", abuser_id_number="11010519491231002X"))
    record = DomesticViolence.objects.get(case=case)
    record.warning_letter_on, record.order_granted = D(2025, 3, 9), True
    services.save_dv(case, record)
    first, second = AuditEntry.objects.filter(action="case.dv_updated").order_by("seq")
    assert first.data["after"]["abuser_relation"] == "丈夫" and not any(first.data["before"].values())
    assert second.data["before"] == {"warning_letter_on": None, "order_granted": None}
    assert second.data["after"] == {"warning_letter_on": "2025-03-09", "order_granted": True}
    for entry in (first, second):
        assert "11010519491231002X" not in json.dumps(entry.data, ensure_ascii=False)
    assert first.data["after"]["abuser_id_number"]  # sealed, not left out


def test_step_dates_must_follow_each_other(tree, make_case):
    case = make_case(tree["county"], received="2025-03-08 10:00")
    with pytest.raises(ValidationError, match="不能早于登记日期"):
        services.accept_case(case, on=D(2025, 3, 7))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.accept_case(case, on=D(2999, 1, 1))
    services.accept_case(case, on=D(2025, 3, 9))
    services.reply_case(case, reply="答复", on=D(2025, 3, 20))
    with pytest.raises(ValidationError, match="不能早于答复日期"):
        services.follow_up_case(case, on=D(2025, 3, 19), method="phone", satisfaction="satisfied")
