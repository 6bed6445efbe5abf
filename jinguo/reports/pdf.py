"""PDF through LibreOffice headless, with fontconfig aliases for the font names Chinese offices use."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

FONTS_CONF = Path(__file__).with_name("fonts.conf")


class PdfUnavailable(RuntimeError):
    pass


def docx_to_pdf(content: bytes, *, timeout: int = 120) -> bytes:
    """Convert one document; each conversion gets its own LibreOffice profile (two sharing one lose PDFs)."""
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    if binary is None:
        raise PdfUnavailable(_("未安装 LibreOffice，无法生成 PDF（apt-get install libreoffice-writer-nogui）。"))
    with tempfile.TemporaryDirectory(prefix="jinguo-pdf-") as work:
        source = Path(work) / "document.docx"
        source.write_bytes(content)
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": work}
        subprocess.run(  # noqa: S603 - fixed arguments, our own file
            [binary, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", work, str(source)],
            check=True, capture_output=True, timeout=timeout, env=env)
        target = source.with_suffix(".pdf")
        if not target.exists():
            raise PdfUnavailable(_("LibreOffice 未能生成 PDF。"))
        return target.read_bytes()
