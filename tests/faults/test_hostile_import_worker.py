"""A hostile workbook (one stray cell at XFD1048576) used to abort the process reading it: the command line died,
the worker died with its job stuck at 0 % and every restart died again. Real processes, so that a regression
fails the test instead of killing the test run."""

import json
import time

from openpyxl import Workbook

ORG = "from jinguo.orgs.services import add_org; add_org('430000', '湖南省')"


def stray_cell_workbook(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(["编码", "名称", "级别"])
    sheet.append(["431100", "永州市", "市"])
    sheet["XFD1048576"] = "x"
    book.save(path)


def test_command_line_refuses_the_stray_cell_workbook_within_seconds(scratch_db, tmp_path):
    path = tmp_path / "stray.xlsx"
    stray_cell_workbook(path)
    assert path.stat().st_size < 10_000
    scratch_db.jinguo("shell", "--no-imports", "-c", ORG)
    started = time.monotonic()
    result = scratch_db.jinguo("import_xlsx", "orgs", str(path), "--org", "430000", check=False, timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 1, result.stderr  # a CommandError, not an abort (-6)
    assert "工作表“数据”的单元格 XFD1048576 超出导入范围（最多 200,000 行、200 列）" in result.stderr
    assert "请删除表格以外的内容后重新上传" in result.stderr


def test_worker_fails_the_stray_cell_job_and_runs_the_next(scratch_db, tmp_path):
    stray, good = tmp_path / "stray.xlsx", tmp_path / "good.xlsx"
    stray_cell_workbook(stray)
    book = Workbook()
    book.active.title = "数据"
    book.active.append(["编码", "名称", "级别"])
    book.active.append(["431100", "永州市", "市"])
    book.save(good)
    scratch_db.jinguo("shell", "--no-imports", "-c", f"""
{ORG}
from django.core.files import File
from jinguo.core.roles import Role
from jinguo.core.models import ImportJob
from jinguo.core.tasks import run_import_job
from jinguo.orgs.models import OrgUnit
from jinguo.testing import make_user
org = OrgUnit.objects.get(code='430000')
user = make_user('admin430', org, Role.SYSTEM_ADMIN)
for path in ({str(stray)!r}, {str(good)!r}):
    job = ImportJob(org=org, kind='orgs', user=user, filename=path.rsplit('/', 1)[1])
    with open(path, 'rb') as handle:
        job.file.save(job.filename, File(handle))
    run_import_job.enqueue(job.pk)
""")
    worker = scratch_db.spawn("worker", "--interval", "0.1", "--no-startup-delay")
    try:
        deadline = time.monotonic() + 90
        rows = []
        while time.monotonic() < deadline:
            rows = scratch_db.query("SELECT filename, status, message FROM core_importjob ORDER BY id")
            if all(status in ("done", "failed", "crashed") for _name, status, _msg in rows):
                break
            time.sleep(0.2)
        assert worker.poll() is None  # the worker stayed up
    finally:
        worker.terminate()
        out = worker.communicate(timeout=30)[0]
    (_n1, status1, message1), (_n2, status2, _m2) = rows
    assert status1 == "failed", (rows, out)
    assert "发现1处错误" in message1
    errors = scratch_db.query("SELECT errors FROM core_importjob ORDER BY id")[0][0]
    errors = json.loads(errors) if isinstance(errors, str) else errors
    assert "工作表“数据”的单元格 XFD1048576 超出导入范围" in errors[0]["message"]
    assert status2 == "done", (rows, out)
    assert scratch_db.query("SELECT count(*) FROM orgs_orgunit WHERE code = '431100'")[0][0] == 1
    assert "意外退出" not in out  # refused, not crashed and restarted


def _variants(tmp_path) -> dict[str, bool]:
    """Crafted workbooks whose far cell an ad-hoc reading of the package could miss while the reader still finds
    it (an attacker's probe found the first four): file name → whether the far cell is in the sheet imported."""
    import re
    import zipfile

    base = tmp_path / "base.xlsx"
    book = Workbook()
    book.active.title = "数据"
    book.active.append(["编码", "名称", "级别"])
    book.save(base)
    with zipfile.ZipFile(base) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    far = '<row r="1048576"><c {ref} t="n"><v>1</v></c></row></sheetData>'

    def write(name, sheet_xml, extra=(), **replace):
        with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as out:
            for part, data in {**parts, **replace}.items():
                out.writestr(part, sheet_xml if part == "xl/worksheets/sheet1.xml" else data)
            for part, data in extra:
                out.writestr(part, data)

    variants = {}
    for name, ref in (("lower.xlsx", 'r="xfd1048576"'), ("newline.xlsx", '\nr="XFD1048576"'),
                      ("tab.xlsx", '\tr="XFD1048576"'), ("entity.xlsx", 'r="&#88;FD1048576"'),
                      ("squote.xlsx", "r='XFD1048576'")):
        write(name, sheet.replace("</sheetData>", far.format(ref=ref)))
        variants[name] = True
    # Two sheets of one name: the first (the one a reader opens by name) holds the far cell.
    workbook = parts["xl/workbook.xml"].decode()
    sheets = re.search(r"<sheets>.*</sheets>", workbook).group(0)
    twin = sheets.replace("</sheets>", '<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                                       'relationships" name="数据" sheetId="2" r:id="rId9"/></sheets>')
    rels = parts["xl/_rels/workbook.xml.rels"].decode().replace(
        "</Relationships>", '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
    write("twins.xlsx", sheet.replace("</sheetData>", far.format(ref='r="XFD1048576"')),
          extra=[("xl/worksheets/sheet2.xml", sheet)], **{"xl/workbook.xml": workbook.replace(sheets, twin),
                                                          "xl/_rels/workbook.xml.rels": rels})
    variants["twins.xlsx"] = True
    # Shared strings announcing four billion of them.
    strings = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" ' \
              'uniqueCount="4000000000"><si><t>x</t></si></sst>'
    write("strings.xlsx", sheet, extra=[("xl/sharedStrings.xml", strings)],
          **{"xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].decode().replace(
              "</Relationships>", '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/'
              '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')})
    variants["strings.xlsx"] = False
    return variants


def test_crafted_workbooks_are_refused_without_crashing_the_reader(scratch_db, tmp_path):
    """Each variant is refused naming the far cell (or read, where no far cell is imported) — in a real process,
    so that a reader that aborts fails the test instead of killing the test run."""
    variants = _variants(tmp_path)
    code = "\n".join([
        "from jinguo.core.excel import CellError",
        "from jinguo.core.importkinds import get_spec",
        "spec = get_spec('orgs')",
        f"for name in {list(variants)!r}:",
        "    try:",
        f"        sheet, rows, count = spec.read_rows({str(tmp_path)!r} + '/' + name)",
        "        print('READ', name, len(list(rows)), flush=True)",
        "    except CellError as exc:",
        "        print('REFUSED', name, exc, flush=True)",
    ])
    result = scratch_db.jinguo("shell", "--no-imports", "-c", code, check=False, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]  # -6 is the reader aborting
    for name, far in variants.items():
        line = next(line for line in result.stdout.splitlines() if line.split()[:2][1:] == [name]
                    and line.startswith(("READ", "REFUSED")))
        if far:
            assert line.startswith("REFUSED") and "XFD1048576 超出导入范围" in line, line
        else:
            assert line.startswith("READ"), line
