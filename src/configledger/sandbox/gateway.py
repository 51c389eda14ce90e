"""A sandbox request, top to bottom: authenticate, hand to moto, record if it mutated.

    authenticate   SigV4 with Config's own CredentialStore    (AWS's auth errors, per protocol)
    refuse         anything signed for Config                  (Config is ours, never moto's)
    forward        moto, as the caller's account (x-moto-account-id)
    record         a 2xx mutating call -> CloudTrail event + outbox, one transaction

moto never sees an unsigned request (presigned URLs are signed, in the query: SigV4,
or S3's SigV2 that boto3 still presigns with by default, see presign_v2), and an
event is written only after moto answered 2xx, so a refused or failed call leaves no
trace in the trail.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson

from configledger.api.auth import Caller, CredentialStore, authenticate
from configledger.clock import Clock
from configledger.errors import AwsError, InternalFailure, UnknownOperationException
from configledger.sandbox import decode, lambda_code, presign_v2, services, trail
from configledger.sandbox.moto_app import MotoSandbox, WsgiResponse
from configledger.sandbox.wire import Incoming, Reply, claimed_service, encode_error, json_error
from configledger.store import cloudtrail
from configledger.store.database import Database

log = logging.getLogger("configledger.sandbox")

CONFIG_SIGNING_NAME = "config"
_REQUEST_ID_HEADERS = ("x-amzn-requestid", "x-amz-request-id")
_MOTO_EC2_ID = b"<requestId>request-id</requestId>"


class NotImplementedBySandbox(AwsError):
    """An operation moto does not emulate: AWS's 501 form, so SDKs show the message."""

    code = "NotImplemented"
    status = 501


class SandboxGateway:
    def __init__(
        self,
        database: Database,
        credentials: CredentialStore,
        clock: Clock,
        on_recorded: Callable[[], None] | None = None,
    ) -> None:
        self.database = database
        self.credentials = credentials
        self.clock = clock
        # Called after an event is committed (the recorder's wake-up, to skip its poll).
        self.on_recorded = on_recorded
        self.moto = MotoSandbox()

    def handle(self, request: Incoming) -> Reply:
        request_id = str(uuid.uuid4())
        now_ms = self.clock.now_ms()
        try:
            caller = self._authenticate(request, now_ms)
        except AwsError as error:
            protocol = services.protocol_of(request, claimed_service(request))
            return encode_error(error, protocol, request_id)
        if caller.service == CONFIG_SIGNING_NAME:
            target = request.headers.get("x-amz-target", "")
            return json_error(
                UnknownOperationException(f"Operation '{target}' is not known to AWS Config."),
                request_id,
            )
        try:
            response = self.moto.call(request, caller.credential.account_id)
        except NotImplementedError as missing:
            # moto's way of saying "not (yet) emulated": a clear answer, not a 500.
            protocol = services.protocol_of(request, caller.service)
            return encode_error(NotImplementedBySandbox(str(missing)), protocol, request_id)
        except Exception:
            log.exception(
                "the sandbox failed on %s %s (%s)", request.method, request.path, request_id
            )
            failure = InternalFailure(
                "The request processing has failed because of an unknown error."
            )
            return encode_error(failure, services.protocol_of(request, caller.service), request_id)
        reply = _reply(response, request_id)
        reply = lambda_code.locate(request, caller.credential.account_id, caller.region, reply)
        if 200 <= response.status < 300:
            try:
                self._record(
                    request, caller, replace(response, body=reply.body), reply.request_id, now_ms
                )
            except Exception:
                # moto has applied the change; a 500 now would invite a retry of it.
                log.exception("could not record the CloudTrail event of %s", reply.request_id)
        return reply

    def _authenticate(self, request: Incoming, now_ms: int) -> Caller:
        if presign_v2.is_presigned_v2(request.query_string, request.headers):
            return presign_v2.authenticate_v2(
                method=request.method,
                path=request.path,
                query_string=request.query_string,
                headers=request.headers,
                credentials=self.credentials,
                now_ms=now_ms,
            )
        return authenticate(
            method=request.method,
            path=request.path,
            query_string=request.query_string,
            headers=request.headers,
            body=request.body,
            credentials=self.credentials,
            now_ms=now_ms,
        )

    def reset(self) -> Reply:
        """moto's reset, then every row of ConfigLedger's store."""
        response = self.moto.reset()
        with self.database.write() as conn:
            cloudtrail.reset_all(conn)
        return _reply(response, str(uuid.uuid4()))

    def _record(
        self,
        request: Incoming,
        caller: Caller,
        response: WsgiResponse,
        request_id: str,
        now_ms: int,
    ) -> None:
        call = services.identify(request, caller.service)
        if call.operation is None:
            log.debug("no operation matches %s %s (%s)", request.method, request.path, call.service)
            return
        if trail.is_read_only(call.operation):
            return
        event = trail.build_event(
            trail.Call(
                caller=trail.Caller(
                    caller.credential.account_id,
                    caller.credential.principal_arn,
                    caller.credential.access_key_id,
                ),
                region=caller.region,
                service=call.service,
                operation=call.operation,
                time_ms=now_ms,
                source_ip=request.client,
                user_agent=request.headers.get("user-agent", ""),
                request_id=request_id,
                request_parameters=decode.bounded(call.members()),
                response_elements=decode.bounded(_response_elements(call, response)),
            )
        )
        with self.database.write() as conn:
            cloudtrail.append(conn, event, announce=True, now_ms=now_ms)
        if self.on_recorded is not None:
            self.on_recorded()


def _response_elements(call: services.Call, response: WsgiResponse) -> Any:
    body = response.body
    if not body or len(body) > decode.MAX_XML:
        return None
    content_type = (response.header("content-type") or "").lower()
    if "json" in content_type or call.protocol in ("json", "rest-json"):
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        shape = None
        if call.model is not None and call.operation in call.model.operation_names:
            shape = call.model.operation_model(call.operation).output_shape
        return decode.camelize(shape, parsed) if isinstance(parsed, dict) else None
    if "xml" in content_type or call.protocol in ("query", "ec2"):
        elements = decode.xml_elements(body)
        if elements is not None:
            elements.pop("responseMetadata", None)
        return elements
    return None


def _reply(response: WsgiResponse, fallback_id: str) -> Reply:
    """moto's answer; its request id (header, else XML) becomes the record's requestID.

    moto's EC2 answers carry a fixed ``<requestId>request-id</requestId>`` while the
    header id is fresh; the body is given the header's id, so the SDK's RequestId,
    the header and the CloudTrail record agree, as they do on AWS.
    """
    request_id = (
        next((found for name in _REQUEST_ID_HEADERS if (found := response.header(name))), None)
        or _xml_request_id(response.body)
        or fallback_id
    )
    body = response.body.replace(
        _MOTO_EC2_ID, b"<requestId>%s</requestId>" % request_id.encode(), 1
    )
    headers = list(response.headers)
    if response.header("x-amzn-requestid") is None and response.header("x-amz-request-id") is None:
        headers.append(("x-amzn-requestid", request_id))
    return Reply(response.status, body, request_id, headers)


def _xml_request_id(body: bytes) -> str | None:
    """The RequestId / requestId / RequestID element of a query or EC2 response."""
    for part in (body[:4096], body[-4096:]):
        for tag in (b"RequestId>", b"requestId>", b"RequestID>"):
            start = part.find(b"<" + tag)
            if start >= 0:
                start += len(tag) + 1
                end = part.find(b"</", start)
                if end > start:
                    return part[start:end].decode(errors="replace").strip() or None
    return None
