"""`jinguo backup` / `jinguo restore`: the whole database and the uploaded files in one archive.

The archive holds the database in its own native form (SQLite's online backup, or `pg_dump -Fc`), the media folder,
and a manifest: schema state, the id of the data key the personal data is encrypted with, and the audit chain's
head. Personal data stays encrypted in the archive; the keys are never in it (keep them apart, see docs/deploy.md).
Restore refuses an archive whose key is not configured, and checks the audit chain before it reports success.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from jinguo.audit import checkpoints
from jinguo.audit.models import AuditEntry, AuditHead
from jinguo.audit.services import verify_chain
from jinguo.core import crypto

FORMAT = "jinguo-backup/1"


class BackupError(Exception):
    pass


@dataclass
class RestoreReport:
    manifest: dict
    audit_entries: int


def _pg_env() -> tuple[list[str], dict]:
    cfg = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": cfg.get("PASSWORD") or ""}
    args = ["-h", cfg.get("HOST") or "localhost", "-p", str(cfg.get("PORT") or 5432), "-U", cfg.get("USER") or ""]
    return args, env


def _run(cmd: list[str], env: dict | None = None) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603 — fixed tools, no shell
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{result.stderr.strip()[:2000]}")


def _manifest() -> dict:
    head = AuditHead.objects.filter(pk=1).first()
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = max(latest.get(app, ""), name)
    return {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "data_key_id": crypto.provider().key_id,
        "index_key_check": crypto.search_hash("jinguo-index-key-check"),
        "audit_head": {"seq": head.last_seq if head else 0, "hash": head.last_hash if head else ""},
        "audit_key_ids": sorted(AuditEntry.objects.exclude(key_id="").values_list("key_id", flat=True).distinct()),
        "migrations": latest,
    }


def backup(target: Path) -> dict:
    """Write the archive to `target` (a .tar.gz); returns its manifest."""
    manifest = _manifest()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(work / "database.sqlite3") as copy:
                connection.connection.backup(copy)  # consistent even while others write
            db_file = "database.sqlite3"
        elif connection.vendor == "postgresql":
            args, env = _pg_env()
            _run(["pg_dump", *args, "-Fc", "--no-owner", "-f", str(work / "database.pgdump"),
                  connection.settings_dict["NAME"]], env)
            db_file = "database.pgdump"
        else:
            raise BackupError(f"不支持的数据库：{connection.vendor}")
        manifest["database_file"] = db_file
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", "manifest.json")
            archive.add(work / db_file, db_file)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, "media")
        partial.replace(target)  # never a half-written archive under the real name
        target.chmod(0o600)
    return manifest


def read_manifest(source: Path) -> dict:
    with tarfile.open(source, "r:gz") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError("备份文件中没有 manifest.json")
        manifest = json.load(member)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不是 jinguo 备份文件（格式 {manifest.get('format')!r}）")
    return manifest


def restore(source: Path) -> RestoreReport:
    """Replace the configured database and media folder with the archive's; then verify the audit chain."""
    manifest = read_manifest(source)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['vendor']}，当前数据库是 {connection.vendor}：请用同类数据库恢复。")
    if manifest["data_key_id"] not in crypto.keyring():
        raise BackupError(f"备份中的个人信息用密钥 {manifest['data_key_id']} 加密，当前没有配置该密钥"
                          "（JINGUO_DATA_KEY 或 JINGUO_DATA_KEYS_RETIRED）。")
    missing = set(manifest.get("audit_key_ids", ())) - set(crypto.audit_keyring())
    if missing:
        raise BackupError(f"备份中的审计记录由审计密钥 {'、'.join(sorted(missing))} 签名，当前没有配置该密钥"
                          "（JINGUO_AUDIT_KEY 或 JINGUO_AUDIT_KEYS_RETIRED）：恢复后审计链将无法核验。")
    if manifest["index_key_check"] != crypto.search_hash("jinguo-index-key-check"):
        raise BackupError("当前的检索索引密钥（JINGUO_INDEX_KEY）与备份时不同：恢复后按身份证号、电话的检索将失效。")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
        db_file = work / manifest["database_file"]
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(db_file) as saved:
                saved.backup(connection.connection)  # page-by-page into the live file, under SQLite's own lock
        else:
            connection.close()
            args, env = _pg_env()
            _run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                  "-d", connection.settings_dict["NAME"], str(db_file)], env)
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").exists():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(work / "media", media)
    head = AuditHead.objects.filter(pk=1).first()
    if (head.last_seq if head else 0) != manifest["audit_head"]["seq"] or (
            head and head.last_hash != manifest["audit_head"]["hash"]):
        raise BackupError("恢复后的审计链条数或链头哈希与备份时不符")
    # The trail now ends where the backup did: checkpoints past that tip belong to the history this restore replaced.
    checkpoints.write(head.last_seq if head else 0, head.last_hash if head else "", kind=checkpoints.RESTORE)
    checkpoints.reset_tip(head.last_seq if head else 0, head.last_hash if head else "")
    checked, broken = verify_chain()
    if broken:
        raise BackupError(f"恢复后的审计链校验失败：{broken}")
    return RestoreReport(manifest=manifest, audit_entries=checked)
