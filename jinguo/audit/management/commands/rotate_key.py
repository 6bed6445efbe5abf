from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from jinguo.audit.models import AuditEntry
from jinguo.audit.services import checkpoint_head, record_event, unconfigured_audit_keys
from jinguo.core import crypto
from jinguo.core.events import Event
from jinguo.core.keys import rotate_data_key
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = ("用当前数据密钥（JINGUO_DATA_KEY）重新加密全部个人信息；旧密钥放在 JINGUO_DATA_KEYS_RETIRED 中。"
            "中断后再次运行即从断点继续。完成后即可销毁旧数据密钥。"
            "审计签名密钥（JINGUO_AUDIT_KEY）同时生效：此后的审计记录用新密钥签名，旧审计密钥须保留在 "
            "JINGUO_AUDIT_KEYS_RETIRED 中，用来核验它签过的记录。")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批（一个事务）处理的记录数")

    def handle(self, **options):
        crypto.reset()
        missing = unconfigured_audit_keys()
        if missing:
            raise CommandError(
                f"已有审计记录由审计密钥 {'、'.join(sorted(missing))} 签名，但当前没有配置该密钥：请把原来的 "
                "JINGUO_AUDIT_KEY 放入 JINGUO_AUDIT_KEYS_RETIRED 后再运行，否则这些记录将无法核验。")
        last_entry = AuditEntry.objects.order_by("-seq").only("key_id").first()
        try:
            report = rotate_data_key(
                batch_size=options["batch"],
                progress=lambda label, n: self.stdout.write(f"  {label}：已重新加密 {n} 条", ending="\r"))
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        key_id = crypto.provider().key_id
        record_event(Event.DATA_KEY_ROTATED, note=f"当前密钥 {key_id}",
                     data={"key_id": key_id, "rewritten": report.rewritten})
        audit_key_id = crypto.audit_provider().key_id
        if last_entry is not None and last_entry.key_id != audit_key_id:
            record_event(Event.AUDIT_KEY_ROTATED, note=f"当前审计签名密钥 {audit_key_id}",
                         data={"key_id": audit_key_id, "previous": last_entry.key_id})
        checkpoint_head()  # the tip, signed with the current audit key, outside the database
        self.stdout.write("")
        for label, count in report.rewritten.items():
            self.stdout.write(f"{label}：重新加密 {count} 条")
        self.stdout.write(self.style.SUCCESS(
            f"完成：共重新加密 {report.total} 条，{report.already_current} 条原已使用当前密钥（{key_id}）。"
            "现在可以从 JINGUO_DATA_KEYS_RETIRED 中删去旧密钥。"))
