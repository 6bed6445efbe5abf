from pathlib import Path

from jinguo.core.management.base import JinguoCommand
from jinguo.monitoring.attainment import report


class Command(JinguoCommand):
    help = "生成两纲监测评估报告：jinguo attainment_report --org CODE --year 2025 --out F.docx"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True)

    def handle(self, org, year, out, **options):
        Path(out).write_bytes(report(self.get_org(org), year))
        self.stdout.write(f"已生成：{out}")
