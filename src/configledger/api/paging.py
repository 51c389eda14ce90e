"""Opaque, tamper-evident pagination tokens and page-size rules.

A token carries the position where the next page starts, a hash of the request
parameters it was issued for, and an HMAC over both with a secret kept in the store
(so tokens survive a restart). A forged, truncated or replayed-on-another-request token
fails the HMAC or the binding and gets InvalidNextTokenException, as AWS answers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import orjson

from configledger.errors import InvalidLimitException, InvalidNextTokenException

_MAC_BYTES = 16


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()[:_MAC_BYTES]

    @staticmethod
    def _binding(scope: str, bound: Any) -> str:
        return hashlib.sha256(
            orjson.dumps([scope, bound], option=orjson.OPT_SORT_KEYS)
        ).hexdigest()[:16]

    def issue(self, scope: str, bound: Any, position: Any) -> str:
        """A token for ``position`` valid only for the same ``scope`` and ``bound`` params."""
        body = orjson.dumps([self._binding(scope, bound), position])
        raw = body + self._mac(body)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def open(self, token: str, scope: str, bound: Any) -> Any:
        """The position inside ``token``; InvalidNextTokenException if it is not ours."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            raise _invalid() from None
        body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, self._mac(body)):
            raise _invalid()
        try:
            binding, position = orjson.loads(body)
        except (orjson.JSONDecodeError, ValueError):
            raise _invalid() from None
        if binding != self._binding(scope, bound):
            raise _invalid()
        return position


def _invalid() -> InvalidNextTokenException:
    return InvalidNextTokenException("The nextToken provided is invalid")


def page_size(value: int | None, *, default: int, maximum: int) -> int:
    """AWS's rule: absent or 0 means the default; above the maximum is refused."""
    if not value:
        return default
    if value > maximum or value < 0:
        raise InvalidLimitException(
            f"Value '{value}' at 'limit' failed to satisfy constraint: "
            f"Member must have value less than or equal to {maximum}"
        )
    return value
