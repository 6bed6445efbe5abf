"""The case workflow as typed service functions (STYLE.md §8).

登记 → 受理 / 不予受理 / 转送 → 办理中 → 已答复 → 回访 → 办结, with 延期 (≤ 30 days, leader's approval), 复查, 转介,
and 交办 / 反馈 / 催办 / 督办 down the tree. Each function guards the current status, saves the fields it changes,
writes a timeline entry and an audit event in the same transaction, and keeps `current_due` — the deadline of the
step the case waits for — right.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinguo.audit.services import record_created_many, record_event, record_events_many, reveal
from jinguo.core.actions import StateMachine
from jinguo.core.actions import TransitionError as StateTransitionError
from jinguo.core.auditcontext import current
from jinguo.core.bulk import create_objects, instance_factory, pack, unpack
from jinguo.core.changelog import snapshot
from jinguo.core.crypto import search_hash
from jinguo.core.events import Event
from jinguo.core.scope import scope_paths, subtree_ids
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.models import (
    Assignment,
    Case,
    CaseCounter,
    CaseEvent,
    ClosureResult,
    DomesticViolence,
    FollowUp,
    Petitioner,
    Referral,
    RiskColour,
    Status,
    TimeLimits,
)
from jinguo.petitions.stats import add_to_cells

MACHINE = StateMachine(gettext_lazy("案件"))
TransitionError = StateTransitionError  # an action the case's status does not allow (409 over the API)


def allowed_actions(case: Case) -> list[str]:
    return MACHINE.allowed(case)


def allowed_actions_in(status: str) -> list[str]:
    """The actions a case in `status` allows (`allowed_actions` of such a case)."""
    return MACHINE.allowed_in(status)


def _today() -> dt.date:
    return timezone.localdate()


def _step(case: Case, code: Event, *, actor=None, note: str = "", data: dict | None = None, org=None) -> CaseEvent:
    """One timeline entry and its audit event."""
    return _steps([case], code, actor=actor, notes=[note], data=[data or {}], org=org)[0]


def _steps(cases: list[Case], code: Event, *, actor=None, notes: list[str], data: list[dict],
           org=None) -> list[CaseEvent]:
    """A timeline entry and an audit event for each case (one insert each for many cases)."""
    ctx = current()
    actor_id, actor_name = getattr(actor, "pk", ctx.actor_id), getattr(actor, "username", "") or ctx.actor_name
    events = create_objects([  # COPY on PostgreSQL: an import writes one or two of these per case
        CaseEvent(case=case, code=str(code), actor_id=actor_id, actor_name=actor_name,
                  org=org or case.handler or case.org, note=note, data=detail)
        for case, note, detail in zip(cases, notes, data, strict=True)])
    record_events_many(code, cases, notes=notes, data=data)
    return events


# --- Registration ------------------------------------------------------------------------------------------------
@dataclass
class PetitionerData:
    name: str = ""
    sex: str = Petitioner.Sex.FEMALE
    age: int | None = None
    marital_status: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


def next_numbers(org, year: int, count: int = 1) -> list[str]:
    """The next `count` case numbers of a unit's year (the counter row stays locked until the transaction ends)."""
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(org=org, year=year)
    first, counter.last = counter.last + 1, counter.last + count
    counter.save(update_fields=["last"])
    return [f"{org.code}-{year}-{n:05d}" for n in range(first, counter.last + 1)]


def suggested_colour(case: Case) -> str:
    if case.flag_dv or (case.subcategory and case.subcategory.name == "家庭暴力"):
        return RiskColour.RED
    if case.category.name == "婚姻家庭":
        return RiskColour.ORANGE
    if case.flag_minor or case.flag_urgent or case.flag_escalation:
        return RiskColour.YELLOW
    return RiskColour.NONE


REPEAT_WINDOW = dt.timedelta(days=365)


def repeated_cases(cases: list[Case], petitioners: list[Petitioner], *, user=None) -> set[int]:
    """Ids of the stored `cases` one of whose `petitioners` (stored, or about to be) gave an ID number or phone
    already registered in the 12 months before, anywhere in the registering user's visible subtree (without a user:
    the cases' units' subtrees). "Before" is by registration time, then by id, so of two registrations at the same
    moment only the later one is a repeat."""
    id_hashes = {p.id_hash for p in petitioners if p.id_hash}
    phone_hashes = {p.phone_hash for p in petitioners if p.phone_hash}
    if not id_hashes and not phone_hashes:
        return set()
    if user is not None:
        units = set(subtree_ids(scope_paths(user, Case.scope_roles["view"])))
    else:
        units = set(subtree_ids({case.org.path for case in cases}))
    times = [case.received_at for case in cases]
    match = Q(id_hash__any_of=list(id_hashes)) if id_hashes else Q()
    if phone_hashes:
        match |= Q(phone_hash__any_of=list(phone_hashes))

    def keys(id_hash: str, phone_hash: str) -> list[tuple[str, str]]:
        return [key for key in (("id", id_hash), ("phone", phone_hash)) if key[1]]

    # The hashes' own indexes find the few registrations with these numbers, then their cases by primary key; the
    # window and the scope are checked here (joined to the visible cases or to the window's, the database read
    # every case of the subtree or of the window, once per chunk of an import).
    registered: dict[tuple[str, str], list[tuple[dt.datetime, int]]] = defaultdict(list)
    since, until = min(times) - REPEAT_WINDOW, max(times)
    found = list(Petitioner.objects.filter(match).order_by().values_list("case_id", "id_hash", "phone_hash"))
    if found:
        ids = list({case_id for case_id, _id, _phone in found})
        stored = {pk: (received_at, org_id) for pk, received_at, org_id in Case.objects.filter(
            pk__any_of=ids).order_by().values_list("pk", "received_at", "org_id")}
        for case_id, id_hash, phone_hash in found:
            received_at, org_id = stored[case_id]
            if org_id in units and since <= received_at <= until:
                for key in keys(id_hash, phone_hash):
                    registered[key].append((received_at, case_id))
    received = {case.pk: case.received_at for case in cases}
    keys_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for p in petitioners:  # stored or about to be: each other's earlier registrations too
        keys_of[p.case_id].extend(keys(p.id_hash, p.phone_hash))
        for key in keys(p.id_hash, p.phone_hash):
            registered[key].append((received[p.case_id], p.case_id))
    repeats = set()
    for case in cases:
        mine = (case.received_at, case.pk)
        since = case.received_at - REPEAT_WINDOW
        if any(since <= other[0] and other < mine for key in keys_of[case.pk] for other in registered[key]):
            repeats.add(case.pk)
    return repeats


def _petitioner(case: Case, data: PetitionerData, new=Petitioner) -> Petitioner:
    """An unsaved petitioner of a stored `case` (`new`: the model, or `instance_factory(Petitioner)` for many)."""
    return new(case_id=case.pk, name=data.name.strip(), sex=data.sex or Petitioner.Sex.FEMALE, age=data.age,
               marital_status=data.marital_status or "", id_number=data.id_number,
               id_hash=search_hash(data.id_number), phone=data.phone, phone_hash=search_hash(data.phone),
               address=data.address.strip())


def _open(case: Case, number: str, limits: TimeLimits, petitioners: list[PetitionerData]) -> None:
    """The fields 登记 sets: number, status, the acceptance deadline, the suggested risk colour, the headcount."""
    received = timezone.localtime(case.received_at).date()
    case.number = number
    case.status = Status.REGISTERED
    case.accept_due = received + dt.timedelta(days=limits.accept_days)
    case.current_due = case.accept_due
    if not case.risk_colour:
        case.risk_colour = suggested_colour(case)
    case.headcount = max(case.headcount or 1, len([p for p in petitioners if p.name]) or 1)


@transaction.atomic
def register_case(case: Case, petitioners: list[PetitionerData], *, actor=None, note: str = "") -> Case:
    """登记: number the case, set the acceptance deadline, store petitioners encrypted, flag repeats."""
    if not case.received_at:
        case.received_at = timezone.now()
    year = timezone.localtime(case.received_at).year
    _open(case, next_numbers(case.org, year)[0], TimeLimits.for_org(case.org), petitioners)
    case.save()
    rows = Petitioner.objects.bulk_create([_petitioner(case, p) for p in petitioners])
    case.is_repeat = case.pk in repeated_cases([case], rows, user=actor)
    if case.is_repeat:
        case.save(update_fields=["is_repeat"])
    _step(case, Event.CASE_REGISTERED, actor=actor, note=note,
          data={"channel": case.channel.name, "category": case.category.name, "repeat": case.is_repeat})
    return case


# --- Transitions -------------------------------------------------------------------------------------------------
def _check_date(on: dt.date, *, not_before: dt.date | None, label: str, earlier: str) -> None:
    if on > _today():
        raise ValidationError({"on": _("%(label)s不能晚于今天。") % {"label": label}})
    if not_before and on < not_before:
        raise ValidationError({"on": _("%(label)s（%(on)s）不能早于%(earlier)s（%(before)s）。") % {
            "label": label, "on": on, "earlier": earlier, "before": not_before}})


def _received(case: Case) -> dt.date:
    return timezone.localtime(case.received_at).date()


def _save(case: Case, *fields: str) -> None:
    case.save(update_fields=[*fields, "updated"])


@MACHINE.transition("accept", gettext_lazy("受理"), event=Event.CASE_ACCEPTED,
                    sources={Status.REGISTERED})
@transaction.atomic
def accept_case(case: Case, *, actor=None, on: dt.date | None = None, note: str = "") -> Case:
    """受理 and tell the petitioner (within the acceptance limit); the handling clock starts."""
    on = on or _today()
    _check_date(on, not_before=_received(case), label=_("受理日期"), earlier=_("登记日期"))
    limits = TimeLimits.for_org(case.org)
    case.status, case.accepted_on = Status.ACCEPTED, on
    case.handle_due = on + dt.timedelta(days=limits.handle_days)
    case.current_due = case.handle_due
    _save(case, "status", "accepted_on", "handle_due", "current_due")
    _step(case, Event.CASE_ACCEPTED, actor=actor, note=note, data={"on": on.isoformat(),
                                                                    "late": on > case.accept_due})
    return case


def _finish_at_intake(case: Case, status: Status, code: Event, *, actor, note: str, data: dict,
                      on: dt.date | None) -> Case:
    on = on or _today()
    case.status, case.closed_on, case.current_due = status, on, None
    case.closed_on_time = on <= case.accept_due
    case.result = ClosureResult.NOT_ACCEPTED if status == Status.REJECTED else ClosureResult.REFERRED
    _save(case, "status", "closed_on", "current_due", "closed_on_time", "result")
    _step(case, code, actor=actor, note=note, data=data)
    return case


@MACHINE.transition("reject", gettext_lazy("不予受理"), event=Event.CASE_REJECTED,
                    sources={Status.REGISTERED})
@transaction.atomic
def reject_case(case: Case, *, reason: str, actor=None, on: dt.date | None = None) -> Case:
    """不予受理, with the reason the petitioner is told."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写不予受理的理由。")})
    return _finish_at_intake(case, Status.REJECTED, Event.CASE_REJECTED, actor=actor, note=reason,
                             data={"reason": reason}, on=on)


@MACHINE.transition("transfer", gettext_lazy("转送"), event=Event.CASE_TRANSFERRED,
                    sources={Status.REGISTERED})
@transaction.atomic
def transfer_case(case: Case, *, to: str, actor=None, note: str = "", on: dt.date | None = None) -> Case:
    """转送 to the competent organ (outside the federation's own handling)."""
    if not to.strip():
        raise ValidationError({"to": _("请填写转送单位。")})
    return _finish_at_intake(case, Status.TRANSFERRED, Event.CASE_TRANSFERRED, actor=actor, note=note,
                             data={"to": to}, on=on)


@MACHINE.transition("start", gettext_lazy("开始办理"), event=Event.CASE_STARTED,
                    sources={Status.ACCEPTED})
@transaction.atomic
def start_case(case: Case, *, actor=None, note: str = "") -> Case:
    case.status = Status.IN_PROGRESS
    _save(case, "status")
    _step(case, Event.CASE_STARTED, actor=actor, note=note)
    return case


@MACHINE.transition("refer", gettext_lazy("转介"), event=Event.CASE_REFERRED,
                    sources={Status.ACCEPTED, Status.IN_PROGRESS, Status.REVIEW})
@transaction.atomic
def refer_case(case: Case, *, agency_type, unit_name: str, sent_on: dt.date | None = None, actor=None,
               note: str = "") -> Referral:
    """转介 to an agency; an accepted case is then in progress."""
    referral = Referral.objects.create(case=case, agency_type=agency_type, unit_name=unit_name.strip(),
                                       sent_on=sent_on or _today(), result="")
    if case.status == Status.ACCEPTED:
        case.status = Status.IN_PROGRESS
        _save(case, "status")
    _step(case, Event.CASE_REFERRED, actor=actor, note=note,
          data={"agency": agency_type.name, "unit": referral.unit_name, "sent_on": referral.sent_on.isoformat()})
    return referral


@transaction.atomic
def record_referral_feedback(referral: Referral, *, result: str, on: dt.date | None = None, actor=None) -> Referral:
    referral.feedback_on, referral.result = on or _today(), result
    referral.save(update_fields=["feedback_on", "result"])
    _step(referral.case, Event.CASE_REFERRAL_FEEDBACK, actor=actor, note=result,
          data={"unit": referral.unit_name, "on": referral.feedback_on.isoformat()})
    return referral


def _require_leader(case: Case, actor) -> None:
    if actor is not None and not case.__class__.objects.visible_to(actor, "approve").filter(pk=case.pk).exists():
        raise PermissionDenied(_("延期须经单位负责人批准。"))


@MACHINE.transition("extend", gettext_lazy("延期"), event=Event.CASE_EXTENDED,
                    sources={Status.ACCEPTED, Status.IN_PROGRESS})
@transaction.atomic
def extend_case(case: Case, *, days: int, reason: str, actor=None) -> Case:
    """延期: at most the unit's limit (30 days by statute), once, approved by the unit leader."""
    _require_leader(case, actor)
    limits = TimeLimits.for_org(case.org)
    if case.extension_days:
        raise ValidationError({"days": _("该案件已延期过一次，不能再次延期。")})
    if not 1 <= days <= limits.extension_max_days:
        raise ValidationError({"days": _("延期天数应在1到%(max)d天之间。") % {"max": limits.extension_max_days}})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写延期理由（需告知信访人）。")})
    case.extension_days = days
    case.handle_due = (case.handle_due or _today()) + dt.timedelta(days=days)
    case.current_due = case.handle_due
    _save(case, "extension_days", "handle_due", "current_due")
    _step(case, Event.CASE_EXTENDED, actor=actor, note=reason, data={"days": days,
                                                                      "handle_due": case.handle_due.isoformat()})
    return case


@MACHINE.transition("assign", gettext_lazy("交办"), event=Event.CASE_ASSIGNED,
                    sources={Status.ACCEPTED, Status.IN_PROGRESS})
@transaction.atomic
def assign_case(case: Case, *, to_org, due_on: dt.date, actor=None, note: str = "") -> Assignment:
    """交办: a unit hands its case to a unit below it, which must report back by `due_on`."""
    if not (to_org.path.startswith(case.org.path) and to_org.pk != case.org_id):
        raise ValidationError({"to_org": _("只能交办给本单位的下级单位。")})
    if not _holds(actor, case.org):
        raise PermissionDenied(_("只有交办单位可以交办。"))
    if due_on <= _today():
        raise ValidationError({"due_on": _("反馈期限应晚于今天。")})
    assignment = Assignment.objects.create(case=case, from_org=case.org, to_org=to_org, assigned_on=_today(),
                                           due_on=due_on)
    case.handler = to_org
    if case.status == Status.ACCEPTED:
        case.status = Status.IN_PROGRESS
    _save(case, "handler", "status")
    _step(case, Event.CASE_ASSIGNED, actor=actor, note=note, org=case.org,
          data={"to": to_org.name, "due_on": due_on.isoformat()})
    return assignment


@MACHINE.transition("reply", gettext_lazy("答复"), event=Event.CASE_REPLIED,
                    sources={Status.ACCEPTED, Status.IN_PROGRESS, Status.REVIEW})
@transaction.atomic
def reply_case(case: Case, *, reply: str, actor=None, on: dt.date | None = None) -> Case:
    """答复 (处理意见书 or reply); the clock stops."""
    if not reply.strip():
        raise ValidationError({"reply": _("请填写答复内容。")})
    on = on or _today()
    _check_date(on, not_before=case.accepted_on or _received(case), label=_("答复日期"), earlier=_("受理日期"))
    due = case.review_due if case.status == Status.REVIEW else case.handle_due
    case.status, case.replied_on, case.current_due = Status.REPLIED, on, None
    case.closed_on_time = due is None or on <= due
    _save(case, "status", "replied_on", "current_due", "closed_on_time")
    _step(case, Event.CASE_REPLIED, actor=actor, note=reply, data={"on": on.isoformat(), "on_time":
                                                                    case.closed_on_time})
    return case


@MACHINE.transition("follow_up", gettext_lazy("回访"), event=Event.CASE_FOLLOWED_UP,
                    sources={Status.REPLIED})
@transaction.atomic
def follow_up_case(case: Case, *, on: dt.date, method: str, satisfaction: str, note: str = "",
                   actor=None) -> FollowUp:
    _check_date(on, not_before=case.replied_on, label=_("回访日期"), earlier=_("答复日期"))
    follow_up = FollowUp(case=case, on=on, method=method, satisfaction=satisfaction, note=note)
    follow_up.full_clean(exclude=["case"])
    follow_up.save()
    case.status = Status.FOLLOWED_UP
    _save(case, "status")
    _step(case, Event.CASE_FOLLOWED_UP, actor=actor, note=note,
          data={"method": follow_up.get_method_display(), "satisfaction": follow_up.get_satisfaction_display()})
    return follow_up


@MACHINE.transition("close", gettext_lazy("办结"), event=Event.CASE_CLOSED,
                    sources={Status.REPLIED, Status.FOLLOWED_UP})
@transaction.atomic
def close_case(case: Case, *, result: str, actor=None, on: dt.date | None = None, note: str = "") -> Case:
    """办结 with the closure result."""
    if result not in ClosureResult.values:
        raise ValidationError({"result": _("请选择办结结果。")})
    on = on or _today()
    _check_date(on, not_before=case.replied_on, label=_("办结日期"), earlier=_("答复日期"))
    case.status, case.result, case.closed_on = Status.CLOSED, result, on
    _save(case, "status", "result", "closed_on")
    _step(case, Event.CASE_CLOSED, actor=actor, note=note, data={"result": case.get_result_display()})
    return case


@MACHINE.transition("request_review", gettext_lazy("复查"), event=Event.CASE_REVIEW,
                    sources={Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED})
@transaction.atomic
def request_review(case: Case, *, on: dt.date | None = None, actor=None, note: str = "") -> Case:
    """复查 requested: the reviewer answers within the review limit (30 days by statute)."""
    on = on or _today()
    limits = TimeLimits.for_org(case.org)
    case.status, case.review_due = Status.REVIEW, on + dt.timedelta(days=limits.review_days)
    case.current_due = case.review_due
    _save(case, "status", "review_due", "current_due")
    _step(case, Event.CASE_REVIEW, actor=actor, note=note, data={"review_due": case.review_due.isoformat()})
    return case


# --- Assignment down the tree (交办 / 反馈 / 催办 / 督办) --------------------------------------------------------
def _holds(actor, org, action: str = "handle") -> bool:
    return actor is None or any(org.path.startswith(p) for p in scope_paths(actor, Case.scope_roles[action]))


@transaction.atomic
def report_back(assignment: Assignment, *, report: str, actor=None) -> Assignment:
    """反馈 from the handling unit."""
    if assignment.reported_on:
        raise ValidationError({"report": _("已反馈。")})
    if not _holds(actor, assignment.to_org):
        raise PermissionDenied(_("只有承办单位可以反馈。"))
    if not report.strip():
        raise ValidationError({"report": _("请填写反馈内容。")})
    assignment.reported_on, assignment.report = _today(), report
    assignment.save(update_fields=["reported_on", "report"])
    _step(assignment.case, Event.CASE_REPORTED, actor=actor, note=report, org=assignment.to_org,
          data={"on_time": assignment.reported_on <= assignment.due_on})
    return assignment


@transaction.atomic
def press(assignment: Assignment, *, actor=None, note: str = "", supervise: bool = False) -> Assignment:
    """催办 (a reminder) or 督办 (formal supervision) by the assigning unit."""
    if assignment.reported_on:
        raise ValidationError({"note": _("承办单位已反馈，无需催办。")})
    if not _holds(actor, assignment.from_org):
        raise PermissionDenied(_("只有交办单位可以催办或督办。"))
    if supervise:
        assignment.supervised = True
        assignment.save(update_fields=["supervised"])
        code = Event.CASE_SUPERVISED
    else:
        assignment.presses += 1
        assignment.save(update_fields=["presses"])
        code = Event.CASE_PRESSED
    _step(assignment.case, code, actor=actor, note=note, org=assignment.from_org,
          data={"to": assignment.to_org.name, "due_on": assignment.due_on.isoformat()})
    return assignment


# --- Domestic violence ---------------------------------------------------------------------------------------------
@transaction.atomic
def save_dv(case: Case, record: DomesticViolence, *, actor=None) -> list[str]:
    """Store the 反家暴 details; returns alerts (a second 告诫书 for the same abuser). The case's event carries what
    changed, before and after (the abuser's ID number sealed, as every audit snapshot seals personal data)."""
    stored = DomesticViolence.objects.filter(pk=record.pk).first() if record.pk else None
    before = snapshot(stored) if stored else {}
    record.case = case
    record.abuser_hash = search_hash(record.abuser_id_number)
    record.save()
    after = {name: value for name, value in snapshot(record).items()
             if name not in ("id", "case_id", "abuser_hash") and before.get(name) != value}
    if not case.flag_dv:
        case.flag_dv, case.risk_colour = True, RiskColour.RED
        _save(case, "flag_dv", "risk_colour")
    alerts = []
    if record.abuser_hash and record.warning_letter_on:
        alerts = _repeat_abuser_alerts(case, record, actor=actor)
    _step(case, Event.CASE_DV_UPDATED, actor=actor, data={"warning_letter": bool(record.warning_letter_on),
                                                          "order_granted": record.order_granted,
                                                          "shelter": record.shelter, "legal_aid": record.legal_aid,
                                                          "before": {name: before.get(name) for name in after},
                                                          "after": after})
    for alert in alerts:
        _step(case, Event.CASE_ALERT, actor=actor, note=alert)
    return alerts


def _repeat_abuser_alerts(case: Case, record: DomesticViolence, *, actor) -> list[str]:
    """A second 告诫书 for the same abuser. Earlier cases of this unit's subtree are named; of the others the actor
    learns only that they exist, and the office above both units (their nearest common ancestor) is told which
    cases they are, by an alert in its audit trail — never another unit's case number to a sister unit."""
    earlier = list(DomesticViolence.objects.filter(abuser_hash=record.abuser_hash, warning_letter_on__isnull=False)
                   .exclude(pk=record.pk).select_related("case__org"))
    if not earlier:
        return []
    # Named only where everyone who reads this case's timeline may see the earlier case too: inside this case's
    # unit subtree (and visible to the actor, when there is one).
    seen = {d.case_id for d in earlier if d.case.org.path.startswith(case.org.path)}
    if actor is not None and getattr(actor, "is_authenticated", False):
        seen &= set(Case.objects.visible_to(actor, "view").filter(pk__in=seen).values_list("pk", flat=True))
    alerts = []
    mine = [d.case.number for d in earlier if d.case_id in seen]
    if mine:
        alerts.append(_("同一施暴人已被出具过告诫书（案件 %(cases)s），请重点关注。") % {"cases": "、".join(mine)})
    others = [d for d in earlier if d.case_id not in seen]
    if others:
        alerts.append(_("同一施暴人在其他单位也有告诫书记录，已提请上级妇联关注。"))
    for other in others:
        here, there = case.org.path.strip("/").split("/"), other.case.org.path.strip("/").split("/")
        shared = list(itertools.takewhile(lambda pair: pair[0] == pair[1], zip(here, there, strict=False)))
        shared = [code for code, _same in shared]
        above = OrgUnit.objects.filter(path="/" + "/".join(shared) + "/").first() if shared else None
        note = _("同一施暴人在%(here)s（案件 %(a)s）和%(there)s（案件 %(b)s）均被出具告诫书，请重点关注。") % {
            "here": case.org.name, "a": case.number, "there": other.case.org.name, "b": other.case.number}
        record_event(Event.CASE_ALERT, case, org=above, note=note,
                     data={"cases": [case.number, other.case.number]})
    return alerts


# --- Personal data -------------------------------------------------------------------------------------------------
def unmask(case: Case, *, actor, reason: str) -> list[Petitioner]:
    """Personal data in clear, for the 信访专干 or 单位负责人, with a reason; one access-log entry per case
    (`audit.services.reveal`, the same path as the registries'). The abuser's ID number is part of the case's."""
    fields = list(Petitioner.PERSONAL_FIELDS)
    if DomesticViolence.objects.filter(case=case).exclude(abuser_id_number="").exists():
        fields.append("abuser_id_number")
    reveal(case, actor=actor, reason=reason, fields=fields)
    return list(case.petitioners.all())


def import_key(values: list[str]) -> str:
    """A keyed fingerprint of a historical row, so re-importing the same sheet adds nothing."""
    return search_hash(hashlib.sha256("\x1f".join(values).encode()).hexdigest())


@dataclass
class HistoricalCase:
    """A validated row of an old ledger, not yet stored (see `import_historical`)."""

    case: Case
    petitioners: list[PetitionerData]
    status: str = Status.REGISTERED
    closed_on: dt.date | None = None
    result: str = ""

    def __getstate__(self) -> dict:  # spooled between validating and writing (core.excel.run)
        return {**self.__dict__, "case": pack(self.case)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, case=unpack(state["case"]))


@transaction.atomic
def import_historical(items: list[HistoricalCase], *, actor=None) -> list[Case]:
    """Rows of an old ledger: registered as `register_case` registers (numbers, deadlines, colour, repeats), put
    straight into their recorded state — the old steps themselves are not invented. One insert per table for the
    whole list; each case gets one timeline entry (which names the recorded state) and one audit entry holding
    it as stored (`imported`), not an event per step: the audit trail's cost is an import's largest."""
    limits: dict[int, TimeLimits] = {}
    by_year: dict[tuple[int, int], list[Case]] = defaultdict(list)
    for item in items:
        by_year[item.case.org_id, timezone.localtime(item.case.received_at).year].append(item.case)
    numbers = {}
    for (_org_id, year), cases in by_year.items():
        for case, number in zip(cases, next_numbers(cases[0].org, year, len(cases)), strict=True):
            numbers[id(case)] = number
    for item in items:
        case = item.case
        if case.org_id not in limits:
            limits[case.org_id] = TimeLimits.for_org(case.org)
        _open(case, numbers[id(case)], limits[case.org_id], item.petitioners)
        _recorded_state(case, item, limits[case.org_id])
    cases = create_objects([item.case for item in items])
    new_petitioner = instance_factory(Petitioner)
    petitioners = [_petitioner(item.case, p, new_petitioner) for item in items for p in item.petitioners]
    repeats = repeated_cases(cases, petitioners, user=actor)  # before they are stored: the query finds fewer
    create_objects(petitioners)
    if repeats:
        Case.objects.filter(pk__in=repeats).update(is_repeat=True)
    for case in cases:
        case.is_repeat = case.pk in repeats
    add_to_cells(Case.objects.filter(pk__any_of=[case.pk for case in cases]))  # past Case.save: the roll-up by hand
    record_created_many(cases, [{"imported": True} for _case in cases])
    ctx = current()
    actor_id, actor_name = getattr(actor, "pk", ctx.actor_id), getattr(actor, "username", "") or ctx.actor_name
    imported, recorded = _("从历史台账导入"), _("从历史台账导入；台账记载的状态：%(s)s")
    new_event, code = instance_factory(CaseEvent), str(Event.CASE_REGISTERED)
    notes = {status: imported if status == Status.REGISTERED else recorded % {"s": Status(status).label}
             for status in {item.status for item in items}}
    create_objects([  # the timeline's one entry; the audit trail has the case's own entry, as stored, just above
        new_event(case_id=case.pk, code=code, actor_id=actor_id, actor_name=actor_name, org_id=case.org_id,
                  note=notes[item.status], data={"channel": case.channel.name, "category": case.category.name,
                                                 "repeat": case.is_repeat, "imported": True})
        for case, item in zip(cases, items, strict=True)])
    return cases


def _recorded_state(case: Case, item: HistoricalCase, limits: TimeLimits) -> None:
    status = item.status
    if status == Status.REGISTERED:
        return
    received = timezone.localtime(case.received_at).date()
    if status in (Status.ACCEPTED, Status.IN_PROGRESS):
        case.accepted_on = received
        case.handle_due = received + dt.timedelta(days=limits.handle_days)
        case.current_due = case.handle_due
    else:
        case.current_due = None
        case.closed_on = item.closed_on
        if status in (Status.REPLIED, Status.FOLLOWED_UP):
            case.replied_on = item.closed_on
        case.result = item.result or (ClosureResult.NOT_ACCEPTED if status == Status.REJECTED else "")
    case.status = status
