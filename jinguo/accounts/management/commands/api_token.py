from django.core.management.base import CommandError

from jinguo.accounts.models import User
from jinguo.accounts.services import issue_token
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = "为用户签发 REST API 令牌并打印（原令牌作废）。调用接口时加请求头 Authorization: Token <令牌>"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在或已停用。")
        self.stdout.write(issue_token(user))
