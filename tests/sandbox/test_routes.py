"""The REST matcher against botocore's own templates: every operation finds itself."""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest

from configledger.sandbox.routes import match

_session = botocore.session.get_session()
# Operations whose template, required members and all are identical to another one's:
# the request cannot tell them apart, so the current (or first) operation wins.
INDISTINGUISHABLE = {
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
    ("s3", "ListDirectoryBuckets"): "ListBuckets",
}


def _example(operation: Any) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """The smallest request botocore could send for ``operation``."""
    path, _, literal = operation.http["requestUri"].partition("?")
    path = re.sub(r"\{[^}]+\}", "x1", path)
    query = dict(part.partition("=")[::2] for part in literal.split("&") if part)
    headers: dict[str, str] = {}
    shape = operation.input_shape
    for name in shape.required_members if shape is not None else ():
        member = shape.members[name]
        wire = member.serialization.get("name", name)
        if member.serialization.get("location") == "querystring":
            query[wire] = "1"
        elif member.serialization.get("location") == "header":
            headers[wire.lower()] = "1"
    return operation.http["method"], path, query, headers


@pytest.mark.parametrize("service", ["s3", "lambda", "apigateway", "s3control", "route53"])
def test_every_operation_of_a_rest_service_is_found(service: str) -> None:
    model = _session.get_service_model(service)
    wrong = {}
    for name in model.operation_names:
        method, path, query, headers = _example(model.operation_model(name))
        found = match(model, method, path, query, headers)
        expected = INDISTINGUISHABLE.get((service, name), name)
        if found is None or found.operation != expected:
            wrong[name] = found and found.operation
    assert wrong == {}


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "operation"),
    [
        ("PUT", "/b/k", {}, {}, "PutObject"),
        ("PUT", "/b/k", {}, {"x-amz-copy-source": "/a/k"}, "CopyObject"),
        ("PUT", "/b/k", {"partNumber": "1", "uploadId": "u"}, {}, "UploadPart"),
        ("GET", "/b", {}, {}, "ListObjects"),
        ("GET", "/b/", {"prefix": "p"}, {}, "ListObjects"),
        ("GET", "/b", {"list-type": "2"}, {}, "ListObjectsV2"),
        ("GET", "/b", {"tagging": ""}, {}, "GetBucketTagging"),
        ("PUT", "/b", {}, {}, "CreateBucket"),
        ("DELETE", "/b/a%2Fb", {}, {}, "DeleteObject"),
        ("POST", "/b", {"delete": ""}, {}, "DeleteObjects"),
    ],
)
def test_s3_requests_as_sdks_send_them(
    method: str, path: str, query: dict[str, str], headers: dict[str, str], operation: str
) -> None:
    found = match(_session.get_service_model("s3"), method, path, query, headers)
    assert found is not None and found.operation == operation


def test_labels_are_decoded_and_greedy_labels_keep_slashes() -> None:
    found = match(_session.get_service_model("s3"), "PUT", "/bucket/dir/a%20b.txt", {}, {})
    assert found is not None
    assert found.labels == {"Bucket": "bucket", "Key": "dir/a b.txt"}


def test_no_route_is_none() -> None:
    assert match(_session.get_service_model("lambda"), "PATCH", "/nowhere", {}, {}) is None
