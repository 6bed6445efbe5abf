from jinguo.core.management.base import JinguoCommand
from jinguo.orgs.models import Level
from jinguo.orgs.services import add_org


class Command(JinguoCommand):
    help = "新增（或更名）一个单位：jinguo add_org CODE NAME [--parent CODE] [--level 级别]"

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--parent", help="上级单位编码")
        parser.add_argument("--level",
                            help="级别：省/市/县/乡镇/村(社区)/机关妇委会/企业妇委会/成员单位；不填按编码判断")

    def handle(self, code, name, parent=None, level=None, **options):
        from django.core.management.base import CommandError

        if level:
            try:
                level = Level.resolve(level)
            except ValueError:
                raise CommandError(f"未知的级别“{level}”，可选：{'、'.join(str(lv.label) for lv in Level)}") from None
        unit = add_org(code.strip(), name.strip(), parent=self.get_org(parent) if parent else None, level=level)
        self.stdout.write(f"{unit.code} {unit.name}（{unit.get_level_display()}） {unit.path}")
