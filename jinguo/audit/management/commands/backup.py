from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from jinguo.audit.backup import BackupError, backup
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = "备份整个数据库和上传的附件到一个 .tar.gz 文件（个人信息保持加密；密钥不在备份中，须另行保管）"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="备份文件路径（默认 var/backups/jinguo-时间.tar.gz）")

    def handle(self, **options):
        default = Path(settings.VAR_DIR) / "backups" / f"jinguo-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        target = Path(options["output"] or default)
        try:
            manifest = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = target.stat().st_size / 1024 / 1024
        self.stdout.write(self.style.SUCCESS(
            f"已备份到 {target}（{size:.1f} MB；审计日志 {manifest['audit_head']['seq']} 条；"
            f"个人信息密钥 {manifest['data_key_id']}）"))
