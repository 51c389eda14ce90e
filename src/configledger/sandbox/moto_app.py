"""moto's own WSGI dispatcher, called in-process on a request thread.

Why in-process WSGI rather than a second server: one port, one process, one set of
credentials; the request is already on a worker thread of ConfigLedger's pool, so the
synchronous WSGI call costs no extra hop. The app is the one ``moto_server`` and
``ThreadedMotoServer`` serve: ``DomainDispatcherApplication(create_backend_app)``.

The environ is built the way werkzeug's dev server builds it (``PATH_INFO`` decoded,
``RAW_URI`` as sent, because moto matches S3 keys against the encoded path), minus
hop-by-hop headers that this server has already dealt with, and with
``x-moto-account-id`` set by us, never by the client: moto takes the account from it.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from configledger.sandbox.wire import Incoming

ACCOUNT_HEADER = "x-moto-account-id"
RESET_PATH = "/moto-api/reset"
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "expect", "te", "upgrade", ACCOUNT_HEADER}
)


@dataclass(frozen=True, slots=True)
class WsgiResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


class MotoSandbox:
    """moto's backends behind one WSGI callable; state is process-wide, as in moto."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import (  # heavy: only when the sandbox is on
            DomainDispatcherApplication,
            create_backend_app,
        )

        self._app = DomainDispatcherApplication(create_backend_app)

    def call(self, request: Incoming, account_id: str) -> WsgiResponse:
        """Serve ``request`` as ``account_id``; moto's exceptions propagate."""
        return self._run(_environ(request, account_id))

    def reset(self) -> WsgiResponse:
        """moto's own reset route: every backend of every account back to empty."""
        environ = {
            **_base_environ("POST", RESET_PATH, "", b"", "127.0.0.1"),
            "HTTP_HOST": "localhost",
        }
        return self._run(environ)

    def _run(self, environ: dict[str, Any]) -> WsgiResponse:
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return lambda _data: None

        chunks = self._app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, headers = started
        return WsgiResponse(int(str(status).split(" ", 1)[0]), list(headers), body)


def _base_environ(
    method: str, path: str, query_string: str, body: bytes, client: str
) -> dict[str, Any]:
    raw_uri = f"{path}?{query_string}" if query_string else path
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query_string,
        "RAW_URI": raw_uri,
        "REQUEST_URI": raw_uri,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": client,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def _environ(request: Incoming, account_id: str) -> dict[str, Any]:
    from moto.core.request import (
        PRESERVED_HEADER_NAMES_ENVIRON_KEY,
        environ_key_for_header,
        should_preserve_original_header_name,
    )

    environ = _base_environ(
        request.method, request.path, request.query_string, request.body, request.client
    )
    preserved: dict[str, str] = {}
    dashed = {environ_key_for_header(name) for name in request.headers if "_" not in name}
    for name, value in request.headers.items():
        if name in _HOP_BY_HOP or name == "content-length":
            continue
        key = environ_key_for_header(name)
        if "_" in name:
            # As moto's server: an underscored name never stands in for a dashed one,
            # and only S3 metadata keys keep their underscores.
            if key in dashed or not should_preserve_original_header_name(name):
                continue
            preserved[key] = name
        environ[key] = value
    environ[environ_key_for_header(ACCOUNT_HEADER)] = account_id
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = preserved
    return environ
