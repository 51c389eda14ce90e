"""The operation registry: AWS operation name -> handler.

A handler is a thin function ``(ctx, request) -> response``. By the time it runs the
request has been validated against botocore's model, so it never re-checks types or
lengths; it enforces the rules the model cannot express and calls the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from configledger.api.context import RequestContext

Request = dict[str, Any]
Response = dict[str, Any]
Handler = Callable[[RequestContext, Request], Response]

OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of AWS operation ``name``."""

    def register(handler: Handler) -> Handler:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = handler
        return handler

    return register
