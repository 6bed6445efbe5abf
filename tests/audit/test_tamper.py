"""The audit trail tells the truth against someone who can write the database but does not hold the audit key:
a rewritten row with every later hash recomputed, or a cut tail with the head rewound, is found by
`jinguo audit_verify`; an untouched trail verifies, before and after `jinguo rotate_key` changes the audit key."""

import base64
import contextlib
import hashlib
import json
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jinguo.audit.models import AuditEntry, AuditHead
from jinguo.audit.services import verify_chain
from jinguo.core import crypto
from jinguo.core.auditcontext import audit_context
from jinguo.orgs.models import OrgUnit


@contextlib.contextmanager
def superuser_writes():
    """Write the trail as a database superuser would: on PostgreSQL with the append-only trigger switched off."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_entry_append_only")
        try:
            yield
        finally:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_entry_append_only")


def plain_sha256(entry: AuditEntry, prev_hash: str) -> str:
    """The hash as the unkeyed scheme made it: what an attacker without the key can compute."""
    payload = {
        "seq": entry.seq, "time": entry.time.isoformat(), "actor": entry.actor_id, "actor_name": entry.actor_name,
        "ip": entry.ip, "request_id": entry.request_id, "source": entry.source, "kind": entry.kind,
        "action": entry.action, "object_type": entry.object_type, "object_id": entry.object_id,
        "object_repr": entry.object_repr, "org_path": entry.org_path, "org_name": entry.org_name, "data": entry.data,
        "note": entry.note, "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _more_entries(tree, n: int = 3) -> None:
    with audit_context(actor_name="someone", source="test"):
        for i in range(n):
            OrgUnit.objects.create(code=f"43100210{i}", name=f"外市某镇{i}", level="township",
                                   parent=tree["other_county"])


def _checkpoint_lines(settings) -> list[dict]:
    path = settings.AUDIT_CHECKPOINT_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_untouched_trail_is_intact_and_anchored_outside_the_database(tree, settings):
    out = io_command("audit_verify")
    assert "审计链完好" in out
    head = AuditHead.objects.get(pk=1)
    lines = _checkpoint_lines(settings)
    assert lines and lines[-1]["seq"] == head.last_seq and lines[-1]["hash"] == head.last_hash
    assert set(lines[-1]) >= {"seq", "hash", "time", "sig"}
    assert verify_chain() == (head.last_seq, None)
    _more_entries(tree)
    assert "审计链完好" in io_command("audit_verify")  # checkpoints behind the head are fine


@pytest.mark.parametrize("disguise", ["keep_key_id", "as_unkeyed"])
def test_rewrite_and_rehash_without_the_key_is_reported(tree, disguise):
    _more_entries(tree)
    entries = list(AuditEntry.objects.order_by("seq"))
    target = entries[len(entries) // 2]
    with superuser_writes():
        prev_hash = target.prev_hash
        for entry in entries[entries.index(target):]:
            if entry.pk == target.pk:
                entry.data = {"before": {}, "after": {"name": "改写后的内容"}}
                entry.actor_name = "someone else"
            changes = {"data": entry.data, "actor_name": entry.actor_name, "prev_hash": prev_hash}
            if disguise == "as_unkeyed":
                changes["key_id"] = ""
            changes["hash"] = prev_hash = plain_sha256(entry, prev_hash)
            AuditEntry.objects.filter(pk=entry.pk).update(**changes)
        AuditHead.objects.filter(pk=1).update(last_hash=prev_hash)
    checked, broken = verify_chain()
    assert broken is not None and broken.entry_id == target.pk and checked == target.seq - 1
    with pytest.raises(CommandError, match=rf"第 {target.seq} 条（id={target.pk}）"):
        call_command("audit_verify")


def _cut_tail(count: int) -> int:
    """Delete the last `count` entries and rewind the head onto what remains; returns the new last seq."""
    entries = list(AuditEntry.objects.order_by("-seq")[:count + 1])
    keep = entries[-1]
    with superuser_writes():
        AuditEntry.objects.filter(seq__gt=keep.seq).delete()
        AuditHead.objects.filter(pk=1).update(last_seq=keep.seq, last_hash=keep.hash)
    return keep.seq


def test_cut_tail_with_rewound_head_is_reported_against_the_checkpoint(tree):
    call_command("audit_verify")  # checkpoint at the current tip
    last = _cut_tail(3)
    checked, broken = verify_chain()
    assert broken is not None and checked == last and "链尾被删除" in broken.reason
    with pytest.raises(CommandError, match="链尾被删除"):
        call_command("audit_verify")


def test_writers_checkpoint_every_n_entries_so_a_cut_tail_shows_without_a_verify_run(
        tree, settings, django_capture_on_commit_callbacks):
    settings.AUDIT_CHECKPOINT_EVERY = 5
    settings.AUDIT_CHECKPOINT_MINUTES = 10_000
    before = len(_checkpoint_lines(settings))
    with django_capture_on_commit_callbacks(execute=True):
        _more_entries(tree, 6)
    lines = _checkpoint_lines(settings)
    assert len(lines) > before
    anchored = lines[-1]["seq"]
    assert AuditEntry.objects.get(seq=anchored).hash == lines[-1]["hash"]
    _cut_tail(AuditHead.objects.get(pk=1).last_seq - anchored + 1)
    _checked, broken = verify_chain()
    assert broken is not None and "链尾被删除" in broken.reason


def test_a_forged_checkpoint_line_is_reported(tree, settings):
    call_command("audit_verify")
    path = settings.AUDIT_CHECKPOINT_FILE
    record = json.loads(path.read_text().splitlines()[-1])
    record["seq"] += 100  # claims a longer chain, without the key to sign it
    with path.open("a") as file:
        file.write(json.dumps(record) + "\n")
    with pytest.raises(CommandError, match="签名无效"):
        call_command("audit_verify")


@pytest.fixture
def new_audit_key(settings):
    old = getattr(settings, "AUDIT_KEY", "")  # (absent before the chain was keyed)

    def _switch(keep_old: bool = True) -> str:
        settings.AUDIT_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
        settings.AUDIT_KEYS_RETIRED = [old] if keep_old else []
        crypto.reset()
        return old

    yield _switch
    crypto.reset()


def test_trail_still_verifies_after_rotate_key(tree, new_audit_key):
    call_command("audit_verify")
    old_id = AuditEntry.objects.order_by("-seq").first().key_id
    new_audit_key()
    call_command("rotate_key")
    _more_entries(tree)
    key_ids = list(AuditEntry.objects.order_by("seq").values_list("key_id", flat=True))
    new_id = crypto.audit_provider().key_id
    assert old_id and new_id != old_id and key_ids[0] == old_id and key_ids[-1] == new_id
    assert AuditEntry.objects.filter(action="audit.key_rotated", data__previous=old_id).exists()
    assert "审计链完好" in io_command("audit_verify")
    # A rewrite of an old entry still cannot be re-signed without the current key.
    target = AuditEntry.objects.get(seq=2)
    with superuser_writes():
        AuditEntry.objects.filter(pk=target.pk).update(note="改写")
    assert verify_chain()[1].entry_id == target.pk


def test_rotate_key_refuses_when_the_old_audit_key_is_dropped(tree, new_audit_key):
    new_audit_key(keep_old=False)
    with pytest.raises(CommandError, match="JINGUO_AUDIT_KEYS_RETIRED"):
        call_command("rotate_key")
    _checked, broken = verify_chain()
    assert broken is not None and "未配置该密钥" in broken.reason


def io_command(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_cut_of_the_newest_entries_shows_against_the_signed_tip(tree, settings, django_capture_on_commit_callbacks):
    """The probe: entries written after the last periodic checkpoint (up to 1000, or 10 minutes) could be cut
    unseen — among them the `personal.unmasked` entry of a look at someone's data. Every commit now rewrites the
    signed tip outside the database."""
    settings.AUDIT_CHECKPOINT_EVERY = 1_000_000
    settings.AUDIT_CHECKPOINT_MINUTES = 10_000
    call_command("audit_verify")
    with django_capture_on_commit_callbacks(execute=True):
        _more_entries(tree, 1)
    with django_capture_on_commit_callbacks(execute=True), audit_context(actor_name="someone", source="test"):
        OrgUnit.objects.create(code="431002199", name="外市某镇末", level="township", parent=tree["other_county"])
    # … the entry newer than the periodic checkpoint
    assert verify_chain()[1] is None
    _cut_tail(1)  # … cut, head rewound
    _checked, broken = verify_chain()
    assert broken is not None and "链尾被删除" in broken.reason, broken


def test_a_forged_tip_and_missing_checkpoint_files_are_reported(tree, settings, django_capture_on_commit_callbacks):
    from jinguo.audit import checkpoints

    with django_capture_on_commit_callbacks(execute=True):
        _more_entries(tree, 1)
    tip = checkpoints.tip_path()
    record = json.loads(tip.read_text())
    tip.write_text(json.dumps({**record, "seq": record["seq"] - 1}))  # rewound without the key
    assert "签名无效" in verify_chain()[1].reason
    tip.unlink()
    settings.AUDIT_CHECKPOINT_FILE.unlink(missing_ok=True)
    assert verify_chain()[1] is None  # development: nothing to compare with
    settings.AUDIT_CHECKPOINT_REQUIRED = True  # production: the files are part of the trail
    assert "找不到链外检查点文件" in verify_chain()[1].reason
