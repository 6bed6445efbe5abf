from django.core.management.base import CommandError

from jinguo.core.management.base import JinguoCommand
from jinguo.orgs.models import Level
from jinguo.orgs.services import load_divisions


class Command(JinguoCommand):
    help = "加载某省、市或县以下的官方行政区划（到村级），可重复运行：jinguo load_divisions CODE [--down-to 乡镇]"

    def add_arguments(self, parser):
        parser.add_argument("code", help="省、市或县的6位行政区划代码，如 431122")
        parser.add_argument("--down-to", default="village", help="加载到哪一级：县、乡镇、村(社区)（默认到村）")

    def handle(self, code, down_to, **options):
        try:
            level = Level.resolve(down_to)
        except ValueError:
            raise CommandError(f"未知的级别“{down_to}”") from None
        try:
            result = load_divisions(code, down_to=level)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{code}：{result}")
