"""PutEvaluations result tokens: signed, bound to a rule and its triggering event, expiring.

A token is what a rule invocation hands its evaluator (a Lambda function, later) so the
results it reports can be tied back to the rule and to the event that invoked it. The
body names the partition, the rule (name and id, so a rule deleted and created again
under the same name refuses its predecessor's tokens), the trigger (the item's resource,
or the scheduled notification), the ordering timestamp and invocation time its results
carry, and an expiry; an HMAC with a secret kept in the store makes it unforgeable and
valid across restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from dataclasses import dataclass

import orjson

from configledger.errors import InvalidResultTokenException
from configledger.store import state
from configledger.store.database import Database

_MAC_BYTES = 20
_SECRET_KEY = "result_token_secret"


@dataclass(frozen=True, slots=True)
class Invocation:
    """What a token is bound to."""

    account_id: str
    region: str
    rule_name: str
    rule_id: str
    # "ConfigurationItemChangeNotification" or "ScheduledNotification".
    message_type: str
    # The triggering item's resource; None for scheduled notifications.
    resource_type: str | None
    resource_id: str | None
    ordering_ms: int
    invoked_ms: int
    expires_ms: int


class ResultTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._secret, b"result-token\x00" + body, hashlib.sha256).digest()[
            :_MAC_BYTES
        ]

    def issue(self, invocation: Invocation) -> str:
        body = orjson.dumps(
            [
                invocation.account_id,
                invocation.region,
                invocation.rule_name,
                invocation.rule_id,
                invocation.message_type,
                invocation.resource_type,
                invocation.resource_id,
                invocation.ordering_ms,
                invocation.invoked_ms,
                invocation.expires_ms,
            ]
        )
        return base64.urlsafe_b64encode(body + self._mac(body)).decode().rstrip("=")

    def open(self, token: str, account_id: str, region: str, now_ms: int) -> Invocation:
        """The invocation a token was issued for; InvalidResultTokenException if it is
        not ours, names another account or region, or has expired."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            raise _invalid() from None
        body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, self._mac(body)):
            raise _invalid()
        try:
            invocation = Invocation(*orjson.loads(body))
        except (orjson.JSONDecodeError, TypeError, ValueError):
            raise _invalid() from None
        if (invocation.account_id, invocation.region) != (account_id, region):
            raise _invalid()
        if now_ms > invocation.expires_ms:
            raise InvalidResultTokenException("The resultToken provided has expired")
        return invocation


def _invalid() -> InvalidResultTokenException:
    return InvalidResultTokenException("The resultToken provided is invalid")


_cache: dict[int, ResultTokens] = {}
_lock = threading.Lock()


def result_tokens(database: Database) -> ResultTokens:
    """The signer of a store (its secret created on first use, then kept)."""
    with _lock:
        found = _cache.get(id(database))
        if found is None:
            with database.write() as conn:
                secret = state.get_or_create(conn, _SECRET_KEY)
            found = ResultTokens(bytes.fromhex(secret))
            _cache[id(database)] = found
        return found
