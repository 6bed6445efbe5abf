"""Field-level encryption of personal data and keyed hashes for exact search.

One provider interface; the default is AES-256-GCM from `cryptography` with the key in JINGUO_DATA_KEY. A
deployment that must use 国密 SM4, or a certified crypto module, supplies another provider with the same
methods (settings.DATA_CIPHER_PROVIDER).

Key rotation: every value carries the id of the key that encrypted it (`enc2:<key id>:…`). Retired keys
(JINGUO_DATA_KEYS_RETIRED) still decrypt; `jinguo rotate_key` re-encrypts everything under the current key,
after which the retired keys can be destroyed. Search hashes use a separate index key (JINGUO_INDEX_KEY,
default: the data key), so rotating the data key leaves every hash — and every exact search — valid.

The audit chain is signed through the same interface (`keyed_hash`) with its own key, JINGUO_AUDIT_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

LEGACY_PREFIX = "enc1:"  # values written before key ids: the current or a retired key opens them
PREFIX = "enc2:"


class CipherProvider(Protocol):
    key_id: str

    def encrypt(self, plaintext: bytes) -> bytes: ...

    def decrypt(self, token: bytes) -> bytes: ...

    def keyed_hash(self, value: str) -> str: ...


class AesGcmProvider:
    """AES-256-GCM with a random 96-bit nonce per value; HMAC-SHA256 under a derived key for search hashes."""

    def __init__(self, key_b64: str) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            key = base64.b64decode(key_b64, validate=True)
        except ValueError:
            raise ImproperlyConfigured("JINGUO_DATA_KEY must be base64 of 32 random bytes") from None
        if len(key) != 32:
            raise ImproperlyConfigured("JINGUO_DATA_KEY must be base64 of 32 random bytes")
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"jinguo key id\x00" + key).hexdigest()[:8]
        self._hash_key = hmac.new(key, b"jinguo search hash v1", hashlib.sha256).digest()

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, b"jinguo")

    def decrypt(self, token: bytes) -> bytes:
        return self._aead.decrypt(token[:12], token[12:], b"jinguo")

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()


def _make(key_b64: str) -> CipherProvider:
    path = getattr(settings, "DATA_CIPHER_PROVIDER", "jinguo.core.crypto.AesGcmProvider")
    return import_string(path)(key_b64)


@cache
def provider() -> CipherProvider:
    """The current key: everything is encrypted under it."""
    return _make(settings.DATA_KEY)


@cache
def keyring() -> dict[str, CipherProvider]:
    """Key id → provider, for the current key and every retired one (decryption only)."""
    ring = {p.key_id: p for p in (_make(k) for k in getattr(settings, "DATA_KEYS_RETIRED", ()))}
    ring[provider().key_id] = provider()
    return ring


@cache
def index_provider() -> CipherProvider:
    return _make(getattr(settings, "INDEX_KEY", "") or settings.DATA_KEY)


@cache
def audit_provider() -> CipherProvider:
    """The key that signs new audit entries and checkpoints (`keyed_hash`: HMAC-SHA256, or the provider's SM3)."""
    return _make(settings.AUDIT_KEY)


@cache
def audit_keyring() -> dict[str, CipherProvider]:
    """Key id → provider for the current audit key and every retired one: each verifies the entries it signed."""
    ring = {p.key_id: p for p in (_make(k) for k in getattr(settings, "AUDIT_KEYS_RETIRED", ()))}
    ring[audit_provider().key_id] = audit_provider()
    return ring


def reset() -> None:
    """Forget the cached keys (after the settings change: tests, key rotation)."""
    for cached in (provider, keyring, index_provider, audit_provider, audit_keyring):
        cached.cache_clear()


def encrypt_text(value: str) -> str:
    current = provider()
    return f"{PREFIX}{current.key_id}:" + base64.b64encode(current.encrypt(value.encode())).decode()


def key_id_of(token: str) -> str | None:
    """The id of the key a stored value was encrypted with (None for legacy values without one)."""
    if token.startswith(PREFIX):
        return token[len(PREFIX):].split(":", 1)[0]
    return None


def decrypt_text(token: str) -> str:
    if token.startswith(PREFIX):
        key_id, _sep, body = token[len(PREFIX):].partition(":")
        try:
            key = keyring()[key_id]
        except KeyError:
            raise ValueError(f"encrypted with key {key_id}, which is not configured") from None
        return key.decrypt(base64.b64decode(body)).decode()
    if token.startswith(LEGACY_PREFIX):
        from cryptography.exceptions import InvalidTag

        raw = base64.b64decode(token[len(LEGACY_PREFIX):])
        for key in keyring().values():
            try:
                return key.decrypt(raw).decode()
            except InvalidTag:  # another key's value: try the next key
                pass
        raise ValueError("no configured key opens this value")
    raise ValueError("not an encrypted value")


def search_hash(value: str | None) -> str:
    """The keyed hash of a normalised identifier (ID number, phone): equal inputs, equal hashes; no key, no
    dictionary attack on 11-digit phones."""
    if not value:
        return ""
    return index_provider().keyed_hash(value.strip().upper().replace(" ", "").replace("-", ""))


# --- Files ---------------------------------------------------------------------------------------------------------
# A file at rest: FILE_MAGIC, one byte giving the length of the key id, the key id (ASCII), then the provider's
# token (for AES-GCM: nonce + ciphertext + tag).
FILE_MAGIC = b"JGENC1\x00"


def encrypt_bytes(data: bytes) -> bytes:
    """The at-rest form of a whole file (uploads are capped by MAX_UPLOAD_SIZE, so one AEAD message suffices)."""
    current = provider()
    key_id = current.key_id.encode()
    return FILE_MAGIC + bytes([len(key_id)]) + key_id + current.encrypt(data)


def is_encrypted_bytes(raw: bytes) -> bool:
    return raw.startswith(FILE_MAGIC)


def file_key_id(raw: bytes) -> str | None:
    """The id of the key an encrypted file was written with (None for a file still in clear)."""
    if not is_encrypted_bytes(raw):
        return None
    length = raw[len(FILE_MAGIC)]
    return raw[len(FILE_MAGIC) + 1:len(FILE_MAGIC) + 1 + length].decode()


def decrypt_bytes(raw: bytes) -> bytes:
    """The clear content of an encrypted file; a file stored before encryption (no header) is returned as is, so
    reading stays possible while `0006_encrypt_files` (or an interrupted rotation) has not reached it yet."""
    key_id = file_key_id(raw)
    if key_id is None:
        return raw
    try:
        key = keyring()[key_id]
    except KeyError:
        raise ValueError(f"file encrypted with key {key_id}, which is not configured") from None
    return key.decrypt(raw[len(FILE_MAGIC) + 1 + len(key_id.encode()):])
