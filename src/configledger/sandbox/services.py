"""Which AWS operation a sandbox request is, and its members, from botocore's models.

The signing name (the fourth part of the SigV4 credential scope) names the service,
so the model is found without guessing from hosts or paths. Where several models share
a signing name (``elasticloadbalancing`` is ELB and ELBv2, ``s3`` is S3 and S3 Control)
the request picks: its API ``Version``, its ``X-Amz-Target`` prefix, or the REST route
it fits.

The operation comes from where each protocol puts it:

    json               X-Amz-Target: <prefix>.<Operation>
    query, ec2         the Action parameter (query string or form body)
    rest-json/rest-xml the route (routes.py)
    smithy-rpc-v2-cbor /service/<service>/operation/<Operation>
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import botocore.session
import orjson
from botocore.exceptions import UnknownServiceError
from botocore.model import ServiceModel

from configledger.sandbox import decode, routes
from configledger.sandbox.wire import Incoming, form_params, query_params

# Signing names that are not botocore service names (or are shared by several).
_MODELS_BY_SIGNING_NAME: dict[str, tuple[str, ...]] = {
    "monitoring": ("cloudwatch",),
    "email": ("sesv2", "ses"),
    "elasticloadbalancing": ("elbv2", "elb"),
    "states": ("stepfunctions",),
    "execute-api": ("apigateway",),
    "es": ("opensearch", "es"),
    "s3": ("s3control", "s3"),
    "cognito-idp": ("cognito-idp",),
}
# S3's bucket label is ``Bucket`` in the model but ``bucketName`` in CloudTrail.
_RENAMED = {("s3", "bucket"): "bucketName"}

_session = botocore.session.get_session()
_lock = threading.Lock()


@cache
def _model(name: str) -> ServiceModel | None:
    with _lock:
        try:
            return _session.get_service_model(name)
        except UnknownServiceError:
            return None


def models_for(signing_name: str) -> list[ServiceModel]:
    """Candidate models for a signing name, the likeliest first."""
    names = _MODELS_BY_SIGNING_NAME.get(signing_name, (signing_name,))
    return [model for model in map(_model, names) if model is not None]


@dataclass(frozen=True, slots=True)
class Call:
    """An identified sandbox call; its members are decoded only when asked for, since
    reads (most calls, and every recorder sweep) are never recorded."""

    service: str  # the signing name: eventSource is "<service>.amazonaws.com"
    operation: str | None  # None when no model route fits
    model: ServiceModel | None
    protocol: str
    decoder: Callable[[], dict[str, Any]] = dict

    def members(self) -> dict[str, Any]:
        """requestParameters before bounding."""
        return self.decoder()


def protocol_of(request: Incoming, signing_name: str | None) -> str:
    """The protocol to answer in, from the signing name's model or the request's shape."""
    if signing_name:
        found = models_for(signing_name)
        if found:
            return str(found[0].protocol)
    if "x-amz-target" in request.headers:
        return "json"
    if "Action" in form_params(request):
        return "query"
    return "rest-xml"


def identify(request: Incoming, signing_name: str) -> Call:
    """Name the operation ``request`` invokes and decode its members."""
    candidates = models_for(signing_name)
    target = request.headers.get("x-amz-target")
    if target:
        return _json_call(request, signing_name, candidates, target)
    if request.path.startswith("/service/") and "/operation/" in request.path:
        operation = request.path.rsplit("/", 1)[1] or None
        model = candidates[0] if candidates else None
        return Call(signing_name, operation, model, "smithy-rpc-v2-cbor")
    params = form_params(request)
    if "Action" in params:
        return _query_call(signing_name, candidates, params)
    return _rest_call(request, signing_name, candidates)


def _json_call(
    request: Incoming, service: str, candidates: list[ServiceModel], target: str
) -> Call:
    prefix, _, operation = target.rpartition(".")
    model = next(
        (m for m in candidates if m.metadata.get("targetPrefix") == prefix),
        candidates[0] if candidates else None,
    )

    def members() -> dict[str, Any]:
        try:
            body = orjson.loads(request.body) if request.body.strip() else {}
        except orjson.JSONDecodeError:
            return {}
        shape = None
        if model is not None and operation in model.operation_names:
            shape = model.operation_model(operation).input_shape
        return decode.camelize(shape, body) if isinstance(body, dict) else {}

    return Call(service, operation or None, model, "json", members)


def _query_call(service: str, candidates: list[ServiceModel], params: dict[str, str]) -> Call:
    version = params.get("Version")
    model = next(
        (m for m in candidates if m.api_version == version),
        candidates[0] if candidates else None,
    )
    protocol = str(model.protocol) if model is not None else "query"
    return Call(
        service,
        params["Action"],
        model,
        protocol,
        lambda: decode.query_members(params.items()),
    )


def _rest_call(request: Incoming, service: str, candidates: list[ServiceModel]) -> Call:
    query = query_params(request.query_string)
    for model in candidates:
        found = routes.match(model, request.method, request.path, query, request.headers)
        if found is not None:
            return Call(
                service,
                found.operation,
                model,
                str(model.protocol),
                partial(_rest_members, request, service, model, found, query),
            )
    protocol = str(candidates[0].protocol) if candidates else "rest-xml"
    return Call(service, None, candidates[0] if candidates else None, protocol)


def _rest_members(
    request: Incoming,
    service: str,
    model: ServiceModel,
    found: routes.RouteMatch,
    query: dict[str, str],
) -> dict[str, Any]:
    """URI labels, query-string members and a JSON body, keyed as CloudTrail keys them."""
    op = model.operation_model(found.operation)
    shape = op.input_shape
    members: dict[str, Any] = {}
    for name, value in found.labels.items():
        key = decode.lower_first(name)
        members[_RENAMED.get((service, key), key)] = value
    by_wire = {}
    if shape is not None:
        for name, member in shape.members.items():
            if member.serialization.get("location") == "querystring":
                by_wire[member.serialization.get("name", name)] = name
    for key, value in query.items():
        if key.startswith("X-Amz-") or key == "x-id":
            continue
        members[decode.lower_first(by_wire[key]) if key in by_wire else key] = value
    if model.protocol == "rest-json" and request.body.strip() and shape is not None:
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            body = None
        if isinstance(body, dict):
            members.update(decode.camelize(shape, body))
    return members
