"""Demo records for the demo counties: petitions and ledger activities over the last two years, and next
half-year's work plan — enough for the lists, statistics, dashboard and work summary to show something real.
Deterministic (fixed seed) and added only once per county."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from jinguo.core.excel import ImportContext
from jinguo.core.idcard import check_char
from jinguo.core.importkinds import get_spec
from jinguo.core.models import CodeItem, ImportJob
from jinguo.core.periods import Period
from jinguo.core.tasks import run_import_job
from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
from jinguo.ledger.models import Activity, PlanItem
from jinguo.ledger.services import save_activity
from jinguo.monitoring import services as monitoring_services
from jinguo.monitoring.models import DataSet, Indicator, Submission
from jinguo.people import forms as people_forms
from jinguo.people.models import Aid, Beneficiary, Loan
from jinguo.people.services import loan_step, save_with_person
from jinguo.petitions import services as case_services
from jinguo.petitions.models import Case, DomesticViolence, TimeLimits
from jinguo.reports.models import Summary
from jinguo.reports.services import regenerate

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗"
GIVEN = ["秀英", "桂英", "玉兰", "丽", "敏", "静", "芳", "娟", "艳", "霞", "红梅", "春花", "小燕", "婷", "雪梅"]
CASES = [  # channel, category, subcategory, summary, weight
    ("来电", "婚姻家庭", "家庭暴力", "丈夫酒后殴打，要求帮助申请人身安全保护令", 5),
    ("12338热线", "婚姻家庭", "离婚纠纷", "离婚后对方拒不支付抚养费", 4),
    ("来访", "婚姻家庭", "家庭纠纷", "婆媳矛盾激化，要求调解", 4),
    ("来访", "财产权益", "宅基地", "出嫁女宅基地权益被村组剥夺", 2),
    ("来信", "劳动和社会保障权益", "劳动报酬", "企业拖欠女工工资", 2),
    ("网上信访", "法律咨询", None, "咨询婚前财产认定", 2),
    ("来电", "人身权益", "性骚扰", "工作单位领导骚扰", 1),
]
ACTIVITIES = [  # month, kind, title, themes, figures
    (3, "宣传教育", "三八维权周法律宣传进社区", ["三八维权周", "三八妇女节"],
     {"participants": 600, "materials": 3000, "consultations": 120, "banners": 6}),
    (3, "表彰", "三八红旗手表彰大会", ["三八妇女节"], {"participants": 200}),
    (5, "健康服务", "农村妇女两癌免费筛查", ["两癌筛查"], {"checkups": 850, "beneficiaries": 850}),
    (5, "宣传教育", "母亲节家风故事分享会", ["母亲节", "家庭家教家风"], {"participants": 150, "handbooks": 300}),
    (6, "慰问帮扶", "六一慰问留守儿童", ["六一儿童节"], {"visited": 60, "condolence": Decimal("18000"),
                                                    "goods": Decimal("6500")}),
    (6, "宣传教育", "国际禁毒日宣传", ["国际禁毒日"], {"materials": 1500, "consultations": 45}),
    (4, "培训", "巾帼电商技能培训班", ["巾帼建功"], {"trainees": 80, "lectures": 4}),
    (1, "慰问帮扶", "春节送温暖走访困难妇女", ["春节送温暖"], {"visited": 45, "condolence": Decimal("22500")}),
    (9, "培训", "家庭教育指导师培训", ["家庭家教家风"], {"trainees": 60, "lectures": 3}),
    (11, "维权服务", "反家暴宣传月法律咨询", ["反家庭暴力"], {"consultations": 160, "materials": 2000}),
    (8, "捐赠", "爱心企业助学捐赠", [], {"donations": Decimal("30000"), "beneficiaries": 30}),
    # one at least in every month, so the home page's "this month" is never empty whatever day the demo is loaded
    (2, "慰问帮扶", "元宵节走访慰问困难妇女", ["春节送温暖"], {"visited": 30, "condolence": Decimal("9000")}),
    (7, "宣传教育", "暑期儿童防溺水安全宣传", [], {"participants": 300, "materials": 1200}),
    (10, "培训", "巾帼家政技能培训班", ["巾帼建功"], {"trainees": 50, "lectures": 3}),
    (12, "宣传教育", "国家宪法日普法宣传", ["宪法宣传日"], {"materials": 1800, "consultations": 60}),
]
PLANS = ["深化“美丽庭院”创建，年底前实现每个乡镇有示范村", "开展反家暴宣传进村入户活动",
         "举办巾帼家政技能培训两期", "做好春节期间困难妇女儿童走访慰问"]


def _id_number(rng: random.Random, county: str) -> str:
    born = f"{rng.randint(1965, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{county}{born}{rng.randint(0, 499) * 2:03d}"
    return first17 + check_char(first17)


@transaction.atomic
def load_demo_records(county, *, user=None) -> bool:
    if Case.objects.filter(org=county).exists() or Activity.objects.filter(org=county).exists():
        return False
    rng = random.Random(int(county.code))
    today = timezone.localdate()
    channels = CodeItem.objects.lookup("petition_channel")
    categories = CodeItem.objects.lookup("petition_category")
    agencies = CodeItem.objects.lookup("referral_agency")
    townships = list(county.children.filter(level="township")) or [county]
    weighted = [c for c in CASES for _ in range(c[4])]
    start = dt.date(today.year - 1, 1, 1)
    for _ in range(24 + rng.randint(0, 10)):
        channel, category, sub, summary, _weight = rng.choice(weighted)
        received = start + dt.timedelta(days=rng.randint(0, (today - start).days - 1))
        org = rng.choice([county, county, *townships[:3]])
        case = Case(org=org, channel=channels[channel], category=categories[category],
                    subcategory=categories[sub] if sub else None, summary=summary,
                    flag_dv=sub == "家庭暴力", received_at=timezone.make_aware(
                        dt.datetime.combine(received, dt.time(rng.randint(8, 17), rng.randint(0, 59)))))
        person = case_services.PetitionerData(name=rng.choice(SURNAMES) + rng.choice(GIVEN), age=rng.randint(22, 68),
                                         id_number=_id_number(rng, county.code),
                                         phone=f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}")
        case_services.register_case(case, [person], actor=user)
        if (today - received).days < 5:
            continue
        accepted = received + dt.timedelta(days=rng.randint(0, 4))
        case_services.accept_case(case, actor=user, on=accepted)
        if sub == "家庭暴力" or rng.random() < 0.3:
            case_services.refer_case(case, agency_type=agencies["公安" if sub == "家庭暴力" else "司法行政/法律援助"],
                                unit_name=f"{county.name}{'公安局' if sub == '家庭暴力' else '法律援助中心'}",
                                sent_on=accepted, actor=user)
        if (today - accepted).days < 20 or rng.random() < 0.1:
            continue
        replied = min(today, accepted + dt.timedelta(days=rng.randint(5, 70)))
        case_services.reply_case(case, reply="已调查核实并书面答复信访人", actor=user, on=replied)
        followed = min(today, replied + dt.timedelta(days=rng.randint(3, 15)))
        case_services.follow_up_case(case, on=followed, method="phone", satisfaction=rng.choice(
            ["satisfied", "satisfied", "basically"]), actor=user)
        case_services.close_case(case, result=rng.choice(["mediated", "legal_aid", "explained", "referred"]),
                            actor=user, on=followed)
    kinds = CodeItem.objects.lookup("activity_kind")
    themes = CodeItem.objects.lookup("activity_theme")
    for year in (today.year - 1, today.year):
        for month, kind, title, theme_names, figures in ACTIVITIES:
            day = dt.date(year, month, rng.randint(1, 25))
            if (year, month) == (today.year, today.month):
                day = min(day, today)  # this month's activity has happened by today, even on the 1st
            if day > today:
                continue
            scale = Decimal(rng.randint(70, 130)) / 100
            data = {"org": county.pk, "kind": kinds[kind].pk, "title": f"{year}年{title}", "start_date": day,
                    "place": f"{county.name}{rng.choice(['文化广场', '妇女儿童之家', '会议室'])}",
                    "themes": [themes[t].pk for t in theme_names]}
            data.update({MEASURE_PREFIX + code: str(int(value * scale)) for code, value in figures.items()})
            form = ActivityForm(data=data)
            if form.is_valid():
                save_activity(form)

    health = county.children.filter(code=f"{county.code}-WJ").first()
    if health and not DataSet.objects.filter(org=health).exists():
        dataset = DataSet.objects.create(org=health, name="妇女儿童健康")
        dataset.indicators.set(Indicator.objects.filter(kind="count"))
    current = Period.containing(today, "H")
    for period in (current, current.next()):
        for order, text in enumerate(PLANS, start=1):
            PlanItem.objects.create(org=county, period=str(period), title=text, order=order)
    return True


REGISTRY_PEOPLE = 12  # people in the demo registries of each county


@transaction.atomic
def load_demo_registries(county, *, user=None) -> bool:
    """A few entries in every registry of `county` — people helped (with aid given), the talent pool (one review
    overdue), volunteers in a team, honours to a person and to a collective, a 巾帼文明岗 and loans at each step
    (one falling due) — so every registry page and reminder has something to show. Added once per county."""

    if Beneficiary.objects.filter(org=county).exists():
        return False
    rng = random.Random(int(county.code) + 1)
    today = timezone.localdate()
    groups = CodeItem.objects.lookup("beneficiary_group")
    awards = CodeItem.objects.lookup("honour_award")
    people = []
    for index in range(REGISTRY_PEOPLE):
        people.append({"person_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                       "id_number": _id_number(rng, county.code),
                       "phone": f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}",
                       "address": f"{county.name}{rng.choice(['城关', '白牙市', '大庙口'])}镇{index + 1}号"})

    def save(form_class, person, team_name="", **data):
        form = form_class(data={"org": county.pk, **(person or {}), **data})
        if not form.is_valid():
            raise ValueError(f"demo {form_class.__name__}: {form.errors.as_text()}")
        return save_with_person(form, team_name=team_name) if hasattr(form, "person_data") else form.save()

    year_ago = today - dt.timedelta(days=400)
    for person, group in zip(people[:4], ["贫困母亲", "留守儿童", "单亲困难母亲", "受暴妇女"], strict=True):
        entry = save(people_forms.BeneficiaryForm, person, group=groups[group].pk, since=year_ago,
                     note="经村妇联摸底纳入")
        for months_ago in (10, 3):
            Aid.objects.create(org=county, beneficiary=entry, on=today - dt.timedelta(days=30 * months_ago),
                               amount=Decimal(rng.choice([500, 800, 1000])), goods="米、油")
    for person, post, reviewed in zip(people[4:7], ["township_chair", "village_chair", "candidate"],
                                      [today - dt.timedelta(days=400), today - dt.timedelta(days=60), today],
                                      strict=True):
        save(people_forms.TalentForm, person, post_kind=post, workplace=f"{county.name}妇联", post="主席",
             level="township", education="bachelor", political_status="中共党员",
             appointed_on=today - dt.timedelta(days=90), last_reviewed=reviewed)
    for person in people[7:10]:
        save(people_forms.VolunteerForm, person, team_name=f"{county.name}巾帼志愿服务队", skills="法律咨询、心理疏导",
             joined_on=year_ago)
    save(people_forms.HonourForm, people[0], award=awards["三八红旗手"].pk, level="county", year=today.year,
         conferred_by=f"{county.name}妇联", document_no=f"{county.name[:2]}妇发〔{today.year}〕3号")
    save(people_forms.HonourForm, None, award=awards["三八红旗集体"].pk, level="city", year=today.year,
         collective=f"{county.name}人民医院妇产科", conferred_by="永州市妇联")
    save(people_forms.CivilizedPostForm, None, name=f"{county.name}政务服务中心窗口", host=f"{county.name}政务服务中心",
         level="county", created_on=year_ago, last_reviewed=year_ago, status="active")
    for person, steps in zip(people[10:12], [["approve", "disburse"], []], strict=True):
        loan = save(people_forms.LoanForm, person, amount="50000", bank="县农商银行", term_months=12,
                    subsidy_rate="100", subsidy_amount="1500", project="农家乐", applied_on=year_ago)
        for step in steps:
            loan_step(loan, step, on=today - dt.timedelta(days=340))
            loan = Loan.objects.get(pk=loan.pk)
    return True


def load_demo_local_settings(county) -> None:
    """The county's own settings an office keeps: its petition time limits (the statute's, written down so the
    leader can tighten them) and one local monitoring indicator besides the national outlines. Idempotent."""

    TimeLimits.objects.get_or_create(org=county)
    code = f"L{county.code}_FAMILY_EDU"
    if not Indicator.objects.filter(code=code).exists():
        Indicator.objects.create(code=code, org=county, outline=Indicator.Outline.WOMEN, domain="妇女与家庭建设",
                                 name="家庭教育指导服务站点数", unit="个", kind=Indicator.Kind.COUNT)


DUE_SOON_SUMMARY = "反映邻里纠纷中遭受言语威胁，要求妇联协调（演示：即将到期）"
OVERDUE_SUMMARY = "离婚后探望子女受阻，要求妇联协助（演示：已超期）"
STATS_DATASET = "妇女儿童综合统计"
DEMO_IMPORT_FILE = "演示-活动台账导入.xlsx"


@transaction.atomic
def load_demo_work(county, *, user=None, leader=None) -> None:
    """The work a county office has in hand, so that every page of the demo users shows something: a case due
    within days (with a protection order running out) and one overdue, for the home page and the deadline page;
    the statistics bureau's data set, so its clerk can fill a grid, with last year's return submitted and
    waiting for the county's review; a generated work summary; and a finished import job. Idempotent: each piece
    is added only when it is not there yet."""
    _demo_deadline_cases(county, user=user)
    _demo_monitoring(county, user=user)
    if leader is not None:
        _demo_summary(county, leader)
    if user is not None:
        _demo_import_job(county, user)


def _demo_deadline_cases(county, *, user) -> None:
    limits = TimeLimits.for_org(county)
    channels = CodeItem.objects.lookup("petition_channel")
    categories = CodeItem.objects.lookup("petition_category")
    now = timezone.localtime().replace(second=0, microsecond=0)
    rng = random.Random(int(county.code) + 2)
    wanted = [(DUE_SOON_SUMMARY, limits.accept_days - 2, "人身权益", None),
              (OVERDUE_SUMMARY, 40, "婚姻家庭", "离婚纠纷")]
    for summary, days_ago, category, sub in wanted:
        if Case.objects.filter(org=county, summary=summary).exists():
            continue
        case = Case(org=county, channel=channels["来访"], category=categories[category],
                    subcategory=categories[sub] if sub else None, summary=summary,
                    received_at=now - dt.timedelta(days=days_ago), flag_dv=summary == DUE_SOON_SUMMARY)
        person = case_services.PetitionerData(name=rng.choice(SURNAMES) + rng.choice(GIVEN), age=rng.randint(25, 60),
                                         id_number=_id_number(rng, county.code),
                                         phone=f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}")
        case_services.register_case(case, [person], actor=user)
        if summary == DUE_SOON_SUMMARY:
            today = timezone.localdate()
            case_services.save_dv(case, DomesticViolence(abuser_relation="邻居", police_called=True, order_granted=True,
                                                    order_applied_by="federation",
                                                    order_applied_on=today - dt.timedelta(days=170),
                                                    order_expires_on=today + dt.timedelta(days=10)), actor=user)


def _demo_monitoring(county, *, user) -> None:
    stats = county.children.filter(code=f"{county.code}-TJ").first()
    if stats and not DataSet.objects.filter(org=stats).exists():
        national = Indicator.objects.filter(org__isnull=True).order_by("code")
        chosen = list(national.filter(agency_type=stats.agency_type)[:6]) if stats.agency_type_id else []
        dataset = DataSet.objects.create(org=stats, name=STATS_DATASET)
        dataset.indicators.set(chosen or national.filter(kind=Indicator.Kind.COUNT)[:4])
    # Last year's return of the statistics bureau, submitted and waiting for the county's review (the health
    # bureau's data set is left for its clerk to fill from scratch).
    dataset = DataSet.objects.filter(org__code=f"{county.code}-TJ").first()
    last_year = Period(timezone.localdate().year - 1)
    if dataset and not Submission.objects.filter(dataset=dataset, period=str(last_year)).exists():
        values = {}
        for indicator in dataset.indicators.order_by("code"):
            small = indicator.code.endswith("_D") or "DEATH" in indicator.code
            values[indicator] = (Decimal(2 if small else 3200), "")
        submission = monitoring_services.save_grid(dataset, last_year, values)
        monitoring_services.submit(submission, actor=user)


def _demo_summary(county, leader) -> None:
    period = Period.containing(timezone.localdate(), "H")
    if not Summary.objects.filter(org=county, period=str(period)).exists():
        regenerate(Summary.objects.create(org=county, period=str(period), created_by=leader))


def _demo_import_job(county, user) -> None:
    """An import job as the import page lists it: this year's activities exported and imported again (every row
    already there, so it adds nothing and shows how a re-import is skipped)."""
    import io



    if ImportJob.objects.filter(org=county, filename=DEMO_IMPORT_FILE).exists():
        return
    buffer = io.BytesIO()
    spec = get_spec("activities")
    spec.export(ImportContext(org=county, user=user), Activity.objects.filter(org=county).order_by("start_date")[:8],
                buffer)
    job = ImportJob(org=county, kind="activities", user=user, filename=DEMO_IMPORT_FILE, existing="skip")
    job.file.save(DEMO_IMPORT_FILE, ContentFile(buffer.getvalue()), save=False)
    job.save()
    run_import_job.call(job.pk)
