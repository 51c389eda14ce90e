"""The HTTP edge: one request pipeline, read top to bottom.

    route         ConfigLedger's own paths; StarlingDoveService.* -> Config;
                  CloudTrail LookupEvents -> the store; anything else -> the sandbox
                  (moto, see configledger.sandbox.gateway) when it is on, else Config
    target        X-Amz-Target -> an operation of botocore's model  (UnknownOperation)
    authenticate  SigV4 -> account, region, principal                 (auth errors)
    decode        JSON body                                           (SerializationException)
    validate      botocore's input shape                              (ValidationException)
    dispatch      the registered handler
    audit         the CloudTrail event of the successful call (configledger.sandbox.audit)
    encode        JSON 1.1 response, x-amzn-RequestId on every answer

An ``AwsError`` anywhere becomes AWS's error body with its ``__type``; anything else is
our fault, logged and answered as a 500 InternalFailure, never as a traceback.
Handlers are synchronous (SQLAlchemy, boto3, moto) and run on a thread pool so the
event loop keeps accepting connections.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson
from botocore.model import OperationModel

from configledger import __version__
from configledger.api import model
from configledger.api.auth import authenticate
from configledger.api.context import RequestContext, Runtime
from configledger.api.validation import validate_request
from configledger.errors import (
    AwsError,
    InternalFailure,
    InvalidSignatureException,
    SerializationException,
    UnknownOperationException,
)
from configledger.operations import OPERATIONS
from configledger.operations.query import extension_query
from configledger.sandbox import audit, lambda_code, lookup
from configledger.sandbox.gateway import SandboxGateway
from configledger.sandbox.moto_app import RESET_PATH
from configledger.sandbox.wire import Reply

log = logging.getLogger("configledger.api")

CONTENT_TYPE = b"application/x-amz-json-1.1"
OWN_PREFIX = "/_configledger/"
HEALTH_PATH = OWN_PREFIX + "health"
# Advanced query beyond AWS (time travel, extended grammar): configledger.operations.query.
QUERY_PATH = OWN_PREFIX + "query"
SIGNING_NAME = "config"

_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"transfer-encoding", b"date", b"server"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    client: str = ""  # the peer's address: CloudTrail's sourceIPAddress


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: bytes
    request_id: str
    content_type: bytes = CONTENT_TYPE
    # When set, exactly these headers are sent (moto's answers), plus content-length.
    headers: tuple[tuple[bytes, bytes], ...] | None = None

    @classmethod
    def from_reply(cls, reply: Reply) -> HttpResponse:
        headers = tuple(
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in reply.headers
        )
        return cls(reply.status, reply.body, reply.request_id, headers=headers)


def _target(request: HttpRequest) -> str:
    target = request.headers.get("x-amz-target", "")
    prefix, _, name = target.partition(".")
    if prefix != model.target_prefix() or model.operation(name) is None:
        raise UnknownOperationException(f"Operation '{target}' is not known to AWS Config.")
    if name not in OPERATIONS:
        raise UnknownOperationException(
            f"Operation {name} is part of AWS Config but not supported by ConfigLedger "
            f"{__version__}."
        )
    return name


def _decode(body: bytes) -> object:
    if not body.strip():
        return {}
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc}") from None


def _response_headers(request: HttpRequest, response: HttpResponse) -> list[tuple[bytes, bytes]]:
    if response.headers is None:
        return [
            (b"content-type", response.content_type),
            (b"x-amzn-requestid", response.request_id.encode()),
            (b"content-length", str(len(response.body)).encode()),
        ]
    # A HEAD answer keeps the length of what a GET would send (S3's HeadObject).
    keep_length = request.method == "HEAD"
    headers = [
        (name, value)
        for name, value in response.headers
        if name not in _HOP_BY_HOP and (keep_length or name != b"content-length")
    ]
    if not (keep_length and any(name == b"content-length" for name, _ in headers)):
        headers.append((b"content-length", str(len(response.body)).encode()))
    return headers


# Operations that never write outbox events, so need not wake the background loops.
_READ_PREFIXES = ("Describe", "Get", "List", "Select", "BatchGet")


class ConfigApi:
    """The AWS Config JSON 1.1 endpoint as an ASGI application."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._executor = ThreadPoolExecutor(
            max_workers=runtime.settings.workers, thread_name_prefix="configledger-request"
        )
        self.sandbox: SandboxGateway | None = None
        # The unsigned reset wipes the whole store: never where it holds real accounts.
        self._resettable = runtime.settings.source != "aws"
        if runtime.settings.sandbox:
            self.sandbox = SandboxGateway(
                runtime.database,
                runtime.credentials,
                runtime.clock,
                on_recorded=runtime.notify_all,
            )

    # -- the pipeline -------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        try:
            if request.method == "GET" and request.path == HEALTH_PATH:
                body = orjson.dumps({"service": "configledger", "version": __version__})
                return HttpResponse(200, body, request_id, b"application/json")
            if request.method == "POST" and request.path == QUERY_PATH:
                ctx = self._context(request, request_id, SIGNING_NAME)
                result = extension_query(ctx, _decode(request.body))
                return HttpResponse(200, orjson.dumps(result), request_id, b"application/json")
            target = request.headers.get("x-amz-target", "")
            if target == lookup.TARGET:
                return self._lookup_events(request, request_id)
            if self.sandbox is not None and not target.startswith(model.target_prefix() + "."):
                if request.path == RESET_PATH and request.method == "POST" and self._resettable:
                    return HttpResponse.from_reply(self.sandbox.reset())
                if request.path.startswith(lambda_code.PATH):
                    return HttpResponse.from_reply(lambda_code.serve(request))
                if not request.path.startswith((OWN_PREFIX, "/moto-api/")):
                    return HttpResponse.from_reply(self.sandbox.handle(request))
            name = _target(request)
            ctx = self._context(request, request_id, SIGNING_NAME)
            operation = model.operation(name)
            assert operation is not None  # _target checked it
            params = validate_request(operation, _decode(request.body))
            result = OPERATIONS[name](ctx, params)
            self._audit(ctx, request, operation, params, result)
            if not name.startswith(_READ_PREFIXES):
                self.runtime.notify_all()
            return HttpResponse(200, orjson.dumps(result), request_id)
        except AwsError as error:
            return HttpResponse(error.status, orjson.dumps(error.to_wire()), request_id)
        except Exception:
            log.exception("request %s failed", request_id)
            failure = InternalFailure(
                "The request processing has failed because of an unknown error."
            )
            return HttpResponse(failure.status, orjson.dumps(failure.to_wire()), request_id)

    def _context(self, request: HttpRequest, request_id: str, service: str) -> RequestContext:
        """Authenticate the request as a call to ``service``; the context of the call."""
        now_ms = self.runtime.clock.now_ms()
        caller = authenticate(
            method=request.method,
            path=request.path,
            query_string=request.query_string,
            headers=request.headers,
            body=request.body,
            credentials=self.runtime.credentials,
            now_ms=now_ms,
        )
        if caller.service != service:
            raise InvalidSignatureException(
                f"Credential should be scoped to correct service: '{service}'. "
            )
        return RequestContext(
            runtime=self.runtime,
            account_id=caller.credential.account_id,
            region=caller.region,
            principal_arn=caller.credential.principal_arn,
            access_key_id=caller.credential.access_key_id,
            request_id=request_id,
            now_ms=now_ms,
        )

    def _audit(
        self,
        ctx: RequestContext,
        request: HttpRequest,
        operation: OperationModel,
        params: dict[str, Any],
        result: dict[str, Any],
    ) -> None:
        """Record the call's CloudTrail event; a store error there is logged, not answered:
        the call itself has succeeded and a 500 would invite a retry of it."""
        try:
            audit.record_config_call(
                ctx,
                operation,
                params,
                result,
                source_ip=request.client,
                user_agent=request.headers.get("user-agent", ""),
            )
        except Exception:
            log.exception("could not audit %s (request %s)", operation.name, ctx.request_id)

    def _lookup_events(self, request: HttpRequest, request_id: str) -> HttpResponse:
        """CloudTrail's LookupEvents, from the store (sandbox or not)."""
        ctx = self._context(request, request_id, lookup.SERVICE)
        result = lookup.lookup_events(ctx, lookup.decode_request(request.body))
        return HttpResponse(200, orjson.dumps(result), request_id)

    # -- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        request = HttpRequest(
            method=scope["method"],
            path=scope.get("raw_path", scope["path"].encode()).decode("latin-1"),
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=b"".join(chunks),
            client=(scope.get("client") or ("", 0))[0],
        )
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self._executor, self.handle, request)
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": _response_headers(request, response),
            }
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.runtime.recorder is not None:
                    self.runtime.recorder.start()
                for worker in self.runtime.workers:
                    worker.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # The recorder first: its sweep in progress gives up at once rather than
                # describe through the sandbox endpoint that has just closed.
                if self.runtime.recorder is not None:
                    self.runtime.recorder.stop()
                for worker in self.runtime.workers:
                    worker.stop()
                self._executor.shutdown(wait=True)
                self.runtime.database.dispose()
                await send({"type": "lifespan.shutdown.complete"})
                return
