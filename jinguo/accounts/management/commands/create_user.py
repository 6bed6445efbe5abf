from django.core.management.base import CommandError

from jinguo.accounts.services import create_user
from jinguo.core.management.base import JinguoCommand
from jinguo.core.roles import Role


class Command(JinguoCommand):
    help = "新建用户并在单位上分配角色：jinguo create_user NAME --org CODE --role 角色 [--role 角色] [--password P]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="单位编码（角色覆盖该单位及其下级）")
        parser.add_argument("--role", action="append", default=[],
                            help="角色中文名或代码，可重复：" + "、".join(str(r.label) for r in Role))
        parser.add_argument("--password", help="初始密码；不填则自动生成并显示")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--no-force-change", action="store_true", help="首次登录不要求修改密码")

    def handle(self, username, org, role, password=None, name="", no_force_change=False, **options):
        from jinguo.accounts.models import User

        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已存在。")
        try:
            roles = [Role.resolve(r) for r in role]
        except ValueError as exc:
            raise CommandError(f"未知的角色“{exc}”，可选：{'、'.join(str(r.label) for r in Role)}") from None
        user, initial = create_user(username, org=self.get_org(org), roles=roles, password=password,
                                    display_name=name, must_change=not no_force_change)
        labels = "、".join(str(r.label) for r in roles) or "无"
        self.stdout.write(f"已创建用户 {user.username}（{user.org.name}；角色：{labels}）")
        if not password:
            self.stdout.write(f"初始密码：{initial}")
