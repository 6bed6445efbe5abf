"""Every write of a domain record leaves an audit entry in the same transaction — walked, not sampled.

Two walks:

* **every model that records changes** (each concrete `AuditedModel`, found by its base class): one record of each
  kind is made (the security tests' world), then each is changed and, where nothing protects it, deleted; each write
  must leave a `changed`/`deleted` entry naming that record. Models outside the base are listed below with what
  audits them, so a new one cannot slip in unlisted.
* **every service function that writes** (each public function in `jinguo/<app>/services.py` whose body saves,
  creates, updates or deletes): it is called through `walk(...)`, which records every table the call writes (SQL
  INSERT / UPDATE / DELETE) and the audit entries it leaves; each row written must be named by an entry, for its own
  model or for the record it belongs to in the same app (a petitioner by its case, a data value by its submission).
  A writing service that the walk does not reach fails the test, so a new service has to be walked here.
  (On PostgreSQL the bulk paths write by COPY, which no execute wrapper sees: their rows are checked on SQLite.)

Before issue 18 the volunteer-hours page wrote `ServiceRecord` with `update_or_create` and no entry: see
`test_the_walk_catches_a_write_without_an_entry`, which replays that write and expects the walk to refuse it.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pathlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import ProtectedError, RestrictedError

from jinguo.audit.models import AuditEntry
from jinguo.core.events import Event
from jinguo.core.models import AuditedModel
from jinguo.core.roles import Role
from jinguo.testing import make_user
from tests.security.conftest import make_world  # noqa: F401 - the world with one record of every kind

pytestmark = pytest.mark.django_db

JINGUO = pathlib.Path(__file__).resolve().parents[2] / "jinguo"

# Models outside `AuditedModel`, and what writes their audit entry. The walk checks each claim when it sees a write.
AUDITED_THROUGH = {
    "people.ServiceRecord": "people.services.record_service writes its own change entry",
    "petitions.Petitioner": "written with its case (register_case and the case's events)",
    "petitions.CaseEvent": "each step also writes the named audit event of its case",
    "petitions.Referral": "refer_case / record_referral_feedback write the case's events",
    "petitions.DomesticViolence": "save_dv writes the case's event",
    "petitions.Assignment": "assign_case / report_back / press write the case's events",
    "petitions.FollowUp": "follow_up_case writes the case's event",
    "ledger.ActivityFigure": "set_figures writes the activity's figures.changed event",
    "ledger.ActivityPartner": "set_partners writes the activity's partners.changed event",
    "ledger.Activity_themes": "save_activity writes the activity's themes in its change entry",
    "ledger.PlanItem_activities": "through table of an audited plan item",
    "monitoring.DataValue": "save_values writes the submission's monitoring.saved event",
    "monitoring.DataSet_indicators": "through table of an audited data set",
    "accounts.ApiToken": "issue_token / revoke_token write the user's token events",
    "accounts.PasswordHistory": "kept by User.save, whose change entry records the password change",
    "accounts.User_groups": "not used (roles are RoleAssignment)",
    "accounts.User_user_permissions": "not used (roles are RoleAssignment)",
    "core.Attachment": "uploads record attachment.added on the record they belong to (core.views)",
}
# Tables that hold no record of their own: derived from audited records, or the trail itself.
DERIVED = {
    "ledger.ActivityCell": "roll-up of audited activities, rebuilt by `jinguo rebuild_cells`",
    "ledger.ActivityRank": "each audited activity's section and reach, rebuilt by `jinguo rebuild_cells`",
    "ledger.SectionCell": "roll-up of audited activities by section, rebuilt by `jinguo rebuild_cells`",
    "petitions.CaseCell": "roll-up of audited cases, rebuilt by `jinguo rebuild_cells`",
    "petitions.CaseCounter": "the next case number of a unit and year; each number lands in an audited case",
    "core.ImportJob": "bookkeeping of an upload; the rows it imports are audited as they are written",
    "audit.AuditEntry": "the trail itself",
    "audit.AuditHead": "the trail's head",
}
# Service functions the static scan calls writing that write no record (with why), or that are the trail itself.
NOT_RECORD_WRITES = {
    "audit.services.record_change": "writes the trail",
    "audit.services.record_event": "writes the trail",
    "audit.services.record_events_many": "writes the trail",
    "audit.services.record_created_many": "writes the trail",
    "audit.services.record_access": "writes the trail",
    "reports.services.render_into_template": "pure: fills a .docx in memory",
}
WRITES = re.compile(r"\.save\(|\.create\(|\.delete\(|update_or_create\(|get_or_create\(|bulk_create\(|bulk_update\("
                    r"|\.update\(|transaction\.atomic|record_event\(|record_change\(|insert_rows\(|create_objects\(")
SQL_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)


def writing_services() -> set[str]:
    """`app.services.name` of every public function in a services module whose body writes (a static scan)."""
    found = set()
    for path in sorted(JINGUO.glob("*/services.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if WRITES.search(ast.get_source_segment(source, node) or ""):
                    found.add(f"{path.parent.name}.services.{node.name}")
    return found


def _jinguo_models() -> dict[str, type[models.Model]]:
    """db_table → model, for the models of jinguo's apps (with their many-to-many tables)."""
    labels = {c.label for c in apps.get_app_configs() if c.name.startswith("jinguo.")}
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in labels}


class Walk:
    """Calls services, recording what each call writes and whether the trail names it; collects every gap."""

    def __init__(self) -> None:
        self.tables = _jinguo_models()
        self.walked: set[str] = set()
        self.gaps: list[str] = []

    def __call__(self, function, *args, **kwargs):
        name = f"{function.__module__.removeprefix('jinguo.')}.{function.__name__}"
        self.walked.add(name)
        written: set[str] = set()

        def capture(execute, sql, params, many, context):
            match = SQL_WRITE.match(sql)
            if match:
                written.add(match.group(1))
            return execute(sql, params, many, context)

        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        with connection.execute_wrapper(capture):
            result = function(*args, **kwargs)
        named = set(AuditEntry.objects.filter(seq__gt=last).values_list("object_type", flat=True))
        for table in sorted(written):
            model = self.tables.get(table)
            if model is None or model._meta.label in DERIVED:
                continue  # django's, axes', otp's tables; derived data
            if not self.covered(model, named):
                self.gaps.append(f"{name} wrote {model._meta.label} ({table}) with no audit entry for it "
                                 f"(entries written: {sorted(named) or 'none'})")
        return result

    @staticmethod
    def covered(model: type[models.Model], named: set[str]) -> bool:
        """An entry names the record itself, or a record of the same app that it belongs to (its foreign key)."""
        if model._meta.label_lower in named:
            return True
        parents = {f.related_model._meta.label_lower for f in model._meta.concrete_fields
                   if f.is_relation and f.related_model._meta.app_label == model._meta.app_label}
        return bool(parents & named)


def test_every_model_is_audited_or_says_what_audits_it():
    unlisted = []
    for model in _jinguo_models().values():
        label = model._meta.label
        if not issubclass(model, AuditedModel) and label not in AUDITED_THROUGH and label not in DERIVED:
            unlisted.append(label)
    assert not unlisted, f"models neither AuditedModel nor listed in AUDITED_THROUGH / DERIVED: {unlisted}"


def _change_one_field(obj: models.Model) -> str | None:
    """Change one plain field of `obj` in memory (text, number, flag or date); the field's name, or None."""
    skip = {"created", "updated", "version", "password", "last_login"}
    fields = [f for f in obj._meta.concrete_fields
              if not (f.primary_key or f.is_relation or not f.editable or f.name in skip)]
    for field in sorted(fields, key=lambda f: bool(f.choices)):  # a plain field first, a choice if nothing else
        value = getattr(obj, field.attname)
        if field.choices:
            others = [key for key, _label in field.flatchoices if key != value]
            if not others:
                continue
            value = others[0]
        elif isinstance(field, models.CharField | models.TextField) and not isinstance(field, models.EmailField):
            limit = field.max_length or 1000
            value = (value or "")[: limit - 1] + "改"
        elif isinstance(field, models.BooleanField):
            value = not value
        elif isinstance(field, models.IntegerField | models.DecimalField) and value is not None:
            value = value + 1
        elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField) and value:
            value = value - dt.timedelta(days=1)
        else:
            continue
        setattr(obj, field.attname, value)
        return field.name
    return None


def test_every_audited_model_logs_its_changes_and_deletions(make_world, tree, users, settings, tmp_path):  # noqa: F811
    """Each concrete AuditedModel: a record of it exists in a full world, and changing it (and deleting it where
    nothing protects it) leaves an entry naming that record."""
    settings.MEDIA_ROOT = tmp_path
    records = make_world(tree["sister"], tree["sister_township"], users["sister"], "审计")
    _what_the_world_lacks(records, tree, users)
    gaps, never_made = [], []
    audited = [m for m in _jinguo_models().values() if issubclass(m, AuditedModel) and not m._meta.abstract]
    assert len(audited) >= 25  # the walk found the models (a broken discovery must not pass empty)
    for model in audited:
        obj = model._default_manager.order_by("-pk").first()
        if obj is None:
            never_made.append(model._meta.label)
            continue
        label, key = model._meta.label_lower, str(obj.pk)
        field = _change_one_field(obj)
        assert field, f"{model._meta.label}: no plain field to change"
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        obj.save()
        if not AuditEntry.objects.filter(seq__gt=last, object_type=label, object_id=key, action=Event.UPDATED).exists():
            gaps.append(f"{model._meta.label}: changing {field} left no entry")
        try:
            with transaction.atomic():
                last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
                model._default_manager.get(pk=obj.pk).delete()
                if not AuditEntry.objects.filter(seq__gt=last, object_type=label, object_id=key,
                                                 action=Event.DELETED).exists():
                    gaps.append(f"{model._meta.label}: deleting left no entry")
                transaction.set_rollback(True)
        except (ProtectedError, RestrictedError):
            pass  # kept by the records that point at it; its change above was still checked
    assert not never_made, f"the world made no record of: {never_made}"
    assert not gaps, "\n".join(gaps)


def _what_the_world_lacks(records, tree, users):
    """The kinds the security world does not make: a volunteer team, a forward, an office's Word template, a saved
    column mapping."""
    from django.core.files.base import ContentFile

    from jinguo.articles.models import Forward
    from jinguo.core.models import ImportMapping
    from jinguo.people.models import VolunteerTeam
    from jinguo.reports.models import SummaryTemplate

    VolunteerTeam.objects.create(org=tree["sister"], name="巾帼志愿服务队")
    Forward.objects.create(org=tree["sister"], article=records["article"], from_org=tree["sister"],
                           to_org=tree["city"], forwarded_on=dt.date(2025, 3, 9))
    template = SummaryTemplate(org=tree["sister"], name="红头", uploaded_by=users["sister"])
    template.file.save("红头.docx", ContentFile(_office_template()), save=False)
    template.save()
    ImportMapping.objects.create(org=tree["sister"], kind="activities", signature="审计" * 8,
                                 mapping={"活动名称": "title", "序号": None}, updated_by=users["sister"])


def test_the_walk_catches_a_write_without_an_entry(tree, make_activity):
    """The old ServiceAddView: hours written with update_or_create and no entry. The walk must refuse it."""
    from jinguo.people import services as people
    from jinguo.people.models import ServiceRecord, Volunteer

    person = people.person_for(name="张三", id_number="11010519491231002X")
    volunteer = Volunteer.objects.create(org=tree["county"], person=person, joined_on=dt.date(2025, 1, 1))
    activity = make_activity(tree["county"], "义诊", "2025-03-08")

    def old_service_add_view(volunteer, *, activity, hours):
        return ServiceRecord.objects.update_or_create(volunteer=volunteer, activity=activity,
                                                      defaults={"hours": hours})

    walk = Walk()
    walk(old_service_add_view, volunteer, activity=activity, hours=Decimal("3"))
    assert walk.gaps and "people.ServiceRecord" in walk.gaps[0]
    walk = Walk()
    walk(people.record_service, volunteer, activity=activity, hours=Decimal("3"))
    assert walk.gaps == []


def test_every_writing_service_leaves_an_audit_entry(tree, users, codes, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    walk = Walk()
    _walk_orgs_and_accounts(walk, tree, users)
    activity = _walk_ledger(walk, tree, make_activity)
    _walk_people(walk, tree, activity)
    _walk_petitions(walk, tree, users, codes)
    _walk_monitoring(walk, tree, users)
    _walk_grassroots_and_articles(walk, tree, users)
    _walk_reports(walk, tree, users)
    from jinguo.audit import services as audit
    from jinguo.petitions.models import Case

    walk(audit.reveal, Case.objects.filter(org=tree["county"]).first(), actor=users["staff"], reason="核实身份",
         fields=["name"])

    assert not walk.gaps, "\n".join(walk.gaps)
    writing = writing_services()
    assert len(writing) >= 50  # the scan found the services (a broken scan must not pass empty)
    missing = writing - walk.walked - set(NOT_RECORD_WRITES)
    assert not missing, f"writing services the walk does not reach (add them here): {sorted(missing)}"
    for name in NOT_RECORD_WRITES:  # the exemptions name real functions
        module, function = name.rsplit(".", 1)
        assert inspect.isfunction(getattr(importlib.import_module(f"jinguo.{module}"), function))


def _walk_orgs_and_accounts(walk, tree, users):
    from jinguo.accounts import services as accounts
    from jinguo.accounts.models import ApiToken
    from jinguo.orgs.services import add_org

    walk(add_org, "431122102", "芦洪市镇", parent=tree["county"])
    user, _password = walk(accounts.create_user, "new_clerk", org=tree["county"], roles=[Role.STAFF])
    assignment = walk(accounts.grant_role, user, tree["county"], Role.UNIT_LEADER)
    walk(accounts.revoke_role, assignment, actor=users["secadmin"])
    walk(accounts.reset_password, user, actor=users["sysadmin"])
    walk(accounts.change_password, user, "Xq7#mPz2!vLw")
    walk(accounts.unlock, user)
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=False)
    assert walk(accounts.confirm_device, user, device, f"{totp(device.bin_key):06d}")
    assert walk(accounts.verify_second_factor, user, "abcdef") is None  # a wrong code is audited too
    assert AuditEntry.objects.filter(action=Event.OTP_FAILED, object_id=str(user.pk)).exists()
    walk(accounts.issue_token, user, name="对接")
    walk(accounts.revoke_token, ApiToken.objects.filter(user=user).get())


def _walk_ledger(walk, tree, make_activity):
    from jinguo.core.models import CodeItem
    from jinguo.ledger import services as ledger
    from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
    from jinguo.ledger.models import Activity, Measure

    kinds = CodeItem.objects.lookup("activity_kind")
    form = ActivityForm(data={"org": tree["county"].pk, "kind": kinds["宣传教育"].pk, "title": "普法进村",
                              "start_date": "2025-03-08", MEASURE_PREFIX + "participants": "30"})
    assert form.is_valid(), form.errors
    activity = walk(ledger.save_activity, form)
    measure = Measure.objects.get(code="participants")
    walk(ledger.set_figures, activity, {measure: Decimal("40")})
    walk(ledger.set_partners, activity, ["县司法局"])
    new = ledger.NewActivity(activity=Activity(org=tree["county"], kind=kinds["宣传教育"], title="批量导入",
                                               start_date=dt.date(2025, 3, 9), end_date=dt.date(2025, 3, 9)),
                             themes=[], figures={measure: Decimal("5")}, partners=["县妇幼保健院"])
    walk(ledger.create_activities, [new])
    return activity


def _walk_people(walk, tree, activity):
    from jinguo.core.models import CodeItem
    from jinguo.people import forms, services
    from jinguo.people.models import Beneficiary, Loan, Volunteer

    person = walk(services.person_for, name="李四", id_number="11010519491231002X", unit=tree["county"])
    walk(services.update_person, person, name="李四", phone="13800002222")
    form = forms.BeneficiaryForm(data={"org": tree["county"].pk, "person_name": "王五",
                                       "id_number": "431122198503080024",
                                       "group": CodeItem.objects.lookup("beneficiary_group")["贫困母亲"].pk,
                                       "since": "2025-01-01"})
    form.fields["org"].queryset = type(tree["county"]).objects.all()
    assert form.is_valid(), form.errors
    beneficiary = walk(services.save_with_person, form)
    assert isinstance(beneficiary, Beneficiary)
    walk(services.add_aid, beneficiary, on=dt.date(2025, 3, 8), amount=Decimal("500"))
    volunteer = Volunteer.objects.create(org=tree["county"], person=person, joined_on=dt.date(2025, 1, 1))
    walk(services.record_service, volunteer, activity=activity, hours=Decimal("4"))
    walk(services.record_service, volunteer, activity=activity, hours=Decimal("5"))  # corrects the first
    loan = Loan.objects.create(org=tree["county"], person=person, amount=Decimal("50000"), bank="农商行",
                               term_months=24, applied_on=dt.date(2025, 3, 1))
    for step in ("approve", "disburse", "overdue", "repay"):
        walk(services.loan_step, loan, step, on=dt.date(2025, 3, 10))


def _walk_petitions(walk, tree, users, codes):
    from django.utils import timezone

    from jinguo.petitions import services
    from jinguo.petitions.models import Case, ClosureResult, DomesticViolence, Status

    def new_case(org, day="2025-03-08"):
        case = Case(org=org, channel=codes["channel"]["来电"], category=codes["category"]["婚姻家庭"],
                    summary="丈夫经常打骂", headcount=1,
                    received_at=timezone.make_aware(dt.datetime.fromisoformat(f"{day} 10:00")))
        return walk(services.register_case, case, [services.PetitionerData(name="赵六", phone="13800003333")],
                    actor=users["staff"])

    D = dt.date
    walk(services.next_numbers, tree["county"], 2025)
    case = new_case(tree["county"])
    walk(services.accept_case, case, on=D(2025, 3, 9), actor=users["staff"])
    walk(services.extend_case, case, days=30, reason="情况复杂", actor=users["leader"])
    walk(services.start_case, case, actor=users["staff"])
    referral = walk(services.refer_case, case, agency_type=codes["agency"]["法律援助中心"], unit_name="县法援中心",
                    sent_on=D(2025, 3, 10), actor=users["staff"])
    walk(services.record_referral_feedback, referral, result="已受理", on=D(2025, 3, 12), actor=users["staff"])
    walk(services.save_dv, case, DomesticViolence(abuser_id_number="11010519491231002X",
                                                  warning_letter_on=D(2025, 3, 11)), actor=users["staff"])
    walk(services.reply_case, case, reply="已调解", on=D(2025, 3, 20), actor=users["staff"])
    walk(services.follow_up_case, case, on=D(2025, 3, 25), method="phone", satisfaction="satisfied",
         actor=users["staff"])
    walk(services.close_case, case, result=ClosureResult.values[0], on=D(2025, 3, 26), actor=users["staff"])
    walk(services.request_review, case, on=D(2025, 4, 1), actor=users["staff"])
    walk(services.reject_case, new_case(tree["county"]), reason="不属于妇联职责", actor=users["staff"])
    walk(services.transfer_case, new_case(tree["county"]), to="县人社局", actor=users["staff"])
    upper = new_case(tree["city"])
    walk(services.accept_case, upper, on=D(2025, 3, 9), actor=users["city"])
    assignment = walk(services.assign_case, upper, to_org=tree["county"], due_on=D(2099, 1, 1), actor=users["city"])
    walk(services.press, assignment, actor=users["city"], note="请尽快反馈")
    walk(services.report_back, assignment, report="已调解成功", actor=users["staff"])
    old = Case(org=tree["county"], channel=codes["channel"]["来电"], category=codes["category"]["婚姻家庭"],
               summary="旧台账", headcount=1, received_at=timezone.make_aware(dt.datetime(2023, 5, 1, 9)))
    walk(services.import_historical, [services.HistoricalCase(
        case=old, petitioners=[services.PetitionerData(name="钱七")], status=Status.REGISTERED)],
        actor=users["staff"])


def _walk_monitoring(walk, tree, users):
    from jinguo.core.periods import Period
    from jinguo.monitoring import services
    from jinguo.monitoring.models import DataSet, Indicator
    from jinguo.orgs.models import Level
    from jinguo.orgs.services import add_org

    agency = add_org("431122-WJ", "东安县卫健局", parent=tree["county"], level=Level.AGENCY)
    make_user("wj_clerk", agency, Role.AGENCY_CLERK)
    dataset = DataSet.objects.create(org=agency, name="妇女健康")
    indicator = Indicator.objects.get(code="W_HEALTH_LB")
    dataset.indicators.set([indicator])
    submission = walk(services.save_grid, dataset, Period.parse("2025"), {indicator: (Decimal("1000"), "")})
    walk(services.save_values, submission, {indicator: (Decimal("1001"), "核对后更正")})
    assert walk(services.submit, submission, actor=users["staff"]) == []
    walk(services.return_submission, submission, reason="请核对", actor=users["leader"])
    walk(services.submit, submission, actor=users["staff"])
    walk(services.review, submission, actor=users["leader"])
    walk(services.approve, submission, actor=users["leader"])
    walk(services.reopen, submission, actor=users["leader"], reason="数据更正")


def _walk_grassroots_and_articles(walk, tree, users):
    from jinguo.articles import services as articles
    from jinguo.articles.models import Article
    from jinguo.core.models import CodeItem
    from jinguo.grassroots import services as grassroots
    from jinguo.grassroots.models import OrgProfile

    profile = walk(grassroots.save_profile, OrgProfile(
        org=tree["township"], kind=CodeItem.objects.lookup("grassroots_kind")["乡镇妇联"], chair_name="孙八",
        executives=9, has_home=True, elected_on=dt.date(2023, 3, 8)), year=2024)
    profile.executives = 11
    profile.save()
    walk(grassroots.take_snapshot, profile, 2025)
    article = Article.objects.create(org=tree["township"], title="妇女之家开展活动", sent_on=dt.date(2025, 3, 8),
                                     author="周九", sent_to=tree["county"], body="正文")
    walk(articles.forward, article, actor=users["staff"], to_org=tree["city"])
    walk(articles.adopt, article, actor=users["city"])
    adoption = walk(articles.record_adoption, article, actor=users["staff"], adopter_text="永州日报")
    walk(articles.withdraw_adoption, adoption, actor=users["staff"])


def _walk_reports(walk, tree, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jinguo.reports import services
    from jinguo.reports.models import Summary

    summary = walk(services.start_summary, Summary(org=tree["county"], period="2025H1"), actor=users["staff"])
    walk(services.regenerate, summary)
    summary.refresh_from_db()
    blocks = services.typed_blocks(summary.blocks, {0: "东安县妇联2025年上半年工作总结"})
    walk(services.edit_summary, summary, blocks, actor=users["staff"], action="add:1")
    template = _office_template()
    walk(services.add_template, org=tree["county"], name="县妇联红头", actor=users["staff"],
         upload=SimpleUploadedFile("红头.docx", template))


def _office_template() -> bytes:
    import io

    from docx import Document

    document = Document()
    document.add_paragraph("东安县妇女联合会")
    document.add_paragraph("{{ 正文 }}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_exports_and_reveals_are_recorded_in_one_place():
    """`record_export(...)` is the one way an export is recorded and `reveal(...)` the one way personal data is
    shown in clear: no other module writes those entries itself."""
    own = {JINGUO / "audit" / "services.py", JINGUO / "core" / "changelog.py", JINGUO / "core" / "events.py"}
    elsewhere = re.compile(r"Event\.(?:AUDIT_|PERSONAL_)?EXPORTED\b|record_access\(|Event\.UNMASKED\b")
    offenders = []
    for path in JINGUO.rglob("*.py"):
        if path in own or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if elsewhere.search(line) and "code=Event.AUDIT_EXPORTED" not in line:
                offenders.append(f"{path.relative_to(JINGUO.parent)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
