from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jinguo.accounts.models import User
from jinguo.accounts.services import issue_token
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = ("为用户签发 REST API 令牌并打印（该用户原有令牌作废；令牌只显示这一次，系统只保存其摘要）。"
            "调用接口时加请求头 Authorization: Token <令牌>")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途，显示在“接口令牌”页面")

    def handle(self, username, name="", **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在或已停用。")
        try:
            key = issue_token(user, name=name, replace=True)
        except ValidationError as exc:
            raise CommandError(f"用户“{username}”：{'；'.join(exc.messages)}") from exc
        self.stdout.write(key)
