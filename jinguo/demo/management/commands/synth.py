from django.core.management.base import CommandError

from jinguo.core.management.base import JinguoCommand
from jinguo.demo.synth import PROVINCE, SCALES, synth
from jinguo.orgs.models import OrgUnit


class Command(JinguoCommand):
    help = ("生成压力测试用的合成数据（样例省，编码 99）：county 县级 / city 市级 / province 省级规模。"
            "批量写入，不逐条记审计，只记一条“批量生成数据”审计事件。仅用于测试环境！")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="county")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, **options):
        if OrgUnit.objects.filter(code=PROVINCE, children__isnull=False).exists():
            raise CommandError("已有合成数据（样例省 990000）。请在空数据库中运行。")
        report = synth(options["scale"], seed=options["seed"],
                       progress=lambda what, done, total: self.stdout.write(f"  {what}：{done}/{total}", ending="\r"))
        self.stdout.write("")
        counts = "，".join(f"{k} {v:,}" for k, v in report.counts.items())
        seconds = report.seconds["total"]
        self.stdout.write(self.style.SUCCESS(f"已生成（{options['scale']}）：{counts}；用时 {seconds:.1f} 秒"))
