"""Statistical returns hide small sensitive cells so that no hidden cell can be recomputed from the published
totals; the dashboard shows the numbers as charts and tables; both stay within scope."""

import io
import random

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jinguo.reports.returns import Table, extended, suppress


def recoverable(table: Table, hidden: set) -> set:
    """The attack: every row and column of the published table (margins included) is an equation; a line with
    exactly one unknown reveals it; repeat until nothing more can be learned. Returns what became known."""
    grid = extended(table)
    height, width = len(grid), len(grid[0])
    known = {(r, c) for r in range(height) for c in range(width)} - hidden
    learned = set()
    lines = [[(r, c) for c in range(width)] for r in range(height)] + [
        [(r, c) for r in range(height)] for c in range(width)]
    progress = True
    while progress:
        progress = False
        for cells in lines:
            unknown = [cell for cell in cells if cell not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                learned.add(unknown[0])
                progress = True
    return learned & hidden


def test_no_suppressed_cell_can_be_recomputed_from_the_totals():
    rng = random.Random(11)
    for _ in range(500):
        rows, columns = rng.randint(2, 8), rng.randint(1, 8)
        cells = [[rng.choice([0, 0, 1, 2, 3, 4, 7, 12, 30]) for _ in range(columns)] for _ in range(rows)]
        sensitive = set(rng.sample(range(rows), rng.randint(1, min(2, rows))))
        table = Table("t", [f"r{i}" for i in range(rows)], [f"c{i}" for i in range(columns)], cells, sensitive)
        hidden = suppress(table, 5)
        primary = {(r, c) for r in sensitive for c in range(columns + 1) if 0 < extended(table)[r][c] < 5}
        assert primary <= hidden
        assert not recoverable(table, hidden), (cells, sensitive, hidden)


def test_return_workbook_per_unit_with_suppressed_dv_cells(tree, users, login, make_case, make_activity):
    for i in range(3):
        make_case(tree["county"], received=f"2025-03-{i + 1:02d} 09:00", channel="来电", sub="家庭暴力")
    for i in range(7):
        make_case(tree["county"], received=f"2025-04-{i + 1:02d} 09:00", channel="来访", sub="家庭纠纷")
    make_case(tree["sister"], received="2025-03-01 09:00", channel="来信", category="财产权益")
    make_activity(tree["county"], "宣传", "2025-03-08", materials=100)
    client = login(users["city"])
    response = client.get(reverse("reports:return"), {"org": tree["city"].pk, "period": "2025", "threshold": 5,
                                                      "download": 1})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["合计", "东安县", "双牌县"]
    sheet = book["东安县"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in values if row[0] is None and "来电" in row)
    dv_row = next(row for row in values if row[0] == "家庭暴力")
    assert dv_row[header.index("来电")] == "<5" and dv_row[header.index("合计")] == "<5"  # 3 DV calls hidden
    assert 3 not in dv_row
    flat = [v for row in values for v in row]
    assert flat.count("<5") + flat.count("×") >= 4  # …with complementary cells
    assert "王" not in str(flat)
    assert client.get(reverse("reports:return"), {"org": tree["other_city"].pk, "period": "2025"}).status_code == 404


def test_dashboard_numbers_and_scope(tree, users, login, make_case, make_activity):
    make_case(tree["county"], received="2025-03-01 09:00", channel="来电")
    make_case(tree["sister"], received="2025-03-02 09:00", channel="来访")
    make_activity(tree["county"], "宣传", "2025-03-08", themes=["三八维权周"], materials=100)
    client = login(users["city"])
    page = client.get(reverse("reports:dashboard"), {"org": tree["city"].pk, "period": "2025"}).content.decode()
    assert "vendor/echarts/echarts.min.js" in page and 'data-chart="chart-months"' in page
    assert "<strong>2</strong>件信访" in page and "三八维权周" in page
    assert "东安县" in page and "双牌县" in page
    assert "<script>" not in page.replace('<script src=', '').replace('<script id=', '')  # no inline script code
    viewer = login(users["viewer"])  # the level above: aggregates, allowed
    assert viewer.get(reverse("reports:dashboard"), {"org": tree["city"].pk, "period": "2025"}).status_code == 200
    assert login(users["staff"]).get(reverse("reports:dashboard"), {"org": tree["sister"].pk}).status_code == 404


def test_summary_pages_and_scope(tree, users, login, make_case, django_capture_on_commit_callbacks):
    from jinguo.reports.models import Summary

    make_case(tree["county"], received="2025-03-01 09:00", channel="来电")
    client = login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:summary_add"), {"org": tree["county"].pk, "period": "2025H1",
                                                                "scope": "tree", "share_places": 1})
    summary = Summary.objects.get()
    assert response["Location"] == summary.get_absolute_url() and summary.status == "ready"
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "来信来访来电1件次" in page and "petitions/?" in page  # figures link to the filtered list
    download = client.get(reverse("reports:summary_download", args=[summary.pk, "docx"]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert login(users["sister"]).get(summary.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("fmt", ["exe", "html", "svg", "docx.exe", "DOCX", "xlsx", "js"])
def test_summary_download_answers_only_the_offered_formats(fmt, tree, users, login):
    from jinguo.audit.models import AuditEntry
    from jinguo.reports.models import Summary

    summary = Summary.objects.create(org=tree["county"], title="总结", created_by=users["staff"], period="2025",
                                     status=Summary.Status.READY, blocks=[])
    client = login(users["staff"])
    exported = AuditEntry.objects.filter(action="data.exported").count()
    response = client.get(reverse("reports:summary_download", args=[summary.pk, fmt]))
    assert response.status_code == 404
    assert "Content-Disposition" not in response
    assert AuditEntry.objects.filter(action="data.exported").count() == exported


def test_return_never_adds_units_together_and_never_shows_a_false_bound(tree, users, login, make_case,
                                                                          make_activity):
    """The ledger table's columns (场次, 人, 份, 元 …) are totalled each on its own, never across; a hidden cell says
    "<5" only where the value is below 5 (a complementary cell hiding 9 says ×)."""
    from jinguo.core.periods import Period
    from jinguo.reports.returns import extended, ledger_table, petition_table

    for i in range(3):
        make_case(tree["county"], received=f"2025-03-{i + 1:02d} 09:00", channel="来电", sub="家庭暴力")
    for i in range(9):
        make_case(tree["county"], received=f"2025-04-{i + 1:02d} 09:00", channel="来访", sub="家庭暴力")
    make_case(tree["county"], received="2025-05-01 09:00", channel="来访", sub="家庭纠纷")
    make_activity(tree["county"], "宣传", "2025-03-08", participants=300, materials=1000, condolence=2000)
    response = login(users["city"]).get(reverse("reports:return"), {"org": tree["city"].pk, "period": "2025",
                                                                     "threshold": 5, "download": 1})
    sheet = load_workbook(io.BytesIO(response.content))["东安县"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    tables = [petition_table(tree["county"], Period.parse("2025")), ledger_table(tree["county"], Period.parse("2025"))]
    starts = [i for i, row in enumerate(values) if row[0] in (t.title for t in tables)]
    assert len(starts) == 2
    marks = 0
    for table, start in zip(tables, starts, strict=True):
        header = values[start + 1]
        grid = extended(table)
        assert ("合计" in header) == table.row_totals
        for r, label in enumerate([*table.rows, "合计"]):
            row = values[start + 2 + r]
            assert row[0] == label
            for c, value in enumerate(grid[r]):
                shown = row[c + 1]
                if shown == "<5":
                    assert value < 5, (label, header[c + 1], value)
                    marks += 1
                elif shown == "×":
                    assert value >= 5
                    marks += 1
                else:
                    assert shown == value
    assert not tables[1].row_totals and "合计" not in values[starts[1] + 1]
    assert marks >= 2
    dv = next(row for row in values if row[0] == "家庭暴力")
    assert dv[values[starts[0] + 1].index("合计")] in (12, "×")  # 12 DV cases: never written as "<5"
