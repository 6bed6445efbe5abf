"""The statistical return for the level above: a small sensitive cell hidden on a county's sheet cannot be worked out
from the other sheets of the same workbook (the total sheet minus the other counties), and the sender cannot switch
the hiding off with a threshold of 1."""

import io

from django.urls import reverse
from openpyxl import load_workbook

HIDDEN = ("×",)


def _tables(sheet) -> list[list[list]]:
    """Each table of a return sheet as its grid of values (the header row and label column dropped)."""
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    tables, current = [], None
    for row in rows:
        if row[0] is None and any(isinstance(v, str) for v in row[1:]):  # a header row starts a table's grid
            current = []
            tables.append(current)
        elif current is not None and row[0] is not None and len(row) > 1 and row[1] is not None:
            current.append(list(row[1:]))
        elif current is not None and (row[0] is None or row[1] is None):
            current = None
    return tables


def recoverable_across_sheets(book) -> list[str]:
    """The attack: each sheet's rows and columns are equations, and so is every cell of the total sheet = the sum of
    the same cell over the units' sheets (the level itself holding no records of its own). Any equation with one
    unknown reveals it; repeat until nothing more is learned."""
    sheets = [_tables(book[name]) for name in book.sheetnames]
    known, unknown = {}, set()
    for s, tables in enumerate(sheets):
        for t, grid in enumerate(tables):
            for r, row in enumerate(grid):
                for c, value in enumerate(row):
                    if isinstance(value, str) and (value.startswith("<") or value in HIDDEN):
                        unknown.add((s, t, r, c))
                    elif isinstance(value, (int, float)):
                        known[(s, t, r, c)] = value
    equations = []
    for s, tables in enumerate(sheets):
        for t, grid in enumerate(tables):
            height, width = len(grid), len(grid[0])
            equations += [[(s, t, r, c) for c in range(width)] for r in range(height)]
            equations += [[(s, t, r, c) for r in range(height)] for c in range(width)]
    for t, grid in enumerate(sheets[0]):
        for r, row in enumerate(grid):
            for c in range(len(row)):
                equations.append([(0, t, r, c)] + [(s, t, r, c) for s in range(1, len(sheets))])
    learned = []
    progress = True
    while progress:
        progress = False
        for cells in equations:
            missing = [cell for cell in cells if cell not in known]
            if len(missing) == 1 and missing[0] in unknown:
                known[missing[0]] = 0
                learned.append(f"{book.sheetnames[missing[0][0]]} {missing[0][1:]}")
                progress = True
            elif len(missing) == 1:
                known[missing[0]] = 0
                progress = True
    return learned


def _return(client, tree, threshold=5):
    response = client.get(reverse("reports:return"), {"org": tree["city"].pk, "period": "2025",
                                                      "threshold": threshold, "download": 1})
    return response


def test_a_hidden_county_cell_cannot_be_worked_out_from_the_total_sheet(tree, users, login, make_case):
    for i in range(2):  # 2 DV calls in 东安县: hidden there …
        make_case(tree["county"], received=f"2025-03-{i + 1:02d} 09:00", channel="来电", sub="家庭暴力")
    for i in range(6):  # … 6 in 双牌县, shown; the total sheet's 8 minus 6 would give the 2 away
        make_case(tree["sister"], received=f"2025-03-{i + 1:02d} 10:00", channel="来电", sub="家庭暴力")
    for i in range(7):
        make_case(tree["county"], received=f"2025-04-{i + 1:02d} 09:00", channel="来访", sub="家庭纠纷")
        make_case(tree["sister"], received=f"2025-04-{i + 1:02d} 09:00", channel="来访", sub="家庭纠纷")
    book = load_workbook(io.BytesIO(_return(login(users["city"]), tree).content))
    assert book.sheetnames == ["合计", "东安县", "双牌县"]
    assert "<5" in str([[c.value for c in row] for row in book["东安县"].iter_rows()])
    assert not recoverable_across_sheets(book)


def test_the_threshold_cannot_switch_hiding_off(tree, users, login, make_case):
    make_case(tree["county"], received="2025-03-01 09:00", channel="来电", sub="家庭暴力")
    client = login(users["city"])
    for threshold in (1, 2):
        response = _return(client, tree, threshold)
        assert response.status_code == 200
        assert "Content-Disposition" not in response, f"threshold {threshold} accepted"
    book = load_workbook(io.BytesIO(_return(client, tree, 3).content))
    assert "<3" in str([[c.value for c in row] for row in book["东安县"].iter_rows()])


def test_no_hidden_cell_is_recoverable_across_random_sheets():
    import random

    from jinguo.reports.returns import Table, extended, suppress_across

    rng = random.Random(7)
    for _ in range(300):
        rows, columns, parts = rng.randint(2, 5), rng.randint(1, 5), rng.randint(1, 4)
        sensitive = set(rng.sample(range(rows), rng.randint(1, min(2, rows))))
        grids = [[[rng.choice([0, 0, 1, 2, 3, 6, 12]) for _ in range(columns)] for _ in range(rows)]
                 for _ in range(parts)]
        whole = [[sum(g[r][c] for g in grids) for c in range(columns)] for r in range(rows)]
        tables = [Table("t", [str(r) for r in range(rows)], [str(c) for c in range(columns)], cells, sensitive)
                  for cells in [whole, *grids]]
        hidden = suppress_across(tables, 5)
        ext = [extended(t) for t in tables]
        height, width = len(ext[0]), len(ext[0][0])
        unknown = {(s, r, c) for s, cells in enumerate(hidden) for r, c in cells}
        for s in range(len(tables)):
            assert {(r, c) for r in sensitive for c in range(width) if 0 < ext[s][r][c] < 5} <= hidden[s]
        equations = [[(s, r, c) for c in range(width)] for s in range(len(tables)) for r in range(height)]
        equations += [[(s, r, c) for r in range(height)] for s in range(len(tables)) for c in range(width)]
        equations += [[(s, r, c) for s in range(len(tables))] for r in range(height) for c in range(width)]
        known = set()
        progress = True
        while progress:
            progress = False
            for cells in equations:
                missing = [cell for cell in cells if cell in unknown and cell not in known]
                if len(missing) == 1:
                    known.add(missing[0])
                    progress = True
        assert not known, (whole, grids, sensitive, hidden)
