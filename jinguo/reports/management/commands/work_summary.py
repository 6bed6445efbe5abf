from pathlib import Path

from django.core.management.base import CommandError

from jinguo.core.management.base import JinguoCommand
from jinguo.core.periods import Period
from jinguo.reports.services import summary_docx
from jinguo.reports.summary import Options


class Command(JinguoCommand):
    help = "生成工作总结（GB/T 9704 格式 .docx）：jinguo work_summary --org CODE --period 2025H1 --out F.docx"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="单位编码")
        parser.add_argument("--period", required=True, help="统计期：2025、2025H1、2025H2、2025Q1…")
        parser.add_argument("--scope", choices=["tree", "self"], default="tree",
                            help="tree：含下级（默认）；self：仅本单位")
        parser.add_argument("--rounded", action="store_true", help="约数表述（如“800余人次”），不会夸大")
        parser.add_argument("--share-places", type=int, choices=[0, 1], default=1, help="占比保留的小数位")
        parser.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 转出 PDF")
        parser.add_argument("--out", required=True)

    def handle(self, org, period, scope, rounded, share_places, pdf, out, **options):
        try:
            period = Period.parse(period)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        content = summary_docx(self.get_org(org), period, Options(scope=scope, rounded=rounded,
                                                                  share_places=share_places))
        Path(out).write_bytes(content)
        self.stdout.write(f"已生成：{out}")
        if pdf:
            from jinguo.reports.pdf import PdfUnavailable, docx_to_pdf

            try:
                target = Path(out).with_suffix(".pdf")
                target.write_bytes(docx_to_pdf(content))
            except PdfUnavailable as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"已生成：{target}")
