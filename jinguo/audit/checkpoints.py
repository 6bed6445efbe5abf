"""Signed checkpoints of the audit chain, kept outside the database (settings.AUDIT_CHECKPOINT_FILE).

The keyed chain proves that no stored entry was rewritten; it cannot prove that none was cut from the end — delete
the last rows, point the head back, and what remains is a valid, shorter chain. So the chain's tip is written down
elsewhere from time to time: one JSON line per checkpoint (entry number, hash, time, key id, signature), every
AUDIT_CHECKPOINT_EVERY entries or AUDIT_CHECKPOINT_MINUTES minutes, and at the end of every `jinguo audit_verify`.
A chain shorter than a checkpoint, or with another hash at a checkpoint's entry, has been cut or rewritten.

Each line is signed with the audit key, so the file cannot be extended with a checkpoint of a forged chain either.
Three kinds of line: `checkpoint`; `legacy` (written when the key was introduced: entries up to it may carry the
old unkeyed hash); `restore` (written by `jinguo restore`: checkpoints past the restored tip belong to the
history the restore replaced). Lines are appended with one write each, in the order they happen.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jinguo.core import crypto

logger = logging.getLogger("jinguo.audit")

CHECKPOINT, LEGACY, RESTORE, TIP = "checkpoint", "legacy", "restore", "tip"


def path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def tip_path() -> Path:
    """The chain's latest committed tip, rewritten after every commit that adds entries (one small file, beside
    the checkpoint lines): entries newer than the last periodic checkpoint are anchored too, so a tail cut from the
    database — however recent — is found."""
    return path().with_name(path().name + ".tip")


def _signed_text(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "sig"}
    return "jinguo audit checkpoint v1|" + json.dumps(body, sort_keys=True, separators=(",", ":"))


def write(seq: int, hash_: str, kind: str = CHECKPOINT) -> dict:
    """Append one signed checkpoint line (and log it, so a log collector holds a second copy)."""
    signer = crypto.audit_provider()
    record = {"kind": kind, "seq": seq, "hash": hash_, "time": timezone.now().isoformat(), "key_id": signer.key_id}
    record["sig"] = signer.keyed_hash(_signed_text(record))
    line = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())  # one short write on an O_APPEND file: lines from several processes never mix
    finally:
        os.close(fd)
    logger.info("audit checkpoint %s", line.strip())
    return record


def _sign(record: dict) -> dict:
    signer = crypto.audit_provider()
    record = {**record, "key_id": signer.key_id}
    record["sig"] = signer.keyed_hash(_signed_text(record))
    return record


def write_tip(seq: int, hash_: str) -> None:
    """Replace the tip file with (seq, hash) if it is newer than what the file holds; several processes commit, so
    the file is locked while it is compared and replaced, and replaced by a rename (never half written)."""
    import fcntl

    target = tip_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_tip()
        if current is not None and current.get("seq", 0) >= seq and not current.get("problem"):
            return
        record = _sign({"kind": TIP, "seq": seq, "hash": hash_, "time": timezone.now().isoformat()})
        temporary = target.with_name(target.name + f".{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(record, sort_keys=True, separators=(",", ":")).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)


def write_tip_quietly(seq: int, hash_: str) -> None:
    try:
        write_tip(seq, hash_)
    except OSError:
        logger.exception("could not write the audit tip #%s to %s", seq, tip_path())


def read_tip() -> dict | None:
    """The tip file's record, None if there is none; {"problem": …} if it does not parse or its signature fails."""
    target = tip_path()
    if not target.exists():
        return None
    try:
        record = json.loads(target.read_text(encoding="utf-8"))
        signer = crypto.audit_keyring().get(record["key_id"])
        valid = signer is not None and signer.keyed_hash(_signed_text(record)) == record["sig"]
        int(record["seq"])
    except (ValueError, KeyError, TypeError, OSError):
        valid = False
    if not valid:
        return {"problem": f"链尾记录文件 {target} 无法读取或签名无效（文件被改动，或缺少签名密钥）"}
    return record


def reset_tip(seq: int, hash_: str) -> None:
    """After a restore: the tip is the restored chain's (its entries past it belong to the replaced history)."""
    target = tip_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    record = _sign({"kind": TIP, "seq": seq, "hash": hash_, "time": timezone.now().isoformat()})
    target.write_text(json.dumps(record, sort_keys=True, separators=(",", ":")), encoding="utf-8")


def write_quietly(seq: int, hash_: str) -> None:
    """A periodic checkpoint after a commit: a full disk must not fail the request whose data is already saved."""
    try:
        write(seq, hash_)
    except OSError:
        logger.exception("could not write the audit checkpoint #%s to %s", seq, path())


@dataclass
class Checkpoints:
    """What the file vouches for: entry number → hash, the end of the unkeyed beginning, and the first problem."""

    hashes: dict[int, str] = field(default_factory=dict)
    legacy_until: int = 0
    problem: str = ""
    lines: int = 0

    @property
    def last_seq(self) -> int:
        return max(self.hashes, default=0)


def read() -> Checkpoints:
    """Read and check every line; a line that does not parse or whose signature fails is reported, not skipped."""
    result = Checkpoints()
    target = path()
    if not target.exists():
        return result
    keyring = crypto.audit_keyring()
    with target.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                seq, hash_, kind = int(record["seq"]), str(record["hash"]), record["kind"]
                signer = keyring.get(record["key_id"])
                valid = signer is not None and signer.keyed_hash(_signed_text(record)) == record["sig"]
            except (ValueError, KeyError, TypeError):
                valid = False
            if not valid:
                result.problem = f"检查点文件 {target} 第 {number} 行无法读取或签名无效（文件被改动，或缺少签名密钥）"
                return result
            result.lines += 1
            if kind == RESTORE:
                result.hashes = {s: h for s, h in result.hashes.items() if s < seq}
            elif kind == LEGACY:
                result.legacy_until = max(result.legacy_until, seq)
            result.hashes[seq] = hash_
    return result
