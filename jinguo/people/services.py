"""People registries: one person per ID number, reminders, loans, and the figures the work summary needs."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jinguo.audit.services import record_change, record_event
from jinguo.core.actions import StateMachine
from jinguo.core.changelog import snapshot
from jinguo.core.crypto import search_hash
from jinguo.core.events import Event
from jinguo.core.idcard import mask_name
from jinguo.core.periods import Period
from jinguo.core.sql import totals
from jinguo.orgs.models import UnitQuery
from jinguo.people.models import Aid, CivilizedPost, Honour, Level, Loan, Person, ServiceRecord, Talent, Volunteer


def person_for(*, name: str, id_number: str = "", phone: str = "", address: str = "", unit=None) -> Person:
    """The registered person with this ID number in the jurisdiction of `unit` (the county of the list entry, or
    the city or province itself: `OrgUnit.jurisdiction`), or a new one — deduplicated by the keyed hash of the ID.

    Never across jurisdictions: matching any person in the province let a sister county's clerk type an ID number
    and read (masked, or with an unmask, clear) what another county had recorded about her, and overwrite it.
    `unit=None` matches every person: only for code acting for the whole installation (tests, synthetic data).
    Sex and birth date come from the ID number; a phone or address given later fills in what was missing.
    """
    id_hash = search_hash(id_number) if id_number else ""
    candidates = Person.objects.all() if unit is None else Person.objects.listed_under(unit.jurisdiction())
    person = candidates.filter(id_hash=id_hash).order_by("pk").first() if id_hash else None
    if person is not None and _plain_name(name) and _plain_name(person.name) and \
            _plain_name(name) != _plain_name(person.name):
        # One mistyped digit would hang this entry on another woman: say so instead of merging silently.
        raise ValidationError(_("该身份证号已登记为“%(stored)s”，与填写的姓名“%(name)s”不一致：请核对身份证号或姓名。")
                              % {"stored": mask_name(person.name), "name": name.strip()})
    if person is None:
        person = Person(name=name.strip(), id_number=id_number, id_hash=id_hash)
        if id_number:
            person.birth_date = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            person.sex = Person.Sex.MALE if int(id_number[16]) % 2 else Person.Sex.FEMALE
    if phone and not person.phone:
        person.phone, person.phone_hash = phone, search_hash(phone)
    if address and not person.address:
        person.address = address.strip()
    if person._state.adding or person.phone_hash or person.address:
        person.save()
    return person


def _plain_name(name: str) -> str:
    return "".join((name or "").split())


def update_person(person: Person, *, name: str, phone: str = "", address: str = "") -> Person:
    """Correct a registered person's name, phone or address (her ID number is who she is: a new one is another
    person, see `person_for`). Values sent back masked were already replaced by the stored ones (core.forms)."""
    changed = []
    if name.strip() and name.strip() != person.name:
        person.name = name.strip()
        changed.append("name")
    if (phone or "") != (person.phone or ""):
        person.phone, person.phone_hash = phone, search_hash(phone) if phone else ""
        changed += ["phone", "phone_hash"]
    if (address or "").strip() != (person.address or ""):
        person.address = (address or "").strip()
        changed.append("address")
    if changed:
        person.save()
    return person


@transaction.atomic
def add_aid(beneficiary, *, on: dt.date, amount: Decimal | None, goods: str = "", activity=None) -> Aid:
    """One act of help, owned by the beneficiary's unit (audited as every Aid write)."""
    return Aid.objects.create(org=beneficiary.org, beneficiary=beneficiary, on=on, amount=amount or Decimal(0),
                              activity=activity, goods=goods.strip())


@transaction.atomic
def record_service(volunteer: Volunteer, *, activity, hours: Decimal) -> ServiceRecord:
    """Hours served at an activity (one record per volunteer and activity: a second entry corrects the first),
    with its audit entry in the same transaction."""
    record = ServiceRecord.objects.select_for_update().filter(volunteer=volunteer, activity=activity).first()
    before = snapshot(record) if record else None
    if record is None:
        record = ServiceRecord.objects.create(volunteer=volunteer, activity=activity, hours=hours)
    else:
        record.hours = hours
        record.save(update_fields=["hours"])
    record_change(record, Event.UPDATED if before else Event.CREATED, before, snapshot(record))
    return record


def double_aided(aids, year: int) -> set[str]:
    """ID numbers (their keyed hashes) aided by two or more different units in one year (the same help twice is a
    reason to look) — by ID number, since two counties keep a person each."""
    rows = (aids.filter(on__year=year).exclude(beneficiary__person__id_hash="")
            .values("beneficiary__person__id_hash").annotate(units=Count("org_id", distinct=True))
            .filter(units__gte=2))
    return {row["beneficiary__person__id_hash"] for row in rows}


def reviews_due(talents, today: dt.date):
    """Talent entries not reviewed for 12 months or more."""
    try:
        cutoff = today.replace(year=today.year - 1)
    except ValueError:  # today is 29 Feb
        cutoff = today.replace(year=today.year - 1, day=28)
    if (today.month, today.day) == (2, 28) and calendar.isleap(today.year - 1):
        cutoff = cutoff.replace(day=29)  # a 29 Feb review falls due on 28 Feb, as Talent.review_due says
    return talents.filter(last_reviewed__lte=cutoff)


def loans_due(loans, today: dt.date, days: int = 30):
    """Disbursed loans whose repayment falls due within `days` (or is already past)."""
    return loans.filter(status__in=[Loan.Status.DISBURSED, Loan.Status.OVERDUE],
                        due_on__lte=today + dt.timedelta(days=days))


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Loans: 申请 → 审核 → 发放 → 还清 / 逾期 ----------------------------------------------------------------------
LOAN_MACHINE = StateMachine(gettext_lazy("贷款"))


def _loan_moved(loan: Loan, status: str, code: Event, *, on: dt.date | None = None) -> Loan:
    """Save the new status (a change entry) and write the step's named event, in the caller's transaction."""
    loan.status = status
    loan.save()
    record_event(code, loan, data={"on": on.isoformat()} if on else None)
    return loan


@LOAN_MACHINE.transition("approve", gettext_lazy("审核通过"), event=Event.LOAN_APPROVED,
                         sources={Loan.Status.APPLIED})
@transaction.atomic
def approve_loan(loan: Loan, *, actor=None, on: dt.date | None = None) -> Loan:
    return _loan_moved(loan, Loan.Status.APPROVED, Event.LOAN_APPROVED)


@LOAN_MACHINE.transition("reject", gettext_lazy("不通过"), event=Event.LOAN_REJECTED, sources={Loan.Status.APPLIED})
@transaction.atomic
def reject_loan(loan: Loan, *, actor=None, on: dt.date | None = None) -> Loan:
    return _loan_moved(loan, Loan.Status.REJECTED, Event.LOAN_REJECTED)


@LOAN_MACHINE.transition("disburse", gettext_lazy("发放"), event=Event.LOAN_DISBURSED,
                         sources={Loan.Status.APPROVED})
@transaction.atomic
def disburse_loan(loan: Loan, *, actor=None, on: dt.date | None = None) -> Loan:
    """发放: the repayment falls due `term_months` after the day the bank paid out."""
    on = on or timezone.localdate()
    loan.disbursed_on, loan.due_on = on, add_months(on, loan.term_months)
    return _loan_moved(loan, Loan.Status.DISBURSED, Event.LOAN_DISBURSED, on=on)


@LOAN_MACHINE.transition("repay", gettext_lazy("还清"), event=Event.LOAN_REPAID,
                         sources={Loan.Status.DISBURSED, Loan.Status.OVERDUE})
@transaction.atomic
def repay_loan(loan: Loan, *, actor=None, on: dt.date | None = None) -> Loan:
    loan.repaid_on = on or timezone.localdate()
    return _loan_moved(loan, Loan.Status.REPAID, Event.LOAN_REPAID, on=loan.repaid_on)


@LOAN_MACHINE.transition("overdue", gettext_lazy("标记逾期"), event=Event.LOAN_OVERDUE,
                         sources={Loan.Status.DISBURSED})
@transaction.atomic
def mark_loan_overdue(loan: Loan, *, actor=None, on: dt.date | None = None) -> Loan:
    return _loan_moved(loan, Loan.Status.OVERDUE, Event.LOAN_OVERDUE)


def loan_step(loan: Loan, step: str, *, on: dt.date, actor=None) -> Loan:
    """One loan step by name (for scripts and the demo data): the step's own service, guarded and audited."""
    return LOAN_MACHINE[step].service(loan, actor=actor, on=on)


@dataclass
class PeopleStats:
    aided_people: int = 0
    aid_amount: Decimal = Decimal(0)
    new_cadres: dict[str, int] = field(default_factory=dict)  # post kind label → count
    volunteers: int = 0
    volunteer_hours: Decimal = Decimal(0)
    honours: dict[str, int] = field(default_factory=dict)  # level label → count
    civilized_posts: int = 0
    loans: int = 0
    loan_amount: Decimal = Decimal(0)
    subsidy_amount: Decimal = Decimal(0)

    @property
    def empty(self) -> bool:
        return not any([self.aided_people, self.new_cadres, self.volunteers, self.honours, self.civilized_posts,
                        self.loans])


def _mine(queryset, unit, scope: str):
    return queryset.filter(org=unit) if scope == "self" else queryset.filter(org__path__startswith=unit.path)


# people_stats' six queries, compiled once per scope and connection (orgs.models.UnitQuery): every work summary asks
# them. Run with the unit, the period's first and last day and its years.
_DAYS = {"start": dt.date(1901, 2, 3), "end": dt.date(1901, 3, 4)}
_AIDS = UnitQuery(lambda unit, scope, start, end: totals(
    _mine(Aid.objects.filter(on__range=(start, end)), unit, scope),
    people=Count("beneficiary__person__id_hash", distinct=True), amount=Sum("amount")), **_DAYS)
_CADRES = UnitQuery(lambda unit, scope, start, end: _mine(Talent.objects.filter(appointed_on__range=(start, end)),
                                                          unit, scope)
                    .exclude(post_kind__in=[Talent.Post.CANDIDATE, Talent.Post.OTHER])
                    .values_list("post_kind").annotate(n=Count("id")).order_by(), **_DAYS)
_SERVICES = UnitQuery(lambda unit, scope, start, end: totals(
    ServiceRecord.objects.filter(volunteer__in=_mine(Volunteer.objects.all(), unit, scope),
                                 activity__start_date__range=(start, end)),
    people=Count("volunteer", distinct=True), hours=Sum("hours")), **_DAYS)
_HONOURS = UnitQuery(lambda unit, scope, first, last: _mine(Honour.objects.filter(year__range=(first, last)), unit,
                                                            scope).values_list("level").annotate(n=Count("id"))
                     .order_by(), first=1231, last=1232)
_POSTS = UnitQuery(lambda unit, scope, start, end: totals(
    _mine(CivilizedPost.objects.filter(created_on__range=(start, end)), unit, scope), n=Count("*")), **_DAYS)
_LOANS = UnitQuery(lambda unit, scope, start, end: totals(
    _mine(Loan.objects.filter(disbursed_on__range=(start, end)), unit, scope),
    n=Count("id"), amount=Sum("amount"), subsidy=Sum("subsidy_amount")), **_DAYS)


def people_stats(root, period: Period, *, scope: str = "tree") -> PeopleStats:
    days = {"start": period.start, "end": period.end}
    db = Aid.objects.db
    stats = PeopleStats()
    stats.aided_people, amount = _AIDS.rows(root, scope, db, **days)[0]
    stats.aid_amount = amount or Decimal(0)
    cadres = dict(_CADRES.rows(root, scope, db, **days))
    stats.new_cadres = {str(label): cadres[key] for key, label in Talent.Post.choices if key in cadres}
    stats.volunteers, hours = _SERVICES.rows(root, scope, db, **days)[0]
    stats.volunteer_hours = hours or Decimal(0)
    honours = dict(_HONOURS.rows(root, scope, db, first=period.start.year, last=period.end.year))
    stats.honours = {str(label): honours[key] for key, label in Level.choices if key in honours}
    (stats.civilized_posts,), = _POSTS.rows(root, scope, db, **days)
    stats.loans, amount, subsidy = _LOANS.rows(root, scope, db, **days)[0]
    stats.loan_amount, stats.subsidy_amount = amount or Decimal(0), subsidy or Decimal(0)
    return stats



@transaction.atomic
def save_with_person(form, *, team_name: str = ""):
    """Save a registry form: find or create the person by ID number, then the list entry."""
    from jinguo.people.models import VolunteerTeam

    entry = form.save(commit=False)
    data = form.person_data()
    current = entry.person if getattr(entry, "person_id", None) else None
    if data and current is not None and data["id_number"] == (current.id_number or ""):
        update_person(current, name=data["name"], phone=data["phone"], address=data["address"])
    elif data:
        entry.person = person_for(**data, unit=entry.org)
    if team_name:
        entry.team, _created = VolunteerTeam.objects.get_or_create(org=entry.org, name=team_name.strip())
    entry.save()
    return entry
