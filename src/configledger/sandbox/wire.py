"""The request as the sandbox sees it, and AWS's authentication errors in each protocol.

Why per protocol: a refused request must be refused the way the real service refuses
it, or the SDK cannot parse the answer. EC2 answers ``<Response><Errors>``, the other
query services ``<ErrorResponse>``, S3 a bare ``<Error>``, JSON services ``__type``,
and REST-JSON services an ``x-amzn-ErrorType`` header; the codes differ too (a wrong
secret is ``SignatureDoesNotMatch`` to S3 and IAM, ``InvalidSignatureException`` to
DynamoDB). Before the signature is verified we do not trust it, but its credential
scope still says which service the client meant, which is all the encoding needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote_plus
from xml.sax.saxutils import escape

import orjson

from configledger.errors import (
    AwsError,
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
XML_CONTENT_TYPE = "text/xml"


class Incoming(Protocol):
    """What the sandbox needs of an HTTP request (``api.app.HttpRequest`` fits)."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...  # raw, still percent-encoded
    @property
    def query_string(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...  # lower-case names
    @property
    def body(self) -> bytes: ...
    @property
    def client(self) -> str: ...  # the peer's address


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer to send as is: moto's, or ours in the caller's protocol."""

    status: int
    body: bytes
    request_id: str
    headers: list[tuple[str, str]] = field(default_factory=list)


def query_params(query_string: str) -> dict[str, str]:
    """Decoded query (or form) parameters; a repeated key keeps its first value."""
    params: dict[str, str] = {}
    for part in query_string.split("&"):
        if part:
            key, _, value = part.partition("=")
            params.setdefault(unquote_plus(key), unquote_plus(value))
    return params


def form_params(request: Incoming) -> dict[str, str]:
    """Query-protocol parameters: the query string plus a form-encoded body."""
    params = query_params(request.query_string)
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.startswith("application/x-www-form-urlencoded"):
        params.update(query_params(request.body.decode("utf-8", errors="replace")))
    return params


def claimed_service(request: Incoming) -> str | None:
    """The service in the request's SigV4 credential scope, verified or not."""
    authorization = request.headers.get("authorization", "")
    marker = "Credential="
    if marker in authorization:
        credential = authorization.split(marker, 1)[1].split(",", 1)[0]
    else:
        credential = query_params(request.query_string).get("X-Amz-Credential", "")
    parts = credential.strip().split("/")
    return parts[3].lower() if len(parts) == 5 else None


# AWS's codes for our four authentication failures, by protocol family.
_Codes = Mapping[type[AwsError], tuple[str, int]]
_QUERY_CODES: _Codes = {
    InvalidSignatureException: ("SignatureDoesNotMatch", 403),
    UnrecognizedClientException: ("InvalidClientTokenId", 403),
    MissingAuthenticationTokenException: ("MissingAuthenticationToken", 403),
    IncompleteSignatureException: ("IncompleteSignature", 400),
}
_EC2_CODES: _Codes = {
    InvalidSignatureException: ("SignatureDoesNotMatch", 403),
    UnrecognizedClientException: ("AuthFailure", 401),
    MissingAuthenticationTokenException: ("MissingAuthenticationToken", 401),
    IncompleteSignatureException: ("IncompleteSignature", 400),
}
_S3_CODES: _Codes = {
    InvalidSignatureException: ("SignatureDoesNotMatch", 403),
    UnrecognizedClientException: ("InvalidAccessKeyId", 403),
    MissingAuthenticationTokenException: ("AccessDenied", 403),
    IncompleteSignatureException: ("AuthorizationHeaderMalformed", 400),
}
_S3_MESSAGES = {
    "InvalidAccessKeyId": "The AWS Access Key Id you provided does not exist in our records.",
    "AccessDenied": "Access Denied",
}


def _code(error: AwsError, table: _Codes) -> tuple[str, int]:
    return table.get(type(error), (error.code, error.status))


def _s3_code(error: AwsError) -> tuple[str, str, int]:
    if error.message.startswith(("Signature expired", "Signature not yet current")):
        return (
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            403,
        )
    if error.message == "Request has expired":
        return "AccessDenied", error.message, 403
    code, status = _code(error, _S3_CODES)
    return code, _S3_MESSAGES.get(code, error.message), status


def encode_error(error: AwsError, protocol: str, request_id: str) -> Reply:
    """``error`` as the service speaking ``protocol`` (botocore's names) would send it."""
    message = escape(error.message)
    if protocol == "rest-xml":
        code, text, status = _s3_code(error)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{escape(text)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return _xml(status, body, request_id)
    if protocol == "ec2":
        code, status = _code(error, _EC2_CODES)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return _xml(status, body, request_id)
    if protocol == "query":
        code, status = _code(error, _QUERY_CODES)
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return _xml(status, body, request_id)
    if protocol == "rest-json":
        return Reply(
            403 if error.status == 400 else error.status,
            orjson.dumps({"message": error.message}),
            request_id,
            [
                ("content-type", "application/json"),
                ("x-amzn-errortype", error.code),
                ("x-amzn-requestid", request_id),
            ],
        )
    return json_error(error, request_id)


def json_error(error: AwsError, request_id: str) -> Reply:
    """The JSON-protocol form, also ConfigLedger's own (``{"__type", "message"}``)."""
    return Reply(
        error.status,
        orjson.dumps(error.to_wire()),
        request_id,
        [("content-type", JSON_CONTENT_TYPE), ("x-amzn-requestid", request_id)],
    )


def _xml(status: int, body: str, request_id: str) -> Reply:
    return Reply(
        status,
        body.encode(),
        request_id,
        [
            ("content-type", XML_CONTENT_TYPE),
            ("x-amzn-requestid", request_id),
            ("x-amz-request-id", request_id),
        ],
    )
