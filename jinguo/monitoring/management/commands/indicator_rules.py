from django.core.management.base import CommandError

from jinguo.core.management.base import JinguoCommand
from jinguo.core.periods import Period
from jinguo.monitoring.models import ValidationRule
from jinguo.monitoring.services import check_unit


class Command(JinguoCommand):
    help = "检查两纲监测数据的逻辑关系：jinguo indicator_rules --org CODE --period 2025（有错误级规则不满足时非零退出）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--period", required=True)

    def handle(self, org, period, **options):
        try:
            period = str(Period.parse(period))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        violations = check_unit(self.get_org(org), period)
        for violation in violations:
            self.stdout.write(str(violation))
        errors = [v for v in violations if v.rule.importance == ValidationRule.Importance.ERROR]
        if errors:
            raise CommandError(f"{len(errors)} 条错误级规则不满足。")
        self.stdout.write(f"检查完成：{len(violations)} 条警告，无错误。")
