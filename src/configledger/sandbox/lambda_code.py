"""Lambda's Code.Location, served: the sandbox's answer to "download this function's code".

AWS answers GetFunction with ``Code.Location``, a short-lived presigned URL of the
deployment package. moto answers with a placeholder host that does not exist, so a
client (ConfigLedger's own Lambda rule runner included) could not fetch the package it
uploaded. The gateway rewrites that placeholder to a path on this server,
``/_configledger/lambda-code/<account>/<region>/<function>?sha=<CodeSha256>``, and the
path serves the package's bytes. The URL carries the package's SHA-256, which only an
authenticated GetFunction reveals, and answers only while that is still the function's
code: the same capability a presigned URL is, without an expiry.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from urllib.parse import quote, unquote

import orjson

from configledger.sandbox.wire import Incoming, Reply, query_params

PATH = "/_configledger/lambda-code/"
_GET_FUNCTION = re.compile(r"^/2015-03-31/functions/([^/]+)/?$")
_PLACEHOLDER = re.compile(r"^https://awslambda-[a-z0-9-]+-tasks\.s3\.[a-z0-9-]+\.amazonaws\.com/")


def locate(request: Incoming, account_id: str, region: str, reply: Reply) -> Reply:
    """``reply`` with a fetchable Code.Location when it answers a GetFunction."""
    if request.method != "GET" or reply.status != 200 or not _GET_FUNCTION.match(request.path):
        return reply
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        return reply
    code = body.get("Code") if isinstance(body, dict) else None
    if not isinstance(code, dict):
        return reply
    location = code.get("Location")
    if not isinstance(location, str) or not _PLACEHOLDER.match(location):
        return reply
    configuration = body.get("Configuration") or {}
    name, sha = configuration.get("FunctionName"), configuration.get("CodeSha256")
    if not name or not sha:
        return reply
    host = request.headers.get("host", "127.0.0.1")
    scheme = request.headers.get("x-forwarded-proto", "http")
    code["Location"] = (
        f"{scheme}://{host}{PATH}{account_id}/{region}/{quote(name, safe='')}"
        f"?sha={quote(sha, safe='')}"
    )
    return Reply(reply.status, orjson.dumps(body), reply.request_id, reply.headers)


def serve(request: Incoming) -> Reply:
    """The package at a rewritten Location (404 if the function or its code moved on)."""
    request_id = str(uuid.uuid4())
    parts = request.path[len(PATH) :].split("/")
    sha = query_params(request.query_string).get("sha", "")
    if request.method != "GET" or len(parts) != 3 or not sha:
        return _missing(request_id)
    account_id, region, name = (unquote(p) for p in parts)
    from moto.awslambda.models import lambda_backends  # the sandbox owns moto's state

    try:
        function = lambda_backends[account_id][region].get_function(name)
    except Exception:
        return _missing(request_id)
    package: bytes = getattr(function, "code_bytes", b"") or b""
    actual = base64.b64encode(hashlib.sha256(package).digest()).decode()
    if not package or actual != sha:
        return _missing(request_id)
    headers = [("content-type", "application/zip"), ("x-amz-request-id", request_id)]
    return Reply(200, package, request_id, headers)


def _missing(request_id: str) -> Reply:
    body = (
        b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
    )
    return Reply(404, body, request_id, [("content-type", "application/xml")])
