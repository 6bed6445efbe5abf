import sys

from django.core.management.base import CommandError

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import IMPORT_SPECS, get_spec
from jinguo.core.management.base import JinguoCommand


class Command(JinguoCommand):
    help = ("从 Excel 或 CSV 导入：jinguo import_xlsx KIND 文件 --org CODE [--existing skip|update] [--sheet 工作表] "
            "[--header-row 行号]。支持 .xlsx、.xls、.ods 和 .csv（UTF-8 或 GBK）；自动查找每个工作表的表头，"
            "跳过标题、合计和填表人等行。任何一行有错时列出全部错误、不写入任何数据并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("kind", help="、".join(f"{k}（{s.label}）" for k, s in IMPORT_SPECS.items()))
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="导入到的单位编码")
        parser.add_argument("--existing", choices=["skip", "update"], default="skip",
                            help="已存在的记录（按自然键）：skip 跳过（默认）或 update 更新")
        parser.add_argument("--period", help="统计期（按导入类型需要，如 2025）")
        parser.add_argument("--sheet", help="只读取这个工作表（默认读取每个有可识别表头的工作表）")
        parser.add_argument("--header-row", type=int, dest="header_row",
                            help="表头所在的行号（按 Excel 显示的行号；默认在前 20 行中自动查找）")

    def handle(self, kind, file, org, existing, period=None, sheet=None, header_row=None, **options):
        if kind not in IMPORT_SPECS:
            choices = "、".join(f"{k}（{s.label}）" for k, s in IMPORT_SPECS.items())
            raise CommandError(f"未知的导入类型“{kind}”，可选：{choices}")
        spec = get_spec(kind)
        ctx = ImportContext(org=self.get_org(org), existing=existing, period=period)
        show = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if show:
                sys.stderr.write(f"\r已检查 {done}/{total} 行")

        if header_row is not None and header_row < 1:
            raise CommandError("--header-row 应为从 1 开始的行号")
        try:
            with open(file, "rb") as handle:
                result = spec.run_import(handle, ctx, progress, sheet=sheet, header_row=header_row)
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{file}") from None
        if show:
            sys.stderr.write("\n")
        for note in result.notes():
            self.stdout.write(note)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"发现 {len(result.errors)} 处错误，未导入任何数据。")
        self.stdout.write(f"导入完成：共 {result.total} 行，新增 {result.created}，更新 {result.updated}，"
                          f"已存在而跳过 {result.skipped}。")
        for notice in result.notices:  # imported cases still open and already overdue …
            self.stdout.write(self.style.WARNING(notice.text))
