from django.core.management.base import CommandError

from jinguo.audit.services import verify_chain
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = "校验审计日志哈希链；发现篡改时指出第一处断开的记录并以非零状态退出"

    def handle(self, **options):
        checked, broken = verify_chain()
        if broken:
            raise CommandError(f"{broken}（此前 {checked} 条完好）")
        self.stdout.write(f"审计链完好：共 {checked} 条。")
