"""The audit trail: written with every change in the same transaction, append-only, tamper-evident."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from jinguo.audit.models import AuditEntry
from jinguo.audit.services import verify_chain
from jinguo.core.auditcontext import audit_context
from jinguo.orgs.models import OrgUnit


def test_change_is_logged_with_before_after_actor_and_ip(tree, users, login):
    client = login(users["county_sysadmin"])
    unit = tree["township"]
    client.post(f"/orgs/units/{unit.pk}/edit/", {"code": unit.code, "name": "白牙市镇（新）", "level": "township",
                                                 "parent": tree["county"].pk, "is_active": "on"},
                REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.filter(object_type="orgs.orgunit", object_id=str(unit.pk), action="object.updated").get()
    assert entry.data == {"before": {"name": "白牙市镇"}, "after": {"name": "白牙市镇（新）"}}
    assert entry.actor_id == users["county_sysadmin"].pk and entry.actor_name == "dongan_sys"
    assert entry.ip == "10.1.2.3" and entry.source == "web" and len(entry.request_id) == 32
    assert entry.org_path == unit.path


def test_rolled_back_change_leaves_no_entry(tree):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        tree["township"].name = "不存在"
        tree["township"].save()
        raise RuntimeError
    assert AuditEntry.objects.count() == before


def test_command_changes_are_attributed_to_the_command(tree):
    call_command("add_org", "431122-MZ", "东安县民政局", "--parent", "431122", "--level", "成员单位")
    entry = AuditEntry.objects.filter(object_repr="东安县民政局").get()
    assert entry.source == "command:add_org" and entry.actor_name.startswith("命令行")


def test_chain_verifies_and_editing_a_row_breaks_it_at_that_row(tree):
    call_command("audit_verify")
    target = AuditEntry.objects.order_by("seq")[3]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The append-only trigger refuses the edit…
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(f"UPDATE {table} SET note = 'x' WHERE id = %s", [target.pk])
            # …so the attacker disables it first (as a database owner could).
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(f"UPDATE {table} SET actor_name = 'someone else' WHERE id = %s", [target.pk])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_entry_append_only")
    checked, broken = verify_chain()
    assert broken is not None and broken.entry_id == target.pk and checked == 3
    with pytest.raises(CommandError, match=rf"第 {target.seq} 条（id={target.pk}）"):
        call_command("audit_verify")


def test_deleting_a_row_breaks_the_chain(tree):
    target = AuditEntry.objects.order_by("seq")[2]
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
                AuditEntry.objects.filter(pk=target.pk).delete()
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [target.pk])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_entry_append_only")
    _checked, broken = verify_chain()
    assert broken is not None and broken.seq == target.seq + 1


def test_audit_page_filters_and_scope(tree, users, login):
    with audit_context(actor_name="someone", source="test"):
        OrgUnit.objects.create(code="431002100", name="外市某镇", level="township", parent=tree["other_county"])
    client = login(users["auditadmin"])  # audit administrator of 永州市
    page = client.get("/audit/", {"action": "object.created"}).content.decode()
    assert "白牙市镇" in page and "外市某镇" not in page
    other = AuditEntry.objects.get(object_repr="外市某镇")
    assert client.get(f"/audit/{other.pk}/").status_code == 404


def test_record_history_shows_changes(tree, users, login):
    client = login(users["county_sysadmin"])
    page = client.get(f"/orgs/units/{tree['township'].pk}/").content.decode()
    assert "变更历史" in page and "新增" in page
