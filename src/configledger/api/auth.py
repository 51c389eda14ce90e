"""AWS Signature Version 4 verification for incoming requests.

Why ConfigLedger checks signatures at all: the SDKs and the CLI always sign, the
signature is what tells us *which account* a request belongs to, and a server that
accepted anything would let any client write into any account's history. So the
server redoes the signer's work (canonical request, string to sign, HMAC chain)
and compares, answering with AWS's own error codes and texts so that SDK retry and
error handling behave as they do against AWS.

Both forms are verified:

* the ``Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
  Signature=...`` header, dated by ``x-amz-date`` (or ``date``) and allowed 15 minutes
  of clock skew either way;
* presigned URLs (``X-Amz-Algorithm``, ``X-Amz-Credential``, ``X-Amz-Date``,
  ``X-Amz-Expires``, ``X-Amz-SignedHeaders``, ``X-Amz-Signature`` in the query), valid
  until ``X-Amz-Date + X-Amz-Expires``.

The canonical form follows botocore, the reference the tests sign with: for every
service but S3 the path has its dot segments and repeated slashes removed and is then
percent-encoded once more (the raw ``/a%20b`` is signed as ``/a%2520b``); S3 signs the
path exactly as sent. Query pairs are decoded (``+`` is a space, as in botocore's own
wire encoding of ``params``) and re-encoded keeping only ``A-Za-z0-9-_.~``. The payload
hash is ``x-amz-content-sha256`` when sent (``UNSIGNED-PAYLOAD`` and ``STREAMING-*``
taken literally, a hex digest also checked against the body), otherwise the SHA-256 of
the body; S3 presigned URLs sign ``UNSIGNED-PAYLOAD``.

Only ``hashlib``/``hmac``/``urllib.parse`` run per request, and derived signing keys
are cached per (secret, date, region, service), since every request passes through here.

Credentials come from a ``CredentialStore``. Unless disabled it also answers the
sandbox defaults: access key ``test`` (secret ``test``) is account 123456789012, and
any 12-digit access key with secret ``test`` is that account, both as the account's
root principal. Explicit credentials win. The TOML file read by
``CredentialStore.from_toml``::

    [[credentials]]
    access_key_id = "AKIAEXAMPLE"
    secret_access_key = "..."
    account_id = "111122223333"
    principal_arn = "arn:aws:iam::111122223333:user/alice"   # optional, default ...:root
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import secrets
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from configledger.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

__all__ = ["Caller", "Credential", "CredentialStore", "authenticate"]

_ALGORITHM = "AWS4-HMAC-SHA256"
_TERMINATOR = "aws4_request"
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_SKEW_MS = 15 * 60 * 1000
_MAX_EXPIRES_S = 7 * 24 * 3600
_UNRESERVED = "-_.~"
_UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_SANDBOX_SECRET = "test"
_SANDBOX_ACCOUNT = "123456789012"
_PRESIGN_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)

_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


# -- credentials ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credential:
    access_key_id: str
    secret_access_key: str
    account_id: str
    principal_arn: str

    def __post_init__(self) -> None:
        if not self.access_key_id or "/" in self.access_key_id:
            raise ValueError(f"invalid access key id {self.access_key_id!r}")
        if not self.secret_access_key:
            raise ValueError(f"empty secret access key for {self.access_key_id!r}")
        if not _is_account_id(self.account_id):
            raise ValueError(f"account id must be 12 digits, got {self.account_id!r}")


def _is_account_id(value: str) -> bool:
    return len(value) == 12 and value.isascii() and value.isdigit()


def _root(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


_INTERNAL_PREFIX = "CLRECORDER"


class CredentialStore:
    """access key id -> Credential.

    Built from an explicit list plus, unless disabled, sandbox defaults.
    """

    def __init__(
        self, credentials: Iterable[Credential] = (), sandbox_defaults: bool = True
    ) -> None:
        self._explicit: dict[str, Credential] = {}
        for credential in credentials:
            if credential.access_key_id in self._explicit:
                raise ValueError(f"duplicate access key id {credential.access_key_id!r}")
            self._explicit[credential.access_key_id] = credential
        self._sandbox_defaults = sandbox_defaults
        # ConfigLedger's own recorder describes sandbox resources through the same HTTP
        # endpoint as everyone, as the service principal of each account, with a secret
        # that lives only in this process (so it works with sandbox credentials off).
        self._internal_secret = secrets.token_hex(32)

    def internal(self, account_id: str) -> Credential:
        """The credential ConfigLedger itself uses to act in ``account_id``."""
        return Credential(
            f"{_INTERNAL_PREFIX}{account_id}",
            self._internal_secret,
            account_id,
            f"arn:aws:iam::{account_id}:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig",
        )

    def lookup(self, access_key_id: str) -> Credential | None:
        found = self._explicit.get(access_key_id)
        if found is None and access_key_id.startswith(_INTERNAL_PREFIX):
            account = access_key_id.removeprefix(_INTERNAL_PREFIX)
            return self.internal(account) if _is_account_id(account) else None
        if found is not None or not self._sandbox_defaults:
            return found
        if access_key_id == "test":
            account = _SANDBOX_ACCOUNT
        elif _is_account_id(access_key_id):
            account = access_key_id
        else:
            return None
        return Credential(access_key_id, _SANDBOX_SECRET, account, _root(account))

    @classmethod
    def from_toml(cls, path: Path, sandbox_defaults: bool = True) -> CredentialStore:
        """Read ``[[credentials]]`` tables (format in the module docstring).

        Raises ValueError if the file is not TOML or an entry is malformed.
        """
        with path.open("rb") as file:
            document = tomllib.load(file)
        entries = document.get("credentials", [])
        if not isinstance(entries, list):
            raise ValueError(f"{path}: 'credentials' must be an array of tables ([[credentials]])")
        return cls(
            (_credential_from_table(path, index, entry) for index, entry in enumerate(entries)),
            sandbox_defaults,
        )


_REQUIRED_KEYS = ("access_key_id", "secret_access_key", "account_id")
_KNOWN_KEYS = frozenset((*_REQUIRED_KEYS, "principal_arn"))


def _credential_from_table(path: Path, index: int, entry: Any) -> Credential:
    where = f"{path}: credentials[{index}]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be a table")
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown keys {', '.join(unknown)}")
    for key in _KNOWN_KEYS & set(entry):
        if not isinstance(entry[key], str):
            raise ValueError(f"{where}: {key} must be a string")
    missing = [key for key in _REQUIRED_KEYS if key not in entry]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    account_id: str = entry["account_id"]
    try:
        return Credential(
            access_key_id=entry["access_key_id"],
            secret_access_key=entry["secret_access_key"],
            account_id=account_id,
            principal_arn=entry.get("principal_arn", _root(account_id)),
        )
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


# -- verification -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    credential: Credential
    region: str
    service: str


@dataclass(frozen=True, slots=True)
class _Claim:
    """What a request says about its own signature, from the header or the query."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: str
    signature: str
    timestamp: str  # ISO-8601 basic, as it enters the string to sign
    request_ms: int
    expires_s: int | None  # presigned URLs only


def authenticate(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: CredentialStore,
    now_ms: int,
) -> Caller:
    """Verify the request's SigV4 signature and say who sent it, or raise AWS's error.

    ``headers`` has lower-case names; ``path`` and ``query_string`` are raw (still
    percent-encoded), exactly as they arrived.
    """
    query = _query_pairs(query_string)
    authorization = headers.get("authorization")
    presigned = any(key == b"X-Amz-Algorithm" for key, _ in query)
    if authorization is None and not presigned:
        raise MissingAuthenticationTokenException("Missing Authentication Token")
    if authorization is not None and presigned:
        raise IncompleteSignatureException(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified"
        )
    claim = _from_query(query) if authorization is None else _from_header(authorization, headers)
    _check_time(claim, now_ms)
    _check_scope(claim)

    credential = credentials.lookup(claim.access_key_id)
    if credential is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")

    declared_hash = headers.get("x-amz-content-sha256")
    if declared_hash is not None:
        payload_hash = declared_hash
    elif presigned and claim.service == "s3":
        payload_hash = _UNSIGNED_PAYLOAD
    else:
        payload_hash = hashlib.sha256(body).hexdigest()

    canonical_request = "\n".join(
        (
            method.upper(),
            _canonical_uri(path, claim.service),
            _canonical_query(query, presigned),
            _canonical_headers(claim.signed_headers, headers),
            claim.signed_headers,
            payload_hash,
        )
    )
    string_to_sign = "\n".join(
        (
            _ALGORITHM,
            claim.timestamp,
            f"{claim.scope_date}/{claim.region}/{claim.service}/{_TERMINATOR}",
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        )
    )
    key = _signing_key(credential.secret_access_key, claim.scope_date, claim.region, claim.service)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), claim.signature.encode()):
        raise InvalidSignatureException(_MISMATCH)

    # The signature covers the declared hash, not the body: a hex digest must match it.
    if (
        declared_hash is not None
        and _is_sha256_hex(declared_hash)
        and declared_hash.lower() != hashlib.sha256(body).hexdigest()
    ):
        raise InvalidSignatureException(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    return Caller(credential=credential, region=claim.region, service=claim.service)


def _from_header(authorization: str, headers: Mapping[str, str]) -> _Claim:
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme != _ALGORITHM and scheme.startswith("AWS"):
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{scheme}'.")
    params: dict[str, str] = {}
    for raw_part in rest.split(","):
        part = raw_part.strip()
        if not part:
            continue
        name, equals, value = part.partition("=")
        if not equals:
            raise IncompleteSignatureException(
                f"'{part}' not a valid key=value pair (missing equal-sign) "
                f"in Authorization header: '{authorization}'"
            )
        params[name.strip()] = value.strip()

    amz_date = headers.get("x-amz-date")
    http_date = headers.get("date")
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if name not in params
    ]
    if amz_date is None and http_date is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise IncompleteSignatureException(" ".join(problems) + f" Authorization={scheme}")
    if scheme != _ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{scheme}'.")

    if amz_date is not None:
        timestamp, request_ms = _parse_amz_date(amz_date)
    else:
        assert http_date is not None
        timestamp, request_ms = _parse_http_date(http_date)
    access_key_id, scope_date, region, service = _split_credential(params["Credential"])
    return _Claim(
        access_key_id=access_key_id,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=params["SignedHeaders"],
        signature=params["Signature"],
        timestamp=timestamp,
        request_ms=request_ms,
        expires_s=None,
    )


def _from_query(query: list[tuple[bytes, bytes]]) -> _Claim:
    params = {key.decode(errors="replace"): value.decode(errors="replace") for key, value in query}
    if any(name not in params for name in _PRESIGN_PARAMS):
        raise IncompleteSignatureException(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
            "and X-Amz-Expires parameters."
        )
    if params["X-Amz-Algorithm"] != _ALGORITHM:
        raise IncompleteSignatureException('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    expires = params["X-Amz-Expires"]
    if not (expires.isascii() and expires.isdigit()):
        raise IncompleteSignatureException("X-Amz-Expires should be a number")
    if int(expires) > _MAX_EXPIRES_S:
        raise IncompleteSignatureException(
            f"X-Amz-Expires must be less than a week (in seconds) that is {_MAX_EXPIRES_S}"
        )
    timestamp, request_ms = _parse_amz_date(params["X-Amz-Date"])
    access_key_id, scope_date, region, service = _split_credential(params["X-Amz-Credential"])
    return _Claim(
        access_key_id=access_key_id,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=params["X-Amz-SignedHeaders"],
        signature=params["X-Amz-Signature"],
        timestamp=timestamp,
        request_ms=request_ms,
        expires_s=int(expires),
    )


def _split_credential(credential: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5:
        raise IncompleteSignatureException(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
    access_key_id, scope_date, region, service, terminator = parts
    if terminator != _TERMINATOR:
        raise IncompleteSignatureException(
            f"Credential should be scoped with a valid terminator: '{_TERMINATOR}', "
            f"not '{terminator}'."
        )
    return access_key_id, scope_date, region, service


def _bad_date(value: str) -> IncompleteSignatureException:
    return IncompleteSignatureException(
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def _parse_amz_date(value: str) -> tuple[str, int]:
    try:
        moment = datetime.strptime(value, _TIMESTAMP)
    except ValueError:
        raise _bad_date(value) from None
    if moment.strftime(_TIMESTAMP) != value:  # strptime also takes e.g. single-digit fields
        raise _bad_date(value)
    return value, calendar.timegm(moment.timetuple()) * 1000


def _parse_http_date(value: str) -> tuple[str, int]:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise _bad_date(value) from None
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime(_TIMESTAMP), calendar.timegm(moment.timetuple()) * 1000


def _format_ms(ms: int) -> str:
    return time.strftime(_TIMESTAMP, time.gmtime(ms // 1000))


def _check_time(claim: _Claim, now_ms: int) -> None:
    if claim.expires_s is not None:
        if now_ms > claim.request_ms + claim.expires_s * 1000:
            raise InvalidSignatureException("Request has expired")
    elif claim.request_ms < now_ms - _SKEW_MS:
        raise InvalidSignatureException(
            f"Signature expired: {claim.timestamp} is now earlier than "
            f"{_format_ms(now_ms - _SKEW_MS)} ({_format_ms(now_ms)} - 15 min.)"
        )
    if claim.request_ms > now_ms + _SKEW_MS:
        raise InvalidSignatureException(
            f"Signature not yet current: {claim.timestamp} is still later than "
            f"{_format_ms(now_ms + _SKEW_MS)} ({_format_ms(now_ms)} + 15 min.)"
        )


def _check_scope(claim: _Claim) -> None:
    request_date = claim.timestamp[:8]
    if claim.scope_date != request_date:
        raise InvalidSignatureException(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{claim.scope_date}' != '{request_date}', from '{claim.timestamp}'."
        )
    if not claim.region:
        raise InvalidSignatureException("Credential should be scoped to a valid region, not ''.")
    if "host" not in claim.signed_headers.split(";"):
        raise InvalidSignatureException(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )


# -- canonical request ------------------------------------------------------------------


def _query_pairs(query_string: str) -> list[tuple[bytes, bytes]]:
    """Decoded (key, value) pairs in arrival order; ``+`` is a space, a bare key has value ''."""
    pairs = []
    for part in query_string.split("&"):
        if part:
            key, _, value = part.replace("+", " ").partition("=")
            pairs.append((unquote_to_bytes(key), unquote_to_bytes(value)))
    return pairs


def _canonical_query(query: list[tuple[bytes, bytes]], presigned: bool) -> str:
    encoded = sorted(
        (quote(key, safe=_UNRESERVED), quote(value, safe=_UNRESERVED))
        for key, value in query
        if not (presigned and key == b"X-Amz-Signature")
    )
    return "&".join(f"{key}={value}" for key, value in encoded)


def _canonical_uri(path: str, service: str) -> str:
    if service == "s3":
        return path or "/"
    return quote(_remove_dot_segments(path), safe="/~")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 dot-segment removal that also drops empty segments, as botocore does."""
    if not path:
        return "/"
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and segments else ""
    return first + "/".join(segments) + last


def _canonical_headers(signed_headers: str, headers: Mapping[str, str]) -> str:
    lines = [
        f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_headers.split(";")
    ]
    return "".join(lines)


def _is_sha256_hex(value: str) -> bool:
    return len(value) == 64 and all(char in "0123456789abcdefABCDEF" for char in value)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=1024)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, _TERMINATOR):
        key = _hmac(key, part)
    return key
