"""The tables that grow with the records carry only indexes that earn their keep: every imported row and every
synth batch pays for each one (PostgreSQL, where the production data lives)."""

import re

import pytest
from django.db import connection

GROWING = ["petitions_case", "petitions_petitioner", "ledger_activity", "ledger_activityfigure",
           "ledger_activitycell", "audit_auditentry"]
PREFIX_MATCHED = {("audit_auditentry", "org_path")}  # scope: org_path LIKE '/43/4311/%'
# Django gives every unique text field a pattern-ops twin; replacing `unique=True` on the case number by a named
# constraint to drop it would take a vendor-specific migration for one small index.
TOLERATED = {("petitions_case", "number")}


def _indexes(table: str) -> dict[str, tuple[bool, list[str]]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        rows = cursor.fetchall()
    found = {}
    for name, definition in rows:
        columns = re.search(r"USING btree \((.*)\)", definition).group(1)
        found[name] = ("UNIQUE" in definition, [c.strip().replace('"', "") for c in columns.split(",")])
    return found


@pytest.mark.django_db
def test_no_index_another_one_already_covers():
    if connection.vendor != "postgresql":
        pytest.skip("index definitions are checked on PostgreSQL")
    redundant, pattern_ops = [], []
    for table in GROWING:
        indexes = _indexes(table)
        for name, (unique, columns) in indexes.items():
            for column in columns:
                if column.endswith("_pattern_ops") and (table, column.split()[0]) not in PREFIX_MATCHED | TOLERATED:
                    pattern_ops.append(f"{table}.{name}")
            if unique:
                continue
            for other, (_unique, other_columns) in indexes.items():
                if other != name and other_columns[:len(columns)] == columns:
                    redundant.append(f"{table}.{name} ({', '.join(columns)}) is covered by {other}")
    assert not redundant, redundant
    assert not pattern_ops, f"pattern-ops indexes where nothing matches a prefix: {pattern_ops}"
