"""Re-encrypting personal data under a new key (`jinguo rotate_key`).

Resumable by construction: each batch of rows is its own transaction, and a value already under the current key
is skipped, so a run cut off half-way is simply started again. Search hashes are keyed by the index key, which a
rotation does not touch; the run refuses to start when the stored hashes do not match that key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models.functions import Cast

from jinguo.core import crypto
from jinguo.core.fields import EncryptedTextField
from jinguo.core.storage import EncryptedFileSystemStorage


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)
    already_current: int = 0

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and those fields' names."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def hashed_fields() -> list[tuple[type[models.Model], str, str]]:
    """(model, encrypted field, its keyed-hash column) for every searchable personal field, found through the app
    registry as `encrypted_models` finds the encrypted ones: the hash column of `phone` is `phone_hash`, of
    `id_number` `id_hash`."""
    found = []
    for model, names in encrypted_models():
        columns = {f.name for f in model._meta.concrete_fields}
        for name in names:
            stem = name.removesuffix("_number")
            if f"{stem}_hash" in columns:
                found.append((model, name, f"{stem}_hash"))
    return found


def check_index_key() -> None:
    """Refuse to rotate when the search hashes were made with another key than the configured index key:
    the operator must pin JINGUO_INDEX_KEY to the key that made them, or exact search silently breaks."""
    for model, name, column in hashed_fields():
        sample = model._base_manager.exclude(**{column: ""}).only(name, column).order_by("pk").first()
        value = getattr(sample, name, None)
        if value and crypto.search_hash(value) != getattr(sample, column):
            raise ImproperlyConfigured(
                "现有检索哈希不是用当前索引密钥生成的：请把 JINGUO_INDEX_KEY 设为原来的数据密钥后再更换密钥。")


def rotate_data_key(batch_size: int = 500, progress: Callable[[str, int], None] | None = None) -> RotationReport:
    """Re-encrypt every personal-data value that is not yet under the current key."""
    check_index_key()
    current = crypto.provider().key_id
    report = RotationReport()
    for model, names in encrypted_models():
        label = model._meta.label
        raw = {f"raw_{name}": Cast(name, models.TextField()) for name in names}
        last_pk = None
        while True:
            rows = model._base_manager.order_by("pk").annotate(**raw)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.values_list("pk", *raw)[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                for pk, *tokens in batch:
                    changes = {
                        name: crypto.decrypt_text(token)  # the field encrypts it again, under the current key
                        for name, token in zip(names, tokens, strict=True)
                        if token and crypto.key_id_of(token) != current
                    }
                    if changes:
                        model._base_manager.filter(pk=pk).update(**changes)
                        report.rewritten[label] = report.rewritten.get(label, 0) + 1
                    else:
                        report.already_current += 1
            last_pk = batch[-1][0]
            if progress:
                progress(label, report.rewritten.get(label, 0))
    rotate_files(report, progress)
    return report


def encrypted_file_fields() -> list[tuple[type[models.Model], str]]:
    """Every concrete model's file fields stored through the encrypted storage (import workbooks, attachments)."""
    return [(model, f.name) for model in apps.get_models() for f in model._meta.concrete_fields
            if isinstance(f, models.FileField) and isinstance(f.storage, EncryptedFileSystemStorage)]


def rotate_files(report: RotationReport, progress: Callable[[str, int], None] | None = None) -> None:
    """Re-encrypt every stored file not yet under the current key (and encrypt any still in clear). Each file is
    replaced atomically and skipped once current, so an interrupted run is simply started again."""
    for model, name in encrypted_file_fields():
        label = f"{model._meta.label}.{name}"
        field = model._meta.get_field(name)
        names = model._base_manager.exclude(**{name: ""}).values_list(name, flat=True).distinct().order_by()
        for stored in names.iterator():
            if not field.storage.exists(stored):
                continue
            if field.storage.rewrite(stored):
                report.rewritten[label] = report.rewritten.get(label, 0) + 1
            else:
                report.already_current += 1
        if progress:
            progress(label, report.rewritten.get(label, 0))
