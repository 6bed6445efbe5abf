"""Demo data: 湖南省 → 永州市 → 东安县、双牌县、道县 with their townships (official codes), member units and one
user per role. Idempotent: running it again changes nothing (and restores the demo passwords)."""

from django.db import transaction

from jinguo.accounts.models import User
from jinguo.accounts.services import create_user, grant_role
from jinguo.articles.demo import load_demo as load_articles
from jinguo.core.defaults import ensure_defaults
from jinguo.core.management.base import JinguoCommand
from jinguo.core.models import CodeItem
from jinguo.core.roles import Role
from jinguo.demo.records import load_demo_local_settings, load_demo_records, load_demo_registries, load_demo_work
from jinguo.grassroots.demo import load_demo as load_grassroots
from jinguo.orgs.models import Level, OrgUnit
from jinguo.orgs.services import add_org, load_divisions

PROVINCE, CITY = "430000", "431100"
COUNTIES = ["431122", "431123", "431124"]  # 东安县、双牌县、道县
MEMBER_UNITS = [  # (suffix, name, agency type code)
    ("TJ", "统计局", "TJ"), ("JY", "教育局", "JY"), ("WJ", "卫生健康局", "WJ"), ("RS", "人力资源和社会保障局", "RS"),
    ("GA", "公安局", "GA"), ("FY", "人民法院", "FY"), ("MZ", "民政局", "MZ"), ("SF", "司法局", "SF"),
]
DEMO_PASSWORD = "Demo@2025"  # noqa: S105 - printed for the demo on purpose
DEMO_USERS = [  # username, name, org code, roles
    ("dongan", "东安县妇联 李娟", "431122", [Role.STAFF, Role.PETITION_OFFICER]),
    ("dongan_leader", "东安县妇联主席 王芳", "431122", [Role.UNIT_LEADER]),
    ("shuangpai", "双牌县妇联 陈静", "431123", [Role.STAFF, Role.PETITION_OFFICER]),
    ("yongzhou", "永州市妇联 刘敏", "431100", [Role.STAFF, Role.UNIT_LEADER]),
    ("dongan_tjj", "东安县统计局 周丽", "431122-TJ", [Role.AGENCY_CLERK]),
    ("dongan_wjj", "东安县卫生健康局 张敏", "431122-WJ", [Role.AGENCY_CLERK]),
    ("hunan_viewer", "湖南省妇联 查看", "430000", [Role.UPPER_VIEWER]),
    ("sysadmin", "系统管理员", "431100", [Role.SYSTEM_ADMIN]),
    ("secadmin", "安全管理员", "431100", [Role.SECURITY_ADMIN]),
    ("auditadmin", "审计管理员", "431100", [Role.AUDIT_ADMIN]),
]


class Command(JinguoCommand):
    help = "加载演示数据（湖南省永州市三个县及其乡镇、成员单位、各角色演示用户），可重复运行"

    def handle(self, **options):
        ensure_defaults()
        for county in COUNTIES:
            load_divisions(county, down_to=Level.TOWNSHIP)
        with transaction.atomic():
            agency_types = {item.code: item for item in CodeItem.objects.of("agency_type")}
            for parent_code in [CITY, *COUNTIES]:
                parent = OrgUnit.objects.get(code=parent_code)
                for suffix, name, type_code in MEMBER_UNITS:
                    code = f"{parent_code}-{suffix}"
                    unit = OrgUnit.objects.filter(code=code).first()
                    if unit is None:
                        unit = add_org(code, f"{parent.name}{name}", parent=parent, level=Level.AGENCY)
                        unit.agency_type = agency_types.get(type_code)
                        unit.save()
            for username, name, org_code, roles in DEMO_USERS:
                org = OrgUnit.objects.get(code=org_code)
                user = User.objects.filter(username=username).first()
                if user is None:
                    user, _password = create_user(username, org=org, roles=roles, password=DEMO_PASSWORD,
                                                  display_name=name, must_change=False)
                else:
                    for role in roles:
                        grant_role(user, org, role)
                    if not user.check_password(DEMO_PASSWORD) or user.must_change_password:
                        user.set_password(DEMO_PASSWORD)
                        user.must_change_password = False
                        user.save()

        city_user = User.objects.filter(username="yongzhou").first()  # adopts the counties' information reports
        for code in COUNTIES:
            county = OrgUnit.objects.get(code=code)
            # The county's own staff and leader act in the demo, so a case's history names 李娟, not the command.
            staff = User.objects.filter(org=county, username__in=[u[0] for u in DEMO_USERS],
                                        role_assignments__role=Role.PETITION_OFFICER).first()
            leader = User.objects.filter(org=county, username__in=[u[0] for u in DEMO_USERS],
                                         role_assignments__role=Role.UNIT_LEADER).first()
            load_demo_records(county, user=staff)
            load_demo_registries(county)
            load_demo_local_settings(county)
            load_demo_work(county, user=staff, leader=leader)
            load_grassroots(county)
            load_articles(county, city_user=city_user)
        self.stdout.write("演示数据已就绪：湖南省 → 永州市 → 东安县、双牌县、道县"
                          "（含乡镇、成员单位、信访案件、活动台账、人员名册、监测填报、基层组织、信息报送、工作总结和导入任务）。")
        self.stdout.write(f"演示登录（密码均为 {DEMO_PASSWORD}）：")
        for username, name, _org_code, roles in DEMO_USERS:
            labels = "、".join(str(r.label) for r in roles)
            note = "（需绑定双因素认证）" if any(r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
                                         for r in roles) else ""
            self.stdout.write(f"  {username:<14} {labels}：{name}{note}")
