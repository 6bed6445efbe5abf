"""The rules that used to live in views, held by their services: a page, the API and a command get the same."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jinguo.accounts import services as accounts
from jinguo.accounts.models import User
from jinguo.audit.models import AuditEntry
from jinguo.core.models import EditConflict
from jinguo.reports import services as reports
from jinguo.reports.models import Summary

pytestmark = pytest.mark.django_db


def test_administrators_never_act_on_themselves(users, tree):
    own = users["secadmin"].role_assignments.get()
    with pytest.raises(PermissionDenied):
        accounts.revoke_role(own, actor=users["secadmin"])
    with pytest.raises(PermissionDenied):
        accounts.reset_password(users["sysadmin"], actor=users["sysadmin"])
    assert users["secadmin"].role_assignments.exists()
    accounts.reset_password(users["staff"], actor=users["sysadmin"])
    assert User.objects.get(pk=users["staff"].pk).must_change_password


def test_the_user_page_makes_accounts_as_the_command_does(users, tree, login):
    """Initial password to be changed, the details from the form, an audit entry for the new account."""
    client = login(users["sysadmin"])
    response = client.post(reverse("accounts:user_add"), {
        "username": "wang", "display_name": "王芳", "org": tree["county"].pk, "phone": "0746-1234567",
        "is_active": "on", "require_2fa": "on"})
    assert response.status_code == 302
    user = User.objects.get(username="wang")
    assert user.must_change_password and user.require_2fa and user.has_usable_password()
    assert user.phone == "0746-1234567" and user.display_name == "王芳"
    assert AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk), action="object.created")


def _summary(tree, users) -> Summary:
    blocks = [{"key": "title", "kind": "title", "text": "总结", "origin": "generated", "edited": False, "links": []},
              {"key": "p1", "kind": "para", "text": "生成的段落", "origin": "generated", "edited": False, "links": []}]
    return Summary.objects.create(org=tree["county"], period="2025H1", created_by=users["staff"], blocks=blocks,
                                  status=Summary.Status.READY)


def test_summary_editing_rules_hold_without_the_page(tree, users):
    summary = _summary(tree, users)
    typed = reports.typed_blocks(summary.blocks, {0: "东安县妇联\n工作总结", 1: "我改写的段落"})
    assert typed[0]["text"] == "东安县妇联工作总结"  # a heading is one line
    assert typed[1]["edited"] and typed[1]["generated_text"] == "生成的段落"
    with pytest.raises(ValueError, match="第2段是按数据生成的"):
        reports.edit_summary(summary, typed, actor=users["staff"], action="delete:1")
    summary.refresh_from_db()
    assert summary.blocks[1]["text"] == "生成的段落"  # a refused button stores nothing
    with pytest.raises(PermissionDenied):
        reports.edit_summary(summary, typed, actor=users["sister"], action="save")
    assert reports.edit_summary(summary, typed, actor=users["staff"], action="add:1") == "add"
    summary.refresh_from_db()
    assert [b["origin"] for b in summary.blocks] == ["generated", "generated", "user"]
    stale = Summary.objects.get(pk=summary.pk)
    reports.edit_summary(summary, summary.blocks, actor=users["staff"], action="delete:2")
    with pytest.raises(EditConflict):
        reports.edit_summary(stale, stale.blocks, actor=users["staff"], action="save", version=stale.version)


def test_every_export_is_recorded_in_one_shape(users, login, tree):
    client = login(users["staff"])
    assert client.get(reverse("ledger:activity_list"), {"export": "xlsx", "q": "普法"}).status_code == 200
    entry = AuditEntry.objects.filter(action="data.exported").latest("seq")
    assert entry.object_repr == "活动台账" and entry.data["rows"] == 0 and "q=" in entry.data["filter"]
    auditor = login(users["auditadmin"])
    assert auditor.get(reverse("audit:entry_list"), {"export": "xlsx"}).status_code == 200
    entry = AuditEntry.objects.filter(action="audit.exported").latest("seq")
    assert entry.object_repr == "审计日志" and entry.data["rows"] >= 1
