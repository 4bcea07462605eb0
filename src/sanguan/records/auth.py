"""HTTP Basic authentication of LRS clients, with a short process-local cache.

Secrets are 256-bit random strings, so a single SHA-256 is as safe as a slow hash and
costs a microsecond; the cache saves the database round trip on every request.
Deactivating a client takes effect within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import time

from .models import LrsClient
from .services import secret_digest

CACHE_SECONDS = 30.0
_cache: dict[str, tuple[float, LrsClient | None]] = {}


def _client_for_key(key: str) -> LrsClient | None:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    client = LrsClient.objects.filter(key=key, is_active=True).first()
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[key] = (now + CACHE_SECONDS, client)
    return client


def client_from_header(header: str | None) -> LrsClient | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    if not sep or not key:
        return None
    client = _client_for_key(key)
    if client is None or not hmac.compare_digest(client.secret_hash, secret_digest(secret)):
        return None
    return client
