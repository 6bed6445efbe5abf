import sys

from django.core.management.base import CommandError

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import IMPORT_SPECS, get_spec
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = ("从 Excel 导入：jinguo import_xlsx KIND F.xlsx --org CODE [--existing skip|update]。"
            "任何一行有错时列出全部错误、不写入任何数据并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("kind", help="、".join(f"{k}（{s.label}）" for k, s in IMPORT_SPECS.items()))
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="导入到的单位编码")
        parser.add_argument("--existing", choices=["skip", "update"], default="skip",
                            help="已存在的记录（按自然键）：skip 跳过（默认）或 update 更新")
        parser.add_argument("--period", help="统计期（按导入类型需要，如 2025）")

    def handle(self, kind, file, org, existing, period=None, **options):
        if kind not in IMPORT_SPECS:
            choices = "、".join(f"{k}（{s.label}）" for k, s in IMPORT_SPECS.items())
            raise CommandError(f"未知的导入类型“{kind}”，可选：{choices}")
        spec = get_spec(kind)
        ctx = ImportContext(org=self.get_org(org), existing=existing, period=period)
        show = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if show:
                sys.stderr.write(f"\r已检查 {done}/{total} 行")

        try:
            with open(file, "rb") as handle:
                result = spec.run_import(handle, ctx, progress)
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{file}") from None
        if show:
            sys.stderr.write("\n")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"发现 {len(result.errors)} 处错误，未导入任何数据。")
        self.stdout.write(f"导入完成：共 {result.total} 行，新增 {result.created}，更新 {result.updated}，"
                          f"已存在而跳过 {result.skipped}。")
