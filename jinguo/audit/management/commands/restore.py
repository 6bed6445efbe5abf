from pathlib import Path

from django.core.management.base import CommandError

from jinguo.audit.backup import BackupError, read_manifest, restore
from jinguo.audit.services import record_event
from jinguo.core.events import Event
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = "用 jinguo backup 生成的文件替换当前数据库和附件，并校验审计链。当前数据将被覆盖！"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.gz）")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接覆盖当前数据")

    def handle(self, **options):
        source = Path(options["archive"])
        if not source.exists():
            raise CommandError(f"找不到备份文件：{source}")
        try:
            manifest = read_manifest(source)
            if not options["yes"]:
                answer = input(f"将用 {manifest['created']} 的备份覆盖当前全部数据。确定吗？输入 yes 继续：")
                if answer.strip().lower() != "yes":
                    raise CommandError("已取消，当前数据未改动。")
            report = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record_event(Event.DATABASE_RESTORED, note=f"备份时间 {manifest['created']}",
                     data={"archive": source.name, "audit_seq": manifest["audit_head"]["seq"]})
        self.stdout.write(self.style.SUCCESS(
            f"已恢复 {manifest['created']} 的备份；审计链完好（{report.audit_entries} 条）。"))
