"""Field-level encryption of personal data and keyed hashes for exact search.

One provider interface; the default is AES-256-GCM from `cryptography` with the key in JINGUO_DATA_KEY. A
deployment that must use 国密 SM4, or a certified crypto module, supplies another provider with the same three
methods (settings.DATA_CIPHER_PROVIDER).
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

PREFIX = "enc1:"


class CipherProvider(Protocol):
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
        self._hash_key = hmac.new(key, b"jinguo search hash v1", hashlib.sha256).digest()

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, b"jinguo")

    def decrypt(self, token: bytes) -> bytes:
        return self._aead.decrypt(token[:12], token[12:], b"jinguo")

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()


@cache
def provider() -> CipherProvider:
    path = getattr(settings, "DATA_CIPHER_PROVIDER", "jinguo.core.crypto.AesGcmProvider")
    return import_string(path)(settings.DATA_KEY)


def encrypt_text(value: str) -> str:
    return PREFIX + base64.b64encode(provider().encrypt(value.encode())).decode()


def decrypt_text(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    return provider().decrypt(base64.b64decode(token[len(PREFIX):])).decode()


def search_hash(value: str | None) -> str:
    """The keyed hash of a normalised identifier (ID number, phone): equal inputs, equal hashes; no key, no
    dictionary attack on 11-digit phones."""
    if not value:
        return ""
    return provider().keyed_hash(value.strip().upper().replace(" ", "").replace("-", ""))
