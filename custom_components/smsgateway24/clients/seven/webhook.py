"""The signature seven puts on its webhooks, checked.

seven signs each webhook with the account's signing secret: ``X-Signature``
is the HMAC-SHA256, in hex, of the lines ``timestamp``, ``nonce``, the HTTP
method, the URL and the MD5 (hex) of the body. Its sources disagree on
whether the URL is the full URL or its path: either is accepted, which also
lets a request that came through a reverse proxy be checked.
"""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
import hmac
import time
from urllib.parse import urlsplit

from .exceptions import SevenSignatureError

SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
NONCE_HEADER = "X-Nonce"
# How old (or how far ahead, for a clock that runs fast) a timestamp may be.
MAX_AGE = 300.0


def signature(
    secret: str, *, timestamp: str, nonce: str, method: str, url: str, body: bytes
) -> str:
    """The signature seven computes for one request, in hex."""
    message = "\n".join(
        [
            timestamp,
            nonce,
            method.upper(),
            url,
            # Part of seven's scheme: a digest of the body, not a security hash.
            hashlib.md5(body, usedforsecurity=False).hexdigest(),
        ]
    )
    # surrogatepass: a header's odd bytes make a wrong signature, not a crash.
    return hmac.new(
        secret.encode(errors="surrogatepass"),
        message.encode(errors="surrogatepass"),
        hashlib.sha256,
    ).hexdigest()


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    *,
    method: str,
    url: str,
    body: bytes,
    now: float | None = None,
    max_age: float = MAX_AGE,
) -> None:
    """Check that a webhook request is seven's and fresh; raise if it is not.

    ``url`` is the URL the request reached (full, or its path); ``now`` is
    the current Unix time (default: the clock's).
    """
    found = {name.lower(): value for name, value in headers.items()}
    given = found.get(SIGNATURE_HEADER.lower())
    stamp = found.get(TIMESTAMP_HEADER.lower())
    nonce = found.get(NONCE_HEADER.lower())
    if not given or not stamp or nonce is None:
        raise SevenSignatureError("The webhook is not signed")
    if not secret:
        raise SevenSignatureError("No signing secret to check the webhook with")
    stamp = stamp.strip()
    if not stamp.isascii() or not stamp.isdecimal() or len(stamp) > 12:
        raise SevenSignatureError("The webhook's timestamp is not a Unix time")
    age = (time.time() if now is None else now) - int(stamp)
    if abs(age) > max_age:
        raise SevenSignatureError("The webhook's timestamp is too old or too new")
    given_bytes = given.strip().lower().encode(errors="surrogatepass")
    matches = [
        hmac.compare_digest(
            signature(
                secret, timestamp=stamp, nonce=nonce, method=method, url=u, body=body
            ).encode(),
            given_bytes,
        )
        for u in _urls(url)
    ]
    if not any(matches):
        raise SevenSignatureError("The webhook's signature is wrong")


def _urls(url: str) -> list[str]:
    """The URL as given, and the path (with and without its query) it names."""
    parts = urlsplit(url)
    candidates = [url, parts.path]
    if parts.query:
        candidates.append(f"{parts.path}?{parts.query}")
    return list(dict.fromkeys(candidate for candidate in candidates if candidate))
