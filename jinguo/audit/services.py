"""Writing and verifying the audit trail. Every write happens inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import json
import operator
import time as _time
from dataclasses import dataclass
from functools import cache, partial
from json.encoder import encode_basestring as _encode_text
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone

from jinguo.audit import checkpoints
from jinguo.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from jinguo.core import crypto
from jinguo.core.auditcontext import current
from jinguo.core.bulk import insert_rows, instance_factory
from jinguo.core.changelog import jsonable as _jsonable
from jinguo.core.changelog import snapshot
from jinguo.core.events import Event


def _owning_org(obj: models.Model | None):
    if obj is None:
        return None
    if hasattr(obj, "audit_org"):
        return obj.audit_org()
    return getattr(obj, "org", None)


def _append(*, kind: str, action: str, obj: models.Model | None = None, org=None, data: dict | None = None,
            note: str = "", object_repr: str | None = None) -> AuditEntry:
    return _append_many([{"kind": kind, "action": action, "obj": obj, "org": org, "data": data, "note": note,
                          "object_repr": object_repr}])[0]


_last_checkpoint = [_time.monotonic()]  # this process's last periodic checkpoint


def _checkpoint_due(first_seq: int, last_seq: int) -> bool:
    every = max(1, settings.AUDIT_CHECKPOINT_EVERY)
    if last_seq // every > first_seq // every:
        return True
    return _time.monotonic() - _last_checkpoint[0] >= settings.AUDIT_CHECKPOINT_MINUTES * 60


def _append_many(items: list[dict], *, plain_data: bool = False) -> list[AuditEntry]:
    """Chain entries (each the keyword arguments of `_append`) onto the head under one lock, in order, each signed
    with the current audit key; every so many entries or minutes the new tip goes to the checkpoint file once the
    transaction commits (a rolled-back tip would be a checkpoint of entries that never existed).

    `plain_data`: each item's `data` is already JSON-ready (a bulk path's snapshots). The chain is computed in one
    pass over plain values — each entry's data serialised once, for its hash and for the row alike — and the
    entries go in with one COPY (PostgreSQL) or executemany; the entries are returned as unsaved-looking records
    carrying every stored value, as before."""
    ctx = current()
    now = timezone.now()
    signer = crypto.audit_provider()
    key_id = signer.key_id
    time_text = now.isoformat()
    actor_name, source = ctx.actor_name[:150], ctx.source[:64]
    common = {"time": time_text, "actor": ctx.actor_id, "actor_name": actor_name, "ip": ctx.ip,
              "request_id": ctx.request_id, "source": source}
    new_entry = _new_entry()
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev_hash = head.last_seq, head.last_hash or GENESIS_HASH
        first_seq = seq
        entries = []
        for item in items:
            obj, org = item.get("obj"), item.get("org")
            org = org if org is not None else _owning_org(obj)
            object_repr = item.get("object_repr")
            seq += 1
            data = item.get("data") or {}
            if not plain_data:
                data = _jsonable(data)
            values = {
                "seq": seq, "kind": item["kind"], "action": item["action"],
                "object_type": obj._meta.label_lower if obj is not None else "",
                "object_id": str(obj.pk) if obj is not None and obj.pk is not None else "",
                "object_repr": (object_repr if object_repr is not None
                                else (str(obj) if obj is not None else ""))[:200],
                "org_path": getattr(org, "path", "") or "", "org_name": (getattr(org, "name", "") or "")[:100],
                "note": item.get("note", ""), "prev_hash": prev_hash,
            }
            data_json = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
            prev_hash = signer.keyed_hash(_canonical({**common, **values, "key_id": key_id}, data_json))
            entry = new_entry()
            entry.__dict__.update(values, time=now, actor_id=ctx.actor_id, actor_name=actor_name, ip=ctx.ip,
                                  request_id=ctx.request_id, source=source, data=data, key_id=key_id,
                                  hash=prev_hash)
            entry._data_json = data_json
            entries.append(entry)
        _insert(entries)
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        transaction.on_commit(partial(checkpoints.write_tip_quietly, seq, prev_hash))
        if _checkpoint_due(first_seq, seq):
            _last_checkpoint[0] = _time.monotonic()
            transaction.on_commit(partial(checkpoints.write_quietly, seq, prev_hash))
    return entries


@cache
def _new_entry():
    return instance_factory(AuditEntry)


def _j(value: Any) -> str:
    """One value as `json.dumps(..., ensure_ascii=False)` writes it (the values of an entry's own fields)."""
    if value is None:
        return "null"
    if value.__class__ is str:
        return _encode_text(value)
    if value.__class__ is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _canonical(values: dict[str, Any], data_json: str) -> str:
    """`AuditEntry.compute_hash`'s canonical JSON (keys sorted, no spaces), written out directly with the entry's
    data already serialised as `data_json`: the data is serialised once, for the hash and the row
    (tests/audit/test_bulk_chain.py checks the result against `compute_hash`)."""
    v = values
    return (f'{{"action":{_j(v["action"])},"actor":{_j(v["actor"])},"actor_name":{_j(v["actor_name"])},'
            f'"data":{data_json},"ip":{_j(v["ip"])},"key_id":{_j(v["key_id"])},"kind":{_j(v["kind"])},'
            f'"note":{_j(v["note"])},"object_id":{_j(v["object_id"])},"object_repr":{_j(v["object_repr"])},'
            f'"object_type":{_j(v["object_type"])},"org_name":{_j(v["org_name"])},"org_path":{_j(v["org_path"])},'
            f'"prev_hash":{_j(v["prev_hash"])},"request_id":{_j(v["request_id"])},"seq":{_j(v["seq"])},'
            f'"source":{_j(v["source"])},"time":{_j(v["time"])}}}')


_COLUMNS = [f.attname for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _insert(entries: list[AuditEntry]) -> None:
    """Insert the entries in one go (`core.bulk.insert_rows`): their values are already plain; `time` is one value
    for the batch and `data` goes in as the JSON text the hash was computed over (when the chain wrote it)."""
    convert = {name: AuditEntry._meta.get_field(name) for name in ("time", "data")}
    time = convert["time"].get_db_prep_save(entries[0].time, connection)  # one `now` for the whole batch
    data = convert["data"]
    at = {name: i for i, name in enumerate(_COLUMNS)}
    time_at, data_at = at["time"], at["data"]
    rows, values_of = [], operator.itemgetter(*_COLUMNS)  # the entries carry every value in their __dict__
    for entry in entries:
        row = list(values_of(entry.__dict__))
        row[time_at] = time
        text = getattr(entry, "_data_json", None)
        row[data_at] = text if text is not None else data.get_db_prep_save(entry.data, connection)
        rows.append(row)
    insert_rows(AuditEntry, _COLUMNS, rows)


def record_change(obj: models.Model, action: str, before: dict | None, after: dict | None) -> AuditEntry | None:
    """A generic diff: only the fields that changed (all of them for create/delete)."""
    before, after = before or {}, after or {}
    if action == Event.UPDATED:
        keys = sorted(k for k in after if before.get(k) != after.get(k) and k not in {"updated", "version"})
        if not keys:
            return None
        before = {k: before.get(k) for k in keys}
        after = {k: after[k] for k in keys}
    return _append(kind=AuditEntry.Kind.CHANGE, action=action, obj=obj, data={"before": before, "after": after})


def record_created_many(objs: list[models.Model], extras: list[dict] | None = None) -> list[AuditEntry]:
    """Records written together by a bulk path (an import): one `created` entry each, as `AuditedModel.save` would
    write it, with `extras` (related values such as figures) merged into each entry's `after`."""
    extras = extras or [{} for _obj in objs]
    return _append_many([
        {"kind": AuditEntry.Kind.CHANGE, "action": Event.CREATED, "obj": obj,
         "data": {"before": {}, "after": {**snapshot(obj), **_jsonable(extra)}}}
        for obj, extra in zip(objs, extras, strict=True)], plain_data=True)


def record_event(code: Event | str, obj: models.Model | None = None, *, org=None, note: str = "",
                 data: dict | None = None, object_repr: str | None = None) -> AuditEntry:
    """A named event (`case.accepted`, `user.login` …) with optional structured detail."""
    return _append(kind=AuditEntry.Kind.EVENT, action=str(code), obj=obj, org=org, data=data, note=note,
                   object_repr=object_repr)


def record_events_many(code: Event | str, objs: list[models.Model], *, notes: list[str] | None = None,
                       data: list[dict] | None = None) -> list[AuditEntry]:
    """`record_event` for many records at once (bulk paths), under one lock of the chain's head."""
    notes = notes or ["" for _obj in objs]
    data = data or [{} for _obj in objs]
    return _append_many([{"kind": AuditEntry.Kind.EVENT, "action": str(code), "obj": obj, "note": note, "data": detail}
                         for obj, note, detail in zip(objs, notes, data, strict=True)])


def record_access(obj: models.Model, *, fields: list[str], reason: str) -> AuditEntry:
    """Personal data shown in clear: who, when, which record, which fields, why."""
    return _append(kind=AuditEntry.Kind.ACCESS, action=Event.UNMASKED, obj=obj, data={"fields": fields},
                   note=reason)


class UnmaskLimitReached(PermissionDenied):
    """`reveal` refused: the person has seen personal data in clear `UNMASK_LIMIT` times within `UNMASK_WINDOW`.
    Pages say so on the record's own page; the API answers 429 with `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def reveal(obj: models.Model, *, actor, reason: str, fields: list[str]) -> models.Model:
    """The one way personal data is shown in clear (a case's petitioners, a registry person, an abuser's ID).

    Allowed when `obj` is among `visible_to(actor, "unmask")` of its model (信访专干 or 单位负责人 over its unit),
    a reason is given and `actor` has not yet seen personal data in clear `UNMASK_LIMIT` times within the last
    `UNMASK_WINDOW` seconds (else `UnmaskLimitReached`, the refusal recorded as `personal.unmask_limited`); writes the
    `personal.unmasked` access entry (who, which record, which fields, why) in the caller's transaction. Returns
    `obj`; the caller renders its clear values for this one response only.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not type(obj).objects.visible_to(actor, "unmask").filter(pk=obj.pk).exists():
        raise PermissionDenied(_("只有信访专干或单位负责人可以查看个人信息明文。"))
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": _("请填写查看原因（至少2个字）。")})
    limit, window = settings.UNMASK_LIMIT, settings.UNMASK_WINDOW
    with transaction.atomic():
        # One unmask at a time per account: her row locked while her recent unmasks are counted and the new one is
        # written (SQLite's IMMEDIATE transactions already queue writers), so requests sent together cannot all pass.
        list(actor._meta.model.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
        recent = list(AuditEntry.objects.filter(action=Event.UNMASKED, actor=actor,
                                                time__gte=timezone.now() - dt.timedelta(seconds=window))
                      .order_by("-time").values_list("time", flat=True)[:limit])
        refused = len(recent) >= limit
        if refused:
            record_event(Event.UNMASK_LIMITED, obj, note=reason.strip(), data={"fields": list(fields),
                                                                             "limit": limit, "window": window})
        else:
            record_access(obj, fields=list(fields), reason=reason.strip())
    if refused:
        retry_after = max(1, int((recent[-1] + dt.timedelta(seconds=window) - timezone.now()).total_seconds()) + 1)
        raise UnmaskLimitReached(_("您在%(minutes)d分钟内已查看个人信息明文%(limit)d次，达到上限，"
                                   "本次未予查看或打印明文。请%(wait)s后再试；如确因工作需要，请联系安全管理员。") % {
            "minutes": window // 60, "limit": limit, "wait": _wait_text(retry_after)}, retry_after)
    return obj


def _wait_text(seconds: int) -> str:
    from django.utils.translation import gettext as _

    return _("%(n)d分钟") % {"n": -(-seconds // 60)} if seconds >= 60 else _("%(n)d秒") % {"n": seconds}


@dataclass
class BrokenLink:
    entry_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        if not self.seq:
            return f"审计链校验失败：{self.reason}"
        return f"审计链在第 {self.seq} 条（id={self.entry_id}）处断开：{self.reason}"


def verify_chain(batch_size: int = 5000) -> tuple[int, BrokenLink | None]:
    """Walk the chain in order; return how many entries were checked and the first broken link, if any.

    Each entry's HMAC is recomputed under the key it names; unkeyed entries are accepted only at the beginning, up
    to the signed `legacy` checkpoint; the signed checkpoints outside the database must each match the entry they
    name, and none may lie past the chain's end (a cut tail)."""
    anchors = checkpoints.read()
    if anchors.problem:
        return 0, BrokenLink(0, 0, anchors.problem)
    tip = checkpoints.read_tip()
    if tip is not None and tip.get("problem"):
        return 0, BrokenLink(0, 0, tip["problem"])
    keyring = crypto.audit_keyring()
    prev_hash, expected_seq, checked, keyed = GENESIS_HASH, 1, 0, False
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return checked, BrokenLink(entry.pk, entry.seq, f"缺少第 {expected_seq} 条（可能被删除）")
        if entry.prev_hash != prev_hash:
            return checked, BrokenLink(entry.pk, entry.seq, "前一条哈希不符（前一条被删除或改写）")
        if entry.key_id:
            signer = keyring.get(entry.key_id)
            if signer is None:
                return checked, BrokenLink(entry.pk, entry.seq, f"本条由审计密钥 {entry.key_id} 签名，当前未配置该密钥"
                                                                "（JINGUO_AUDIT_KEY 或 JINGUO_AUDIT_KEYS_RETIRED）")
            keyed = True
        elif keyed or entry.seq > anchors.legacy_until:
            return checked, BrokenLink(entry.pk, entry.seq, "本条没有审计密钥签名（启用密钥之后不应再有未签名的记录）")
        else:
            signer = None
        if entry.compute_hash(signer) != entry.hash:
            return checked, BrokenLink(entry.pk, entry.seq, "内容与哈希不符（本条被改写）")
        anchored = anchors.hashes.get(entry.seq)
        if anchored is not None and anchored != entry.hash:
            return checked, BrokenLink(entry.pk, entry.seq, "与链外签名检查点记录的哈希不符（本条或此前的记录被改写）")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    last = expected_seq - 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and head.last_seq != last:
        return checked, BrokenLink(0, expected_seq, f"链尾应为第 {head.last_seq} 条，实际只有 {last} 条")
    if head and last and head.last_hash != prev_hash:
        return checked, BrokenLink(0, last, "链头记录的哈希与最后一条不符")
    if anchors.last_seq > last:
        return checked, BrokenLink(0, last + 1, f"链外签名检查点记录了第 {anchors.last_seq} 条，库中只有 {last} 条"
                                                "（链尾被删除）")
    if tip is not None and int(tip["seq"]) > last:
        return checked, BrokenLink(0, last + 1, f"链外签名的链尾记录为第 {tip['seq']} 条，库中只有 {last} 条"
                                                "（链尾被删除）")
    if tip is not None and int(tip["seq"]) == last and last and tip["hash"] != prev_hash:
        return checked, BrokenLink(0, last, "最后一条与链外签名的链尾记录不符（链尾被改写）")
    if last and settings.AUDIT_CHECKPOINT_REQUIRED and (tip is None or not anchors.lines):
        return checked, BrokenLink(0, last, f"找不到链外检查点文件（{checkpoints.path()} 或其链尾记录）："
                                            "文件被删除或移走时，无法确认链尾是否被删除")
    return checked, None


def unconfigured_audit_keys() -> set[str]:
    """Ids of audit keys that signed stored entries but are no longer configured: those entries could not be
    verified. (A scan of the trail: for administration commands, not for requests.)"""
    used = set(AuditEntry.objects.exclude(key_id="").values_list("key_id", flat=True).distinct())
    return used - set(crypto.audit_keyring())


def checkpoint_head() -> dict | None:
    """Write the chain's current tip to the checkpoint file (after a successful verification, a key rotation)."""
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or not head.last_seq:
        return None
    return checkpoints.write(head.last_seq, head.last_hash)
