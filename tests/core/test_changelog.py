"""Change recording, inverted: core announces each write, the audit app writes the entry in the same transaction,
and a write nobody would record is refused rather than left unaudited."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from jinguo.audit import signals as audit_signals
from jinguo.audit.models import AuditEntry
from jinguo.core import changelog
from jinguo.core.events import Event
from jinguo.core.models import CodeTable

pytestmark = pytest.mark.django_db


def test_a_core_record_is_logged_by_the_audit_app_in_the_same_transaction():
    with transaction.atomic():
        table = CodeTable.objects.create(slug="layers_probe", name="分层测试")
        entry = AuditEntry.objects.get(object_type="core.codetable", object_id=str(table.pk))
        assert entry.action == Event.CREATED
        assert entry.data["after"]["name"] == "分层测试"
        transaction.set_rollback(True)
    assert not AuditEntry.objects.filter(object_type="core.codetable", object_id=str(table.pk)).exists()


def test_a_write_with_no_audit_writer_connected_is_refused():
    assert changelog.object_changed.disconnect(dispatch_uid="audit.object_changed")
    try:
        with pytest.raises(ImproperlyConfigured):
            CodeTable.objects.create(slug="layers_unaudited", name="无人记录")
    finally:
        changelog.object_changed.connect(audit_signals._object_changed, dispatch_uid="audit.object_changed")
    assert not CodeTable.objects.filter(slug="layers_unaudited").exists()


def test_core_events_reach_the_trail():
    changelog.record_event(Event.EXPORTED, object_repr="分层测试", data={"rows": 3})
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_repr, entry.data) == (Event.EXPORTED, "分层测试", {"rows": 3})
