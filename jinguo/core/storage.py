"""Files with personal data encrypted at rest: uploaded import workbooks and attachments (injury photos, documents).

`EncryptedFileSystemStorage` writes each file through the field-encryption provider (`core.crypto`: AES-GCM by
default, SM4 or a certified module where the deployment requires it) and decrypts on open, so code reading a file
(`job.file.open("rb")`, the attachment download) gets the clear bytes and nothing else changes. The files never
leave through MEDIA_URL: attachments are served by `core:attachment_download`, after the scope check, and logged.

Key rotation re-encrypts the files too (`core.keys.rotate_files`): each file names the key that wrote it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from jinguo.core import crypto


class EncryptedFileSystemStorage(FileSystemStorage):
    """MEDIA_ROOT on disk, every file's content encrypted; `open()` returns the clear content.

    Names on disk are random: an upload's own name ("张三伤情照片.jpg") is personal data too, and is kept only in
    the record (Attachment.name, ImportJob.filename), which downloads are named after."""

    def generate_filename(self, filename: str) -> str:
        import posixpath
        import uuid

        return super().generate_filename(posixpath.join(posixpath.dirname(filename), uuid.uuid4().hex))

    def _save(self, name: str, content: File) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode()
        return super()._save(name, ContentFile(crypto.encrypt_bytes(data)))

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written through save(), not opened for writing")
        return ContentFile(crypto.decrypt_bytes(self.read_raw(name)), name=name)

    def size(self, name: str) -> int:
        """The clear size (what a download sends), not the size on disk."""
        return len(crypto.decrypt_bytes(self.read_raw(name)))

    def read_raw(self, name: str) -> bytes:
        return Path(self.path(name)).read_bytes()

    def rewrite(self, name: str) -> bool:
        """Encrypt a file in clear, or re-encrypt one under a retired key, in place (atomically: a crash leaves the
        old or the new file, never half of one). Returns whether the file was rewritten."""
        path = Path(self.path(name))
        raw = path.read_bytes()
        if crypto.file_key_id(raw) == crypto.provider().key_id:
            return False
        token = crypto.encrypt_bytes(crypto.decrypt_bytes(raw))
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".enc-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(token)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, path.stat().st_mode & 0o777)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return True


_storage: EncryptedFileSystemStorage | None = None


def encrypted_storage() -> EncryptedFileSystemStorage:
    """The storage of `ImportJob.file` and `Attachment.file` (a callable, so migrations name it, not a path)."""
    global _storage
    if _storage is None:
        _storage = EncryptedFileSystemStorage()
    return _storage
