from django.core.management.base import CommandError

from jinguo.audit import checkpoints
from jinguo.audit.services import checkpoint_head, verify_chain
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = ("校验审计日志哈希链（逐条核对审计密钥签名，并与库外的签名检查点比对）；"
            "发现篡改时指出第一处断开的记录并以非零状态退出。校验通过后把当前链头写入检查点文件。")

    def handle(self, **options):
        checked, broken = verify_chain()
        if broken:
            raise CommandError(f"{broken}（此前 {checked} 条完好）")
        anchors = checkpoints.read()
        try:
            checkpoint_head()
        except OSError as exc:
            raise CommandError(
                f"审计链完好（共 {checked} 条），但无法写入检查点文件 {checkpoints.path()}：{exc}") from exc
        self.stdout.write(f"审计链完好：共 {checked} 条，与 {anchors.lines} 个库外签名检查点一致；"
                          f"已把链头写入检查点文件 {checkpoints.path()}。")
