"""S3's query-string Signature Version 2: the presigned URLs boto3 makes by default.

Why the sandbox verifies it: ``s3.generate_presigned_url`` without
``signature_version="s3v4"`` still produces ``?AWSAccessKeyId=..&Signature=..&Expires=..``
URLs, and a sandbox that refused them would break the first test that shares one.
Only S3 and only the query form are accepted, never a SigV2 ``Authorization`` header;
the credentials are the same ``CredentialStore`` the SigV4 check uses.

The string to sign is S3's (and botocore's ``HmacV1QueryAuth``)::

    METHOD \\n Content-MD5 \\n Content-Type \\n Expires \\n [x-amz-name:value \\n ...] resource

where the resource is the path as sent plus the sub-resources S3 signs (``?acl``,
``?versionId=..``, ``?response-content-type=..``), sorted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import unquote

from botocore.auth import HmacV1Auth

from configledger.api.auth import Caller, CredentialStore
from configledger.errors import InvalidSignatureException, UnrecognizedClientException

REGION = "us-east-1"  # SigV2 has no region; S3's classic one
_AUTH_PARAMS = ("AWSAccessKeyId", "Signature", "Expires")
# The query keys S3 puts in the signed resource, as botocore's signer lists them.
_SUBRESOURCES = frozenset(HmacV1Auth.QSAOfInterest)
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


def _pairs(query_string: str) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for part in query_string.split("&"):
        if part:
            key, equals, value = part.partition("=")
            pairs.append((key, value if equals else None))
    return pairs


def is_presigned_v2(query_string: str, headers: Mapping[str, str]) -> bool:
    keys = {key for key, _ in _pairs(query_string)}
    return "authorization" not in headers and all(name in keys for name in _AUTH_PARAMS)


def authenticate_v2(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    credentials: CredentialStore,
    now_ms: int,
) -> Caller:
    """Verify a SigV2 presigned S3 URL and say who signed it, or raise AWS's error."""
    pairs = _pairs(query_string)
    params = {unquote(key): unquote(value or "") for key, value in pairs}
    credential = credentials.lookup(params["AWSAccessKeyId"])
    if credential is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    expires = params["Expires"]
    if not (expires.isascii() and expires.isdigit()) or int(expires) * 1000 < now_ms:
        raise InvalidSignatureException("Request has expired")

    def signed(name: str) -> str:
        return params.get(name, headers.get(name, "")).strip()

    amz = {
        name: value.strip()
        for name, value in {**headers, **{k.lower(): v for k, v in params.items()}}.items()
        if name.startswith("x-amz-")
    }
    subresources = sorted(
        (key, None if value is None else unquote(value))
        for key, value in pairs
        if key in _SUBRESOURCES
    )
    resource = path
    if subresources:
        resource += "?" + "&".join(key if v is None else f"{key}={v}" for key, v in subresources)
    string_to_sign = "\n".join(
        [
            method.upper(),
            signed("content-md5"),
            signed("content-type"),
            expires,
            *(f"{name}:{amz[name]}" for name in sorted(amz)),
            resource,
        ]
    )
    digest = hmac.new(
        credential.secret_access_key.encode(), string_to_sign.encode(), hashlib.sha1
    ).digest()
    expected = base64.b64encode(digest).decode()
    if not hmac.compare_digest(expected.encode(), params["Signature"].encode()):
        raise InvalidSignatureException(_MISMATCH)
    return Caller(credential=credential, region=REGION, service="s3")
