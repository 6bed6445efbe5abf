"""A large import must not stop the office: while a big ledger file is being checked, another user's save (an
audited write, as a sign-in or any edit is) goes through at once, and the import still lands whole.

Validating inside the import's transaction held SQLite's one write lock, and on both databases the audit chain's
head, for the whole file: every other write waited for the import (or failed with "database is locked"). Real
processes on a scratch database (a SQLite file, or PostgreSQL on the PostgreSQL run)."""

import subprocess
import time

from openpyxl import Workbook

# The importer must still be running when the other user writes (~2.7 s after it starts, asserted below): 20,000 rows
# keep it busy ~15 s of CPU here (measured 2026-12-01), five times that; 40,000 only doubled the wait.
ROWS = 20_000
SETUP = "from jinguo.orgs.services import add_org; add_org('430000', '湖南省'); add_org('431100', '永州市')"
OTHER_WRITE = ("from jinguo.orgs.services import add_org; from jinguo.orgs.models import OrgUnit; "
               "add_org('431122', '东安县', parent=OrgUnit.objects.get(code='431100'))")


def test_other_users_write_while_a_large_file_is_imported(scratch_db, tmp_path):
    path = tmp_path / "ledger.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(["开始日期", "活动类型", "活动名称", "参与人数"])
    for i in range(ROWS):
        sheet.append([f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}", "宣传教育", f"宣传活动{i}", 10 + i % 90])
    book.save(path)
    scratch_db.jinguo("shell", "--no-imports", "-c", SETUP)
    # The other user's process is started first and waits for the word, so its own start-up is not in the timing.
    other = scratch_db.spawn("shell", "--no-imports", "-c", "import sys; print('ready', flush=True); "
                             "sys.stdin.readline(); " + OTHER_WRITE + "; print('saved', flush=True)",
                             stdin=subprocess.PIPE)
    assert other.stdout.readline().strip() == "ready"
    importer = scratch_db.spawn("import_xlsx", "activities", str(path), "--org", "431100")
    try:
        time.sleep(2.5)  # start-up, then into checking the rows
        assert importer.poll() is None, importer.communicate()[0]
        started = time.monotonic()
        other.stdin.write("go\n")
        other.stdin.flush()
        said = other.stdout.readline().strip()
        waited = time.monotonic() - started
        still_importing = importer.poll() is None
        other.wait(timeout=120)
        output = importer.communicate(timeout=300)[0]
    finally:
        for process in (importer, other):
            if process.poll() is None:
                process.kill()
    assert said == "saved" and other.returncode == 0, other.stdout.read()  # not "database is locked"
    # One audited write; before, it waited for the import (11 s here)
    assert still_importing and waited < 2, f"the other user's save waited {waited:.1f} s for the import"
    assert importer.returncode == 0, output
    counts = scratch_db.query("SELECT COUNT(*) FROM ledger_activity")
    assert counts == [(ROWS,)]
    assert scratch_db.query("SELECT name FROM orgs_orgunit WHERE code = '431122'") == [("东安县",)]
    assert scratch_db.jinguo("audit_verify").returncode == 0
