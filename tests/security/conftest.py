"""A sister county (双牌县) holding one record of every kind, each carrying a marker no other county's page may show."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

from jinguo.core.roles import Role
from jinguo.testing import make_user

MARK = "双牌绝密"  # in every free-text field of the sister county's records


@pytest.fixture
def sister_world(make_world, tree, users):
    return make_world(tree["sister"], tree["sister_township"], users["sister"], MARK)


@pytest.fixture
def make_world(tree, make_case, make_activity, codes):
    """make_world(org, township, actor, mark) → one record of every kind in `org`, `mark` in each free-text field."""
    return lambda org, town, actor, mark: build_world(org, town, actor, mark, make_case, make_activity, codes)


def build_world(org, town, actor, MARK, make_case, make_activity, codes):
    from jinguo.audit.models import AuditEntry
    from jinguo.core.models import Attachment, CodeItem, ImportJob
    from jinguo.ledger.models import PlanItem
    from jinguo.monitoring.models import DataSet, DataValue, Indicator, Submission
    from jinguo.orgs.models import Level
    from jinguo.orgs.services import add_org
    from jinguo.people import services as people
    from jinguo.people.models import Aid, Beneficiary, CivilizedPost, Honour, Loan, Talent, Volunteer
    from jinguo.petitions import services as petitions
    from jinguo.petitions.models import Assignment, DomesticViolence, TimeLimits
    from jinguo.reports.models import Summary

    d = dt.date(2025, 3, 8)
    case = make_case(org, summary=f"{MARK}案件摘要", name=f"{MARK}甲", id_number="110108200003154578",
                     phone="13800001111")
    petitions.accept_case(case, actor=actor, on=d)
    petitions.refer_case(case, agency_type=codes["agency"]["法律援助中心"], unit_name=f"{MARK}法援", sent_on=d,
                         actor=actor)
    DomesticViolence.objects.create(case=case, abuser_relation=f"{MARK}配偶"[:20])
    assignment = Assignment.objects.create(case=case, from_org=org, to_org=town, assigned_on=d,
                                           due_on=d + dt.timedelta(days=15), report=f"{MARK}反馈")
    activity = make_activity(org, f"{MARK}活动", "2025-03-08", participants=10)
    person = people.person_for(name=f"{MARK}乙", id_number="11010519491231002X", unit=org)  # her county's record
    beneficiary = Beneficiary.objects.create(org=org, person=person, since=d,
                                             group=CodeItem.objects.lookup("beneficiary_group")["贫困母亲"])
    agency = add_org(f"{org.code}-WJ", f"{MARK}卫健局", parent=org, level=Level.AGENCY)
    dataset = DataSet.objects.create(org=agency, name=f"{MARK}数据集")
    dataset.indicators.set(Indicator.objects.all()[:2])
    summary_blocks = [{"key": "p", "kind": "para", "text": f"{MARK}总结", "origin": "user", "edited": False,
                       "links": []}]
    records = {
        "case": case,
        "referral": case.referrals.get(),
        "assignment": assignment,
        "activity": activity,
        "planitem": PlanItem.objects.create(org=org, period="2025", title=f"{MARK}计划"),
        "beneficiary": beneficiary,
        "aid": Aid.objects.create(org=org, beneficiary=beneficiary, on=d, amount=Decimal("300")),
        "talent": Talent.objects.create(org=org, person=person, post_kind="candidate", last_reviewed=d),
        "volunteer": Volunteer.objects.create(org=org, person=person, joined_on=d, skills=f"{MARK}技能"),
        "honour": Honour.objects.create(org=org, award=CodeItem.objects.lookup("honour_award")["三八红旗手"],
                                        level="county", year=2025, collective=f"{MARK}集体"),
        "civilizedpost": CivilizedPost.objects.create(org=org, name=f"{MARK}岗", level="county", created_on=d),
        "loan": Loan.objects.create(org=org, person=person, amount=Decimal("50000"), bank=f"{MARK}银行",
                                    term_months=24, applied_on=d),
        "dataset": dataset,
        "submission": Submission.objects.create(org=agency, dataset=dataset, period="2025"),
        "summary": Summary.objects.create(org=org, title=f"{MARK}总结", created_by=actor, period="2025",
                                          status=Summary.Status.READY, blocks=summary_blocks),
        "timelimits": TimeLimits.objects.create(org=org),
        "importjob": ImportJob.objects.create(org=org, kind="activities", user=actor, filename=f"{MARK}.xlsx",
                                              status=ImportJob.Status.DONE),
        "orgunit": agency,
        "user": make_user(f"clerk_{org.code}", agency, Role.AGENCY_CLERK),
    }
    attachment = Attachment(content_type=ContentType.objects.get_for_model(case), object_id=case.pk,
                            name=f"{MARK}.pdf", kind="pdf", size=9, uploaded_by=actor)
    attachment.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    records["attachment"] = attachment
    records["roleassignment"] = records["user"].role_assignments.first()
    records["figure"] = activity.figures.first()
    records["indicator"] = Indicator.objects.create(outline="women", domain="地方", code=f"LOCAL_{org.code}",
                                                    name=f"{MARK}地方指标", org=org)
    records["datavalue"] = DataValue.objects.create(submission=records["submission"], indicator=records["indicator"],
                                                    value=Decimal("3"), comment=f"{MARK}说明")
    records["auditentry"] = AuditEntry.objects.filter(org_path__startswith=org.path).latest("seq")
    records["apitoken"] = _token_of(actor)
    records.update(_grassroots_and_articles(org, town, actor, MARK))
    return records


def _grassroots_and_articles(org, town, actor, MARK):
    from jinguo.articles import services as articles
    from jinguo.articles.models import Article
    from jinguo.core.models import CodeItem
    from jinguo.grassroots.models import OrgProfile
    from jinguo.grassroots.services import save_profile

    profile = save_profile(OrgProfile(org=town, kind=CodeItem.objects.lookup("grassroots_kind")["乡镇妇联"],
                                      chair_name=f"{MARK}主席"[:50], executives=9, has_home=True,
                                      home_address=f"{MARK}妇女之家", elected_on=dt.date(2019, 3, 8),
                                      note=f"{MARK}备注"))
    article = Article.objects.create(org=org, title=f"{MARK}信息", sent_on=dt.date(2025, 3, 8), author=f"{MARK}作者",
                                     sent_to=org.parent, body=f"{MARK}正文")
    adoption = articles.record_adoption(article, actor=actor, adopter_text=f"{MARK}日报")
    return {"orgprofile": profile, "article": article, "adoption": adoption}


def _token_of(user):
    from jinguo.accounts.models import ApiToken
    from jinguo.accounts.services import issue_token

    issue_token(user)
    return ApiToken.objects.filter(user=user).latest("pk")


@pytest.fixture
def walker(tree):
    """A county user holding every record role there is (but no administrator role)."""
    return make_user("walker", tree["county"], Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER)
