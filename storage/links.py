"""Share links to stored pictures: HMAC-signed and expiring for the local store (served by `routix serve`).

A link names a blob key, an expiry (epoch seconds) and a signature over both, made with a key derived from
SECRET_KEY; anything changed in it, or a link past its expiry, is refused. The key format itself (checked by
`check_key`) keeps every request inside the store.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

from storage.blobs import InvalidKey, check_key

LINK_PATH = "/f/"


class LinkRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class SignedLinks:
    def __init__(self, secret: str, base_url: str, ttl_s: float) -> None:
        self._key = hashlib.sha256(b"routix-share-links:" + secret.encode()).digest()  # never SECRET_KEY itself
        self.base_url, self.ttl_s = base_url.rstrip("/"), ttl_s

    def url(self, key: str, filename: str, now: float | None = None) -> str:
        check_key(key)
        expires = int((now or time.time()) + self.ttl_s)
        return f"{self.base_url}{LINK_PATH}{key}?e={expires}&n={quote(filename)}&s={self._sign(key, expires)}"

    def check(self, key: str, expires: str, signature: str, now: float | None = None) -> str:
        """The key, if the link is genuine and current; else LinkRefused (403 tampered, 410 expired)."""
        try:
            check_key(key)
            deadline = int(expires)
        except (InvalidKey, ValueError):
            raise LinkRefused(403, "not a link of this service") from None
        if not hmac.compare_digest(self._sign(key, deadline), signature):
            raise LinkRefused(403, "the link was changed")
        if (now or time.time()) > deadline:
            raise LinkRefused(410, "the link has expired")
        return key

    def _sign(self, key: str, expires: int) -> str:
        return hmac.new(self._key, f"{key}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]
