"""Append-only, hash-chained audit trail: generic change diffs, named workflow events and personal-data access.

Each entry stores the hash of the one before it, so editing or deleting any stored row breaks the chain at
that row and `jinguo audit_verify` names it. On PostgreSQL a trigger rejects UPDATE and DELETE.

The hash is keyed: an HMAC under the audit key (JINGUO_AUDIT_KEY, never in the database), whose id each entry
records. Someone who can write the table but does not hold the key cannot recompute the chain after a rewrite.
Entries written before the chain was keyed (`key_id` empty) keep their plain SHA-256 and are accepted only as the
chain's beginning, up to the signed `legacy` checkpoint written when the key was introduced (audit.checkpoints).
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jinguo.core.crypto import audit_keyring
from jinguo.core.events import Event
from jinguo.core.links import record_url
from jinguo.core.roles import Role
from jinguo.core.scope import scope_paths

GENESIS_HASH = "0" * 64


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view") -> "AuditEntryQuerySet":
        """Only the audit administrator reads the log, for the org subtrees where she holds that role.

        Entries without an org (system-wide events) are visible to audit administrators of a top-level unit.
        """
        if action not in {"view", "export"}:
            return self.none()
        roots = scope_paths(user, {Role.AUDIT_ADMIN})
        if not roots:
            return self.none()
        condition = models.Q()
        for root in roots:
            condition |= models.Q(org_path__startswith=root)
            if root.count("/") == 2:  # "/CODE/": a top-level unit
                condition |= models.Q(org_path="")
        return self.filter(condition)


class AuditEntry(models.Model):
    """One audit record. Never updated, never deleted; `seq` orders the chain."""

    class Kind(models.TextChoices):
        CHANGE = "change", _("数据变更")
        EVENT = "event", _("业务事件")
        ACCESS = "access", _("个人信息访问")

    seq = models.BigIntegerField(_("序号"), unique=True)
    time = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    actor_name = models.CharField(_("操作人名称"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=64, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    # Every import writes one entry per record, so each index here is paid per imported row: see Meta.
    action = models.CharField(_("动作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_path = models.CharField(_("所属单位路径"), max_length=255, blank=True)
    org_name = models.CharField(_("所属单位"), max_length=100, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)
    key_id = models.CharField(_("签名密钥"), max_length=16, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()
    # Only the audit administrator reads the log (三员分立); the scoped queryset above says over which units.
    scope_roles = {"view": frozenset({Role.AUDIT_ADMIN}), "export": frozenset({Role.AUDIT_ADMIN})}

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["action"], name="audit_action_idx"),  # the log's 动作 filter: exact
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),  # a record's history
            # The audit administrator's scope is a prefix match: on PostgreSQL only a pattern-ops index serves it
            # (it serves equality too).
            models.Index(fields=["org_path"], name="audit_org_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return record_url("audit:entry_detail", self.pk)

    def compute_hash(self, signer=None) -> str:
        """The entry's hash over every stored field and the previous hash, in a canonical JSON form: an HMAC under
        the audit key `key_id` names (`signer`, a `core.crypto` provider, saves looking it up), or plain SHA-256 for
        an entry from before the chain was keyed. Raises KeyError when the key named is not configured."""
        payload = {
            "seq": self.seq,
            "time": self.time.isoformat(),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "ip": self.ip,
            "request_id": self.request_id,
            "source": self.source,
            "kind": self.kind,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "org_path": self.org_path,
            "org_name": self.org_name,
            "data": self.data,
            "note": self.note,
            "prev_hash": self.prev_hash,
        }
        if not self.key_id:
            canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
            return hashlib.sha256(canonical.encode()).hexdigest()
        payload["key_id"] = self.key_id
        canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        if signer is None:
            signer = audit_keyring()[self.key_id]
        return signer.keyed_hash(canonical)

    @property
    def action_label(self) -> str:
        try:
            return str(Event(self.action).label)
        except ValueError:
            return self.action


class AuditHead(models.Model):
    """The chain's tip. Writers lock this single row, so concurrent transactions append in a strict order."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.last_seq}"
