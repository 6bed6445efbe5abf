import datetime as dt

from django.core.management.base import CommandError

from jinguo.audit.services import record_export
from jinguo.core.excel import ImportContext, parse_date
from jinguo.core.management.base import JinguoCommand
from jinguo.importers import IMPORT_SPECS, get_spec


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


class Command(JinguoCommand):
    help = "导出为可重新导入的 Excel：jinguo export_xlsx KIND --org CODE [--from D --to D] --out F.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="、".join(IMPORT_SPECS))
        parser.add_argument("--org", required=True, help="单位编码（含下级）")
        parser.add_argument("--from", dest="date_from", help="起始日期")
        parser.add_argument("--to", dest="date_to", help="截止日期")
        parser.add_argument("--out", required=True)

    def handle(self, kind, org, out, date_from=None, date_to=None, **options):
        if kind not in IMPORT_SPECS:
            raise CommandError(f"未知的导入类型“{kind}”，可选：{'、'.join(IMPORT_SPECS)}")
        spec = get_spec(kind)
        ctx = ImportContext(org=self.get_org(org))
        queryset = spec.export_queryset(ctx, _date(date_from), _date(date_to))
        with open(out, "wb") as handle:
            count = spec.export(ctx, queryset, handle)
        record_export(str(spec.label), org=ctx.org, rows=count, kind=kind)
        self.stdout.write(f"已导出 {count} 行到 {out}")
