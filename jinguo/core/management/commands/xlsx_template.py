from pathlib import Path

from django.core.management.base import CommandError

from jinguo.core.excel import ImportContext
from jinguo.core.importkinds import IMPORT_SPECS, get_spec
from jinguo.core.management.base import JinguoCommand
from jinguo.core.scope import org_model


class Command(JinguoCommand):
    help = "生成某类数据的 Excel 导入模板：jinguo xlsx_template KIND --out F.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="、".join(IMPORT_SPECS))
        parser.add_argument("--out", required=True)
        parser.add_argument("--org", help="单位编码（模板中有按单位变化的列时使用）")

    def handle(self, kind, out, org=None, **options):
        if kind not in IMPORT_SPECS:
            raise CommandError(f"未知的导入类型“{kind}”，可选：{'、'.join(IMPORT_SPECS)}")
        unit = self.get_org(org) if org else org_model().objects.filter(parent=None).first()
        Path(out).write_bytes(get_spec(kind).template(ImportContext(org=unit)))
        self.stdout.write(f"已生成模板：{out}")
