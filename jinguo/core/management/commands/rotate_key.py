from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from jinguo.audit.events import Event
from jinguo.audit.services import record_event
from jinguo.core import crypto
from jinguo.core.keys import rotate_data_key
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = ("用当前数据密钥（JINGUO_DATA_KEY）重新加密全部个人信息；旧密钥放在 JINGUO_DATA_KEYS_RETIRED 中。"
            "中断后再次运行即从断点继续。完成后即可销毁旧密钥。")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批（一个事务）处理的记录数")

    def handle(self, **options):
        crypto.reset()
        try:
            report = rotate_data_key(
                batch_size=options["batch"],
                progress=lambda label, n: self.stdout.write(f"  {label}：已重新加密 {n} 条", ending="\r"))
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        key_id = crypto.provider().key_id
        record_event(Event.DATA_KEY_ROTATED, note=f"当前密钥 {key_id}",
                     data={"key_id": key_id, "rewritten": report.rewritten})
        self.stdout.write("")
        for label, count in report.rewritten.items():
            self.stdout.write(f"{label}：重新加密 {count} 条")
        self.stdout.write(self.style.SUCCESS(
            f"完成：共重新加密 {report.total} 条，{report.already_current} 条原已使用当前密钥（{key_id}）。"
            "现在可以从 JINGUO_DATA_KEYS_RETIRED 中删去旧密钥。"))
