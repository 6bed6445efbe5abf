"""Demo records for the demo counties: petitions and ledger activities over the last two years, and next
half-year's work plan — enough for the lists, statistics, dashboard and work summary to show something real.
Deterministic (fixed seed) and added only once per county."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jinguo.core.idcard import check_char
from jinguo.core.models import CodeItem
from jinguo.core.periods import Period

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
]
PLANS = ["深化“美丽庭院”创建，年底前实现每个乡镇有示范村", "开展反家暴宣传进村入户活动",
         "举办巾帼家政技能培训两期", "做好春节期间困难妇女儿童走访慰问"]


def _id_number(rng: random.Random, county: str) -> str:
    born = f"{rng.randint(1965, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{county}{born}{rng.randint(0, 499) * 2:03d}"
    return first17 + check_char(first17)


@transaction.atomic
def load_demo_records(county, *, user=None) -> bool:
    from jinguo.ledger.forms import MEASURE_PREFIX, ActivityForm
    from jinguo.ledger.models import Activity, PlanItem
    from jinguo.ledger.services import save_activity
    from jinguo.petitions import services
    from jinguo.petitions.models import Case

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
        person = services.PetitionerData(name=rng.choice(SURNAMES) + rng.choice(GIVEN), age=rng.randint(22, 68),
                                         id_number=_id_number(rng, county.code),
                                         phone=f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}")
        services.register_case(case, [person], actor=user)
        if (today - received).days < 5:
            continue
        accepted = received + dt.timedelta(days=rng.randint(0, 4))
        services.accept_case(case, actor=user, on=accepted)
        if sub == "家庭暴力" or rng.random() < 0.3:
            services.refer_case(case, agency_type=agencies["公安" if sub == "家庭暴力" else "司法行政/法律援助"],
                                unit_name=f"{county.name}{'公安局' if sub == '家庭暴力' else '法律援助中心'}",
                                sent_on=accepted, actor=user)
        if (today - accepted).days < 20 or rng.random() < 0.1:
            continue
        replied = min(today, accepted + dt.timedelta(days=rng.randint(5, 70)))
        services.reply_case(case, reply="已调查核实并书面答复信访人", actor=user, on=replied)
        followed = min(today, replied + dt.timedelta(days=rng.randint(3, 15)))
        services.follow_up_case(case, on=followed, method="phone", satisfaction=rng.choice(
            ["satisfied", "satisfied", "basically"]), actor=user)
        services.close_case(case, result=rng.choice(["mediated", "legal_aid", "explained", "referred"]),
                            actor=user, on=followed)
    kinds = CodeItem.objects.lookup("activity_kind")
    themes = CodeItem.objects.lookup("activity_theme")
    for year in (today.year - 1, today.year):
        for month, kind, title, theme_names, figures in ACTIVITIES:
            day = dt.date(year, month, rng.randint(1, 25))
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
    from jinguo.monitoring.models import DataSet, Indicator

    health = county.children.filter(code=f"{county.code}-WJ").first()
    if health and not DataSet.objects.filter(org=health).exists():
        dataset = DataSet.objects.create(org=health, name="妇女儿童健康")
        dataset.indicators.set(Indicator.objects.filter(kind="count"))
    current = Period.containing(today, "H")
    for period in (current, current.next()):
        for order, text in enumerate(PLANS, start=1):
            PlanItem.objects.create(org=county, period=str(period), title=text, order=order)
    return True
