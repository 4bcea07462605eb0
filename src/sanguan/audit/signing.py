"""The Ed25519 key that signs tree heads.

``settings.SANGUAN_AUDIT_SIGNING_KEY`` (base64 of the raw 32-byte private key) when set;
otherwise a key generated on first use into ``settings.SANGUAN_AUDIT_KEY_FILE`` (mode
0600), which is the embedded default. Production sets the key from its secret store.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _decode_private(text: str, where: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{where}: the audit signing key is not base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{where}: the audit signing key must be 32 raw bytes, got {len(raw)}")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.b64encode(raw).decode("ascii") + "\n")
    return _decode_private(path.read_text(encoding="ascii"), str(path))


@functools.lru_cache(maxsize=4)
def _key(configured: str, path: str) -> Ed25519PrivateKey:
    if configured:
        return _decode_private(configured, "SANGUAN_AUDIT_SIGNING_KEY")
    return _load_or_create(Path(path))


def private_key() -> Ed25519PrivateKey:
    return _key(settings.SANGUAN_AUDIT_SIGNING_KEY or "", str(settings.SANGUAN_AUDIT_KEY_FILE))


def public_key_raw() -> bytes:
    return private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64() -> str:
    return base64.b64encode(public_key_raw()).decode("ascii")


def sign(message: bytes) -> bytes:
    return private_key().sign(message)


def verify(public_raw: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
