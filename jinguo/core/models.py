"""The thin base-model stack every domain app builds on, and the code tables (字典).

AuditedModel   created/updated, and every save/delete writes a change-log entry in the same transaction
OrgOwnedModel  + `org` and the scoped manager: `Model.objects.visible_to(user, action)`
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from jinguo.core import changelog
from jinguo.core.events import Event
from jinguo.core.links import record_url
from jinguo.core.roles import ALL_ROLES, RECORD_ROLES, Role
from jinguo.core.scope import GlobalQuerySet, ScopedQuerySet
from jinguo.core.storage import encrypted_storage


class EditConflict(Exception):
    """Someone else saved the record after this copy was read (optimistic locking on `version`)."""

    def __init__(self, obj: models.Model) -> None:
        self.obj = obj
        super().__init__(_("“%(obj)s”已被他人修改，您的修改未保存。请刷新页面查看最新内容后重新修改。") % {"obj": obj})


# What a workflow page says when its action lost the race: someone acted on the record after the page was drawn.
CONFLICT_MESSAGE = _("该记录已被他人修改，请刷新后重试。")


def check_version(obj: models.Model, posted: str | None) -> None:
    """EditConflict when the page posted the version it was drawn from (`version`, a hidden field of the workflow
    forms) and the record has moved on since: the action was meant for a state the record is no longer in."""
    if posted and posted.isascii() and posted.isdigit() and int(posted) != obj.version:
        raise EditConflict(obj)


class AuditedModel(models.Model):
    """Change-logged, version-checked record: saving or deleting it writes a before/after diff to the audit trail,
    and saving a copy older than the stored one raises EditConflict instead of overwriting someone's change.

    The model exposes its `snapshot()` and announces the change through `core.changelog`; the audit app, which
    subscribes, writes the entry in this same transaction (core imports no audit code: DESIGN.md layers).

    Bulk `QuerySet.update()` / `bulk_create()` bypass this on purpose; use them only in services that
    write their own audit event.
    """

    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    audit_masked_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        with transaction.atomic():
            before = None if adding else self._before()
            if not adding:
                self._claim_next_version(kwargs)
            super().save(*args, **kwargs)
            after = self.snapshot()
            changelog.record_change(self, Event.CREATED if adding else Event.UPDATED, before, after)
        self._loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            before = self.snapshot()
            pk = self.pk
            result = super().delete(*args, **kwargs)
            self.pk = pk  # keep the id in the log entry
            changelog.record_change(self, Event.DELETED, before, None)
            self.pk = None
        return result

    def snapshot(self) -> dict:
        """The record's field values as the audit trail keeps them (personal fields sealed)."""
        return changelog.snapshot(self)

    def _claim_next_version(self, save_kwargs: dict) -> None:
        """Lock the row, check nobody saved it since this copy was read, and take the next version number."""
        stored = (type(self)._base_manager.select_for_update().filter(pk=self.pk)
                  .values_list("version", flat=True).first())
        if stored is None:
            return  # saved with an explicit pk for the first time
        if stored != self.version:
            raise EditConflict(self)
        self.version = stored + 1
        if save_kwargs.get("update_fields") is not None:
            save_kwargs["update_fields"] = {*save_kwargs["update_fields"], "version"}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    def _before(self) -> dict | None:
        loaded = getattr(self, "_loaded", None)
        return None if loaded is None else changelog.snapshot_values(type(self), loaded)


def owner_org(**kwargs) -> models.ForeignKey:
    """`OrgOwnedModel.org`, for a model that redefines it (see there)."""
    return models.ForeignKey("orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+",
                             **kwargs)


class OrgOwnedModel(AuditedModel):
    """A record owned by one org unit; visible to roles assigned on that unit or any unit above it."""

    org = owner_org()
    # A big table whose Meta leads a composite index with `org` overrides this with `owner_org(db_index=False)`:
    # the composite serves every lookup by org alone, and each extra index costs every insert.

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"
    scope_roles: dict[str, frozenset[str]] = {
        "view": RECORD_ROLES,
        "add": RECORD_ROLES,
        "change": RECORD_ROLES,
        "delete": frozenset({Role.UNIT_LEADER, Role.STAFF}),
        "export": RECORD_ROLES,
    }

    class Meta:
        abstract = True


class CodeTable(AuditedModel):
    """A named list of codes (字典): categories, channels, activity kinds, agency types …

    Tables and their default items arrive by migration; administrators edit names, aliases and order.
    """

    slug = models.SlugField(_("标识"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("说明"), blank=True)
    hierarchical = models.BooleanField(_("分级"), default=False, help_text=_("条目可有上级条目（如问题类别与子类）"))

    objects = GlobalQuerySet.as_manager()
    # The management pages are the system administrator's; everyone reads items through forms and the API.
    scope_roles = {"view": frozenset({Role.SYSTEM_ADMIN}), "change": frozenset({Role.SYSTEM_ADMIN}), "add": frozenset(),
                   "delete": frozenset(), "export": frozenset({Role.SYSTEM_ADMIN})}

    class Meta:
        verbose_name = _("字典")
        verbose_name_plural = _("字典")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("core:codetable_detail", self.pk)


class CodeItemQuerySet(GlobalQuerySet):
    def of(self, table: str) -> CodeItemQuerySet:
        return self.filter(table__slug=table, is_active=True)

    def lookup(self, table: str) -> dict[str, CodeItem]:
        """Every spelling (code, name, alias; also 'parent/name' for sub-items) → item, for fast resolution."""
        items = list(self.of(table).select_related("parent"))
        found = spellings([(item.code, item.name, item.aliases, item.parent.name if item.parent_id else None)
                           for item in items])
        return {key: items[index] for key, index in found.items()}


def spellings(items: list[tuple[str, str, str, str | None]]) -> dict[str, int]:
    """`CodeItemQuerySet.lookup`'s rule on plain rows (code, name, aliases, the parent's name or None), in the code
    table's order: every spelling → the index of its item. Names and codes win over aliases."""
    from jinguo.core.text import split_list

    found: dict[str, int] = {}
    for index, (code, name, _aliases, _parent) in enumerate(items):
        for key in (name, code):
            found.setdefault(key.strip(), index)
    for index, (_code, name, aliases, parent) in enumerate(items):
        for alias in split_list(aliases):
            found.setdefault(alias, index)
        if parent is not None:
            found.setdefault(f"{parent}/{name}", index)
    return found


class CodeItem(AuditedModel):
    """One entry of a code table: code, display name, aliases accepted on import, optional parent."""

    table = models.ForeignKey(CodeTable, verbose_name=_("字典"), on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("代码"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)
    aliases = models.CharField(_("别名"), max_length=255, blank=True,
                               help_text=_("导入时也认可的写法，用顿号或逗号分隔"))
    parent = models.ForeignKey("self", verbose_name=_("上级条目"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = CodeItemQuerySet.as_manager()
    scope_roles = {"view": ALL_ROLES, "add": frozenset({Role.SYSTEM_ADMIN}), "change": frozenset({Role.SYSTEM_ADMIN}),
                   "delete": frozenset({Role.SYSTEM_ADMIN}), "export": frozenset({Role.SYSTEM_ADMIN})}

    class Meta:
        verbose_name = _("字典条目")
        verbose_name_plural = _("字典条目")
        ordering = ["table", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="codeitem_unique_code",
                                    violation_error_message=_("同一字典中代码不能重复。")),
            models.UniqueConstraint(fields=["table", "parent", "name"], name="codeitem_unique_name",
                                    violation_error_message=_("同一字典同一上级下名称不能重复。")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.table.get_absolute_url()

    @property
    def alias_list(self) -> list[str]:
        from jinguo.core.text import split_list

        return split_list(self.aliases)


class ImportJob(models.Model):
    """One uploaded workbook and what became of it; the page polls `done`/`total` while the task runs.

    Not change-logged itself (progress is written often); the import writes a `data.imported` event and the
    imported records log their own changes.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", _("待确认列对应")  # uploaded, waiting for the user to confirm the columns (not queued)
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        FAILED = "failed", _("有错误，未导入")
        DONE = "done", _("已导入")
        CRASHED = "crashed", _("处理失败")

    org = models.ForeignKey("orgs.OrgUnit", verbose_name=_("导入到单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("导入类型"), max_length=50)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT,
                             related_name="+")
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", storage=encrypted_storage)  # personal data
    filename = models.CharField(_("文件名"), max_length=255)
    existing = models.CharField(_("已存在的行"), max_length=10, default="skip")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)  # the first JINGUO_IMPORT_MAX_STORED_ERRORS
    errors_omitted = models.PositiveIntegerField(_("未列出的错误数"), default=0)
    # The upload annotated with every error, built when the job ends (the stored list is capped). Same storage
    # as `file`: it carries the same data.
    error_file = models.FileField(_("标注错误的工作簿"), upload_to="imports/errors/%Y/%m/", blank=True,
                                  storage=encrypted_storage)  # the rows of the upload, personal data included
    message = models.TextField(_("说明"), blank=True)
    # What the clerk must know of the records imported ([{text, url, link}], excel.Notice): open cases already overdue.
    notices = models.JSONField(_("提醒"), default=list, blank=True)
    # What the user confirmed on the mapping step ({column letter: field or None}, read.detect's `mapping=`), or
    # null to let detection decide; `signature` is the file's header signature the confirmed mapping is saved under.
    mapping = models.JSONField(_("列对应"), null=True, blank=True)
    signature = models.CharField(_("表头特征"), max_length=64, blank=True)
    mapping_source = models.CharField(_("列对应来源"), max_length=10, blank=True,
                                      choices=[("user", _("本次确认")), ("saved", _("上次保存"))])
    created = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "org"
    scope_roles = {"view": ALL_ROLES}
    # An upload left on the mapping step is deleted with its file after this long: it holds personal data, kept only
    # while its uploader is deciding (core.views.purge_stale_import_drafts).
    DRAFT_HOURS = 24

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return record_url("core:importjob_detail", self.pk)

    @property
    def kind_label(self) -> str:
        """The kind by its Chinese name (信访案件), as the pages and messages show it."""
        from jinguo.core.excel import kind_label

        return kind_label(self.kind)

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else (100 if self.status in {"done", "failed"} else 0)

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.CRASHED}

    @property
    def expires(self):
        """When an upload waiting on the mapping step is deleted, unless confirmed or discarded before; else None."""
        if self.status != self.Status.MAPPING or self.created is None:
            return None
        return self.created + dt.timedelta(hours=self.DRAFT_HOURS)


class ImportMapping(OrgOwnedModel):
    """A unit's confirmed column mapping for one import kind and one header layout ("map once, remember"): the next
    upload whose headers give the same `signature` (read.Detection.signature) imports with it without asking.

    `mapping` is {normalized header text: field name or None (ignored)}, the shape read.detect's `mapping=` takes,
    keyed by header rather than column letter so a sheet per quarter with a column moved still maps."""

    kind = models.CharField(_("导入类型"), max_length=50)
    signature = models.CharField(_("表头特征"), max_length=64)
    mapping = models.JSONField(_("列对应"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT,
                                   related_name="+")

    scope_roles = {action: ALL_ROLES for action in ("view", "add", "change", "delete")}

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        constraints = [models.UniqueConstraint(fields=["org", "kind", "signature"], name="importmapping_unique",
                                               violation_error_message=_("该单位已保存这种表头的列对应"))]

    def __str__(self) -> str:
        from jinguo.core.excel import kind_label

        return f"{kind_label(self.kind)}列对应（{self.signature[:8]}）"


class Attachment(models.Model):
    """A photo or document attached to a record. Access follows the record: fetch it through the owner's
    `visible_to`; the file itself is served only by `core:attachment_download`, never from MEDIA_URL."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/", storage=encrypted_storage)  # encrypted
    name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_owner_idx")]

    def __str__(self) -> str:
        return self.name
