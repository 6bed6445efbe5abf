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
from jinguo.accounts.roles import Role
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
